"""Configuration, read from the environment when the app is created, checked, then handed to the factory.

Nothing is read at import: `load_config()` (called by `create_app()`) reads `os.environ` then, so a variable set
before an app is created is the one that counts, whenever this module was imported.

Why classes: each deployment kind (development, testing, production) differs in a few fixed defaults only, and
`validate()` lets the factory fail fast on a missing secret instead of failing on the first request. The settings a
deployment sets through its environment (README's table) come from `from_environment()`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from limits import parse_many

SHARED_SCHEMA = "loupe"
# The application role's default search_path: an empty schema, so unqualified SQL fails loudly.
EMPTY_SCHEMA = "loupe_empty"
# The job queue's schema (procrastinate's tables and functions, shared revision 0016).
JOBS_SCHEMA = "loupe_jobs"


# The rate limits' default figures (README's configuration table); generous enough that nobody working normally
# meets them.
RATE_LIMITS = {
    # The sign-in throttle (accounts.throttle) protects accounts; this only bounds a flood from one address.
    "RATELIMIT_LOGIN": "30 per minute",
    "RATELIMIT_PASSWORD_FORGOT": "10 per hour",
    "RATELIMIT_PASSWORD_FORGOT_PER_EMAIL": "3 per hour",
    "RATELIMIT_ACCOUNT_LINKS": "30 per hour",
    "RATELIMIT_OFFICER_LINKS": "120 per minute",
    "RATELIMIT_WEBHOOKS": "600 per minute",
    "RATELIMIT_UNSUBSCRIBE": "20 per hour",
    # The public "start your association" page: per address, and per email address typed into it.
    "RATELIMIT_SIGNUP": "5 per hour",
    "RATELIMIT_SIGNUP_PER_EMAIL": "3 per day",
    # The JSON API, per token (docs/api.md).
    "RATELIMIT_API": "300 per minute",
}


class ConfigError(RuntimeError):
    """Raised when required configuration is missing or inconsistent."""


def _bool(environ: Mapping[str, str], name: str, default: bool) -> bool:
    value = environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(environ: Mapping[str, str], name: str, default: int) -> int:
    value = environ.get(name)
    return default if value in (None, "") else int(value)


def from_environment(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The settings a deployment sets through environment variables, read now from `environ` (default:
    `os.environ`); a variable that is unset gives its default, so `from_environment({})` is every default."""
    env = os.environ if environ is None else environ
    return {
        "SECRET_KEY": env.get("SECRET_KEY"),
        # Owner connection (migrations, provisioning). Unset: embedded PostgreSQL in the instance folder.
        "DATABASE_URL": env.get("DATABASE_URL") or None,
        # Runtime connection for requests (a role that owns nothing). Unset: derived, see database.engines.
        "DATABASE_APP_URL": env.get("DATABASE_APP_URL") or None,
        "DATABASE_APP_ROLE": env.get("DATABASE_APP_ROLE", "loupe_app"),
        "DATABASE_POOL_SIZE": _int(env, "DATABASE_POOL_SIZE", 5),
        "DATABASE_MAX_OVERFLOW": _int(env, "DATABASE_MAX_OVERFLOW", 5),
        # A backend's catalog caches grow with every store it serves (~150 KB each, never shrunk): retire an app
        # connection after this many stores so backend memory stays bounded (docs/performance.md, measure 8).
        "DATABASE_STORES_PER_CONNECTION": _int(env, "DATABASE_STORES_PER_CONNECTION", 200),
        # DATABASE_APP_URL goes through a transaction-mode pooler (PgBouncer): no server-side prepared statements,
        # which live on one server connection while the pooler hands out another (docs/performance.md, measure 12).
        "DATABASE_TRANSACTION_POOLER": _bool(env, "DATABASE_TRANSACTION_POOLER", False),
        "EMBEDDED_DB_DIR": env.get("EMBEDDED_DB_DIR") or None,
        # Login throttling (accounts/throttle.py): failures in the last hour before an account backs off (its lock
        # lasts minutes and its owner is emailed, so the limit can be tight), and before an address's failing
        # accounts back off from their first failure there.
        "LOGIN_MAX_FAILURES_PER_ACCOUNT": _int(env, "LOGIN_MAX_FAILURES_PER_ACCOUNT", 10),
        "LOGIN_MAX_FAILURES_PER_ADDRESS": _int(env, "LOGIN_MAX_FAILURES_PER_ADDRESS", 300),
        # Per-address request limits on the routes open without signing in (blueprints.rate_limits), in the
        # notation "N per minute|hour|day" ("; " between several). Counted in PostgreSQL, across all workers.
        "RATELIMIT_ENABLED": _bool(env, "RATELIMIT_ENABLED", True),
        **{name: env.get(name) or figure for name, figure in RATE_LIMITS.items()},
        "MAIL_SERVER": env.get("MAIL_SERVER") or None,
        "MAIL_PORT": _int(env, "MAIL_PORT", 25),
        "MAIL_USERNAME": env.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": _bool(env, "MAIL_USE_TLS", False),
        "MAIL_FROM": env.get("MAIL_FROM", "Loupe <no-reply@loupe.localhost>"),
        "PUBLIC_BASE_URL": env.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000"),
        # Pwned Passwords range API (k-anonymity), e.g. https://api.pwnedpasswords.com/range/ ; unset: not checked.
        "BREACHED_PASSWORDS_URL": env.get("BREACHED_PASSWORDS_URL") or None,
        "TRUSTED_PROXIES": _int(env, "TRUSTED_PROXIES", 0),
        # Stripe: each association's keys are stored encrypted with these Fernet keys (comma-separated, newest
        # first, so old ones still decrypt during a rotation). Unset outside production: derived from SECRET_KEY.
        "BILLING_ENCRYPTION_KEYS": env.get("BILLING_ENCRYPTION_KEYS") or None,
        "STRIPE_API_BASE": env.get("STRIPE_API_BASE") or None,  # tests: localstripe
        "STRIPE_MAX_NETWORK_RETRIES": _int(env, "STRIPE_MAX_NETWORK_RETRIES", 2),
        # Loupe's own Stripe account (associations pay for Loupe there; billing.platform). Unset: not billed.
        "PLATFORM_STRIPE_SECRET_KEY": env.get("PLATFORM_STRIPE_SECRET_KEY") or None,
        "PLATFORM_STRIPE_WEBHOOK_SECRET": env.get("PLATFORM_STRIPE_WEBHOOK_SECRET") or None,
        # Days an association that stopped paying stays read-only before only exports stay open.
        "PLATFORM_BILLING_GRACE_DAYS": _int(env, "PLATFORM_BILLING_GRACE_DAYS", 14),
        "TENANT_MIGRATION_WORKERS": _int(env, "TENANT_MIGRATION_WORKERS", 2),
        # Pre-built store schemas the worker keeps ready (the `tenants.fill_pool` job, every 5 minutes); 0: none.
        "TENANT_POOL_SIZE": _int(env, "TENANT_POOL_SIZE", 10),
    }


