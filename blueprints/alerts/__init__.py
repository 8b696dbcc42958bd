"""Urgent alerts: a person's alert preferences (/account/alerts), sending an alert, casing pattern detection."""

from blueprints.alerts.views import bp

__all__ = ["bp"]
