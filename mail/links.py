"""Absolute links for emails, built from PUBLIC_BASE_URL so they are right outside a request too (CLI, jobs)."""

from flask import current_app, has_request_context, url_for


def external_url(endpoint: str, **values) -> str:
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    if has_request_context():
        return base + url_for(endpoint, _external=False, **values)
    with current_app.test_request_context("/"):
        return base + url_for(endpoint, _external=False, **values)
