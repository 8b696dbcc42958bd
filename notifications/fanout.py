"""The `notifications.notify` job: one event, told to each person concerned, in their inbox and by email.

Callers write the job in their own transaction (`jobs.queue.notify`), with ids only. Store events (patrols, logbook
reviews) carry the store id; bulletin events (a decision on a share, a sighting, "this helped", a pattern) carry the
bulletin id alone: which store shared it is read here from the region's store schemas (`shared_bulletins`), as
pattern detection does, and the notification is written in that store's schema. Nothing written in the shared
schema pairs a store or a person with a bulletin their store shared; a sighting tells the source store "a member
saw it" (the anonymized note, a coarse time), never which member.

Each run is one transaction per store (or one for shared events); every row is unique per (key, person), so a
retried job adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, has_request_context, url_for
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from mail.links import external_url
from models import Association, Invitation, Membership, Region, Role, Store, StoreStatus, User
from models.accounts import MANAGER_ROLES, OWNER_ROLES
from models.alerts import AlertDelivery, UrgentAlert
from models.base import utcnow
from models.bulletins import Bulletin
from models.sightings import BulletinSighting
from models.store.patrols import PatrolRequest, PatrolStatus
from models.store.review import ReviewGrant
from models.store.sharing import SharedBulletin
from notifications.deliver import Message, active_users, send
from regions import effective_settings
from tenants.binding import store_session
from tenants.readable import readable_stores

BODY_LIMIT = 600


def path(endpoint: str, **values) -> str:
    """A path inside Loupe for a notification's link (also outside a request: jobs)."""
    if has_request_context():
        return url_for(endpoint, **values)
    with current_app.test_request_context("/"):
        return url_for(endpoint, **values)


def _clip(text: str | None) -> str:
    text = (text or "").strip()
    return text if len(text) <= BODY_LIMIT else text[: BODY_LIMIT - 1] + "…"


def _members(session: Session, store_id: int, roles) -> list[User]:
    ids = session.scalars(
        sa.select(Membership.user_id).where(
            Membership.store_id == store_id, Membership.role.in_([r.value for r in roles])
        )
    ).all()
    return active_users(session, list(ids))


def _zone(session: Session, association_id: int, region_id: int | None):
    region = session.get(Region, region_id) if region_id else None
    return effective_settings(session.get(Association, association_id), region).zone


def _store_inbox(store: Store) -> str:
    return external_url("notifications.store_inbox", store_slug=store.slug)


def _tell_store(engine: Engine, store: Store, build: Callable[[Session], Message | None], roles=MANAGER_ROLES) -> int:
    """Write `build`'s message in the store's schema for its owners and managers (one transaction)."""
    with store_session(engine, store.schema_name) as session, session.begin():
        message = build(session)
        if message is None:
            return 0
        zone = _zone(session, store.association_id, store.region_id)
        return sum(
            send(session, user, message, zone=zone, inbox_url=_store_inbox(store))
            for user in _members(session, store.id, roles)
        )


# --- store events: patrols and logbook reviews ------------------------------------------------------------------

_PATROL_TITLES = {
    "patrol.acknowledged": "An officer acknowledged your patrol request",
    "patrol.declined": "An officer declined your patrol request",
    "patrol.logged": "An officer logged a patrol",
    "patrol.expiring": "A patrol request nobody answered ends within a day",
}
_REVIEW_TITLES = {
    "review.opened": "The police opened your logbook review",
    "review.reviewed": "The police marked your logbook review reviewed",
    "review.note": "The police wrote a note on your logbook review",
}


def _patrol(event: str, store: Store, request_id: int, token: str | None):
    def build(session: Session) -> Message | None:
        request = session.get(PatrolRequest, request_id)
        if request is None:
            return None
        officer = request.officer_name or "The officer"
        bodies = {
            "patrol.acknowledged": f"{officer} acknowledged it."
            + (f" Note: {request.officer_note}" if request.officer_note else ""),
            "patrol.declined": f"{officer} declined it."
            + (f" Reason: {request.officer_note}" if request.officer_note else ""),
            "patrol.logged": "Read the patrol log on the request's page.",
            "patrol.expiring": "It was sent but not acknowledged; call the officer or send it to another contact.",
        }
        return Message(
            event=event,
            key=f"{event}:{request_id}" + (f":{token}" if token else ""),
            title=_PATROL_TITLES[event],
            body=_clip(bodies[event]),
            link=path("patrols.request", store_slug=store.slug, request_id=request_id),
        )

    return build


def _review(event: str, store: Store, grant_id: int, token: str | None):
    def build(session: Session) -> Message | None:
        grant = session.get(ReviewGrant, grant_id)
        if grant is None:
            return None
        body = f"Their note: {grant.pattern_notes}" if event != "review.opened" and grant.pattern_notes else ""
        return Message(
            event=event,
            key=f"{event}:{grant_id}" + (f":{token}" if token else ""),
            title=_REVIEW_TITLES[event],
            body=_clip(body),
            link=path("review.grant", store_slug=store.slug, grant_id=grant_id),
        )

    return build


# --- bulletin events: the store that shared it learns what happened -----------------------------------------------

