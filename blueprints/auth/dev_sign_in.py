"""Development only: "Demo sign-in as …" on the sign-in page, past the password and the two-step code, for the
demo's own accounts (issue #19: the newcomer running `make run` should not need an authenticator app first).

It signs a person in without any secret, so it must never exist where real people sign in. Three locks:
- the routes are registered only in a development app with DEV_SIGN_IN on (`init_app`): a testing or production
  app has no such URL (404), whatever LOUPE_ENV defaults to;
- `config.validate` refuses DEV_SIGN_IN in production, so a production app with it cannot even be created;
- it answers only a client on this machine (the socket's address, as /dev/outbox) and signs in only the demo's
  accounts (`demo.seed.is_demo_email`), never anyone else of the database.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Flask, abort, redirect, url_for
from flask_wtf import FlaskForm

from blueprints.auth.dev_outbox import _is_loopback, _socket_address
from blueprints.auth.mfa_views import establish_session
from blueprints.web import access
from database.request_scope import db
from demo.seed import DEMO_EMAIL_DOMAINS, is_demo_email
from models import User

bp = Blueprint("dev_sign_in", __name__)


class DevSignInForm(FlaskForm):
    """A POST with a CSRF token: no other site can sign a browser in as someone."""


def _demo_users() -> list[User]:
    demo = sa.or_(*[sa.func.lower(User.email).endswith(domain) for domain in DEMO_EMAIL_DOMAINS])
    return list(db().scalars(sa.select(User).where(User.is_active.is_(True), demo).order_by(User.id).limit(40)))


@bp.app_context_processor
def _dev_sign_in_helpers():
    # Called by the sign-in page only (a function: other pages pay nothing).
    return {
        "dev_sign_in_users": lambda: _demo_users() if _is_loopback(_socket_address()) else [],
        "dev_sign_in_form": DevSignInForm,
    }


@bp.route("/dev/sign-in/<int:user_id>", methods=["POST"])
@access("public")
def sign_in_as(user_id: int):
    """Sign in as a demo account (CSRF-checked POST), without password or code."""
    if not _is_loopback(_socket_address()):
        abort(404)
    if not DevSignInForm().validate_on_submit():
        abort(400, "Your sign-in form expired; open the sign-in page again.")
    user = db().get(User, user_id)
    if user is None or not user.is_active or not is_demo_email(user.email):
        abort(404)
    establish_session(user)
    return redirect(url_for("auth.home"))


def enabled(app: Flask) -> bool:
    """Whether this app may have the shortcut: a development app with DEV_SIGN_IN on, never testing or production."""
    return (
        app.config.get("ENV_NAME") == "development"
        and bool(app.config.get("DEV_SIGN_IN"))
        and not app.config.get("TESTING")
    )


def init_app(app: Flask) -> None:
    """Register the shortcut on a development app with DEV_SIGN_IN on; on any other app, nothing."""
    if enabled(app):
        app.register_blueprint(bp)
