"""Email: rendering (one module), the outbox table, and SMTP delivery."""
