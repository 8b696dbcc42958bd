"""Patrol and extra-watch requests and away mode, under /s/<store-slug>/patrols/."""

from blueprints.patrols.views import bp

__all__ = ["bp"]
