"""Member stores seen from the admin portal: status, invitation, suspension, moves, export and removal."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

import audit
from accounts.accounts import create_invitation
from audit import Actor
from billing.platform import queue_quantity_sync
from errors import DomainError, NotFound
from i18n import _
from models import Area, Association, Invitation, Membership, Region, Role, Store, StoreStatus, User
from models.base import utcnow
from models.billing import StoreSubscription
from tenants.provisioning import register_store

DEFAULT_REMOVAL_GRACE = timedelta(days=30)
# Stripe subscription statuses as SECURITY.md groups them.
_PAST_DUE = {"past_due", "unpaid", "paused"}
_CANCELLED = {"canceled", "incomplete_expired"}


class MemberStatus(enum.StrEnum):
    INVITED = "invited"
    PROVISIONING = "provisioning"
    FAILED = "setup failed"
    ACTIVE = "active"
    PAST_DUE = "past due"
    SUSPENDED = "suspended"
    CANCELLED = "cancelled"


class MemberError(DomainError):
    """A member-store action that cannot be done as asked."""


@dataclass(frozen=True)
class Member:
    store: Store
    region: Region
    area: Area | None
    status: MemberStatus
    billing_status: str | None
    has_owner: bool

    @property
    def removal_due(self) -> datetime | None:
        return self.store.removal_requested_at + DEFAULT_REMOVAL_GRACE if self.store.removal_requested_at else None


def member_status(store: Store, *, billing_status: str | None, has_owner: bool) -> MemberStatus:
    """One status for people: the registry's state first, then billing, then whether the owner has joined."""
    if store.status == StoreStatus.PROVISIONING:
        return MemberStatus.PROVISIONING
    if store.status == StoreStatus.FAILED:
        return MemberStatus.FAILED
    if store.status == StoreStatus.SUSPENDED:
        return MemberStatus.SUSPENDED
    if billing_status in _CANCELLED:
        return MemberStatus.CANCELLED
    if billing_status in _PAST_DUE:
        return MemberStatus.PAST_DUE
    if not has_owner:
        return MemberStatus.INVITED
    return MemberStatus.ACTIVE


def list_members(
    session: Session,
    association: Association,
    *,
    region_id: int | None = None,
    status: str | None = None,
    store_ids: list[int] | None = None,
) -> list[Member]:
    """The association's member stores by region and name, each with its derived status."""
    owner_exists = (
        sa.select(Membership.id)
        .where(Membership.store_id == Store.id, Membership.role == Role.STORE_OWNER.value)
        .exists()
        .label("has_owner")
    )
    query = (
        sa.select(Store, Region, Area, StoreSubscription.status, owner_exists)
        .join(Region, Region.id == Store.region_id)
        .outerjoin(Area, Area.id == Store.area_id)
        .outerjoin(StoreSubscription, StoreSubscription.store_id == Store.id)
        .where(Store.association_id == association.id)
        .order_by(Region.name, Store.name)
    )
    if region_id is not None:
        query = query.where(Store.region_id == region_id)
    if store_ids is not None:
        query = query.where(Store.id.in_(store_ids))
    members = [
        Member(
            store=store,
            region=region,
            area=area,
            status=member_status(store, billing_status=billing, has_owner=has_owner),
            billing_status=billing,
            has_owner=has_owner,
        )
        for store, region, area, billing, has_owner in session.execute(query).all()
    ]
    if status:
        members = [m for m in members if m.status == status]
    return members


def get_member(session: Session, association: Association, store_id: int) -> Member:
    found = list_members(session, association, store_ids=[store_id])
    if not found:
        raise NotFound(_("No such member store."))
    return found[0]


def _store(session: Session, association: Association, store_id: int, *, lock: bool = False) -> Store:
    query = sa.select(Store).where(Store.id == store_id, Store.association_id == association.id)
    store = session.scalar(query.with_for_update() if lock else query)
    if store is None:
        raise NotFound(_("No such member store."))
    return store


def region_of(session: Session, association: Association, region_id: int | None) -> Region:
    region = session.scalar(sa.select(Region).where(Region.id == region_id, Region.association_id == association.id))
    if region is None:
        raise NotFound(_("No such region."))
    return region


