"""Exports of a police liaison's regions' bulletins and casing patterns, for police systems to ingest (CSV, JSON).

What is exported is exactly what the liaison's pages show (`bulletins.feed.visible_bulletins`, the feed's rule):
published, unexpired bulletins of their regions, which are anonymized and never TLP:RED (a CHECK keeps RED out of
the shared bulletins; the filter below says so again). Every record carries its TLP, and the file its highest one,
so the receiving system can apply the mark. Each export is audited.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

from sqlalchemy.orm import Session

import audit
from audit import Actor
from bulletins.feed import visible_bulletins
from bulletins.sightings import sightings_of
from errors import DomainError
from i18n import _
from models.bulletins import FEED_TLPS, Bulletin
from security.csv_cells import formula_safe

FORMATS = ("csv", "json")
KINDS = {"bulletins": None, "patterns": "pattern"}
# From the most to the least restrictive.
_STRICTNESS = ("AMBER+STRICT", "AMBER", "GREEN")
COLUMNS = (
    "id", "tlp", "kind", "incident_type", "title", "region", "area", "day", "part_of_day", "narrative",
    "location_note", "vehicles", "people", "red_flags", "sightings", "published_at", "expires_at",
)  # fmt: skip


class ExportError(DomainError):
    """An export that cannot be made as asked."""


def highest_tlp(bulletins: Iterable[Bulletin]) -> str:
    found = {b.tlp for b in bulletins}
    return next((tlp for tlp in _STRICTNESS if tlp in found), "GREEN")


def _vehicle(v: dict) -> str:
    words = " ".join(x for x in (v.get("colour"), v.get("make"), v.get("model")) if x)
    return words + (f" plate {v['plate']}" if v.get("plate") else "")


def _person(p: dict) -> str:
    return "; ".join(f"{k}: {p[k]}" for k in ("clothing", "build", "height", "behaviour", "other_details") if p.get(k))


def records(session: Session, bulletins: list[Bulletin]) -> list[dict]:
    sightings = sightings_of(session, [b.id for b in bulletins])
    return [
        {
            "id": b.id,
            "tlp": f"TLP:{b.tlp}",
            "kind": b.kind,
            "incident_type": b.incident_type,
            "title": b.title,
            "region": b.region_label,
            "area": b.area_label or "",
            "day": b.day.isoformat() if b.day else "",
            "part_of_day": b.part_of_day,
            "narrative": b.narrative,
            "location_note": b.location_note,
            "vehicles": [_vehicle(v) for v in b.vehicles or []],
            "people": [_person(p) for p in b.people or []],
            # Codes (stable for police systems; `logbook.red_flags` has their words).
            "red_flags": list(b.red_flags or []),
            "sightings": [
                {"day": s.day.isoformat() if s.day else "", "part_of_day": s.part_of_day, "note": s.note}
                for s in sightings.get(b.id, [])
            ],
            "published_at": b.published_at.isoformat() if b.published_at else "",
            "expires_at": b.expires_at.isoformat(),
        }
        for b in bulletins
    ]


def export(
    session: Session,
    region_ids: list[int],
    *,
    what: str,
    fmt: str,
    actor: Actor,
    association_ids: list[int],
) -> tuple[str, str]:
    """(the file's text, its highest TLP) for the regions' visible bulletins or patterns. Audited."""
    if fmt not in FORMATS or what not in KINDS:
        raise ExportError(_("Choose bulletins or patterns, as CSV or JSON."))
    bulletins = [b for b in visible_bulletins(session, region_ids, kind=KINDS[what]) if b.tlp in FEED_TLPS]
    if what == "bulletins":
        bulletins = [b for b in bulletins if b.kind != "pattern"]
    rows = records(session, bulletins)
    tlp = highest_tlp(bulletins)
    for association_id in association_ids:
        audit.record(
            session,
            "liaison.export",
            actor=actor,
            association_id=association_id,
            details={"what": what, "format": fmt, "count": len(rows), "tlp": tlp},
        )
    if fmt == "json":
        return json.dumps({"tlp": f"TLP:{tlp}", "kind": what, "records": rows}, indent=2), tlp
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(
            [
                formula_safe(
                    json.dumps(row[c], ensure_ascii=False)
                    if c == "sightings"
                    else " | ".join(row[c])
                    if isinstance(row[c], list)
                    else row[c]
                )
                for c in COLUMNS
            ]
        )
    return out.getvalue(), tlp
