"""Emergency response plans: one per kind of emergency, reviewed on a date, agreed with police."""

from blueprints.plans.views import bp

__all__ = ["bp"]
