"""Logbook domain functions. The Session passed in is already bound to the store's schema.

Times arrive here as aware datetimes (the views turn what people typed on their wall clock into UTC); date filters
are calendar days on the association's wall clock, so "from 3 March" means from local midnight.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.orm import Session, selectinload, undefer

import audit
from audit import Actor
from errors import DomainError, NotFound
from i18n import _
from logbook import red_flags as flags
from logbook.casing_links import LINK_MAX_AGE, casing_link
from mail.outbox import queue_email
from mail.render import render_email
from models import Incident, IncidentPerson, IncidentPhoto, IncidentVehicle, OutboundEmail, PoliceContact, Store
from models.base import utcnow
from models.store.logbook import INCIDENT_TYPES, live
from models.text import shorten
from security.csv_cells import formula_safe
from security.uploads import CheckedImage, SentFile, UploadRejected, check_images, screen_images
from tenants.binding import store_session
from tenants.readable import readable_stores
from workspace.police_card import police_card

PERSON_FIELDS = ("clothing", "build", "height", "behaviour", "asked_about", "other_details")
VEHICLE_FIELDS = ("make", "model", "colour", "plate", "plate_state")
TEXT_FIELDS = ("title", "narrative", "location_note", "staff_involved", "police_report_number")
PAGE_SIZE = 25
MAX_PHOTOS = 20
CASING_TITLE_LENGTH = 80
# A deleted incident can be restored for this long; the daily purge then removes it for good.
RECOVERY_PERIOD = timedelta(days=30)


class LogbookError(DomainError):
    """A logbook change that cannot be made as asked."""


@dataclass(frozen=True)
class LogbookQuery:
    """Which incidents to show: types (empty = all), a range of local calendar days, words to look for."""

    types: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None
    text: str = ""


@dataclass(frozen=True)
class IncidentPage:
    incidents: list[Incident]
    total: int
    page: int
    page_size: int

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page * self.page_size < self.total


@dataclass
class DescribedIncident:
    """An incident's own fields as typed (text already stripped), with the people and vehicles seen."""

    occurred_at: datetime
    incident_type: str
    title: str
    narrative: str
    location_note: str = ""
    staff_involved: str = ""
    police_notified: bool = False
    police_report_number: str = ""
    people: list[dict[str, Any]] = field(default_factory=list)
    vehicles: list[dict[str, Any]] = field(default_factory=list)
    # Red-flag codes (`logbook.red_flags`); None leaves the incident's as they are (the full form has no chips).
    red_flags: list[str] | None = None


def describe(row: object, names: Sequence[str]) -> str:
    """One person or vehicle on one line, e.g. `clothing: grey hoodie, height: about 1.80 m`."""
    return ", ".join(f"{name.replace('_', ' ')}: {getattr(row, name)}" for name in names if getattr(row, name))


# --- reading ----------------------------------------------------------------------------------------------------


