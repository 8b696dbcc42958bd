"""Security headers on every response (HTML, JSON, files, errors, redirects)."""

from __future__ import annotations

from flask import Flask, Response

CSP = (
    "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'"
)


def init_app(app: Flask) -> None:
    hsts = app.config.get("HSTS", True)

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if hsts:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        # Pages can show a store's secrets: never keep them in shared or browser caches.
        if "Cache-Control" not in headers and not response.direct_passthrough:
            headers["Cache-Control"] = "no-store"
        return response