# Settings that make the app reach outside the machine (send mail, call Stripe or the breach API) or that end up
# in what it sends (links in emails).
OUTWARD_SETTINGS = (
    "MAIL_SERVER",
    "MAIL_PORT",
    "MAIL_USERNAME",
    "MAIL_PASSWORD",
    "MAIL_USE_TLS",
    "PUBLIC_BASE_URL",
    "BREACHED_PASSWORDS_URL",
    "STRIPE_API_BASE",
    "PLATFORM_STRIPE_SECRET_KEY",
    "PLATFORM_STRIPE_WEBHOOK_SECRET",
)


class BaseConfig:
    """Fixed defaults shared by every kind; the environment's settings come from `from_environment()`."""

    ENV_NAME = "base"
    # Settings of `from_environment()` this kind ignores in the environment: they keep their defaults unless the
    # caller passes them as overrides.
    not_from_environment: tuple[str, ...] = ()

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

    INVITATION_MAX_AGE = timedelta(days=7)
    PASSWORD_RESET_MAX_AGE = timedelta(hours=1)
    # How long the "confirm your email" link of a public association sign-up works.
    SIGNUP_CONFIRM_MAX_AGE = timedelta(hours=48)

    # The JSON API's OpenAPI document (flask-smorest reads these): served at /api/v1/openapi.json, no UI pages.
    API_TITLE = "Loupe API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"

    # Outgoing webhooks go to public addresses only; a test's local receiver needs this on (never in production).
    WEBHOOKS_ALLOW_PRIVATE_TARGETS = False

    # Development only: keep mail in the outbox table and show it on /dev/outbox instead of sending.
    # None: decided when the settings are loaded (on when there is no MAIL_SERVER).
    DEV_OUTBOX: bool | None = False
    # Development only: "Demo sign-in as …" on the sign-in page, past password and code, for the demo's accounts
    # (blueprints/auth/dev_sign_in.py). Never in testing or production: `validate` refuses it in production.
    DEV_SIGN_IN = False
    HSTS = True

    @classmethod
    def as_dict(cls) -> dict[str, Any]:
        """Every upper-case setting of this class and its parents."""
        return {k: getattr(cls, k) for k in dir(cls) if k.isupper()}