def area_of(session: Session, region: Region, area_id: int | None) -> Area | None:
    if not area_id:
        return None
    area = session.scalar(sa.select(Area).where(Area.id == area_id, Area.region_id == region.id))
    if area is None:
        raise MemberError(_("That area is not in the chosen region."))
    return area


def invite_store(
    session: Session,
    association: Association,
    *,
    name: str,
    slug: str | None,
    region_id: int,
    area_id: int | None,
    owner_email: str,
    owner_name: str,
    actor: Actor,
    invitation_max_age: timedelta,
) -> tuple[Store, Invitation]:
    """Register a store (its schema is built after commit) and invite its owner. Flushes, never commits."""
    region = region_of(session, association, region_id)
    area = area_of(session, region, area_id)
    store = register_store(session, association=association, region=region, name=name, slug=slug or None, area=area)
    audit.record(
        session,
        "store.create",
        actor=actor,
        association_id=association.id,
        store_id=store.id,
        target=store.slug,
    )
    invitation = create_invitation(
        session,
        email=owner_email,
        name=owner_name,
        association=association,
        role=Role.STORE_OWNER,
        store=store,
        invited_by=actor,
        max_age=invitation_max_age,
    )
    queue_quantity_sync(session, association.id)  # Loupe bills the association per member store
    return store, invitation


def _audit(session: Session, action: str, store: Store, actor: Actor, **details: Any) -> None:
    audit.record(
        session,
        action,
        actor=actor,
        association_id=store.association_id,
        store_id=store.id,
        target=store.slug,
        details=details or None,
    )


def suspend_store(session: Session, association: Association, store_id: int, *, actor: Actor) -> Store:
    """Close the store's workspace to its members (data kept); only a ready store can be suspended."""
    store = _store(session, association, store_id, lock=True)
    if store.status != StoreStatus.READY:
        raise MemberError(_("Only an active store can be suspended."))
    store.status = StoreStatus.SUSPENDED.value
    store.suspended_at = utcnow()
    _audit(session, "store.suspend", store, actor)
    session.flush()
    return store


def reactivate_store(session: Session, association: Association, store_id: int, *, actor: Actor) -> Store:
    store = _store(session, association, store_id, lock=True)
    if store.status != StoreStatus.SUSPENDED:
        raise MemberError(_("This store is not suspended."))
    if store.removal_requested_at is not None:
        raise MemberError(_("This store is scheduled for removal: cancel the removal first."))
    store.status = StoreStatus.READY.value
    store.suspended_at = None
    _audit(session, "store.reactivate", store, actor)
    session.flush()
    return store


def move_store(
    session: Session,
    association: Association,
    store_id: int,
    *,
    region_id: int,
    area_id: int | None,
    actor: Actor,
) -> Store:
    """Move a store to another region (and area) of the same association."""
    store = _store(session, association, store_id, lock=True)
    region = region_of(session, association, region_id)
    area = area_of(session, region, area_id)
    old_region = store.region_id
    store.region_id = region.id
    store.area_id = area.id if area else None
    _audit(session, "store.move", store, actor, from_region=old_region, to_region=region.id)
    session.flush()
    return store


