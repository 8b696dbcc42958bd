"""Domain errors shared by every area. Messages are written for the person who caused them.

`blueprints.errors` maps them to HTTP: HTML pages for people, a stable JSON shape for the API.
"""


class DomainError(Exception):
    """A request that cannot be done as asked."""

    status_code = 400


class NotFound(DomainError):
    """Nothing with that id here (also used when it exists elsewhere: we never say where)."""

    status_code = 404


class Forbidden(DomainError):
    status_code = 403


class Conflict(DomainError):
    status_code = 409
