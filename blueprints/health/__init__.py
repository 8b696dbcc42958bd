"""GET /healthz for load balancers and Docker's HEALTHCHECK: public, no session, no CSRF, no store."""

from blueprints.health.views import bp

__all__ = ["bp"]