def export_registry(session: Session, association: Association, store_id: int, *, actor: Actor) -> dict[str, Any]:
    """The store's registry rows (store, region, area, people, invitations, dues) as JSON-ready data.

    The store's own schema (logbook, contacts, briefing) is exported by its owner from the workspace; that export
    belongs to another issue. Marks the store as exported, which removal requires.
    """
    store = _store(session, association, store_id, lock=True)
    region = session.get(Region, store.region_id)
    area = session.get(Area, store.area_id) if store.area_id else None
    people = session.execute(
        sa.select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.store_id == store.id)
        .order_by(User.email)
    ).all()
    invitations = session.scalars(
        sa.select(Invitation).where(Invitation.store_id == store.id).order_by(Invitation.id)
    ).all()
    subscription = session.scalar(sa.select(StoreSubscription).where(StoreSubscription.store_id == store.id))
    now = utcnow()
    store.exported_at = now
    _audit(session, "store.export", store, actor)
    session.flush()
    return {
        "format": "loupe-store-registry/1",
        "exported_at": now.isoformat(),
        "association": {"slug": association.slug, "name": association.name},
        "store": {
            "id": store.id,
            "slug": store.slug,
            "name": store.name,
            "status": store.status,
            "schema_name": store.schema_name,
            "schema_revision": store.schema_revision,
            "created_at": _iso(store.created_at),
            "provisioned_at": _iso(store.provisioned_at),
            "last_activity_at": _iso(store.last_activity_at),
            "suspended_at": _iso(store.suspended_at),
            "region": {"slug": region.slug, "name": region.name},
            "area": {"slug": area.slug, "name": area.name} if area else None,
        },
        "people": [
            {"email": u.email, "name": u.name, "role": m.role, "since": _iso(m.created_at), "active": u.is_active}
            for m, u in people
        ],
        "invitations": [
            {
                "email": i.email,
                "role": i.role,
                "created_at": _iso(i.created_at),
                "expires_at": _iso(i.expires_at),
                "accepted_at": _iso(i.accepted_at),
            }
            for i in invitations
        ],
        "dues": (
            {
                "status": subscription.status,
                "stripe_customer_id": subscription.stripe_customer_id,
                "stripe_subscription_id": subscription.stripe_subscription_id,
                "current_period_end": _iso(subscription.current_period_end),
            }
            if subscription
            else None
        ),
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def request_removal(
    session: Session,
    association: Association,
    store_id: int,
    *,
    confirm_slug: str,
    actor: Actor,
    export_max_age: timedelta = timedelta(days=1),
) -> Store:
    """Schedule the store's removal: it is suspended now and dropped after the grace period.

    Needs a registry export made in the last day and the store's address typed again as confirmation.
    """
    store = _store(session, association, store_id, lock=True)
    if store.removal_requested_at is not None:
        raise MemberError(_("This store is already scheduled for removal."))
    now = utcnow()
    if store.exported_at is None or now - store.exported_at > export_max_age:
        raise MemberError(_("Download the store's export first (within the last day), then confirm the removal."))
    if (confirm_slug or "").strip() != store.slug:
        raise MemberError(_("Type the store's address, %(slug)s, to confirm.", slug=store.slug))
    store.removal_requested_at = now
    if store.status == StoreStatus.READY:
        store.status = StoreStatus.SUSPENDED.value
        store.suspended_at = now
    _audit(session, "store.removal_requested", store, actor)
    queue_quantity_sync(session, association.id)
    session.flush()
    return store


def cancel_removal(session: Session, association: Association, store_id: int, *, actor: Actor) -> Store:
    """Keep the store after all. It stays suspended until an admin reactivates it."""
    store = _store(session, association, store_id, lock=True)
    if store.removal_requested_at is None:
        raise MemberError(_("This store is not scheduled for removal."))
    store.removal_requested_at = None
    _audit(session, "store.removal_cancelled", store, actor)
    queue_quantity_sync(session, association.id)
    session.flush()
    return store


def retry_setup(session: Session, association: Association, store_id: int, *, actor: Actor) -> Store:
    """Mark a store whose schema build failed for another build (done after commit by the caller)."""
    store = _store(session, association, store_id, lock=True)
    if store.status != StoreStatus.FAILED:
        raise MemberError(_("Only a store whose setup failed can be retried."))
    store.status = StoreStatus.PROVISIONING.value
    _audit(session, "store.setup_retry", store, actor)
    session.flush()
    return store


def stores_due_for_purge(session: Session, *, grace: timedelta, now: datetime | None = None) -> list[Store]:
    """Stores whose removal was asked for longer than `grace` ago (every association: the CLI's view)."""
    now = now or utcnow()
    return list(
        session.scalars(
            sa.select(Store)
            .where(Store.removal_requested_at.is_not(None), Store.removal_requested_at <= now - grace)
            .order_by(Store.id)
        )
    )
