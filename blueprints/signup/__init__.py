"""The public "start your association" pages: sign up, confirm the email, land in the admin portal."""

from blueprints.signup.views import bp

__all__ = ["bp"]
