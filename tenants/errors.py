"""Domain errors of the tenancy core."""

from errors import DomainError


class TenancyError(DomainError):
    """Base of tenancy errors; the message is safe to show to the person who caused it."""


class InvalidStoreName(TenancyError):
    """A store name or slug that cannot be accepted."""


class StoreNotFound(TenancyError):
    """No store with that slug, or not one this person may use."""

    status_code = 404


class StoreNotReady(TenancyError):
    """The store exists but is provisioning, failed or suspended."""

    status_code = 503


class TenantBindingError(TenancyError):
    """An attempt to bind a Session to a second store, or to a schema name that was not generated."""

    status_code = 500
