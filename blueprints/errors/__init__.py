"""One place that turns errors into responses: friendly HTML for people, stable JSON for the API.

JSON shape (the API's, docs/api.md): {"error": {"status": 404, "code": "not_found", "message": "...",
"details": {...}}}; `details` is an object, empty unless there is more to say (a field's errors, for 422).
"""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, RequestEntityTooLarge

from errors import DomainError
from i18n import _, _l

# Werkzeug's own descriptions are English: a person reads these instead, in their language (a custom
# `abort(403, "...")` message still wins).
_DEFAULT_MESSAGES = {
    400: _l("The request could not be understood. Go back, check what you typed and try again."),
    401: _l("Sign in to see this page."),
    403: _l("You do not have access to this page."),
    404: _l("There is nothing at this address. Check the link, or go back to Loupe."),
    405: _l("This page cannot be used that way."),
    410: _l("This link is no longer valid."),
    429: _l("Too many requests in a short time. Wait a minute and try again."),
}


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def error_body(status: int, code: str, message: str, details: dict | None = None) -> dict:
    """The one JSON error shape."""
    return {"error": {"status": status, "code": code, "message": message, "details": details or {}}}


def _respond(status: int, code: str, message: str, details: dict | None = None):
    if wants_json():
        headers = {"WWW-Authenticate": 'Bearer realm="loupe"'} if status == 401 else {}
        return jsonify(error_body(status, code, message, details)), status, headers
    return render_template("errors/error.html", status=status, message=message), status


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return _respond(
            400, "csrf_failed", _("This form expired or was not sent from Loupe. Reload the page and try again.")
        )

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        return _respond(exc.status_code, type(exc).__name__.lower(), str(exc) or _("That cannot be done."))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code is None or exc.code < 400:
            return exc
        code = (exc.name or "error").lower().replace(" ", "_")
        # The API's argument parser (webargs, 422) says what is wrong with each field.
        data = getattr(exc, "data", None)
        details = {"fields": data["messages"]} if isinstance(data, dict) and "messages" in data else None
        message = exc.description or exc.name
        if message == type(exc).description and exc.code in _DEFAULT_MESSAGES:
            message = str(_DEFAULT_MESSAGES[exc.code])
        return _respond(exc.code, code, message, details)

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(exc: RequestEntityTooLarge):
        limit = app.config.get("MAX_CONTENT_LENGTH") or 0
        if limit >= 1024 * 1024:
            message = _(
                "What you sent is too large (%(mb)d MB at most) and nothing was saved."
                " Send fewer or smaller photos, or a shorter text.",
                mb=limit // (1024 * 1024),
            )
        else:
            message = _(
                "What you sent is too large and nothing was saved. Send fewer or smaller photos, or a shorter text."
            )
        return _respond(413, "request_entity_too_large", message)

    @app.errorhandler(InternalServerError)
    def server_error(exc: InternalServerError):
        # Logged once, by LoupeFlask.log_exception, before this handler runs.
        return _respond(
            500,
            "internal_error",
            _("Something went wrong on our side and nothing was saved. Please try again in a moment."),
        )
