"""Police review of the logbook: granting a slice, opening it as the officer, marking it reviewed, revoking it.

Grants live in the store's schema; a liaison's grant also has a pointer row in the shared `police_share_index`,
written and updated in the same transaction (the request Session reaches shared tables while bound to the store).
Every function takes the Session, flushes and never commits. Whoever opens or acts on a grant is written both to
the store's access log (what the store sees) and to the audit log (what the association can prove).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload, undefer

import audit
from audit import Actor
from database.bundle import Query, fetch
from errors import DomainError, NotFound
from i18n import _, format_local, ngettext
from i18n import _ as gettext  # in functions where `_` is an unpacking placeholder
from jobs.queue import notify
from models import (
    Incident,
    IncidentPhoto,
    Membership,
    PoliceContact,
    PoliceShareIndex,
    ReviewAccess,
    ReviewGrant,
    Role,
    Store,
    StoreStatus,
    User,
)
from models.store.logbook import INCIDENT_TYPES, live
from models.store.review import RECIPIENT_CONTACT, RECIPIENT_LIAISON
from security import ranges
from security.tokens import new_secret
from workspace.attention import AttentionItem

MAX_GRANT_DAYS = 90
NOTES_LIMIT = 10_000


class GrantRefused(DomainError):
    """A grant that cannot be made as asked; `field` names the form field the message belongs to."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def utcnow() -> datetime:
    return datetime.now(UTC)


# --- choosing the officer -------------------------------------------------------------------------------------


def association_liaisons(session: Session, association_id: int) -> list[User]:
    """Active users with a police liaison membership in this association (shared schema)."""
    return list(
        session.scalars(
            sa.select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.association_id == association_id,
                Membership.role == Role.POLICE_LIAISON.value,
                Membership.store_id.is_(None),
                User.is_active.is_(True),
            )
            .order_by(User.name, User.id)
        )
    )


def contacts_with_email(session: Session) -> list[PoliceContact]:
    """The store's police contacts a signed link can be emailed to."""
    return list(
        session.scalars(
            sa.select(PoliceContact)
            .where(PoliceContact.email != "")
            .order_by(PoliceContact.agency, PoliceContact.officer_name)
        )
    )


def recipient_choices(session: Session, store: Store) -> list[tuple[str, str]]:
    """(value, label) pairs for the grant form: `liaison:<user id>` and `contact:<contact id>`."""
    pairs = [
        (f"{RECIPIENT_LIAISON}:{u.id}", gettext("%(name)s — police liaison (%(email)s)", name=u.name, email=u.email))
        for u in association_liaisons(session, store.association_id)
    ]
    pairs += [
        (
            f"{RECIPIENT_CONTACT}:{c.id}",
            gettext(
                "%(name)s, %(agency)s — by emailed link (%(email)s)",
                name=c.officer_name,
                agency=c.agency,
                email=c.email,
            ),
        )
        for c in contacts_with_email(session)
    ]
    return pairs


# --- the slice ------------------------------------------------------------------------------------------------


def slice_bounds(since: date, until: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The slice's dates (inclusive, on the association's calendar) as a half-open UTC interval.

    Dates are clamped to the platform's range first: a grant stored before ranges were checked (until 9999-12-31)
    still opens instead of overflowing; no incident lies outside that range anyway."""
    since, until = ranges.clamp_date(since), ranges.clamp_date(until)
    start = datetime.combine(since, time.min, tzinfo=zone).astimezone(UTC)
    end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC)
    return start, end


def _in_slice(grant: ReviewGrant, start: datetime, end: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(
        live(),
        Incident.incident_type.in_(list(grant.incident_types)),
        Incident.occurred_at >= start,
        Incident.occurred_at < end,
    )


def slice_incidents(session: Session, grant: ReviewGrant, zone: ZoneInfo) -> list[Incident]:
    """The incidents the grant covers, newest first, with their people, vehicles and photos (not photo bytes)."""
    start, end = slice_bounds(grant.since, grant.until, zone)
    incidents = session.scalars(
        sa.select(Incident)
        .where(_in_slice(grant, start, end))
        .options(selectinload(Incident.people), selectinload(Incident.vehicles), selectinload(Incident.photos))
        .order_by(Incident.occurred_at.desc(), Incident.id.desc())
    ).all()
    return list(incidents)


def slice_photo(session: Session, grant: ReviewGrant, photo_id: int, zone: ZoneInfo) -> IncidentPhoto:
    """A photo of an incident inside the grant's slice, with its bytes; NotFound for any other photo."""
    start, end = slice_bounds(grant.since, grant.until, zone)
    photo = session.scalar(
        sa.select(IncidentPhoto)
        .join(Incident, Incident.id == IncidentPhoto.incident_id)
        .where(IncidentPhoto.id == photo_id, _in_slice(grant, start, end))
        .options(undefer(IncidentPhoto.data))
    )
    if photo is None:
        raise NotFound(_("No such photo in this review."))
    return photo


