"""Development only: /dev/outbox shows the emails that would have been sent (DEV_OUTBOX keeps them unsent).

It shows invitation and password-reset links, so it must never be reachable by anyone else: the route exists only
in a development app with DEV_OUTBOX on (never in testing or production, whatever LOUPE_ENV defaults to), and it
answers only a client on this machine. The address checked is the socket's own, not one a proxy reported in
X-Forwarded-For (which anyone can write).
"""

from __future__ import annotations

import ipaddress

import sqlalchemy as sa
from flask import Blueprint, Flask, abort, render_template, request

from blueprints.web import access
from database.request_scope import db
from models import OutboundEmail

bp = Blueprint("dev", __name__)


def _socket_address() -> str | None:
    """The peer address of the connection, before any ProxyFix rewrote it from forwarded headers."""
    original = request.environ.get("werkzeug.proxy_fix.orig") or {}
    return original.get("REMOTE_ADDR", request.environ.get("REMOTE_ADDR"))


def _is_loopback(address: str | None) -> bool:
    try:
        return address is not None and ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


@bp.route("/dev/outbox")
@access("public")
def outbox():
    """The last 50 emails queued, newest first."""
    if not _is_loopback(_socket_address()):
        abort(404)
    messages = db().scalars(sa.select(OutboundEmail).order_by(OutboundEmail.id.desc()).limit(50)).all()
    return render_template("auth/dev_outbox.html", messages=messages)


def init_app(app: Flask) -> None:
    """Register /dev/outbox on a development app that keeps its mail (DEV_OUTBOX); on any other app, nothing."""
    if app.config.get("ENV_NAME") == "development" and app.config.get("DEV_OUTBOX"):
        app.register_blueprint(bp)
