"""Demo bulletins: a few stores share recent casing-type incidents through the real anonymizer, and the
association's admin approves them, so the regional feed and trends are not empty on `make run`."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from anonymize import TLP
from audit import Actor, ActorKind
from bulletins.moderation import approve
from models import Association, Incident, Membership, Role, Store, User
from models.bulletins import Bulletin
from models.store.logbook import live
from sharing.shares import share_incident
from tenants.binding import store_session

SHARED_TYPES = ("casing", "suspicious_vehicle", "distraction", "grab_and_run_attempt")


def seed_bulletins(owner: Engine, association_slug: str, *, stores: int = 8, per_store: int = 2) -> int:
    """Share and approve demo bulletins once per association; returns how many were published."""
    with Session(owner) as session:
        association = session.scalar(sa.select(Association).where(Association.slug == association_slug))
        if session.scalar(sa.select(Bulletin.id).where(Bulletin.association_id == association.id).limit(1)):
            return 0  # already seeded: running `make run` again adds nothing
        sharers = session.execute(
            sa.select(Store.id, Store.schema_name, Membership.user_id)
            .join(Membership, Membership.store_id == Store.id)
            .where(Store.association_id == association.id, Membership.role == Role.STORE_OWNER.value)
            .order_by(Store.id)
            .limit(stores)
        ).all()
    for store_id, schema, owner_id in sharers:
        with store_session(owner, schema) as session:
            store = session.get(Store, store_id)
            user = session.get(User, owner_id)
            incidents = session.scalars(
                sa.select(Incident)
                .where(live(), Incident.incident_type.in_(SHARED_TYPES))
                .order_by(Incident.occurred_at.desc())
                .limit(per_store)
            ).all()
            for incident in incidents:
                share_incident(session, store, incident, TLP.AMBER, user_id=user.id, user_name=user.name)
            session.commit()
    published = 0
    with Session(owner) as session, session.begin():
        association = session.scalar(sa.select(Association).where(Association.slug == association_slug))
        admin = session.scalar(
            sa.select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.association_id == association.id, Membership.role == Role.ASSOCIATION_ADMIN.value)
        )
        for bulletin in session.scalars(
            sa.select(Bulletin).where(Bulletin.association_id == association.id, Bulletin.status == "pending")
        ):
            approve(session, association, bulletin, actor=Actor.for_user(admin, kind=ActorKind.ADMIN))
            published += 1
    return published