def type_labels(types: Iterable[str]) -> list[str]:
    return [INCIDENT_TYPES.get(t, t) for t in types]


# --- the store's side -----------------------------------------------------------------------------------------


def list_grants(session: Session) -> list[ReviewGrant]:
    return list(session.scalars(sa.select(ReviewGrant).order_by(ReviewGrant.created_at.desc(), ReviewGrant.id.desc())))


def get_grant(session: Session, grant_id: int) -> ReviewGrant:
    grant = session.get(ReviewGrant, grant_id)
    if grant is None:
        raise NotFound(_("No such review grant in this store."))
    return grant


def unreviewed_live_grants(session: Session, *, now: datetime | None = None) -> list[ReviewGrant]:
    """Live grants the officer has not marked reviewed yet (for the dashboard)."""
    return list(session.scalars(_unreviewed_query(), {"now": now or utcnow()}))


@functools.cache
def _unreviewed_query() -> sa.Select:
    # Built once: the dashboard runs it on every visit.
    return (
        sa.select(ReviewGrant)
        .where(
            ReviewGrant.revoked_at.is_(None),
            ReviewGrant.expires_at > sa.bindparam("now"),
            ReviewGrant.reviewed_at.is_(None),
        )
        .order_by(ReviewGrant.expires_at)
    )


def _log(session: Session, grant: ReviewGrant, action: str, actor: Actor, detail: str = "") -> None:
    session.add(
        ReviewAccess(
            grant_id=grant.id,
            action=action,
            actor_name=actor.label[:254],
            actor_user_id=actor.user_id,
            ip=actor.ip,
            detail=detail[:300],
        )
    )


def _audit(session: Session, action: str, grant: ReviewGrant, store: Store, actor: Actor, **details) -> None:
    audit.record(
        session,
        action,
        actor=actor,
        association_id=store.association_id,
        store_id=store.id,
        target=f"review_grant:{grant.id}",
        details={"recipient_kind": grant.recipient_kind, **details},
    )


def create_grant(
    session: Session,
    *,
    store: Store,
    granted_by: Actor,
    recipient: str,
    incident_types: Sequence[str],
    since: date,
    until: date,
    expires_at: datetime,
    message: str = "",
    now: datetime | None = None,
) -> tuple[ReviewGrant, PoliceShareIndex | None]:
    """Grant a liaison (`liaison:<user id>`) or a contact (`contact:<id>`) read access to a slice of the logbook.

    `expires_at` must be aware. A liaison's grant gets its pointer row in the shared index in this transaction;
    a contact's grant gets a random nonce for its signed link.
    """
    now = now or utcnow()
    types = [t for t in dict.fromkeys(incident_types) if t]
    if not types:
        raise GrantRefused(gettext("Choose at least one type of incident."), "incident_types")
    unknown = [t for t in types if t not in INCIDENT_TYPES]
    if unknown:
        raise GrantRefused(gettext("Choose incident types from the list."), "incident_types")
    for name, day in (("since", since), ("until", until)):
        if not ranges.date_in_range(day):
            raise GrantRefused(ranges.DATE_MESSAGE, name)
    if since > until:
        raise GrantRefused(gettext("The end date must not be before the start date."), "until")
    if expires_at.tzinfo is None:
        raise ValueError("expires_at must be timezone-aware")
    if expires_at <= now:
        raise GrantRefused(gettext("Access must end in the future."), "expires_at")
    if expires_at > now + timedelta(days=MAX_GRANT_DAYS):
        raise GrantRefused(gettext("Access can last at most %(days)s days.", days=MAX_GRANT_DAYS), "expires_at")

    kind, _, raw_id = (recipient or "").partition(":")
    if not raw_id.isdigit():
        raise GrantRefused(gettext("Choose the officer to share with."), "recipient")
    recipient_id = int(raw_id)
    grant = ReviewGrant(
        recipient_kind=kind,
        incident_types=types,
        since=since,
        until=until,
        expires_at=expires_at,
        message=(message or "").strip(),
        granted_by_user_id=granted_by.user_id,
        granted_by_name=granted_by.label[:200],
    )
    if kind == RECIPIENT_LIAISON:
        liaison = next((u for u in association_liaisons(session, store.association_id) if u.id == recipient_id), None)
        if liaison is None:
            raise GrantRefused(gettext("That person is not a police liaison of your association."), "recipient")
        grant.liaison_user_id = liaison.id
        grant.recipient_name = liaison.name[:200]
        grant.recipient_email = liaison.email
    elif kind == RECIPIENT_CONTACT:
        contact = session.get(PoliceContact, recipient_id)
        if contact is None or not contact.email:
            raise GrantRefused(gettext("That police contact has no email address to send the link to."), "recipient")
        grant.police_contact_id = contact.id
        grant.recipient_name = contact.officer_name[:200]
        grant.recipient_email = contact.email
        grant.link_nonce = new_secret()
    else:
        raise GrantRefused(gettext("Choose the officer to share with."), "recipient")
    session.add(grant)
    session.flush()

    share = None
    if kind == RECIPIENT_LIAISON:
        share = PoliceShareIndex(
            store_id=store.id,
            liaison_user_id=grant.liaison_user_id,
            grant_id=grant.id,
            incident_types=types,
            since=since,
            until=until,
            expires_at=expires_at,
        )
        session.add(share)
    _log(session, grant, "granted", granted_by, f"to {grant.recipient_name}")
    _audit(
        session,
        "review.grant",
        grant,
        store,
        granted_by,
        recipient=grant.recipient_email,
        types=types,
        since=since.isoformat(),
        until=until.isoformat(),
        expires_at=expires_at.isoformat(),
    )
    session.flush()
    return grant, share


