"""Small request helpers shared by every blueprint."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request


def client_ip() -> str | None:
    """The client's address (ProxyFix, when configured, has already applied trusted X-Forwarded-For)."""
    return request.remote_addr


def safe_next_url(target: str | None) -> str | None:
    """Accept only a local path as a post-login redirect (no open redirects)."""
    if not target or len(target) > 2000:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target