def like_pattern(text: str) -> str:
    """A `%text%` ILIKE pattern in which the person's own % and _ (and the escape character) match literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _local_midnight_utc(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)


def _conditions(query: LogbookQuery, zone: ZoneInfo) -> list[sa.ColumnElement[bool]]:
    conditions: list[sa.ColumnElement[bool]] = [live()]
    if query.types:
        conditions.append(Incident.incident_type.in_(query.types))
    if query.since:
        conditions.append(Incident.occurred_at >= _local_midnight_utc(query.since, zone))
    if query.until:
        conditions.append(Incident.occurred_at < _local_midnight_utc(query.until + timedelta(days=1), zone))
    for word in query.text.split()[:8]:
        # Every word must appear somewhere: in the incident, or in one of its people or vehicles.
        pattern = like_pattern(word)

        def matches(*columns: sa.ColumnElement[str], pattern: str = pattern) -> sa.ColumnElement[bool]:
            return sa.or_(*(column.ilike(pattern, escape="\\") for column in columns))

        person = sa.select(IncidentPerson.id).where(
            IncidentPerson.incident_id == Incident.id,
            matches(*(getattr(IncidentPerson, name) for name in PERSON_FIELDS)),
        )
        vehicle = sa.select(IncidentVehicle.id).where(
            IncidentVehicle.incident_id == Incident.id,
            matches(*(getattr(IncidentVehicle, name) for name in VEHICLE_FIELDS)),
        )
        conditions.append(
            sa.or_(
                matches(Incident.title, Incident.narrative, Incident.location_note, Incident.staff_involved),
                Incident.police_report_number.ilike(pattern, escape="\\"),
                person.exists(),
                vehicle.exists(),
            )
        )
    return conditions


def _with_details(statement: sa.Select) -> sa.Select:
    return statement.options(
        selectinload(Incident.people), selectinload(Incident.vehicles), selectinload(Incident.photos)
    )


def search_incidents(session: Session, query: LogbookQuery, *, zone: ZoneInfo, page: int = 1) -> IncidentPage:
    """One page of the logbook, newest first."""
    conditions = _conditions(query, zone)
    total = session.scalar(sa.select(sa.func.count()).select_from(Incident).where(*conditions)) or 0
    page = max(1, page)
    statement = (
        sa.select(Incident)
        .where(*conditions)
        .order_by(Incident.occurred_at.desc(), Incident.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    )
    return IncidentPage(list(session.scalars(_with_details(statement))), total, page, PAGE_SIZE)


def all_matching(session: Session, query: LogbookQuery, *, zone: ZoneInfo) -> list[Incident]:
    """Every incident the query matches (for the export), oldest first."""
    statement = sa.select(Incident).where(*_conditions(query, zone)).order_by(Incident.occurred_at, Incident.id)
    return list(session.scalars(_with_details(statement)))


def incidents_in_slice(
    session: Session,
    *,
    types: list[str] | None,
    since: date | None,
    until: date | None,
    zone: ZoneInfo | None = None,
) -> list[Incident]:
    """The incidents of a review slice: these types (None or empty = all) between these days (inclusive, on the
    association's wall clock when `zone` is given, else UTC), oldest first, with people, vehicles and photos."""
    query = LogbookQuery(types=tuple(types or ()), since=since, until=until)
    return all_matching(session, query, zone=zone or ZoneInfo("UTC"))


def get_incident(session: Session, incident_id: int) -> Incident:
    """A live incident of this store's logbook; NotFound for a deleted one (see `get_deleted_incident`)."""
    incident = session.get(Incident, incident_id)
    if incident is None or incident.deleted_at is not None:
        raise NotFound(_("No such incident in this store's logbook."))
    return incident


def get_deleted_incident(session: Session, incident_id: int) -> Incident:
    """A deleted incident still in its recovery period; NotFound for a live or purged one."""
    incident = session.get(Incident, incident_id)
    if incident is None or incident.deleted_at is None:
        raise NotFound("No such deleted incident in this store's logbook.")
    return incident


def recently_deleted(session: Session) -> list[Incident]:
    """Deleted incidents still recoverable, most recently deleted first."""
    return list(
        session.scalars(
            sa.select(Incident)
            .where(Incident.deleted_at.is_not(None))
            .order_by(Incident.deleted_at.desc(), Incident.id.desc())
        )
    )


def purge_date(incident: Incident) -> datetime | None:
    """When the daily purge removes a deleted incident for good."""
    return incident.deleted_at + RECOVERY_PERIOD if incident.deleted_at else None


def count_live(session: Session) -> int:
    """How many incidents the logbook holds (deleted ones left out)."""
    return session.scalar(sa.select(sa.func.count()).select_from(Incident).where(live())) or 0


def get_photo(session: Session, stored_name: str) -> IncidentPhoto:
    """A photo with its bytes, by its random stored name (not one of a deleted incident)."""
    photo = session.scalar(
        sa.select(IncidentPhoto)
        .join(Incident, Incident.id == IncidentPhoto.incident_id)
        .where(IncidentPhoto.stored_name == stored_name, live())
        .options(undefer(IncidentPhoto.data))
    )
    if photo is None:
        raise NotFound(_("No such photo in this store's logbook."))
    return photo


def police_contacts_with_email(session: Session) -> list[PoliceContact]:
    return list(
        session.scalars(sa.select(PoliceContact).where(PoliceContact.email != "").order_by(PoliceContact.officer_name))
    )


# --- changing ---------------------------------------------------------------------------------------------------


def _is_blank(row: dict[str, Any], names: Iterable[str]) -> bool:
    return not any((row.get(name) or "").strip() for name in names)


def _clean(row: dict[str, Any], names: Sequence[str]) -> dict[str, str]:
    return {name: (row.get(name) or "").strip() for name in names}


def save_incident(
    session: Session,
    described: DescribedIncident,
    *,
    incident: Incident | None = None,
    reported_by_user_id: int | None = None,
    is_casing_report: bool = False,
) -> Incident:
    """Create an incident, or update `incident`, with its people and vehicles (blank rows are left out) and its
    red flags (codes of `logbook.red_flags`; an unknown one refuses the whole change before anything is written)."""
    if described.incident_type not in INCIDENT_TYPES:
        raise LogbookError(_("Choose a type of incident from the list."))
    red_flags = flags.validated(described.red_flags) if described.red_flags is not None else None
    if described.occurred_at.tzinfo is None:
        raise ValueError("occurred_at must be timezone-aware")
    if incident is None:
        incident = Incident(reported_by_user_id=reported_by_user_id, is_casing_report=is_casing_report)
    incident.occurred_at = described.occurred_at
    incident.incident_type = described.incident_type
    for name in TEXT_FIELDS:
        setattr(incident, name, (getattr(described, name) or "").strip())
    incident.police_notified = bool(described.police_notified)
    if red_flags is not None:
        incident.red_flags = red_flags
    elif incident.red_flags is None:
        incident.red_flags = []
    if not incident.police_notified:
        incident.police_report_number = ""
    incident.people = [
        IncidentPerson(**_clean(row, PERSON_FIELDS)) for row in described.people if not _is_blank(row, PERSON_FIELDS)
    ]
    incident.vehicles = [
        IncidentVehicle(**_clean(row, VEHICLE_FIELDS))
        for row in described.vehicles
        if not _is_blank(row, VEHICLE_FIELDS)
    ]
    session.add(incident)
    session.flush()
    return incident


def casing_title(narrative: str) -> str:
    """A list-friendly title from the first line of what the person typed."""
    # Cut at a word, never inside one (issue #19); the whole text stays in the narrative.
    first = shorten(narrative.strip().splitlines()[0], CASING_TITLE_LENGTH) if narrative.strip() else ""
    return f"Casing: {first}" if first else "Casing report"


def file_casing_report(
    session: Session,
    *,
    occurred_at: datetime,
    narrative: str,
    person: dict[str, Any],
    vehicle: dict[str, Any],
    reported_by_user_id: int | None,
    red_flags: Sequence[str] = (),
) -> Incident:
    """The fast path: a casing incident from the handful of fields on the casing report page, with the red flags
    ticked (codes of `logbook.red_flags`, validated: an unknown code raises `UnknownRedFlag`, nothing is stored)."""
    described = DescribedIncident(
        occurred_at=occurred_at,
        incident_type="casing",
        title=casing_title(narrative),
        narrative=narrative,
        people=[person],
        vehicles=[vehicle],
        red_flags=list(red_flags),
    )
    return save_incident(session, described, reported_by_user_id=reported_by_user_id, is_casing_report=True)


def screen_photos(sent: Sequence[SentFile], incident: Incident | None = None) -> None:
    """The cheap checks of the photos of one request, nothing decoded; raise `UploadRejected` when one fails.

    Their number is checked first, against the room the incident has left (with the photos it already holds),
    then `security.uploads.screen_images` (each file's size, type and dimensions, the request's pixel budget).
    """
    held = len(incident.photos) if incident is not None else 0
    if held + len(sent) > MAX_PHOTOS:
        if held:
            raise UploadRejected(
                _(
                    "An incident can hold at most %(limit)s photos; this one holds %(held)s already. "
                    "Choose fewer photos.",
                    limit=MAX_PHOTOS,
                    held=held,
                )
            )
        raise UploadRejected(_("An incident can hold at most %(limit)s photos. Choose fewer photos.", limit=MAX_PHOTOS))
    screen_images(sent, max_files=MAX_PHOTOS - held)


def check_photos(sent: Sequence[SentFile], incident: Incident | None = None) -> list[CheckedImage]:
    """The photos of one request, checked and re-encoded; raise `UploadRejected` otherwise. Nothing is decoded
    before `screen_photos` passed."""
    screen_photos(sent, incident)
    held = len(incident.photos) if incident is not None else 0
    return check_images(sent, max_files=MAX_PHOTOS - held)


def add_photos(session: Session, incident: Incident, images: Sequence[CheckedImage]) -> list[IncidentPhoto]:
    """Attach already-checked images (see `check_photos`)."""
    if len(incident.photos) + len(images) > MAX_PHOTOS:
        raise LogbookError(_("An incident can hold at most %(limit)s photos.", limit=MAX_PHOTOS))
    photos = [
        IncidentPhoto(
            stored_name=image.stored_name,
            content_type=image.content_type,
            width=image.width,
            height=image.height,
            byte_size=image.byte_size,
            data=image.data,
        )
        for image in images
    ]
    incident.photos.extend(photos)
    session.flush()
    return photos


def delete_photo(session: Session, incident: Incident, photo_id: int, *, store: Store, actor: Actor) -> None:
    """Delete one photo of the incident (audited)."""
    photo = session.get(IncidentPhoto, photo_id)
    if photo is None or photo.incident_id != incident.id:
        raise NotFound(_("No such photo on this incident."))
    session.delete(photo)
    session.flush()
    audit.record(
        session,
        "logbook.photo_deleted",
        actor=actor,
        association_id=store.association_id,
        store_id=store.id,
        target=f"incident:{incident.id}",
        details={"photo_id": photo_id},
    )


def delete_incident(session: Session, incident: Incident, *, store: Store, actor: Actor) -> None:
    """Delete an incident: hidden everywhere at once, restorable for `RECOVERY_PERIOD`, then purged with its people,
    vehicles and photos (`purge_deleted`). A bulletin already published from it is not withdrawn (it is anonymized
    and no longer the store's); the audit entry keeps its title and type."""
    incident.deleted_at = utcnow()
    incident.deleted_by_user_id = actor.user_id
    session.flush()
    audit.record(
        session,
        "logbook.delete",
        actor=actor,
        association_id=store.association_id,
        store_id=store.id,
        target=f"incident:{incident.id}",
        details={"title": incident.title, "type": incident.incident_type},
    )


def restore_incident(session: Session, incident: Incident, *, store: Store, actor: Actor) -> None:
    """Bring a deleted incident back into the logbook (audited)."""
    if incident.deleted_at is None:
        raise NotFound("No such deleted incident in this store's logbook.")
    incident.deleted_at = None
    incident.deleted_by_user_id = None
    session.flush()
    audit.record(
        session,
        "logbook.restore",
        actor=actor,
        association_id=store.association_id,
        store_id=store.id,
        target=f"incident:{incident.id}",
        details={"title": incident.title, "type": incident.incident_type},
    )


def purge_deleted(session: Session, store: Store, *, now: datetime | None = None) -> int:
    """Remove for good the incidents deleted more than `RECOVERY_PERIOD` ago; their people, vehicles and photos go
    with them (ON DELETE CASCADE). Re-reads what is due, so running it twice removes nothing twice."""
    cutoff = (now or utcnow()) - RECOVERY_PERIOD
    ids = list(
        session.scalars(
            sa.delete(Incident)
            .where(Incident.deleted_at.is_not(None), Incident.deleted_at < cutoff)
            .returning(Incident.id)
        )
    )
    if ids:
        audit.record(
            session,
            "logbook.purge",
            actor=Actor.system("job:purge-deleted-incidents"),
            association_id=store.association_id,
            store_id=store.id,
            target="logbook",
            details={"incident_ids": ids},
        )
    return len(ids)


def purge_all_stores(engine: Engine, *, now: datetime | None = None) -> int:
    """The daily job: `purge_deleted` in every readable store, one transaction per store (a failing store leaves
    the others' purges committed; the next run retries it)."""
    with Session(engine, expire_on_commit=False) as session:
        stores = session.scalars(readable_stores()).all()
    purged = 0
    for store in stores:
        with store_session(engine, store.schema_name) as store_db, store_db.begin():
            purged += purge_deleted(store_db, store, now=now)
    return purged


def alert_police_of_casing(
    session: Session,
    store: Store,
    incident: Incident,
    *,
    zone: ZoneInfo,
    actor: Actor,
) -> list[OutboundEmail]:
    """Queue a TLP:RED email to every police contact of the store with an email address, asking for a heightened
    response (signed with the actor's name and email), and record when. Returns the outbox rows (the caller sends
    them after commit); empty when no contact has an email address, in which case nothing is marked as notified."""
    contacts = police_contacts_with_email(session)
    card = police_card(session, store)
    rows: list[OutboundEmail] = []
    for contact in contacts:
        email = render_email(
            "casing_alert",
            f"TLP:RED Casing reported at {store.name}: heightened response requested",
            store=store,
            incident=incident,
            contact=contact,
            occurred=incident.occurred_at.astimezone(zone),
            zone_name=zone.key,
            people=[describe(p, PERSON_FIELDS) for p in incident.people],
            vehicles=[describe(v, VEHICLE_FIELDS) for v in incident.vehicles],
            red_flags=flags.labels(incident.red_flags),
            photo_count=len(incident.photos),
            link=casing_link(store.id, incident.id, contact.id),
            link_days=LINK_MAX_AGE.days,
            card=card,
            reporter_name=actor.name,
            reporter_email=actor.email,
        )
        rows.append(queue_email(session, to=contact.email, email=email, kind="casing_alert"))
    if rows:
        incident.contacts_notified_at = utcnow()
        session.flush()
    audit.record(
        session,
        "logbook.casing_alert",
        actor=actor,
        association_id=store.association_id,
        store_id=store.id,
        target=f"incident:{incident.id}",
        outcome="ok" if rows else "no_recipients",
        details={"recipients": len(rows), "contact_ids": [c.id for c in contacts]},
    )
    return rows


# --- export -----------------------------------------------------------------------------------------------------

CSV_HEADER = (
    "id",
    "occurred_at",
    "type",
    "casing_report",
    "title",
    "what_happened",
    "where",
    "staff_involved",
    "police_notified",
    "police_report_number",
    "police_contacts_alerted_at",
    "people",
    "vehicles",
    "photos",
    "red_flags",
)


def _local(value: datetime | None, zone: ZoneInfo) -> str:
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M") if value else ""


def incidents_csv(incidents: Iterable[Incident], *, zone: ZoneInfo) -> str:
    """The logbook as CSV text (times on the association's wall clock), every cell formula-safe."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for incident in incidents:
        row = (
            incident.id,
            _local(incident.occurred_at, zone),
            incident.type_label,
            "yes" if incident.is_casing_report else "no",
            incident.title,
            incident.narrative,
            incident.location_note,
            incident.staff_involved,
            "yes" if incident.police_notified or incident.contacts_notified_at else "no",
            incident.police_report_number,
            _local(incident.contacts_notified_at, zone),
            " | ".join(describe(p, PERSON_FIELDS) for p in incident.people),
            " | ".join(describe(v, VEHICLE_FIELDS) for v in incident.vehicles),
            len(incident.photos),
            " | ".join(flags.labels(incident.red_flags)),
        )
        writer.writerow([formula_safe(value) for value in row])
    return out.getvalue()


def export_csv(session: Session, store: Store, query: LogbookQuery, *, zone: ZoneInfo, actor: Actor) -> str:
    """The incidents the query matches as CSV text (see `incidents_csv`); the export is audited with its filters."""
    incidents = all_matching(session, query, zone=zone)
    audit.record(
        session,
        "logbook.export",
        actor=actor,
        association_id=store.association_id,
        store_id=store.id,
        target="logbook",
        details={
            "rows": len(incidents),
            "types": list(query.types),
            "since": query.since.isoformat() if query.since else None,
            "until": query.until.isoformat() if query.until else None,
            "search": query.text or None,
        },
    )
    return incidents_csv(incidents, zone=zone)
