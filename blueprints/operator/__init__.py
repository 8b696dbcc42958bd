"""The platform operator's page: associations and the provisioning / migration state of their stores."""

from blueprints.operator.views import bp

__all__ = ["bp"]
