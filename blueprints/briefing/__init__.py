"""The store's security briefing for the police: owners and managers only, every read audited."""

from blueprints.briefing.views import bp

__all__ = ["bp"]
