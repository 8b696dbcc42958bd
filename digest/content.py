"""The region-wide part of a digest, built once per run from shared, already-anonymized tables only.

The result is plain JSON (stored on the run), so every recipient of a run reads the same snapshot:
- `trend`: per incident type, the published count of the last ISO week that has ended by the period's end (for a
  weekly digest the period's own week; for a daily one the week before, never the current, partial week: a count
  of an open week changes as shares arrive, so two digests around one share would isolate it), the week before's
  and the average of the four weeks before (published cells only, the small-count rule applied by
  `trends.weekly_trends`; a withheld cell stays None and is shown as withheld, never as zero);
- `patterns`: published heightened-response bulletins (casing patterns seen by several stores);
- `police`: published police trend bulletins, with what to watch for and the recommendation;
- `bulletins`: the top incident bulletins of the period (most "this helped" first, then the newest).
Only marks the feed allows are read (`FEED_TLPS`), so nothing TLP:RED can reach a digest.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from digest.periods import Period
from models import Association, Bulletin, BulletinFeedback, Region, TrendBulletinDetails
from models.bulletins import FEED_TLPS
from models.store.logbook import INCIDENT_TYPES
from trends import weekly_trends

TOP_BULLETINS = 10
# Strictest first; CLEAR is what trend counts alone carry.
TLP_ORDER = ("RED", "AMBER+STRICT", "AMBER", "GREEN", "CLEAR")


def _watch_for(bulletin: Bulletin) -> str:
    """What to look out for, from the bulletin's anonymized descriptions of people and vehicles."""
    parts = []
    for vehicle in bulletin.vehicles or []:
        described = " ".join(v for v in (vehicle.get(k, "") for k in ("colour", "make", "model")) if v)
        plate = vehicle.get("plate")
        if described or plate:
            parts.append("Vehicle: " + (described or "described") + (f", plate {plate}" if plate else ""))
    for person in bulletin.people or []:
        details = [person.get(k) for k in ("build", "height", "clothing", "behaviour", "asked_about") if person.get(k)]
        if details:
            parts.append("Person: " + "; ".join(details))
    return " · ".join(parts)[:600]


def _bulletin(b: Bulletin, zone: ZoneInfo, helped: int, details: TrendBulletinDetails | None) -> dict:
    return {
        "id": b.id,
        "kind": b.kind,
        "kind_label": b.kind_label,
        "tlp": b.tlp,
        "title": b.title,
        "place": b.place_label,
        "day": (b.day or b.published_at.astimezone(zone).date()).isoformat(),
        "part_of_day": b.part_of_day,
        "incident_type": b.incident_type,
        "watch_for": (details.watch_for if details and details.watch_for else _watch_for(b)),
        "recommendation": details.recommendation if details else "",
        "helped": helped,
    }


def _trend(session: Session, association: Association, region: Region, period: Period) -> dict:
    # Closed weeks only: those ended by the period's (exclusive) end, and by now in the region's time zone.
    [trend] = weekly_trends(session, association, today=period.ends_on, region=region, weeks=6) or [None]
    if trend is None:
        return {"k": 0, "rows": [], "week": "", "withheld": 0}
    rows, withheld = [], 0
    for key, label in INCIDENT_TYPES.items():
        series = next((s for s in trend.by_type if s.label == label), None)
        if series is None:
            continue
        values = series.values
        before = [v for v in values[-5:-1] if v is not None]
        row = {
            "type": key,
            "label": label,
            "this": values[-1],
            "previous": values[-2] if len(values) > 1 else None,
            "average4": round(sum(before) / len(before), 1) if before else None,
        }
        row["rising"] = row["this"] is not None and row["average4"] is not None and row["this"] > row["average4"]
        withheld += row["this"] is None
        rows.append(row)
    return {"k": trend.k, "rows": rows, "week": trend.weeks[-1], "withheld": withheld, "open_week": trend.open_week}


def region_content(session: Session, association: Association, region: Region, period: Period, zone: ZoneInfo) -> dict:
    """The snapshot stored on a run (days in `zone`): a fixed number of queries whatever the size of the region."""
    start, end = period.bounds(zone)
    bulletins = session.scalars(
        sa.select(Bulletin)
        .where(
            Bulletin.association_id == association.id,
            Bulletin.region_id == region.id,
            Bulletin.status == "published",
            Bulletin.tlp.in_(FEED_TLPS),
            Bulletin.published_at >= start,
            Bulletin.published_at < end,
        )
        .order_by(Bulletin.published_at.desc(), Bulletin.id.desc())
        .limit(500)
    ).all()
    ids = [b.id for b in bulletins]
    helped: dict[int, int] = {}
    details: dict[int, TrendBulletinDetails] = {}
    if ids:
        helped = dict(
            session.execute(
                sa.select(BulletinFeedback.bulletin_id, sa.func.count())
                .where(BulletinFeedback.bulletin_id.in_(ids))
                .group_by(BulletinFeedback.bulletin_id)
            ).all()
        )
        details = {
            d.bulletin_id: d
            for d in session.scalars(sa.select(TrendBulletinDetails).where(TrendBulletinDetails.bulletin_id.in_(ids)))
        }
    items = [_bulletin(b, zone, helped.get(b.id, 0), details.get(b.id)) for b in bulletins]
    incidents = sorted(
        (i for i in items if i["kind"] in ("incident", "relayed_note")), key=lambda i: -i["helped"]
    )  # stable: newest first among equals
    return {
        "association": association.name,
        "region": region.name,
        "region_id": region.id,
        "period": period.key,
        "period_label": period.label(),
        "kind": period.kind,
        "trend": _trend(session, association, region, period),
        "patterns": [i for i in items if i["kind"] == "pattern"],
        "police": [i for i in items if i["kind"] == "police_trend"],
        "bulletins": incidents[:TOP_BULLETINS],
        "more_bulletins": max(0, len(incidents) - TOP_BULLETINS),
        "built_at": datetime.now(zone).isoformat(timespec="minutes"),
    }


def for_reader(content: dict, *, incident_types: list[str] | None, live_ids: set[int] | None = None) -> dict:
    """The run's snapshot narrowed to what one person asked for (incident types) and to bulletins still published
    (`live_ids`: a bulletin withdrawn or retired after the run was built is not sent). Adds `tlp`: the highest mark
    included (TLP:CLEAR when only trend counts remain)."""

    def keep(item: dict) -> bool:
        if live_ids is not None and item["id"] not in live_ids:
            return False
        return not incident_types or item["kind"] != "incident" or item["incident_type"] in incident_types

    narrowed = dict(content)
    for section in ("patterns", "police", "bulletins"):
        narrowed[section] = [i for i in content[section] if keep(i)]
    trend = dict(content["trend"])
    if incident_types:
        trend["rows"] = [r for r in trend["rows"] if r["type"] in incident_types]
    narrowed["trend"] = trend
    marks = {i["tlp"] for s in ("patterns", "police", "bulletins") for i in narrowed[s]}
    narrowed["tlp"] = next((m for m in TLP_ORDER if m in marks), "CLEAR")
    return narrowed
