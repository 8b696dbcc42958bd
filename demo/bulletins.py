"""Demo bulletins: every demo store shares its own recent casing-type incidents through the real anonymizer, the
association's admin approves them, merges the one duplicate two stores reported, and pattern detection (the real
one, `alerts.patterns`) drafts the heightened-response bulletins the shared cars lead to, which the admin
approves too. A police liaison posts one crime-trend bulletin. So `make run` shows a regional feed, patterns, trends
and a digest worth reading (issue #19), each bulletin once.

Shared bulletins are dated as if each store had shared on the day it logged the incident (the demo is seeded in one
go; a real feed builds up over weeks): their publication time is the incident's hour, rounded as shares are.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from alerts.patterns import detect_all
from anonymize import TLP
from audit import Actor, ActorKind
from bulletins.merging import merge
from bulletins.moderation import approve
from demo.logbook import DUPLICATES
from models import Association, Incident, Membership, Region, Role, Store, User
from models.alerts import BulletinPattern
from models.bulletins import DEFAULT_LIFETIME, Bulletin
from models.store.logbook import live
from sharing.notes import post_trend
from sharing.shares import share_incident
from tenants.binding import store_session

SHARED_TYPES = ("casing", "suspicious_person", "suspicious_vehicle", "distraction", "grab_and_run_attempt")
SHARED_DAYS = 45  # what a store would still think worth sharing
POLICE_TREND_DAYS_AGO = 5

POLICE_TREND = {
    "title": "Casing visits in the last hour before closing",
    "modus_operandi": (
        "Over the last fortnight, men in caps and hoodies have visited jewellers in the district in the last "
        "hour of trading, asking about safe opening times, shutter timers and Sunday staffing, and leaving in a "
        "silver hatchback. No offence has followed yet."
    ),
    "watch_for": "Questions about the safe, the shutters or staffing; a car waiting outside with its engine running.",
    "recommendation": (
        "Keep the door on the buzzer after 16:00, do not discuss security arrangements, and call 999 with the plate "
        "if the car is outside again."
    ),
}


def _admin(session: Session, association: Association) -> Actor:
    admin = session.scalar(
        sa.select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.association_id == association.id, Membership.role == Role.ASSOCIATION_ADMIN.value)
    )
    return Actor.for_user(admin, kind=ActorKind.ADMIN)


def _share_everything(owner: Engine, association_id: int, now: datetime) -> dict[int, datetime]:
    """Each store's owner shares the store's recent incidents of the shared kinds; bulletin id -> when it
    happened."""
    with Session(owner) as session:
        sharers = session.execute(
            sa.select(Store.id, Store.schema_name, Membership.user_id)
            .join(Membership, Membership.store_id == Store.id)
            .where(Store.association_id == association_id, Membership.role == Role.STORE_OWNER.value)
            .order_by(Store.id)
        ).all()
    happened: dict[int, datetime] = {}
    for store_id, schema, owner_id in sharers:
        with store_session(owner, schema) as session:
            store = session.get(Store, store_id)
            user = session.get(User, owner_id)
            incidents = session.scalars(
                sa.select(Incident)
                .where(
                    live(),
                    Incident.incident_type.in_(SHARED_TYPES),
                    Incident.occurred_at >= now - timedelta(days=SHARED_DAYS),
                )
                .order_by(Incident.occurred_at)
            ).all()
            for incident in incidents:
                result = share_incident(session, store, incident, TLP.AMBER, user_id=user.id, user_name=user.name)
                happened[result.bulletin.id] = incident.occurred_at
            session.commit()
    return happened


def _as_shared_on_the_day(session: Session, happened: dict[int, datetime]) -> None:
    for bulletin_id, occurred_at in happened.items():
        shared = occurred_at.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        session.execute(
            sa.update(Bulletin)
            .where(Bulletin.id == bulletin_id)
            .values(created_at=shared, published_at=shared, expires_at=shared + DEFAULT_LIFETIME)
        )


def _as_detected_after_the_last_share(session: Session, draft: Bulletin) -> None:
    """Detection runs when a share is made: the pattern is dated an hour after the last share it matched."""
    pattern = session.scalar(sa.select(BulletinPattern).where(BulletinPattern.bulletin_id == draft.id))
    last = session.scalar(
        sa.select(sa.func.max(Bulletin.published_at)).where(Bulletin.id.in_(pattern.matched_bulletin_ids))
    )
    if last is not None:
        draft.created_at = draft.published_at = last + timedelta(hours=1)
        draft.expires_at = draft.published_at + DEFAULT_LIFETIME


def _merge_duplicates(session: Session, association: Association, actor: Actor) -> None:
    """The two stores' reports of one distraction team: the later one is merged into the first."""
    titles = [item.title for items in DUPLICATES.values() for item in items]
    found = list(
        session.scalars(
            sa.select(Bulletin)
            .where(Bulletin.association_id == association.id, Bulletin.title.in_(titles))
            .order_by(Bulletin.published_at, Bulletin.id)
        )
    )
    if len(found) == 2:
        merge(session, association, found[1], found[0], actor=actor)


def _police_trend(
    session: Session, owner: Engine, association: Association, actor: Actor, *, published: datetime
) -> None:
    region = session.scalar(sa.select(Region).where(Region.association_id == association.id, Region.slug == "harbour"))
    liaison = session.scalar(
        sa.select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.association_id == association.id, Membership.role == Role.POLICE_LIAISON.value)
    )
    if region is None or liaison is None:
        return
    bulletin = post_trend(
        session,
        owner,
        region,
        POLICE_TREND,
        TLP.GREEN,
        valid_until=date.today() + timedelta(days=60),
        actor=Actor.for_user(liaison),
    )
    approve(session, association, bulletin, actor=actor)
    bulletin.created_at = bulletin.published_at = published.replace(minute=0, second=0, microsecond=0)


def seed_bulletins(owner: Engine, association_slug: str) -> int:
    """Share, moderate and detect the demo's bulletins once per association; returns how many were published."""
    now = datetime.now().astimezone()
    with Session(owner) as session:
        association = session.scalar(sa.select(Association).where(Association.slug == association_slug))
        if session.scalar(sa.select(Bulletin.id).where(Bulletin.association_id == association.id).limit(1)):
            return 0  # already seeded: running `make run` again adds nothing
        association_id = association.id
    happened = _share_everything(owner, association_id, now)
    with Session(owner) as session, session.begin():
        association = session.get(Association, association_id)
        actor = _admin(session, association)
        for bulletin in session.scalars(
            sa.select(Bulletin).where(Bulletin.association_id == association_id, Bulletin.status == "pending")
        ).all():
            approve(session, association, bulletin, actor=actor)
        _as_shared_on_the_day(session, happened)
        session.flush()
        session.expire_all()
        _merge_duplicates(session, association, actor)
        # The real detection, on the real shares: the cars seen at two or three stores of a region.
        detect_all(session, owner, association_id=association_id)
        # A pattern seen by enough stores is published at once by the system's urgent alert; the others the
        # admin approves.
        for draft in session.scalars(
            sa.select(Bulletin).where(Bulletin.association_id == association_id, Bulletin.kind == "pattern")
        ).all():
            if draft.status == "pending":
                approve(session, association, draft, actor=actor)
            _as_detected_after_the_last_share(session, draft)
        _police_trend(session, owner, association, actor, published=now - timedelta(days=POLICE_TREND_DAYS_AGO))
        return session.scalar(
            sa.select(sa.func.count())
            .select_from(Bulletin)
            .where(Bulletin.association_id == association_id, Bulletin.status == "published")
        )
