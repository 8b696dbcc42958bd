"""API tokens (issue 20 part 4): made and revoked in the portals, checked on every `/api/v1/` request."""
