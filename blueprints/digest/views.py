"""One-click unsubscribe (RFC 8058). The signed link in `List-Unsubscribe` names the person; a mail client POSTs
`List-Unsubscribe=One-Click` to it with no cookies and no CSRF token, so the POST needs neither. A GET (a person
clicking the link, or a scanner following it) only shows a confirmation page: it never unsubscribes."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for

from alerts import urgent as services
from blueprints.web import access
from database.request_scope import db
from digest.render import user_from_token
from extensions import csrf
from security.tokens import InvalidToken

bp = Blueprint("digest", __name__, url_prefix="/digest")


def _user_id(token: str) -> int | None:
    try:
        return user_from_token(token)
    except (InvalidToken, ValueError):
        return None


@bp.route("/unsubscribe/<token>", methods=["GET"])
@access("signed_link")
def unsubscribe(token: str):
    if _user_id(token) is None:
        return render_template("digest/unsubscribe.html", invalid=True), 400
    return render_template("digest/unsubscribe.html", action=url_for("digest.unsubscribe_post", token=token))


@bp.route("/unsubscribe/<token>", methods=["POST"])
@access("signed_link")
@csrf.exempt
def unsubscribe_post(token: str):
    user_id = _user_id(token)
    if user_id is None:
        return render_template("digest/unsubscribe.html", invalid=True), 400
    services.unsubscribe_digest(db(), user_id)
    return render_template("digest/unsubscribe.html", done=True)
