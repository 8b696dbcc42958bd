"""The platform's customers: creating, listing and suspending associations, the public sign-up, the getting-started
checklist of a new association, and the operator console's figures."""