class DevelopmentConfig(BaseConfig):
    ENV_NAME = "development"
    SESSION_COOKIE_SECURE = False  # http://127.0.0.1 in development
    HSTS = False
    DEV_OUTBOX = None
    DEV_SIGN_IN = True


class TestingConfig(BaseConfig):
    """A developer's shell may point at a real mail server or Stripe: tests never take those from it. A test that
    needs one passes it as an override (or sets it on `app.config` from a fixture that started a stand-in)."""

    ENV_NAME = "testing"
    not_from_environment = OUTWARD_SETTINGS
    TESTING = True
    SECRET_KEY = "testing-secret-key-not-for-production"
    SESSION_COOKIE_SECURE = False
    HSTS = True
    DEV_OUTBOX = False
    # On, but out of reach of the suite (which posts many times from 127.0.0.1); a test lowers one on app.config.
    RATELIMIT_ENABLED = True
    RATELIMIT_LOGIN = RATELIMIT_PASSWORD_FORGOT = RATELIMIT_PASSWORD_FORGOT_PER_EMAIL = "100000 per minute"
    RATELIMIT_ACCOUNT_LINKS = RATELIMIT_OFFICER_LINKS = RATELIMIT_WEBHOOKS = "100000 per minute"
    RATELIMIT_UNSUBSCRIBE = RATELIMIT_SIGNUP = RATELIMIT_SIGNUP_PER_EMAIL = RATELIMIT_API = "100000 per minute"


class ProductionConfig(BaseConfig):
    ENV_NAME = "production"
    SESSION_COOKIE_NAME = "__Host-loupe_session"


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def load_config(name: str | None = None, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the settings mapping for `name` (default: $LOUPE_ENV or development) from the environment as it is
    now, the kind's fixed defaults and `overrides` (in rising precedence), then validate it."""
    name = name or os.environ.get("LOUPE_ENV", "development")
    try:
        cls = CONFIGS[name]
    except KeyError:
        raise ConfigError(f"unknown LOUPE_ENV {name!r}; use one of {sorted(CONFIGS)}") from None
    settings = from_environment()
    defaults = from_environment({})
    settings.update({key: defaults[key] for key in cls.not_from_environment})
    settings.update(cls.as_dict())
    settings.update(overrides or {})
    if settings["DEV_OUTBOX"] is None:
        settings["DEV_OUTBOX"] = not settings["MAIL_SERVER"]
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
        if settings.get("DEV_SIGN_IN"):
            raise ConfigError("DEV_SIGN_IN (sign-in without password or code) cannot be used in production")
    for name in RATE_LIMITS:
        try:
            parse_many(settings[name])
        except ValueError:
            raise ConfigError(f"{name} must read like '10 per hour' (got {settings[name]!r})") from None
    if settings["LOGIN_MAX_FAILURES_PER_ACCOUNT"] < 1:
        raise ConfigError("LOGIN_MAX_FAILURES_PER_ACCOUNT must be positive")
    if settings["LOGIN_MAX_FAILURES_PER_ADDRESS"] < 1:
        raise ConfigError("LOGIN_MAX_FAILURES_PER_ADDRESS must be positive")
