"""Domain errors shared by every area. Messages are written for the person who caused them.

`blueprints.errors` maps them to HTTP: HTML pages for people, a stable JSON shape for the API.

Every DomainError notes that it was raised in the current unit of work (`domain_error_raised`): a view that
catches one and still answers 2xx/3xx must not commit what the failing service had flushed before it raised
(`database.request_scope` rolls such a request back).
"""

from contextvars import ContextVar

_raised: ContextVar[bool] = ContextVar("loupe_domain_error_raised", default=False)


def domain_error_raised() -> bool:
    """True when a DomainError was created since the last `reset_domain_error_mark()`."""
    return _raised.get()


def reset_domain_error_mark() -> None:
    """Start a new unit of work: forget domain errors of the previous one."""
    _raised.set(False)


class DomainError(Exception):
    """A request that cannot be done as asked."""

    status_code = 400

    def __init__(self, *args: object) -> None:
        super().__init__(*args)
        _raised.set(True)


class NotFound(DomainError):
    """Nothing with that id here (also used when it exists elsewhere: we never say where)."""

    status_code = 404


class Forbidden(DomainError):
    status_code = 403


class Conflict(DomainError):
    status_code = 409
