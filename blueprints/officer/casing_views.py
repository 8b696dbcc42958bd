"""The police contact's page for a casing alert, reached through the signed link in the alert email: the report,
its photos (TLP:RED, served from the store's schema), where to go and how to call the store. No account; the
signature chooses the store (`bind_store_by_id`), and a refused link is audited in a transaction of its own."""

from __future__ import annotations

from flask import render_template

from blueprints.officer.views import bp
from blueprints.review.display import photo_response
from blueprints.web import access, current_actor
from database.request_scope import db, independent_transaction
from errors import NotFound
from logbook import casing_links as links
from logbook.incidents import PERSON_FIELDS, VEHICLE_FIELDS, describe
from security.tokens import InvalidToken
from tenants.access import bind_store_by_id
from workspace.police_card import police_card
from workspace.times import store_zone

HEADERS = {"X-Robots-Tag": "noindex, nofollow", "Cache-Control": "private, no-store"}


def _refused(status: int, message: str, *, why: str, store_id: int | None = None):
    with independent_transaction() as kept:
        links.record_refused(kept, actor=current_actor(), why=why, store_id=store_id)
    return render_template("officer/message.html", title="Casing report", message=message), status, HEADERS


def _open(token: str):
    link = links.read_casing_token(token)
    store = bind_store_by_id(link.store_id)
    incident, contact = links.incident_for_link(db(), link)
    return store, incident, contact


@bp.route("/casing/<token>", endpoint="casing_alert")
@access("signed_link")
def casing_alert(token: str):
    """The report as the store filed it, with its photos and the way to the store."""
    try:
        store, incident, contact = _open(token)
    except InvalidToken as exc:
        return _refused(404, str(exc), why="bad_token")
    except NotFound as exc:
        return _refused(404, str(exc), why="not_found")
    links.record_opened(db(), store, incident, contact, actor=current_actor())
    zone = store_zone(store)
    page = render_template(
        "officer/casing_alert.html",
        store=store,
        incident=incident,
        contact=contact,
        token=token,
        occurred=incident.occurred_at.astimezone(zone),
        zone=zone,
        people=[describe(p, PERSON_FIELDS) for p in incident.people],
        vehicles=[describe(v, VEHICLE_FIELDS) for v in incident.vehicles],
        card=police_card(db(), store),
    )
    return page, 200, HEADERS


@bp.route("/casing/<token>/photos/<int:photo_id>", endpoint="casing_photo")
@access("signed_link")
def casing_photo(token: str, photo_id: int):
    """One photo of the report (never cached)."""
    try:
        store, incident, contact = _open(token)
        photo = links.photo_for_link(db(), incident, photo_id)
    except InvalidToken as exc:
        return _refused(404, str(exc), why="bad_token")
    except NotFound as exc:
        return _refused(404, str(exc), why="not_found")
    links.record_opened(db(), store, incident, contact, actor=current_actor(), photo_id=photo.id)
    response = photo_response(photo)
    response.headers["X-Robots-Tag"] = HEADERS["X-Robots-Tag"]
    return response
