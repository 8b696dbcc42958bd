"""Store membership management. Every lookup is scoped to the store: another store's ids are simply not found."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

import audit
from accounts.accounts import create_invitation, normalise_email, revoke_user_sessions, set_role
from audit import Actor
from errors import DomainError, Forbidden, NotFound
from i18n import _
from models import GRANTABLE_ROLES, Association, Invitation, Membership, Role, Store, User
from models.base import utcnow


@dataclass(frozen=True)
class Person:
    membership_id: int
    user_id: int
    name: str
    email: str
    role: str


def list_people(session: Session, store: Store) -> list[Person]:
    rows = session.execute(
        sa.select(Membership.id, User.id, User.name, User.email, Membership.role)
        .join(User, User.id == Membership.user_id)
        .where(Membership.store_id == store.id)
        .order_by(Membership.role, User.name)
    ).all()
    return [Person(*row) for row in rows]


def pending_invitations(session: Session, store: Store) -> list[Invitation]:
    return list(
        session.scalars(
            sa.select(Invitation)
            .where(Invitation.store_id == store.id, Invitation.accepted_at.is_(None), Invitation.expires_at > utcnow())
            .order_by(Invitation.created_at.desc())
        )
    )


def invite_to_store(
    session: Session,
    store: Store,
    *,
    email: str,
    name: str,
    role: Role,
    actor: Actor,
    actor_role: Role,
    max_age: timedelta,
) -> Invitation:
    """Invite someone to this store with a role the actor may grant."""
    if role not in GRANTABLE_ROLES.get(actor_role, ()):
        raise Forbidden("Your role cannot invite someone as " + role.value + ".")
    email = normalise_email(email)
    already = session.scalar(
        sa.select(Membership.id)
        .join(User, User.id == Membership.user_id)
        .where(Membership.store_id == store.id, User.email == email)
    )
    if already is not None:
        raise DomainError(_("%(email)s is already a member of this store.", email=email))
    association = session.get(Association, store.association_id)
    return create_invitation(
        session,
        email=email,
        name=name,
        association=association,
        role=role,
        store=store,
        invited_by=actor,
        max_age=max_age,
    )


def _membership(session: Session, store: Store, membership_id: int) -> Membership:
    membership = session.scalar(
        sa.select(Membership).where(Membership.id == membership_id, Membership.store_id == store.id)
    )
    if membership is None:
        raise NotFound(_("No such member in this store."))
    return membership


def _owners(session: Session, store: Store) -> int:
    return session.scalar(
        sa.select(sa.func.count()).where(Membership.store_id == store.id, Membership.role == Role.STORE_OWNER.value)
    )


def change_store_role(session: Session, store: Store, membership_id: int, role: Role, *, actor: Actor) -> Membership:
    """Change a member's role (owners only); the last owner cannot be demoted."""
    membership = _membership(session, store, membership_id)
    if membership.role == Role.STORE_OWNER.value and role != Role.STORE_OWNER and _owners(session, store) <= 1:
        raise DomainError(_("A store needs at least one owner: make someone else owner first."))
    set_role(session, membership, role, actor=actor)
    return membership


def remove_member(session: Session, store: Store, membership_id: int, *, actor: Actor) -> None:
    """Remove a member (owners only); their sessions end at once. The last owner stays."""
    membership = _membership(session, store, membership_id)
    if membership.role == Role.STORE_OWNER.value and _owners(session, store) <= 1:
        raise DomainError(_("A store needs at least one owner."))
    user_id, role = membership.user_id, membership.role
    session.delete(membership)
    revoke_user_sessions(session, user_id)
    audit.record(
        session,
        "membership.remove",
        actor=actor,
        association_id=store.association_id,
        store_id=store.id,
        target=str(user_id),
        details={"role": role},
    )
    session.flush()
