"""Patrol and extra-watch requests, trips (away mode) and the officer's signed link.

The Session passed in is already bound to the store's schema. Times are stored as timestamptz and entered and
shown in the store's time zone (`workspace.times` converts, `format_local` formats for people).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

import audit
from audit import Actor
from database.bundle import Query, fetch
from errors import Conflict, DomainError, NotFound
from i18n import _, _l
from jobs.queue import notify
from mail.links import external_url
from mail.outbox import queue_email
from mail.render import recipient_language, render_email
from models import OutboundEmail, PatrolLogEntry, PatrolRequest, PatrolStatus, PoliceContact, Store, Trip
from models.base import utcnow
from security.tokens import InvalidToken, digest, new_secret, sign, unsign
from workspace.attention import AttentionItem
from workspace.police_card import police_card
from workspace.times import local_to_utc, store_zone, utc_to_local

REASONS = {
    "merchandise_movement": _l("Merchandise movement"),
    "in_store_event": _l("In-store event"),
    "trade_show": _l("Owner away at a trade show"),
    "vacation": _l("Owner on vacation"),
    "owner_away": _l("Owner away (other)"),
    "home_watch": _l("Home watch"),
    "casing_concern": _l("Casing concern"),
}
PLACES = {"store": _l("The store"), "home": _l("The owner's home")}
TRIP_KINDS = {"trade_show": _l("Trade show"), "vacation": _l("Vacation"), "other": _l("Other trip")}
TRIP_REASON = {"trade_show": "trade_show", "vacation": "vacation", "other": "owner_away"}
STATUS_LABELS = {
    PatrolStatus.DRAFT: _l("Draft"),
    PatrolStatus.SENT: _l("Sent, waiting for police"),
    PatrolStatus.ACKNOWLEDGED: _l("Acknowledged by police"),
    PatrolStatus.COMPLETED: _l("Completed"),
    PatrolStatus.DECLINED: _l("Declined by police"),
}
OPEN_STATUSES = (PatrolStatus.DRAFT, PatrolStatus.SENT, PatrolStatus.ACKNOWLEDGED)
REQUEST_FIELDS = (
    "reason",
    "place",
    "home_address",
    "vehicles_expected",
    "keyholder",
    "alarm_company",
    "notes",
)
MAX_PERIOD = timedelta(days=92)
# The officer's link works until this long after the request's end.
LINK_GRACE = timedelta(days=7)
# Signature age cap (the real expiry is LINK_GRACE after the end; this only bounds very old tokens).
LINK_MAX_AGE = MAX_PERIOD + timedelta(days=400)
TOKEN_PURPOSE = "patrol"
ACK_OVERDUE = timedelta(hours=24)
STARTS_SOON = timedelta(days=3)


class PatrolError(DomainError):
    """A patrol action that cannot be done as asked; the message says why."""


class LinkGone(DomainError):
    """An officer link that was valid once: expired, or replaced by a newer one."""

    status_code = 410


def _text(value: str | None) -> str:
    return (value or "").strip()


# --- time zones (workspace.times converts; this formats) ---


def format_local(value: datetime | None, zone: ZoneInfo) -> str:
    """A timestamp for people: 'Mon 2 Mar 2026, 18:30' in the store's zone."""
    if value is None:
        return "—"
    local = value.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M}"


# --- requests -----------------------------------------------------------------------------------------------


def _visible(query: sa.Select, include_home: bool) -> sa.Select:
    return query if include_home else query.where(PatrolRequest.place == "store")


def list_requests(session: Session, *, include_home: bool = True) -> list[PatrolRequest]:
    """Open requests first (soonest start first), then closed ones (latest first)."""
    is_open = PatrolRequest.status.in_([s.value for s in OPEN_STATUSES])
    query = (
        sa.select(PatrolRequest)
        .options(selectinload(PatrolRequest.contact))
        .order_by(
            sa.case((is_open, 0), else_=1), sa.case((is_open, PatrolRequest.starts_at)), PatrolRequest.ends_at.desc()
        )
    )
    return list(session.scalars(_visible(query, include_home)))


