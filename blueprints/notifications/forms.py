"""The inbox's forms: CSRF only (the settings page's checkboxes are named per event)."""

from __future__ import annotations

from flask_wtf import FlaskForm


class CsrfForm(FlaskForm):
    """A form with nothing but its CSRF token (open, mark all read, save choices)."""
