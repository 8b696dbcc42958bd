"""Small request helpers shared by every blueprint."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from flask import current_app, request
from flask_login import current_user

from audit import Actor, ActorKind

# Kinds of access a view can declare; the isolation matrix test refuses any route without one.
ACCESS_KINDS = frozenset({"api", "public", "account", "store", "association", "operator", "liaison", "signed_link"})


def client_ip() -> str | None:
    """The client's address (ProxyFix, when configured, has already applied trusted X-Forwarded-For)."""
    return request.remote_addr


# The capacity a signed-in person acts in, from the access the view declared (see `access` below).
_KIND_OF_ACCESS = {
    "store": ActorKind.MEMBER,
    "association": ActorKind.ADMIN,
    "liaison": ActorKind.LIAISON,
    "operator": ActorKind.OPERATOR,
}


def current_actor() -> Actor:
    """Who is acting in this request, for the audit log: the signed-in person and the client's address.

    The one place a request's actor is built. On a signed-link page the link, not whoever happens to be signed in
    in the same browser, is what let the visitor in, so no account is named there (the view names the holder with
    `Actor.holding_link` once it knows whom the link was sent to).
    """
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    access_kind = getattr(view, "loupe_access", {}).get("kind")
    if access_kind == "signed_link":
        return Actor(kind=ActorKind.OFFICER_LINK, ip=client_ip())
    if not current_user.is_authenticated:
        return Actor.anonymous(ip=client_ip())
    return Actor.for_user(current_user, ip=client_ip(), kind=_KIND_OF_ACCESS.get(access_kind, ActorKind.USER))


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
