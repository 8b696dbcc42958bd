"""The JSON API's operations (`/api/v1/`). Thin, like every view: check the token (`api_view`), parse (the
schemas), call the same domain function the pages call, shape the answer.

- reading: the regional feed (`bulletins.feed.feed`, the feed page's query: the store's association and region,
  published, unexpired, TLP marks of the feed only), casing patterns (the same feed, kind "pattern"), the trends
  (`trends.weekly_trends`, the trends page's, with its small-count rule);
- writing: a logbook entry (`logbook.incidents.save_incident`, as the logbook form) and its share
  (`sharing.shares.share_incident`, as the share page: the same anonymizer, moderation and trend fact);
- the association's member stores (`members.stores.list_members`, the admin portal's list).

The reading operations also take a police liaison's personal token: their regions (`sharing.notes.liaison_regions`)
through the functions their workspace pages call (`bulletins.feed.region_feed`, `get_visible_in`,
`trends.weekly_trends`); the guard refuses them every other operation.
"""

from __future__ import annotations

from flask import abort
from flask_smorest import Blueprint
from marshmallow import RAISE

import trends
from blueprints.api import cursors, schemas
from blueprints.guards import api_view, open_when_dues_unpaid
from bulletins import feed as feed_services
from database.request_scope import db
from errors import NotFound
from logbook import incidents as logbook_services
from members import stores as member_services
from models import Association
from models.base import utcnow
from sharing import shares as share_services
from sharing.notes import liaison_regions

bp = Blueprint(
    "api_v1",
    __name__,
    url_prefix="/api/v1",
    description="Loupe's JSON API. Every operation needs a bearer token (see docs/api.md).",
)
SECURITY = [{"bearerAuth": []}]


def _bulletin(item: feed_services.FeedItem) -> dict:
    b = item.bulletin
    return {
        "id": b.id,
        "kind": b.kind,
        "tlp": b.tlp,
        "incident_type": b.incident_type,
        "title": b.title,
        "narrative": b.narrative,
        "location_note": b.location_note,
        "region": b.region_label,
        "area": b.area_label,
        "day": b.day,
        "part_of_day": b.part_of_day,
        "iso_week": b.iso_week,
        "people": b.people,
        "vehicles": b.vehicles,
        "red_flags": list(b.red_flags or []),
        "published_at": b.published_at,
        "expires_at": b.expires_at,
        "helped": item.helped,
    }


def _reader(token, store, liaison) -> feed_services.Reader:
    """The store's feed, or the police liaison's regions (`sharing.notes.liaison_regions`, as their pages ask)."""
    user_id = token.created_by_user_id or 0
    if store is not None:
        return feed_services.Reader.for_store(store, user_id=user_id)
    regions = liaison_regions(db(), [(liaison.association_id, liaison.region_id)])
    return feed_services.Reader.for_liaison(liaison.association, regions, user_id=user_id)


def _feed_page(reader: feed_services.Reader, args: dict, *, kind: str | None) -> dict:
    session = db()
    position = cursors.decode("bulletin", args.get("cursor"))
    before = None
    if position is not None:
        try:  # the page key must be a bulletin this reader may see: it only ever narrows the feed
            before = reader.get(session, position)
        except NotFound:
            abort(400, "That cursor is no longer valid (its bulletin left the feed): start again without it.")
    since, until = feed_services.day_window_in(reader.zone, args.get("since"), args.get("until"))
    found = reader.page(
        session,
        kind=kind,
        tlp=args.get("tlp"),
        area_id=args.get("area_id"),
        since=since,
        until=until,
        before=before,
        limit=args["limit"],
    )
    older = cursors.encode("bulletin", found.older.id) if found.older else None
    return {"items": [_bulletin(item) for item in found.items], "next_cursor": older}


LIAISON_NOTE = (
    " With a police liaison's personal token: their regions' feed, as their liaison pages show it "
    "(`bulletins.feed.region_feed`); dates are the association's local days."
)


@bp.route("/bulletins", methods=["GET"])
@api_view("bulletins:read")
@bp.arguments(schemas.FeedArgs, location="query", as_kwargs=False, unknown=RAISE)
@bp.response(200, schemas.BulletinPage)
@bp.doc(
    security=SECURITY,
    summary="The regional feed, newest first",
    description="A store token: the store's "
    "region's feed, as its members' feed page shows it (`bulletins.feed.feed`)." + LIAISON_NOTE,
)
def list_bulletins(args, token, store, liaison):
    return _feed_page(_reader(token, store, liaison), args, kind=args.get("kind"))


@bp.route("/bulletins/<int:bulletin_id>", methods=["GET"])
@api_view("bulletins:read")
@bp.response(200, schemas.BulletinSchema)
@bp.doc(
    security=SECURITY,
    summary="One bulletin of the regional feed",
    description="404 for anything the token's store's feed (or the police liaison's regions) does not show.",
)
def get_bulletin(token, store, liaison, bulletin_id: int):
    found = _reader(token, store, liaison).page(db(), bulletin_id=bulletin_id, limit=1)
    if not found.items:
        abort(404, "No such bulletin in your region's feed.")
    return _bulletin(found.items[0])


