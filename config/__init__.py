"""Configuration, read once from the environment, checked, then handed to the factory.

Why classes: each deployment kind (development, testing, production) differs in a few defaults only, and
`validate()` lets the factory fail fast on a missing secret instead of failing on the first request.
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

SHARED_SCHEMA = "loupe"
# The application role's default search_path: an empty schema, so unqualified SQL fails loudly.
EMPTY_SCHEMA = "loupe_empty"
# The job queue's schema (procrastinate's tables and functions, shared revision 0016).
JOBS_SCHEMA = "loupe_jobs"


class ConfigError(RuntimeError):
    """Raised when required configuration is missing or inconsistent."""


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


class BaseConfig:
    """Defaults shared by every environment."""

    ENV_NAME = "base"
    SECRET_KEY: str | None = os.environ.get("SECRET_KEY")
    # Owner connection (migrations, provisioning). Unset: embedded PostgreSQL in the instance folder.
    DATABASE_URL: str | None = os.environ.get("DATABASE_URL") or None
    # Runtime connection for requests (a role that owns nothing). Unset: derived, see database.engines.
    DATABASE_APP_URL: str | None = os.environ.get("DATABASE_APP_URL") or None
    DATABASE_APP_ROLE = os.environ.get("DATABASE_APP_ROLE", "loupe_app")
    DATABASE_POOL_SIZE = _env_int("DATABASE_POOL_SIZE", 5)
    DATABASE_MAX_OVERFLOW = _env_int("DATABASE_MAX_OVERFLOW", 5)
    # A backend's catalog caches grow with every store it serves (~150 KB each, never shrunk): retire an app
    # connection after this many stores so backend memory stays bounded (docs/performance.md, measure 8).
    DATABASE_STORES_PER_CONNECTION = _env_int("DATABASE_STORES_PER_CONNECTION", 200)
    EMBEDDED_DB_DIR: str | None = os.environ.get("EMBEDDED_DB_DIR") or None

    # Sessions: signed cookie + server-side auth session row (revocable).
    SESSION_COOKIE_NAME = "loupe_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_DURATION = timedelta(seconds=0)
    SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
    SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=12)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)

    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = 3600 * 12
    MAX_CONTENT_LENGTH = 12 * 1024 * 1024

    # Login throttling: failures per account and per address within one hour.
    LOGIN_MAX_FAILURES_PER_ACCOUNT = _env_int("LOGIN_MAX_FAILURES_PER_ACCOUNT", 100)
    LOGIN_MAX_FAILURES_PER_ADDRESS = _env_int("LOGIN_MAX_FAILURES_PER_ADDRESS", 300)

    INVITATION_MAX_AGE = timedelta(days=7)
    PASSWORD_RESET_MAX_AGE = timedelta(hours=1)

    MAIL_SERVER: str | None = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = _env_int("MAIL_PORT", 25)
    MAIL_USERNAME: str | None = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD: str | None = os.environ.get("MAIL_PASSWORD") or None
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", False)
    MAIL_FROM = os.environ.get("MAIL_FROM", "Loupe <no-reply@loupe.localhost>")
    # Development only: keep mail in the outbox table and show it on /dev/outbox instead of sending.
    DEV_OUTBOX = False

    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    # Pwned Passwords range API (k-anonymity), e.g. https://api.pwnedpasswords.com/range/ ; unset: not checked.
    BREACHED_PASSWORDS_URL: str | None = os.environ.get("BREACHED_PASSWORDS_URL") or None
    TRUSTED_PROXIES = _env_int("TRUSTED_PROXIES", 0)

    # Stripe: each association's keys are stored encrypted with these Fernet keys (comma-separated, newest
    # first, so old ones still decrypt during a rotation). Unset outside production: derived from SECRET_KEY.
    BILLING_ENCRYPTION_KEYS: str | None = os.environ.get("BILLING_ENCRYPTION_KEYS") or None
    STRIPE_API_BASE: str | None = os.environ.get("STRIPE_API_BASE") or None  # tests: localstripe
    STRIPE_MAX_NETWORK_RETRIES = _env_int("STRIPE_MAX_NETWORK_RETRIES", 2)
    HSTS = True
    TENANT_MIGRATION_WORKERS = _env_int("TENANT_MIGRATION_WORKERS", 2)

    @classmethod
    def as_dict(cls) -> dict[str, Any]:
        """Every upper-case setting of this class and its parents."""
        return {k: getattr(cls, k) for k in dir(cls) if k.isupper()}


class DevelopmentConfig(BaseConfig):
    ENV_NAME = "development"
    SESSION_COOKIE_SECURE = False  # http://127.0.0.1 in development
    HSTS = False
    DEV_OUTBOX = BaseConfig.MAIL_SERVER is None


class TestingConfig(BaseConfig):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret-key-not-for-production"
    SESSION_COOKIE_SECURE = False
    HSTS = True
    DEV_OUTBOX = False


class ProductionConfig(BaseConfig):
    ENV_NAME = "production"
    SESSION_COOKIE_NAME = "__Host-loupe_session"


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def load_config(name: str | None = None, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the settings mapping for `name` (default: $LOUPE_ENV or development), then validate it."""
    name = name or os.environ.get("LOUPE_ENV", "development")
    try:
        cls = CONFIGS[name]
    except KeyError:
        raise ConfigError(f"unknown LOUPE_ENV {name!r}; use one of {sorted(CONFIGS)}") from None
    settings = cls.as_dict()
    settings.update(overrides or {})
    validate(settings)
    return settings


def validate(settings: dict[str, Any]) -> None:
    """Fail fast on settings that would make the app insecure or unable to run."""
    if settings["ENV_NAME"] == "production":
        missing = [k for k in ("SECRET_KEY", "DATABASE_URL", "BILLING_ENCRYPTION_KEYS") if not settings.get(k)]
        if missing:
            raise ConfigError("production needs " + ", ".join(missing) + " in the environment")
        if len(settings["SECRET_KEY"]) < 32:
            raise ConfigError("SECRET_KEY must be at least 32 characters in production")
        if settings.get("DEV_OUTBOX"):
            raise ConfigError("DEV_OUTBOX cannot be used in production")
    if settings["LOGIN_MAX_FAILURES_PER_ACCOUNT"] < 1:
        raise ConfigError("LOGIN_MAX_FAILURES_PER_ACCOUNT must be positive")