def get_request(session: Session, request_id: int, *, include_home: bool = True) -> PatrolRequest:
    request = session.get(PatrolRequest, request_id)
    if request is None or (not include_home and request.place != "store"):
        raise NotFound(_("No such patrol request in this store."))
    return request


def request_form_data(request: PatrolRequest, *, zone: ZoneInfo) -> dict[str, Any]:
    """A request's values for its edit form, with times as wall-clock times in `zone`."""
    data: dict[str, Any] = {name: getattr(request, name) for name in REQUEST_FIELDS}
    data.update(
        starts_at=utc_to_local(request.starts_at, zone),
        ends_at=utc_to_local(request.ends_at, zone),
        contact_id=request.contact_id,
    )
    return data


def _check_period(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise PatrolError(_("The end must be after the start."))
    if ends_at - starts_at > MAX_PERIOD:
        raise PatrolError(_("A request can cover at most 92 days; split longer periods."))


def _contact(session: Session, contact_id: int | None) -> PoliceContact | None:
    if contact_id is None:
        return None
    contact = session.get(PoliceContact, contact_id)
    if contact is None:
        raise NotFound(_("No such police contact in this store."))
    return contact


def save_request(
    session: Session,
    data: dict[str, Any],
    *,
    zone: ZoneInfo,
    request: PatrolRequest | None = None,
    trip: Trip | None = None,
) -> PatrolRequest:
    """Create a draft request, or update a draft `request`, from validated form data (local wall-clock times)."""
    if request is not None and request.status != PatrolStatus.DRAFT:
        raise Conflict(_("Only a draft can be changed; this request was already sent."))
    if data.get("reason") not in REASONS or data.get("place") not in PLACES:
        raise PatrolError(_("Choose a reason and a place from the list."))
    starts_at, ends_at = local_to_utc(data["starts_at"], zone), local_to_utc(data["ends_at"], zone)
    _check_period(starts_at, ends_at)
    if data["place"] == "home" and not (data.get("home_address") or "").strip():
        raise PatrolError(_("Give the home address for a home watch."))
    request = request or PatrolRequest(status=PatrolStatus.DRAFT.value)
    for name in REQUEST_FIELDS:
        setattr(request, name, _text(data.get(name)))
    if request.place == "store":
        request.home_address = ""
    request.starts_at, request.ends_at = starts_at, ends_at
    request.contact = _contact(session, data.get("contact_id"))
    if trip is not None:
        request.trip = trip
    session.add(request)
    session.flush()
    return request


def delete_draft(session: Session, request: PatrolRequest) -> None:
    if request.status != PatrolStatus.DRAFT:
        raise Conflict(_("Only a draft can be deleted; a sent request stays on record."))
    session.delete(request)
    session.flush()


def mark_completed(session: Session, request: PatrolRequest, *, now: datetime | None = None) -> PatrolRequest:
    if request.status not in (PatrolStatus.SENT, PatrolStatus.ACKNOWLEDGED):
        raise Conflict(_("Only a request sent to the police can be marked completed."))
    request.status = PatrolStatus.COMPLETED.value
    request.closed_at = now or utcnow()
    session.flush()
    return request


# --- sending ------------------------------------------------------------------------------------------------


def officer_link(store_id: int, request_id: int, nonce: str) -> str:
    return external_url(
        "officer.patrol_request", token=sign(TOKEN_PURPOSE, {"s": store_id, "r": request_id, "n": nonce})
    )


def send_request(
    session: Session,
    request: PatrolRequest,
    *,
    store: Store,
    actor: Actor | None,
    now: datetime | None = None,
) -> OutboundEmail:
    """Email the request to its contact with a fresh signed link (older links stop working). Flushes.

    Works for a draft (which becomes sent) and again for a sent or acknowledged request (a resend keeps the
    status). The caller sends the returned outbox row after commit.
    """
    now = now or utcnow()
    if request.status not in OPEN_STATUSES:
        raise Conflict(_("This request is closed; create a new one."))
    contact = request.contact
    if contact is None:
        raise PatrolError(_("Choose the police contact this request goes to before sending it."))
    if not contact.email:
        raise PatrolError(
            _("%(name)s has no email address. Add one to the contact, then send.", name=contact.officer_name)
        )
    if request.ends_at <= now:
        raise PatrolError(_("This request's period is over; change the dates before sending."))
    nonce = new_secret()
    request.link_nonce_digest = digest(nonce)
    request.sent_to_email = contact.email
    request.sent_at = now
    request.send_count = (request.send_count or 0) + 1
    if request.status == PatrolStatus.DRAFT:
        request.status = PatrolStatus.SENT.value
    session.flush()
    zone = store_zone(store)
    email = render_email(
        "patrol_request",
        _l("TLP:RED Patrol request from %(store)s: %(reason)s", store=store.name, reason=REASONS[request.reason]),
        patrol=request,
        store=store,
        contact=contact,
        reason=REASONS[request.reason],
        place=PLACES[request.place],
        starts=request.starts_at.astimezone(zone),
        ends=request.ends_at.astimezone(zone),
        zone_name=zone.key,
        card=police_card(session, store),
        link=officer_link(store.id, request.id, nonce),
        link_until=(request.ends_at + LINK_GRACE).astimezone(zone),
        resend=request.send_count > 1,
        language=recipient_language(session, contact.email),
    )
    row = queue_email(session, to=contact.email, email=email, kind="patrol_request")
    audit.record(
        session,
        "patrol.sent" if request.send_count == 1 else "patrol.resent",
        actor=actor,
        association_id=store.association_id,
        store_id=store.id,
        target=f"patrol_request:{request.id}",
        details={"contact_id": contact.id, "place": request.place},
    )
    return row


# --- the officer's link -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OfficerLink:
    """What a verified token names. Bind `store_id` (only with tenants.access.bind_store_by_id) before use."""

    store_id: int
    request_id: int
    nonce: str


def read_officer_token(token: str) -> OfficerLink:
    """Verify the signature and shape of an officer token; raises InvalidToken."""
    payload = unsign(TOKEN_PURPOSE, token, max_age_seconds=int(LINK_MAX_AGE.total_seconds()))
    if not isinstance(payload, dict):
        raise InvalidToken(_("This link is not valid."))
    store_id, request_id, nonce = payload.get("s"), payload.get("r"), payload.get("n")
    if not (
        isinstance(store_id, int)
        and isinstance(request_id, int)
        and isinstance(nonce, str)
        and not isinstance(store_id, bool)
        and not isinstance(request_id, bool)
    ):
        raise InvalidToken(_("This link is not valid."))
    return OfficerLink(store_id, request_id, nonce)


def request_for_link(session: Session, link: OfficerLink, *, now: datetime | None = None) -> PatrolRequest:
    """The request a verified link names, in the store the session is bound to; NotFound or LinkGone otherwise."""
    request = session.get(PatrolRequest, link.request_id)
    if request is None or request.link_nonce_digest is None:
        raise NotFound(_("This link is not valid."))
    if request.link_nonce_digest != digest(link.nonce):
        raise LinkGone(_("The store sent a newer link for this request; use the link in their latest email."))
    if (now or utcnow()) > request.ends_at + LINK_GRACE:
        raise LinkGone(_("This link has expired: the patrol period ended more than 7 days ago."))
    return request


def record_link_refused(
    session: Session, *, actor: Actor, why: str, store_id: int | None = None, request_id: int | None = None
) -> None:
    """Audit a refused officer link (bad signature, newer link sent, expired, unknown request)."""
    audit.record(
        session,
        "patrol.officer.link_refused",
        actor=actor,
        outcome="denied",
        store_id=store_id,
        target=f"patrol_request:{request_id}" if request_id else None,
        details={"why": why},
    )


def _officer_audit(
    session: Session, action: str, request: PatrolRequest, store: Store, actor: Actor | None, **details
) -> None:
    audit.record(
        session,
        f"patrol.officer.{action}",
        actor=actor,
        association_id=store.association_id,
        store_id=store.id,
        target=f"patrol_request:{request.id}",
        details={"via": "signed_link", "sent_to": request.sent_to_email, **details},
    )


def record_link_opened(session: Session, request: PatrolRequest, *, store: Store, actor: Actor) -> None:
    _officer_audit(session, "opened", request, store, actor)


def acknowledge(
    session: Session,
    request: PatrolRequest,
    *,
    store: Store,
    officer_name: str,
    note: str = "",
    actor: Actor | None = None,
    now: datetime | None = None,
) -> PatrolRequest:
    if request.status != PatrolStatus.SENT:
        raise Conflict(_("This request was already answered."))
    request.status = PatrolStatus.ACKNOWLEDGED.value
    request.acknowledged_at = now or utcnow()
    request.officer_name = _text(officer_name)
    request.officer_note = _text(note)
    session.flush()
    _officer_audit(session, "acknowledged", request, store, actor, officer_name=request.officer_name)
    notify(session, "patrol.acknowledged", store_id=store.id, request_id=request.id)
    return request


def decline(
    session: Session,
    request: PatrolRequest,
    *,
    store: Store,
    officer_name: str,
    reason: str,
    actor: Actor | None = None,
    now: datetime | None = None,
) -> PatrolRequest:
    if request.status not in (PatrolStatus.SENT, PatrolStatus.ACKNOWLEDGED):
        raise Conflict(_("This request is already closed."))
    request.status = PatrolStatus.DECLINED.value
    request.closed_at = now or utcnow()
    request.officer_name = _text(officer_name)
    request.officer_note = _text(reason)
    session.flush()
    _officer_audit(session, "declined", request, store, actor, officer_name=request.officer_name)
    notify(session, "patrol.declined", store_id=store.id, request_id=request.id)
    return request


def log_patrol(
    session: Session,
    request: PatrolRequest,
    *,
    store: Store,
    patrolled_at: datetime,
    officer_name: str,
    observations: str,
    actor: Actor | None = None,
    now: datetime | None = None,
) -> PatrolLogEntry:
    """Add a patrol the officer reports; `patrolled_at` is aware (convert form input with `to_aware`)."""
    if request.status != PatrolStatus.ACKNOWLEDGED:
        raise Conflict(_("Patrols can be logged once the request is acknowledged and until it is closed."))
    if patrolled_at > (now or utcnow()) + timedelta(minutes=10):
        raise PatrolError(_("A patrol cannot be logged in the future."))
    if request.sent_at is not None and patrolled_at < request.sent_at - timedelta(days=1):
        raise PatrolError(_("That is before the store sent this request."))
    entry = PatrolLogEntry(
        request=request, patrolled_at=patrolled_at, officer_name=_text(officer_name), observations=_text(observations)
    )
    session.add(entry)
    session.flush()
    _officer_audit(session, "logged_patrol", request, store, actor, officer_name=entry.officer_name, entry_id=entry.id)
    notify(session, "patrol.logged", store_id=store.id, request_id=request.id, token=str(entry.id))
    return entry


def complete_by_officer(
    session: Session,
    request: PatrolRequest,
    *,
    store: Store,
    actor: Actor | None = None,
    now: datetime | None = None,
) -> PatrolRequest:
    if request.status != PatrolStatus.ACKNOWLEDGED:
        raise Conflict(_("Only an acknowledged request can be marked completed."))
    mark_completed(session, request, now=now)
    _officer_audit(session, "completed", request, store, actor)
    return request


# --- trips (away mode) --------------------------------------------------------------------------------------


def list_trips(session: Session) -> list[Trip]:
    return list(session.scalars(sa.select(Trip).order_by(Trip.starts_at.desc())))


def get_trip(session: Session, trip_id: int) -> Trip:
    trip = session.get(Trip, trip_id)
    if trip is None:
        raise NotFound(_("No such trip in this store."))
    return trip


def create_trip(session: Session, data: dict[str, Any], *, zone: ZoneInfo) -> Trip:
    """Save the trip and create its draft requests (store and/or home) in one step."""
    if data.get("kind") not in TRIP_KINDS:
        raise PatrolError(_("Choose the kind of trip from the list."))
    if not (data.get("watch_store") or data.get("watch_home")):
        raise PatrolError(_("Ask for a watch on the store, the home, or both."))
    home_address = (data.get("home_address") or "").strip()
    if data.get("watch_home") and not home_address:
        raise PatrolError(_("Give the home address for the home watch."))
    starts_at, ends_at = local_to_utc(data["starts_at"], zone), local_to_utc(data["ends_at"], zone)
    _check_period(starts_at, ends_at)
    trip = Trip(
        kind=data["kind"],
        title=(data.get("title") or "").strip() or str(TRIP_KINDS[data["kind"]]),
        starts_at=starts_at,
        ends_at=ends_at,
        home_address=home_address,
        watch_store=bool(data.get("watch_store")),
        watch_home=bool(data.get("watch_home")),
    )
    session.add(trip)
    session.flush()
    common = {
        "reason": TRIP_REASON[trip.kind],
        "starts_at": data["starts_at"],
        "ends_at": data["ends_at"],
        "vehicles_expected": data.get("vehicles_expected"),
        "keyholder": data.get("keyholder"),
        "alarm_company": data.get("alarm_company"),
        "notes": data.get("notes"),
        "contact_id": data.get("contact_id"),
    }
    if trip.watch_store:
        save_request(session, {**common, "place": "store"}, zone=zone, trip=trip)
    if trip.watch_home:
        save_request(session, {**common, "place": "home", "home_address": home_address}, zone=zone, trip=trip)
    return trip


# --- attention items ----------------------------------------------------------------------------------------


@functools.cache
def _pending_query(include_home: bool) -> sa.Select:
    # Built once per variant: the dashboard runs it on every visit.
    query = sa.select(PatrolRequest).where(
        PatrolRequest.status.in_([PatrolStatus.DRAFT.value, PatrolStatus.SENT.value]),
        PatrolRequest.ends_at > sa.bindparam("now"),
    )
    return _visible(query, include_home).order_by(PatrolRequest.starts_at)


def attention_queries(*, today: date, now: datetime, include_home: bool = True) -> list[Query]:
    """What the patrol items are built from (the dashboard runs every part's queries in one round trip)."""
    return [Query(_pending_query(include_home), {"now": now})]


def attention_items(
    session: Session, *, today: date, now: datetime | None = None, include_home: bool = True
) -> list[AttentionItem]:
    """Open requests that need the store to act: unsent drafts, unanswered requests (high when starting soon).

    One item per request, the most pressing reason winning. `include_home=False` leaves out home watches (for
    staff, who do not see the owner's home requests).
    """
    now = now or utcnow()
    results = fetch(session, attention_queries(today=today, now=now, include_home=include_home))
    return attention_from(results, today=today, now=now)


def attention_from(results: list[list[tuple]], *, today: date, now: datetime) -> list[AttentionItem]:
    """The items from `attention_queries`' rows."""
    soon = datetime.combine(today + STARTS_SOON, time.max, tzinfo=now.tzinfo)
    items: list[AttentionItem] = []
    for (request,) in results[0]:
        what = _(
            "%(reason)s — %(place)s",
            reason=REASONS.get(request.reason, request.reason),
            place=str(PLACES[request.place]).lower(),
        )
        values = {"request_id": request.id}
        private = request.place != "store"  # staff must not learn that the owner's home is being watched
        if request.starts_at <= soon:
            detail = (
                _("Starts within 3 days and is still a draft: send it now.")
                if request.status == PatrolStatus.DRAFT
                else _("Starts within 3 days and the police have not acknowledged it: call your contact.")
            )
            items.append(
                AttentionItem(
                    "patrol_pending", what, detail, "patrols.request", values, severity="high", managers_only=private
                )
            )
        elif request.status == PatrolStatus.DRAFT:
            items.append(
                AttentionItem(
                    "patrol_pending",
                    what,
                    _("Drafted but not sent to the police."),
                    "patrols.request",
                    values,
                    managers_only=private,
                )
            )
        elif request.sent_at is not None and now - request.sent_at > ACK_OVERDUE:
            items.append(
                AttentionItem(
                    "patrol_pending",
                    what,
                    _("Sent more than a day ago and not acknowledged: follow up or resend."),
                    "patrols.request",
                    values,
                    managers_only=private,
                )
            )
    return items
