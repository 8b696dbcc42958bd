"""Accounts: sign-in, server-side sessions, invitations, passwords, two-step verification."""
