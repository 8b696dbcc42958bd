"""The store workspace: dashboard figures, police contacts and contact log, attention items, local time."""
