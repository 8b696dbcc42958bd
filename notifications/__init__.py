"""Notifications: what happened to a person's stores, shares and regions, in an inbox and by email (issue 18)."""
