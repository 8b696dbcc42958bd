"""Casing pattern detection: the same vehicle (plate, or make+model+colour) or closely matching person descriptors
in shared incident bulletins (published or pending) of at least two distinct member stores of a region within a
window draft one heightened-response bulletin (kind "pattern", pending) for the moderators and email the region's
police liaisons.

Bulletins carry no store id (ANONYMIZATION.md rule 1), so which store shared a candidate is read from the region's
store schemas (`shared_bulletins`, "I shared this as bulletin N") in memory only; nothing written here names a
store. A pattern's signature is unique per region: the same pattern is drafted once; later matches are added to it.
What is published or emailed says "several member stores": never how many, nor which bulletins matched
(ANONYMIZATION.md rule 4, "No linkage"); `BulletinPattern.matched_bulletin_ids` stays internal.

Red flags (`logbook.red_flags`, codes on the bulletins) describe a pattern, they do not make one: ten fixed
behaviours ("sunglasses", "on the phone") are common enough that two stores ticking the same one says nothing about
the same people. The pattern bulletin carries the flags seen at two or more of its distinct sources
(`common_red_flags`), kept up to date as matches are added: what the crew is seen doing across stores.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from alerts.auto import auto_alert
from i18n import _l, language_or_default
from jobs import names
from jobs.queue import enqueue, notify
from logbook.red_flags import known as known_red_flags
from mail.outbox import queue_email
from mail.render import RenderedEmail, render_email
from models import Membership, OutboundEmail, Region, Role, User, plates
from models.alerts import BulletinPattern
from models.base import utcnow
from models.bulletins import DEFAULT_LIFETIME, Bulletin
from models.store.sharing import SharedBulletin
from models.text import shorten
from outgoing import events as webhook_events
from tenants.binding import store_session
from tenants.readable import readable_stores

DEFAULT_WINDOW = timedelta(days=14)
MIN_SOURCES = 2
_WORD = re.compile(r"[a-z0-9]+")
_STOP = {"a", "an", "and", "the", "with", "of", "in", "on", "wearing", "dark", "light"}


def _norm(value: str | None) -> str:
    return " ".join(_WORD.findall((value or "").lower()))


def vehicle_keys(vehicle: dict) -> list[tuple[str, str]]:
    """(signature, human summary) for a vehicle: its plate when shown, else make+model+colour when all are given.

    The signature holds the plate's matching key; the summary (published in the pattern's title and text) the
    plate as the witness wrote it, never the key (`models.plates`)."""
    key = plates.match_key(vehicle.get("plate"))
    if key:
        words = ((vehicle.get(name) or "").strip() for name in ("colour", "make", "model"))
        described = " ".join(word for word in words if word) or "vehicle"
        return [(f"plate:{key}", f"{described} with plate {plates.as_written(vehicle.get('plate'))}")]
    parts = [_norm(vehicle.get(name)) for name in ("colour", "make", "model")]
    if all(parts):
        return [(f"vehicle:{'|'.join(parts)}", "vehicle: " + " ".join(parts))]
    return []


def _person_tokens(person: dict) -> frozenset[str]:
    words = set()
    for name in ("clothing", "build", "height", "other_details"):
        words |= {w for w in _WORD.findall((person.get(name) or "").lower()) if w not in _STOP and len(w) > 1}
    return frozenset(words)


def persons_match(a: frozenset[str], b: frozenset[str]) -> bool:
    """Closely matching descriptors: at least three shared words and a Jaccard similarity of 0.6 or more."""
    common = a & b
    return len(common) >= 3 and len(common) / len(a | b) >= 0.6


@dataclass
class Candidate:
    signature: str
    summary: str
    bulletin_ids: set[int]


def _sources(engine: Engine, region_id: int, association_id: int, bulletin_ids: set[int], session: Session):
    """bulletin id -> an opaque source number (a store's position in this scan), read from the stores' schemas."""
    stores = session.scalars(readable_stores(association_id=association_id, region_id=region_id)).all()
    source_of: dict[int, int] = {}
    for position, store in enumerate(stores):
        with store_session(engine, store.schema_name) as store_db:
            for bulletin_id in store_db.scalars(
                sa.select(SharedBulletin.bulletin_id).where(SharedBulletin.bulletin_id.in_(bulletin_ids))
            ):
                source_of[bulletin_id] = position
    return source_of


def common_red_flags(matched: list[Bulletin], source_of: dict[int, int]) -> list[str]:
    """The red-flag codes seen in bulletins of at least `MIN_SOURCES` distinct sources (a store counts once
    however many of its bulletins carry a flag), in the list's order."""
    sources: dict[str, set[int]] = {}
    for bulletin in matched:
        if bulletin.id in source_of:
            for code in bulletin.red_flags or []:
                sources.setdefault(code, set()).add(source_of[bulletin.id])
    return known_red_flags(code for code, seen in sources.items() if len(seen) >= MIN_SOURCES)


def _candidates(bulletins: list[Bulletin]) -> list[Candidate]:
    by_key: dict[str, Candidate] = {}
    for bulletin in bulletins:
        for vehicle in bulletin.vehicles or []:
            for signature, summary in vehicle_keys(vehicle):
                by_key.setdefault(signature, Candidate(signature, summary, set())).bulletin_ids.add(bulletin.id)
    people = [(b.id, _person_tokens(p)) for b in bulletins for p in (b.people or [])]
    people = [(bid, tokens) for bid, tokens in people if len(tokens) >= 3]
    for i, (bid, tokens) in enumerate(people):
        matched = {bid} | {other for other, t in people[i + 1 :] if other != bid and persons_match(tokens, t)}
        if len(matched) > 1:
            signature = "person:" + " ".join(sorted(tokens))[:280]
            summary = "person described as " + ", ".join(sorted(tokens))
            by_key.setdefault(signature, Candidate(signature, summary, set())).bulletin_ids |= matched
    return [c for c in by_key.values() if len(c.bulletin_ids) > 1]


def detect_region(
    session: Session,
    engine: Engine,
    region: Region,
    *,
    now: datetime | None = None,
    window: timedelta = DEFAULT_WINDOW,
) -> list[OutboundEmail]:
    """Draft the new patterns of one region; returns the liaison emails queued. Flushes, never commits."""
    now = now or utcnow()
    bulletins = list(
        session.scalars(
            sa.select(Bulletin)
            .where(
                Bulletin.region_id == region.id,
                Bulletin.association_id == region.association_id,
                Bulletin.kind == "incident",
                Bulletin.status.in_(("pending", "published")),
                Bulletin.created_at >= now - window,
            )
            .order_by(Bulletin.id)
        )
    )
    candidates = _candidates(bulletins)
    if not candidates:
        return []
    source_of = _sources(
        engine, region.id, region.association_id, set().union(*(c.bulletin_ids for c in candidates)), session
    )
    by_id = {b.id: b for b in bulletins}
    emails: list[OutboundEmail] = []
    covered: list[set[int]] = []
    # Plates first, then vehicles, then people: one draft per set of matched bulletins.
    candidates.sort(key=lambda c: ("plate:", "vehicle:", "person:").index(c.signature.split(":")[0] + ":"))
    for candidate in candidates:
        ids = sorted(i for i in candidate.bulletin_ids if i in source_of)
        sources = {source_of[i] for i in ids}
        if len(sources) < MIN_SOURCES or any(set(ids) <= seen for seen in covered):
            continue
        covered.append(set(ids))
        existing = session.scalar(
            sa.select(BulletinPattern)
            .where(BulletinPattern.region_id == region.id, BulletinPattern.signature == candidate.signature)
            .with_for_update()
        )
        if existing is not None:
            added = set(ids) - set(existing.matched_bulletin_ids)
            if added:
                existing.matched_bulletin_ids = sorted(set(existing.matched_bulletin_ids) | set(ids))
                _tell_sources(session, existing, added)
            draft = session.get(Bulletin, existing.bulletin_id) if existing.bulletin_id else None
            if added and draft is not None and draft.status in ("pending", "published"):
                # Flags in common now join the ones the pattern carries (earlier matches may be out of the window).
                seen_now = common_red_flags([by_id[i] for i in ids], source_of)
                draft.red_flags = known_red_flags({*(draft.red_flags or []), *seen_now})
            emails += auto_alert(session, region, draft, [by_id[i] for i in ids], len(sources))
            continue
        matched = [by_id[i] for i in ids]
        draft = _draft(region, candidate, matched, window, now)
        draft.red_flags = common_red_flags(matched, source_of)
        session.add(draft)
        session.flush()
        webhook_events.pattern_detected(session, draft)
        pattern = BulletinPattern(
            association_id=region.association_id,
            region_id=region.id,
            signature=candidate.signature,
            bulletin_id=draft.id,
            matched_bulletin_ids=ids,
        )
        session.add(pattern)
        session.flush()
        _tell_sources(session, pattern, ids)
        emails += _flag_liaisons(session, region, draft, candidate, window)
        emails += auto_alert(session, region, draft, matched, len(sources))
    return emails


def _tell_sources(session: Session, pattern: BulletinPattern, bulletin_ids) -> None:
    """Each matched bulletin's store hears that a pattern includes its incident (one job per bulletin: the job finds
    the store in the stores' schemas; nothing written here names it)."""
    for bulletin_id in sorted(bulletin_ids):
        notify(session, "pattern.includes", bulletin_id=bulletin_id, ref=str(pattern.id))


def _draft(region, candidate: Candidate, matched: list[Bulletin], window, now) -> Bulletin:
    tlp = "AMBER+STRICT" if any(b.tlp == "AMBER+STRICT" for b in matched) else "AMBER"
    # Neither how many stores (under k, a store count narrows the source) nor which bulletins matched (ids or
    # titles would say which bulletins share a source): ANONYMIZATION.md rule 4, "No linkage". The pattern's own
    # `BulletinPattern.matched_bulletin_ids` stays internal, for the signature logic only.
    lines = [
        f"Possible casing: the same {candidate.summary} was seen at several member stores of "
        f"{matched[0].region_label} within {window.days} days.",
        "Recommended: heightened response — extra patrols, keep doors controlled, report sightings at once.",
    ]
    vehicles = [
        v for b in matched for v in (b.vehicles or []) if any(k[0] == candidate.signature for k in vehicle_keys(v))
    ]
    return Bulletin(
        association_id=region.association_id,
        region_id=region.id,
        area_id=None,
        area_label=None,
        region_label=matched[0].region_label,
        kind="pattern",
        tlp=tlp,
        incident_type=matched[0].incident_type,
        title=shorten(f"Heightened response: {candidate.summary}", 200),
        narrative="\n".join(lines),
        iso_week=matched[-1].iso_week,
        vehicles=vehicles[:1],
        people=[],
        status="pending",
        expires_at=now + DEFAULT_LIFETIME,
    )


def _flag_liaisons(session, region, draft, candidate, window) -> list[OutboundEmail]:
    liaisons = session.scalars(
        sa.select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.association_id == region.association_id,
            Membership.role == Role.POLICE_LIAISON.value,
            Membership.region_id == region.id,
            User.is_active.is_(True),
        )
        .distinct()
        .order_by(User.id)
    ).all()
    emails: dict[str | None, RenderedEmail] = {}  # one rendering per language of the liaisons
    rows = []
    for user in liaisons:
        language = language_or_default(user.language)  # English for a person who never chose
        if language not in emails:
            emails[language] = render_email(
                "casing_pattern",
                _l("%(tlp)s Possible casing pattern in %(region)s", tlp=draft.tlp_label, region=draft.region_label),
                bulletin=draft,
                summary=candidate.summary,
                window_days=window.days,
                language=language,
            )
        rows.append(queue_email(session, to=user.email, email=emails[language], kind="pattern"))
    return rows


def detect_all(session: Session, engine: Engine, *, association_id: int | None = None, window=DEFAULT_WINDOW):
    query = sa.select(Region).order_by(Region.id)
    if association_id is not None:
        query = query.where(Region.association_id == association_id)
    emails: list[OutboundEmail] = []
    for region in session.scalars(query).all():
        emails += detect_region(session, engine, region, window=window)
    return emails


def enqueue_detection(session: Session, region_id: int) -> None:
    """Write the job that looks for patterns in the region (one waiting job per region, however many shares)."""
    enqueue(session, names.DETECT_PATTERNS, {"region_id": region_id}, queueing_lock=f"patterns:{region_id}")
