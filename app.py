"""The application factory. Creating the app runs no query and starts no server: the database is reached on
first use (the embedded PostgreSQL starts then when no DATABASE_URL is set).

Production: `gunicorn 'app:create_app()'`; migrations run separately (`flask db upgrade`, `flask tenants migrate`).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

from config import load_config
from database.extension import Database
from database.request_scope import begin_request, close_request, end_request
from security import logs


class LoupeFlask(Flask):
    """Flask with one commit point: once the response is known, before it leaves, and only on success."""

    def preprocess_request(self):  # type: ignore[override]
        begin_request()
        return super().preprocess_request()

    def log_exception(self, exc_info) -> None:  # type: ignore[override]
        # Flask's own puts the path in the message; here it is a field of its own (whatever the visitor typed).
        path = logs.loggable_path()
        self.logger.error("unhandled error", exc_info=exc_info, extra={"method": request.method, "path": path})

    def finalize_request(self, rv, from_error_handler: bool = False):  # type: ignore[override]
        response = self.make_response(rv)
        # From the error handler: the commit itself (or an after-request step) failed, so nothing may be stored.
        end_request(500 if from_error_handler else response.status_code)
        return super().finalize_request(response, from_error_handler)


def create_app(config_name: str | None = None, overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app in named steps: settings, extensions, database, security, blueprints, CLI."""
    settings = load_config(config_name, overrides)
    app = LoupeFlask(__name__, instance_relative_config=True)
    # Work that starts its own processes (the digest's send workers) builds its app with this; handed over so
    # nothing below the app imports it.
    app.extensions["app_factory"] = create_app
    _configure(app, settings)
    _init_extensions(app)
    _init_database(app)
    _init_security(app)
    _register_blueprints(app)
    _init_rate_limits(app)
    _list_attention_providers(app)
    _register_cli(app)
    return app


def _configure(app: Flask, settings: dict[str, Any]) -> None:
    app.config.update(settings)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _development_secret(app)
    proxies = int(app.config.get("TRUSTED_PROXIES", 0) or 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    # JSON lines with a request id, for the web, the job worker and the CLI alike (they all build the app).
    logs.configure_logging()
    logs.init_app(app)  # first of the request hooks: every request gets its id and its log line


def _development_secret(app: Flask) -> str:
    """Development only (validate() refuses production without SECRET_KEY): a random key kept in the instance."""
    import os
    import secrets
    from pathlib import Path

    path = Path(app.instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def _init_extensions(app: Flask) -> None:
    import i18n
    from blueprints.auth import current
    from extensions import csrf, login_manager

    i18n.init_app(app)
    login_manager.init_app(app)
    csrf.init_app(app)
    current.init_app(login_manager)


def _init_database(app: Flask) -> None:
    from jobs import queue

    Database(app)
    app.teardown_appcontext(close_request)
    queue.install()  # jobs batched on a Session are written when it commits (one mail job per transaction)


def _init_security(app: Flask) -> None:
    from security import headers, input_guard, ranges, secretbox

    headers.init_app(app)
    input_guard.init_app(app)
    ranges.init_app(app)  # bounds every <int:...> route part: before the blueprints add their routes
    secretbox.configure(app.config)  # TOTP secrets are sealed at rest with it


def _register_blueprints(app: Flask) -> None:
    """Every blueprint, listed here once: nothing registers itself by being imported."""
    from blueprints import (
        admin,
        alerts,
        api,
        api_tokens,
        auth,
        briefing,
        errors,
        feed,
        health,
        layout,
        liaison,
        logbook,
        meetings,
        notifications,
        officer,
        operator,
        outgoing_webhooks,
        patrols,
        people,
        plans,
        platform_billing,
        pwa,
        review,
        sharing,
        signup,
        store,
        webhooks,
    )
    from blueprints import billing as billing_views
    from blueprints import digest as digest_views
    from blueprints.auth import dev_outbox, dev_sign_in, mfa_views
    from blueprints.sharing import note_views

    errors.init_app(app)
    layout.init_app(app)
    for blueprint in (
        auth.bp,
        store.bp,
        admin.bp,
        mfa_views.bp,
        operator.bp,
        review.bp,
        liaison.bp,
        people.bp,
        billing_views.bp,
        webhooks.bp,
        briefing.bp,
        plans.bp,
        patrols.bp,
        officer.bp,
        meetings.bp,
        logbook.bp,
        sharing.bp,
        note_views.bp,
        feed.bp,
        alerts.bp,
        digest_views.bp,
        health.bp,
        signup.bp,
        platform_billing.bp,
        notifications.bp,
        api_tokens.bp,
        outgoing_webhooks.bp,
        outgoing_webhooks.liaison_bp,
        pwa.bp,
    ):
        app.register_blueprint(blueprint)
    api.init_app(app)  # the JSON API and its OpenAPI document (flask-smorest registers its blueprint)
    dev_outbox.init_app(app)  # development only
    dev_sign_in.init_app(app)  # development only (config.validate refuses it in production)


def _init_rate_limits(app: Flask) -> None:
    """After the blueprints: the limits wrap views already registered."""
    from blueprints import rate_limits

    rate_limits.init_app(app)


def _list_attention_providers(app: Flask) -> None:
    """The workspace parts that can need a store's attention, listed once: the store dashboard and the digest list
    their items (in this order within a severity)."""
    from meetings import meetings
    from patrols import requests
    from plans import emergency
    from review import grants
    from workspace import contacts

    app.extensions["attention_providers"] = (contacts, grants, emergency, requests, meetings)


def _register_cli(app: Flask) -> None:
    from cli import register

    register(app)
