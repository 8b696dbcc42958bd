"""Small request helpers shared by every blueprint."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from flask import request

# Kinds of access a view can declare; the isolation matrix test refuses any route without one.
ACCESS_KINDS = frozenset({"public", "account", "store", "association", "operator", "liaison", "signed_link"})


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


def access(kind: str, **info) -> Callable[[Callable], Callable]:
    """Declare who a view is for (`public`, `account`, ...). Store, association and operator views get theirs from
    their own decorators; this is for the rest, so that the isolation matrix can classify every route."""
    if kind not in ACCESS_KINDS:
        raise ValueError(f"unknown access kind {kind!r}")

    def mark(view: Callable) -> Callable:
        view.loupe_access = {"kind": kind, **info}
        return view

    return mark