_SHARE_TITLES = {
    "share.approved": "Your store's share was approved and published",
    "share.edited": "A moderator edited your store's share",
    "share.rejected": "Your store's share was rejected",
    "share.merged": "Your store's share was merged with a similar bulletin",
    "share.retired": "Your store's bulletin was retired",
    "bulletin.sighted": "A member saw what your store shared",
    "bulletin.helped": "A member found a bulletin your store shared helpful",
    "pattern.includes": "A casing pattern includes your store's incident",
}


def source_store(session: Session, engine: Engine, bulletin: Bulletin) -> Store | None:
    """The store that shared `bulletin`, read from its region's store schemas (never written anywhere)."""
    stores = session.scalars(
        readable_stores(association_id=bulletin.association_id, region_id=bulletin.region_id)
    ).all()
    for store in stores:
        with store_session(engine, store.schema_name) as store_db:
            if store_db.scalar(sa.select(SharedBulletin.id).where(SharedBulletin.bulletin_id == bulletin.id)):
                return store
    return None


def _bulletin_body(event: str, bulletin: Bulletin, sighting: BulletinSighting | None) -> str:
    if event == "share.rejected":
        return f"Reason: {bulletin.rejection_reason}"
    if event == "bulletin.sighted" and sighting is not None:
        when = ", ".join(
            x for x in (sighting.day.strftime("%a %d %b") if sighting.day else "", sighting.part_of_day) if x
        )
        note = f" Their note: {sighting.note}" if sighting.note else ""
        return f"A member of the association reported seeing it{f' ({when})' if when else ''}.{note}"
    if event == "pattern.includes":
        return (
            "The same vehicle or person was reported by several member stores. Expect a heightened-response bulletin."
        )
    return ""


def _about_bulletin(engine: Engine, event: str, bulletin_id: int, ref: str | None) -> int:
    with Session(engine, expire_on_commit=False) as session:
        bulletin = session.get(Bulletin, bulletin_id)
        if bulletin is None:
            return 0
        store = source_store(session, engine, bulletin)
        sighting = session.get(BulletinSighting, int(ref)) if event == "bulletin.sighted" and ref else None
    if store is None:
        return 0  # shared by nobody still here (withdrawn, a liaison's trend bulletin, a removed store)

    def build(store_db: Session) -> Message:
        shared = store_db.scalar(sa.select(SharedBulletin).where(SharedBulletin.bulletin_id == bulletin_id))
        if shared is not None and shared.incident_id is not None:
            link = path("logbook.incident", store_slug=store.slug, incident_id=shared.incident_id)
        else:
            link = path("feed.index", store_slug=store.slug)
        return Message(
            event=event,
            key=f"{event}:{bulletin_id}" + (f":{ref}" if ref else ""),
            title=_SHARE_TITLES[event],
            body=_clip(f"“{bulletin.title}”. " + _bulletin_body(event, bulletin, sighting)),
            link=link,
            # The email goes through the shared outbox: it says what happened, not which bulletin (the inbox does).
            email_body="Open your store's notifications in Loupe to read which bulletin and what was said.",
        )

    return _tell_store(engine, store, build)


# --- shared events: about a person or a region --------------------------------------------------------------------


def _urgent_alert(engine: Engine, alert_id: int) -> int:
    with Session(engine, expire_on_commit=False) as session, session.begin():
        alert = session.get(UrgentAlert, alert_id)
        if alert is None:
            return 0
        bulletin = session.get(Bulletin, alert.bulletin_id)
        zone = _zone(session, alert.association_id, alert.region_id)
        user_ids = session.scalars(sa.select(AlertDelivery.user_id).where(AlertDelivery.alert_id == alert_id)).all()
        count = 0
        for user in active_users(session, list(user_ids)):
            message = Message(
                event="alert.urgent",
                key=f"alert.urgent:{alert_id}",
                title=f"Urgent: {bulletin.title}"[:200],
                body=_clip(bulletin.narrative),
                link=_feed_link(session, user.id, bulletin),
            )
            count += send(session, user, message, zone=zone, inbox_url=external_url("notifications.inbox"))
        return count


def _feed_link(session: Session, user_id: int, bulletin: Bulletin) -> str:
    """Where this person reads the bulletin: the feed of one of their stores in its region, else the liaison's."""
    slug = session.scalar(
        sa.select(Store.slug)
        .join(Membership, Membership.store_id == Store.id)
        .where(Membership.user_id == user_id, Store.region_id == bulletin.region_id)
        .order_by(Store.id)
        .limit(1)
    )
    if slug:
        return path("feed.index", store_slug=slug)
    return path("liaison.bulletin", bulletin_id=bulletin.id)


def region_liaisons(session: Session, association_id: int, region_id: int) -> list[User]:
    ids = session.scalars(
        sa.select(Membership.user_id).where(
            Membership.association_id == association_id,
            Membership.role == Role.POLICE_LIAISON.value,
            Membership.region_id == region_id,
        )
    ).all()
    return active_users(session, list(ids))