def share_for_grant(session: Session, store: Store, grant: ReviewGrant) -> PoliceShareIndex | None:
    return session.scalar(
        sa.select(PoliceShareIndex).where(PoliceShareIndex.store_id == store.id, PoliceShareIndex.grant_id == grant.id)
    )


def revoke_grant(
    session: Session, grant: ReviewGrant, *, store: Store, actor: Actor, now: datetime | None = None
) -> None:
    """End a grant now. Revoking twice changes nothing."""
    if grant.revoked_at is not None:
        return
    now = now or utcnow()
    grant.revoked_at = now
    grant.revoked_by_name = actor.label[:200]
    share = share_for_grant(session, store, grant)
    if share is not None:
        share.revoked_at = now
    _log(session, grant, "revoked", actor)
    _audit(session, "review.revoke", grant, store, actor)
    session.flush()


# --- the officer's side ---------------------------------------------------------------------------------------


def _live_shares(user_id: int, now: datetime) -> sa.Select:
    """Pointer rows that are the user's, live, in a ready store of an association where they are a liaison."""
    return (
        sa.select(PoliceShareIndex)
        .join(Store, Store.id == PoliceShareIndex.store_id)
        .join(
            Membership,
            sa.and_(
                Membership.user_id == PoliceShareIndex.liaison_user_id,
                Membership.association_id == Store.association_id,
                Membership.role == Role.POLICE_LIAISON.value,
                Membership.store_id.is_(None),
            ),
        )
        .where(
            PoliceShareIndex.liaison_user_id == user_id,
            PoliceShareIndex.revoked_at.is_(None),
            PoliceShareIndex.expires_at > now,
            Store.status == StoreStatus.READY.value,
        )
    )


def live_shares(session: Session, user_id: int, *, now: datetime | None = None) -> list[PoliceShareIndex]:
    """The liaison's live grants, soonest to expire first (shared schema only: no store schema is read)."""
    query = _live_shares(user_id, now or utcnow()).options(selectinload(PoliceShareIndex.store))
    return list(session.scalars(query.order_by(PoliceShareIndex.expires_at, PoliceShareIndex.id)))


def live_share(session: Session, share_id: int, user_id: int, *, now: datetime | None = None) -> PoliceShareIndex:
    """The liaison's live pointer with this id, or NotFound (someone else's, revoked, expired: all the same)."""
    share = session.scalar(_live_shares(user_id, now or utcnow()).where(PoliceShareIndex.id == share_id))
    if share is None:
        raise NotFound(_("No such review, or it has ended."))
    return share


def liaison_grant(
    session: Session, share: PoliceShareIndex, user_id: int, *, now: datetime | None = None
) -> ReviewGrant:
    """The grant a live pointer names, checked again on the store's side. The Session must be bound to its store."""
    grant = session.get(ReviewGrant, share.grant_id)
    if (
        grant is None
        or grant.recipient_kind != RECIPIENT_LIAISON
        or grant.liaison_user_id != user_id
        or grant.state(now or utcnow()) != "live"
    ):
        raise NotFound(_("No such review, or it has ended."))
    return grant


