"""One place that turns errors into responses: friendly HTML for people, stable JSON for the API.

JSON shape (the API's, docs/api.md): {"error": {"status": 404, "code": "not_found", "message": "...",
"details": {...}}}; `details` is an object, empty unless there is more to say (a field's errors, for 422).
"""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, RequestEntityTooLarge

from errors import DomainError


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
            400, "csrf_failed", "This form expired or was not sent from Loupe. Reload the page and try again."
        )

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        return _respond(exc.status_code, type(exc).__name__.lower(), str(exc) or "That cannot be done.")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code is None or exc.code < 400:
            return exc
        code = (exc.name or "error").lower().replace(" ", "_")
        # The API's argument parser (webargs, 422) says what is wrong with each field.
        data = getattr(exc, "data", None)
        details = {"fields": data["messages"]} if isinstance(data, dict) and "messages" in data else None
        # Werkzeug's default descriptions are fine for people; a custom `abort(403, "...")` message wins.
        return _respond(exc.code, code, exc.description or exc.name, details)

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(exc: RequestEntityTooLarge):
        limit = app.config.get("MAX_CONTENT_LENGTH") or 0
        size = f" ({limit // (1024 * 1024)} MB at most)" if limit >= 1024 * 1024 else ""
        return _respond(
            413,
            "request_entity_too_large",
            f"What you sent is too large{size} and nothing was saved. Send fewer or smaller photos, or a shorter text.",
        )

    @app.errorhandler(InternalServerError)
    def server_error(exc: InternalServerError):
        # Logged once, by LoupeFlask.log_exception, before this handler runs.
        return _respond(
            500,
            "internal_error",
            "Something went wrong on our side and nothing was saved. Please try again in a moment.",
        )
