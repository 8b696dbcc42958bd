"""Operator console forms."""

from flask_wtf import FlaskForm


class RetryJobForm(FlaskForm):
    """Retry a failed job: a POST with a CSRF token."""