@bp.route("/patterns", methods=["GET"])
@api_view("patterns:read")
@bp.arguments(schemas.PatternArgs, location="query", as_kwargs=False, unknown=RAISE)
@bp.response(200, schemas.BulletinPage)
@bp.doc(
    security=SECURITY,
    summary="Casing patterns (heightened-response bulletins) of the region",
    description="The regional feed, kind `pattern`." + LIAISON_NOTE,
)
def list_patterns(args, token, store, liaison):
    return _feed_page(_reader(token, store, liaison), args, kind="pattern")


@bp.route("/trends", methods=["GET"])
@api_view("trends:read")
@bp.arguments(schemas.TrendArgs, location="query", as_kwargs=False, unknown=RAISE)
@bp.response(200, schemas.TrendSchema)
@bp.doc(
    security=SECURITY,
    summary="Weekly trends of the region (small counts withheld)",
    description="A store "
    "token: its region (`region_id`, if given, must be it). A police liaison's token: one of their regions, "
    "`region_id` or the first by name, as their trends page shows it (`trends.weekly_trends`). 404 otherwise.",
)
def get_trends(args, token, store, liaison):
    session = db()
    if store is not None:
        regions = [store.region]
    else:
        regions = liaison_regions(session, [(liaison.association_id, liaison.region_id)])
    wanted = args.get("region_id")
    region = next((r for r in regions if wanted is None or r.id == wanted), None)
    if region is None:
        abort(404, "No trends for that region: it is not yours.")
    association = store.association if store is not None else session.get(Association, region.association_id)
    found = trends.weekly_trends(session, association, today=utcnow().date(), region=region)
    if not found:
        abort(404, "No trends for this region.")
    trend = found[0]

    def series(s):
        return {"label": s.label, "values": s.values}

    return {
        "region": trend.name,
        "k": trend.k,
        "weeks": trend.weeks,
        "open_week": trend.open_week,
        "total": series(trend.total),
        "by_type": [series(s) for s in trend.by_type],
        "areas": [series(s) for s in trend.areas],
    }


@bp.route("/incidents", methods=["POST"])
@api_view("incidents:write")
@bp.arguments(schemas.IncidentIn, as_kwargs=False)
@bp.response(201, schemas.IncidentOut)
@bp.doc(security=SECURITY, summary="Add an incident to the store's logbook")
def create_incident(data, token, store):
    described = logbook_services.DescribedIncident(
        occurred_at=data["occurred_at"],
        incident_type=data["incident_type"],
        title=data["title"],
        narrative=data["narrative"],
        location_note=data["location_note"],
        staff_involved=data["staff_involved"],
        police_notified=data["police_notified"],
        police_report_number=data["police_report_number"],
        people=data["people"],
        vehicles=data["vehicles"],
    )
    incident = logbook_services.save_incident(db(), described, reported_by_user_id=token.created_by_user_id)
    return {
        "id": incident.id,
        "occurred_at": incident.occurred_at,
        "incident_type": incident.incident_type,
        "title": incident.title,
    }


@bp.route("/incidents/<int:incident_id>/share", methods=["POST"])
@api_view("incidents:write")
@bp.arguments(schemas.ShareIn, as_kwargs=False)
@bp.response(201, schemas.ShareOut)
@bp.doc(security=SECURITY, summary="Share a logbook incident with the region (anonymized; moderated unless trusted)")
def share_incident(data, token, store, incident_id: int):
    session = db()
    incident = logbook_services.get_incident(session, incident_id)
    result = share_services.share_incident(
        session,
        store,
        incident,
        share_services.parse_tlp(data["tlp"]),
        user_id=token.created_by_user_id,
        user_name=f"API token “{token.name}”",
        share_photos=data["share_photos"],
        keep_names=data["keep_names"],
    )
    b = result.bulletin
    return {"bulletin_id": b.id, "status": b.status, "tlp": b.tlp, "title": b.title, "narrative": b.narrative}


@bp.route("/members", methods=["GET"])
@api_view("members:read")
@open_when_dues_unpaid  # the association's own data: it can always take it away (export-only keeps it)
@bp.arguments(schemas.MemberArgs, location="query", as_kwargs=False, unknown=RAISE)
@bp.response(200, schemas.MemberPage)
@bp.doc(security=SECURITY, summary="The association's member stores, by region and name")
def list_members(args, token, association):
    start = cursors.decode("member", args.get("cursor")) or 0
    members = member_services.list_members(db(), association, region_id=args.get("region_id"))
    page = members[start : start + args["limit"]]
    more = start + args["limit"] < len(members)
    return {
        "items": [
            {
                "id": m.store.id,
                "name": m.store.name,
                "slug": m.store.slug,
                "region": m.region.name,
                "area": m.area.name if m.area else None,
                "status": str(m.status),
                "has_owner": m.has_owner,
            }
            for m in page
        ],
        "next_cursor": cursors.encode("member", start + args["limit"]) if more else None,
    }
