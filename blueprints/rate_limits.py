"""Per-address request limits on the routes anyone can reach without signing in; a refused request gets 429 and
`Retry-After`.

The routes and their limits are listed here once (`LIMITED`); each limit's figure is a setting
(`RATELIMIT_<NAME>`, README), read on each request. Counters live in PostgreSQL
(`database.rate_limit_storage`), so all workers count together.

Each app gets its own `Limiter` (Flask-Limiter keeps its storage and switches on the instance, not per app) and
the listed views are wrapped with its decorator when the app is built: the check then runs when the view is
called, after the CSRF and input checks, and before any of the view's work.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app, jsonify, render_template, request
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded

import database.rate_limit_storage  # noqa: F401  (registers the loupe+postgresql:// storage scheme)
from apitokens.tokens import prefix_of
from blueprints.errors import error_body, wants_json
from blueprints.web import client_ip


def _address() -> str:
    return client_ip() or "unknown"


def _email_typed() -> str:
    """A keyed digest of the email typed into the form (the counters table stores no email addresses, nor digests
    anyone could match against a list of them); empty: not counted."""
    email = (request.form.get("email") or "").strip().lower()
    if not email:
        return ""
    key = str(current_app.config["SECRET_KEY"]).encode("utf-8")
    return "email:" + hmac.new(key, email.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def _api_token() -> str:
    """The API counts per token (its public prefix); a request without a well-formed token counts per address."""
    prefix = prefix_of(request.headers.get("Authorization"))
    return f"token:{prefix}" if prefix else f"address:{_address()}"


@dataclass(frozen=True)
class Limited:
    """One limit: the setting holding its figure, the endpoints it counts together, whom it counts."""

    setting: str
    endpoints: tuple[str, ...]  # exact endpoint names, or a blueprint's "name." prefix
    methods: tuple[str, ...] | None = None  # None: every method
    key: Callable[[], str] = _address


LIMITED = (
    # Generous: the sign-in throttle (accounts.throttle) is what protects accounts; this only bounds a flood.
    Limited("RATELIMIT_LOGIN", ("auth.login",), methods=("POST",)),
    Limited("RATELIMIT_PASSWORD_FORGOT", ("auth.forgot_password",), methods=("POST",)),
    # Nobody floods one inbox with reset emails, from however many addresses.
    Limited("RATELIMIT_PASSWORD_FORGOT_PER_EMAIL", ("auth.forgot_password",), methods=("POST",), key=_email_typed),
    Limited("RATELIMIT_ACCOUNT_LINKS", ("auth.accept_invitation", "auth.reset_password")),
    Limited("RATELIMIT_OFFICER_LINKS", ("officer.",)),
    Limited("RATELIMIT_WEBHOOKS", ("webhooks.",), methods=("POST",)),
    Limited("RATELIMIT_UNSUBSCRIBE", ("digest.unsubscribe_post",), methods=("POST",)),
    # The public sign-up creates rows and sends email to an address anyone types: bounded per address and per email.
    Limited("RATELIMIT_SIGNUP", ("signup.start",), methods=("POST",)),
    Limited("RATELIMIT_SIGNUP_PER_EMAIL", ("signup.start",), methods=("POST",), key=_email_typed),
    # The JSON API: per token, every operation together.
    Limited("RATELIMIT_API", ("api_v1.",), key=_api_token),
)


def _figure(setting: str) -> Callable[[], str]:
    return lambda: current_app.config[setting]


def _matches(endpoint: str, names: tuple[str, ...]) -> bool:
    return any(endpoint == name or (name.endswith(".") and endpoint.startswith(name)) for name in names)


def init_app(app: Flask) -> None:
    """Wrap the listed views of `app` (its blueprints already registered) with their limits."""
    if not app.config.get("RATELIMIT_ENABLED", True):
        return
    database = app.extensions["loupe_db"]
    limiter = Limiter(
        key_func=_address,
        storage_uri="loupe+postgresql://",
        storage_options={"engine": lambda: database.engines.app},
        strategy="fixed-window",
        key_prefix="loupe",
    )
    limiter.init_app(app)
    app.extensions["loupe_limiter"] = limiter
    for endpoint, view in list(app.view_functions.items()):
        for limit in LIMITED:
            if _matches(endpoint, limit.endpoints):
                view = limiter.shared_limit(
                    _figure(limit.setting),
                    scope=limit.setting.lower(),
                    key_func=limit.key,
                    methods=list(limit.methods) if limit.methods else None,
                )(view)
        app.view_functions[endpoint] = view

    @app.errorhandler(RateLimitExceeded)
    def too_many_requests(exc: RateLimitExceeded):
        current = limiter.current_limit
        seconds = math.ceil(current.window.reset_time - time.time()) if current else 60
        seconds = max(seconds, 1)
        minutes = max(1, math.ceil(seconds / 60))
        message = (
            "Too many requests in a short time. "
            f"Please wait {minutes} minute{'s' if minutes != 1 else ''} and try again."
        )
        headers = {"Retry-After": str(seconds)}
        if wants_json():
            return jsonify(error_body(429, "too_many_requests", message, {"retry_after": seconds})), 429, headers
        return render_template("errors/error.html", status=429, message=message), 429, headers
