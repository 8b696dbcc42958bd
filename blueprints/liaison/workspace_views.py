"""The police liaison's workspace: the regional feed, casing patterns, trends, one bulletin with its sightings, and
exports — for THEIR regions only (`sharing.notes.liaison_regions`), through the same query code as the members'
feed and trends pages (`bulletins.feed.region_feed`, `trends.weekly_trends`)."""

from __future__ import annotations

from flask import Response, abort, render_template, request, url_for
from flask_login import current_user

import trends
from blueprints.guards import liaison_memberships, liaison_view, open_when_dues_unpaid, require_two_step
from blueprints.liaison.views import bp
from blueprints.web import current_actor
from bulletins import export as exports
from bulletins import feed as services
from bulletins.sightings import feed_extras
from database.request_scope import db
from i18n import _
from models import Association
from models.base import utcnow
from sharing.notes import liaison_regions
from trends.charts import bar_chart


def _regions():
    return liaison_regions(db(), [(m.association_id, m.region_id) for m in liaison_memberships()])


def _page(kind: str | None, endpoint: str, heading: str):
    require_two_step()
    regions = _regions()
    ids = [r.id for r in regions]
    before = None
    if request.args.get("before", "").isdigit():
        before = services.get_visible_in(db(), ids, int(request.args["before"]))
    found = services.region_feed(db(), ids, user_id=current_user.id, kind=kind, before=before)
    sightings, details = feed_extras(db(), [item.bulletin.id for item in found.items])
    return render_template(
        "liaison/feed.html",
        heading=heading,
        endpoint=endpoint,
        regions=regions,
        items=found.items,
        sightings=sightings,
        details=details,
        older_url=url_for(endpoint, before=found.older.id) if found.older else None,
    )


@bp.route("/feed/")
@liaison_view
def feed():
    return _page(None, "liaison.feed", _("Regional feed"))


@bp.route("/patterns/")
@liaison_view
def patterns():
    return _page("pattern", "liaison.patterns", _("Casing patterns"))


@bp.route("/bulletins/<int:bulletin_id>")
@liaison_view
def bulletin(bulletin_id: int):
    # 404 for a bulletin outside their regions whatever their enrolment (as a review that is not theirs).
    found = services.get_visible_in(db(), [r.id for r in _regions()], bulletin_id)
    require_two_step()
    sightings, details = feed_extras(db(), [found.id])
    return render_template(
        "liaison/one_bulletin.html", b=found, sightings=sightings.get(found.id, []), details=details.get(found.id)
    )


@bp.route("/trends")
@liaison_view
def trends_page():
    require_two_step()
    found = []
    for region in _regions():
        association = db().get(Association, region.association_id)
        found += trends.weekly_trends(db(), association, today=utcnow().date(), region=region)
    return render_template("liaison/trends.html", trends=found, bar_chart=bar_chart)


@bp.route("/export/<what>.<fmt>")
@liaison_view
@open_when_dues_unpaid  # when Loupe's subscription is not paid, the exports stay open (export-only), as the stores'
def export(what: str, fmt: str):
    if what not in exports.KINDS or fmt not in exports.FORMATS:
        abort(404)
    require_two_step()
    regions = _regions()
    text, tlp = exports.export(
        db(),
        [r.id for r in regions],
        what=what,
        fmt=fmt,
        actor=current_actor(),
        association_ids=sorted({r.association_id for r in regions}),
    )
    mimetype = "application/json" if fmt == "json" else "text/csv"
    return Response(
        text,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="loupe-{what}-TLP-{tlp.replace("+", "-")}.{fmt}"',
            "Cache-Control": "no-store",
            "X-TLP": f"TLP:{tlp}",
        },
    )