def link_grant(session: Session, grant_id: object, nonce: object, *, now: datetime | None = None) -> ReviewGrant:
    """The contact grant a verified signed link names, if its nonce still matches and it is live."""
    grant = session.get(ReviewGrant, grant_id) if isinstance(grant_id, int) else None
    if (
        grant is None
        or grant.recipient_kind != RECIPIENT_CONTACT
        or not isinstance(nonce, str)
        or grant.link_nonce != nonce
        or grant.state(now or utcnow()) != "live"
    ):
        raise NotFound(_("This review link is not valid or has ended."))
    return grant


def record_open(
    session: Session, grant: ReviewGrant, *, store: Store, actor: Actor, now: datetime | None = None
) -> None:
    """The officer opened the slice: the store sees when (first, last, how often); the audit log keeps it."""
    now = now or utcnow()
    if grant.first_opened_at is None:  # the store hears about the first look only
        notify(session, "review.opened", store_id=store.id, grant_id=grant.id)
    grant.first_opened_at = grant.first_opened_at or now
    grant.last_opened_at = now
    grant.open_count = (grant.open_count or 0) + 1
    _log(session, grant, "opened", actor)
    _audit(session, "review.open", grant, store, actor)
    session.flush()


def record_photo_view(session: Session, grant: ReviewGrant, photo_id: int, *, store: Store, actor: Actor) -> None:
    _log(session, grant, "photo", actor, f"photo {photo_id}")
    _audit(session, "review.photo", grant, store, actor, photo_id=photo_id)
    session.flush()


def save_review(
    session: Session,
    grant: ReviewGrant,
    *,
    store: Store,
    actor: Actor,
    pattern_notes: str,
    reviewed: bool,
    now: datetime | None = None,
) -> None:
    """Keep the officer's pattern notes and, when asked, mark the slice reviewed (once; later saves keep the date)."""
    now = now or utcnow()
    notes = (pattern_notes or "").strip()
    if len(notes) > NOTES_LIMIT:
        raise GrantRefused(
            gettext("Pattern notes can be at most %(limit)s characters.", limit=NOTES_LIMIT), "pattern_notes"
        )
    changed_notes = notes != (grant.pattern_notes or "")
    grant.pattern_notes = notes
    if changed_notes:
        _log(session, grant, "notes", actor)
        if notes:
            notify(session, "review.note", store_id=store.id, grant_id=grant.id, token=new_secret()[:16])
    if reviewed and grant.reviewed_at is None:
        grant.reviewed_at = now
        grant.reviewed_by_name = actor.label[:200]
        share = share_for_grant(session, store, grant)
        if share is not None:
            share.reviewed_at = now
        _log(session, grant, "reviewed", actor)
        _audit(session, "review.reviewed", grant, store, actor, notes_changed=changed_notes)
        notify(session, "review.reviewed", store_id=store.id, grant_id=grant.id)
    elif changed_notes:
        _audit(session, "review.notes", grant, store, actor)
    session.flush()


def attention_queries(*, today: date, now: datetime) -> list[Query]:
    """What the review items are built from (the dashboard runs every part's queries in one round trip)."""
    return [Query(_unreviewed_query(), {"now": now})]


def attention_items(session: Session, *, today: date) -> list[AttentionItem]:
    """For the dashboard: slices shared with the police and not reviewed yet (urgent when access ends soon)."""
    now = utcnow()
    return attention_from(fetch(session, attention_queries(today=today, now=now)), today=today, now=now)


def attention_from(results: list[list[tuple]], *, today: date, now: datetime) -> list[AttentionItem]:
    """The items from `attention_queries`' rows."""
    items = []
    for (grant,) in results[0]:
        days_left = (grant.expires_at - now).days
        shared_on = format_local(grant.created_at, "%d %b %Y")
        if grant.open_count:
            shared = ngettext(
                "Shared on %(date)s and opened %(num)d time.",
                "Shared on %(date)s and opened %(num)d times.",
                grant.open_count,
                date=shared_on,
            )
        else:
            shared = _("Shared on %(date)s and not opened yet.", date=shared_on)
        if days_left < 1:
            ends = _("Access ends within a day.")
        else:
            ends = ngettext("Access ends in %(num)d day.", "Access ends in %(num)d days.", days_left)
        items.append(
            AttentionItem(
                kind="share_unreviewed",
                title=_("Logbook review by %(name)s not done yet", name=grant.recipient_name),
                detail=f"{shared} {ends}",
                endpoint="review.grant",
                values={"grant_id": grant.id},
                severity="high" if days_left < 3 else "normal",
            )
        )
    return items
