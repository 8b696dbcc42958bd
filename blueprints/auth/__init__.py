"""Sign-in, sign-out, invitations, password reset and the store switcher."""

from blueprints.auth.views import bp

__all__ = ["bp"]