def flagged(bulletin: Bulletin) -> bool:
    """A bulletin that asks the police to look out for someone: a vehicle or person described, or a pattern."""
    return bool(bulletin.vehicles or bulletin.people) or bulletin.kind == "pattern"


def _liaison_sighting(engine: Engine, sighting_id: int) -> int:
    with Session(engine, expire_on_commit=False) as session, session.begin():
        sighting = session.get(BulletinSighting, sighting_id)
        bulletin = session.get(Bulletin, sighting.bulletin_id) if sighting else None
        if bulletin is None or not flagged(bulletin):
            return 0
        zone = _zone(session, bulletin.association_id, bulletin.region_id)
        when = ", ".join(
            x for x in (sighting.day.strftime("%a %d %b") if sighting.day else "", sighting.part_of_day) if x
        )
        message = Message(
            event="liaison.sighting",
            key=f"liaison.sighting:{sighting_id}",
            title=f"Sighting: {bulletin.title}"[:200],
            body=_clip(f"A member store reported seeing it{f' ({when})' if when else ''}. {sighting.note}"),
            link=path("liaison.bulletin", bulletin_id=bulletin.id),
        )
        inbox = external_url("notifications.inbox")
        return sum(
            send(session, u, message, zone=zone, inbox_url=inbox)
            for u in region_liaisons(session, bulletin.association_id, bulletin.region_id)
        )


def _invitation_accepted(engine: Engine, invitation_id: int) -> int:
    with Session(engine, expire_on_commit=False) as session, session.begin():
        invitation = session.get(Invitation, invitation_id)
        if invitation is None or invitation.invited_by_id is None:
            return 0
        users = active_users(session, [invitation.invited_by_id])
        if not users:
            return 0
        store = session.get(Store, invitation.store_id) if invitation.store_id else None
        if store is not None:
            link = path("people.index", store_slug=store.slug)
        else:
            link = path("admin.people", association_slug=session.get(Association, invitation.association_id).slug)
        message = Message(
            event="invitation.accepted",
            key=f"invitation.accepted:{invitation_id}",
            title=f"{invitation.name or invitation.email} accepted your invitation"[:200],
            body=f"They joined as {invitation.role}" + (f" of {store.name}." if store else "."),
            link=link,
        )
        zone = _zone(session, invitation.association_id, store.region_id if store else None)
        return send(session, users[0], message, zone=zone, inbox_url=external_url("notifications.inbox"))


def _dues_trouble(engine: Engine, store_id: int, token: str) -> int:
    with Session(engine, expire_on_commit=False) as session, session.begin():
        store = session.get(Store, store_id)
        if store is None:
            return 0
        zone = _zone(session, store.association_id, store.region_id)
        message = Message(
            event="dues.trouble",
            key=f"dues.trouble:{store_id}:{token}",
            title=f"A dues payment for {store.name} failed"[:200],
            body="Update the payment method on the billing page so the store keeps its access.",
            link=path("billing.index", store_slug=store.slug),
        )
        inbox = external_url("notifications.inbox")
        return sum(
            send(session, u, message, zone=zone, inbox_url=inbox) for u in _members(session, store.id, OWNER_ROLES)
        )


# --- the job ------------------------------------------------------------------------------------------------------


def fan_out(engine: Engine, event: str, args: dict) -> int:
    """Tell everyone concerned about `event`; returns how many notifications were written now."""
    if event in _PATROL_TITLES or event in _REVIEW_TITLES:
        with Session(engine) as session:
            store = session.get(Store, args["store_id"])
        if store is None or store.status != StoreStatus.READY.value:
            return 0
        if event in _PATROL_TITLES:
            return _tell_store(engine, store, _patrol(event, store, args["request_id"], args.get("token")))
        return _tell_store(engine, store, _review(event, store, args["grant_id"], args.get("token")))
    if event in _SHARE_TITLES:
        return _about_bulletin(engine, event, args["bulletin_id"], args.get("ref"))
    if event == "alert.urgent":
        return _urgent_alert(engine, args["alert_id"])
    if event == "liaison.sighting":
        return _liaison_sighting(engine, args["sighting_id"])
    if event == "invitation.accepted":
        return _invitation_accepted(engine, args["invitation_id"])
    if event == "dues.trouble":
        return _dues_trouble(engine, args["store_id"], args["token"])
    raise ValueError(f"unknown notification event {event!r}")


EXPIRY_NOTICE = timedelta(hours=24)


def patrols_expiring(engine: Engine) -> int:
    """The hourly scan: sent requests nobody acknowledged whose period ends within a day (once per request)."""
    now = utcnow()
    with Session(engine) as session:
        stores = session.scalars(readable_stores()).all()
    written = 0
    for store in stores:
        with store_session(engine, store.schema_name) as store_db:
            ids = store_db.scalars(
                sa.select(PatrolRequest.id).where(
                    PatrolRequest.status == PatrolStatus.SENT.value,
                    PatrolRequest.ends_at > now,
                    PatrolRequest.ends_at <= now + EXPIRY_NOTICE,
                )
            ).all()
        for request_id in ids:
            written += _tell_store(engine, store, _patrol("patrol.expiring", store, request_id, None))
    return written
