"""Absolute links for emails, built from PUBLIC_BASE_URL so they are right outside a request too."""

from flask import current_app, url_for


def external_url(endpoint: str, **values) -> str:
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return base + url_for(endpoint, _external=False, **values)
