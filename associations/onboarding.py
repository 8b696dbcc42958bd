"""Create an association (with its first admin invited by email), list them, suspend and unsuspend them.

The operator console, `flask associations` and an approved public sign-up all create through `create_association`,
so the rules (address, time zone, k range) are one set.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

import audit
from accounts.accounts import create_invitation, normalise_email
from accounts.mailers import queue_invitation_email
from audit import Actor
from errors import DomainError, NotFound
from i18n import _, _l
from models import Association, AssociationSignup, AssociationSubscription, Invitation, Role, SignupStatus, Store
from models.base import utcnow
from regions import MAX_K, MIN_K
from regions.regions import RegionError, check_timezone
from security.readable_text import clean_name

# An association's address is part of its portal's URL (`/a/<slug>/`): lowercase letters, digits and hyphens.
SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,48}[a-z0-9])$")
EMAIL_PATTERN = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
DEFAULT_K = 5


class AssociationError(DomainError):
    """An association that cannot be created or changed as asked; the message says why."""


def check_name(name: str) -> str:
    clean = clean_name(name, what=_("The association's name"))
    if len(clean) < 2:
        raise AssociationError(_("Enter the association's name."))
    return clean


def check_slug(session: Session, slug: str, *, signup_id: int | None = None) -> str:
    """The address, checked for form and that no association (or other sign-up waiting for approval) has it."""
    slug = (slug or "").strip().lower()
    if not SLUG_PATTERN.match(slug):
        raise AssociationError(
            _(
                "The address is 3 to 50 lowercase letters, digits and hyphens,"
                " starting and ending with a letter or digit."
            )
        )
    taken = session.scalar(sa.select(Association.id).where(Association.slug == slug))
    waiting = session.scalar(
        sa.select(AssociationSignup.id).where(
            AssociationSignup.slug == slug,
            AssociationSignup.status == SignupStatus.AWAITING_APPROVAL.value,
            AssociationSignup.id != (signup_id or 0),
        )
    )
    if taken is not None or waiting is not None:
        raise AssociationError(_("The address %(address)s is taken; choose another.", address=repr(slug)))
    return slug


def check_zone(name: str) -> str:
    try:
        return check_timezone(name)
    except RegionError as exc:
        raise AssociationError(str(exc)) from None


def check_k(k: int | None) -> int:
    if k is None or not MIN_K <= k <= MAX_K:
        raise AssociationError(_("The privacy threshold k must be between %(min)d and %(max)d.", min=MIN_K, max=MAX_K))
    return k


def check_email(email: str, *, what: object = _l("the first admin's email")) -> str:
    email = normalise_email(email)
    if len(email) > 254 or not EMAIL_PATTERN.match(email):
        raise AssociationError(_("Enter %(what)s as name@example.org.", what=what))
    return email


def new_association(
    session: Session, *, name: str, slug: str, timezone: str, k_threshold: int, signup_id: int | None = None
) -> Association:
    """Check and add the association row (no audit, no people): the shared part of every way of creating one."""
    association = Association(
        name=check_name(name),
        slug=check_slug(session, slug, signup_id=signup_id),
        timezone=check_zone(timezone),
        k_threshold=check_k(k_threshold),
    )
    session.add(association)
    session.flush()
    return association


def create_association(
    session: Session,
    *,
    name: str,
    slug: str,
    timezone: str,
    k_threshold: int,
    admin_email: str,
    admin_name: str = "",
    actor: Actor,
    invitation_max_age: timedelta,
) -> tuple[Association, Invitation]:
    """Create an association and invite its first admin by email (the invitation flow of the admin portal)."""
    email = check_email(admin_email)
    association = new_association(session, name=name, slug=slug, timezone=timezone, k_threshold=k_threshold)
    audit.record(
        session,
        "association.create",
        actor=actor,
        association_id=association.id,
        target=association.slug,
        details={"timezone": association.timezone, "k_threshold": association.k_threshold, "admin": email},
    )
    invitation = create_invitation(
        session,
        email=email,
        name=admin_name,
        association=association,
        role=Role.ASSOCIATION_ADMIN,
        invited_by=actor if actor.user_id else None,
        max_age=invitation_max_age,
    )
    queue_invitation_email(session, invitation, inviter=actor.name if actor.user_id else None)
    return association, invitation


def get_association(session: Session, slug: str, *, lock: bool = False) -> Association:
    statement = sa.select(Association).where(Association.slug == (slug or "").strip().lower())
    association = session.scalar(statement.with_for_update() if lock else statement)
    if association is None:
        raise NotFound(_("No such association."))
    return association


@dataclass(frozen=True)
class AssociationRow:
    association: Association
    stores: int
    # Loupe's own subscription (billing.platform): its last status read from Stripe and the stores it bills.
    billing_status: str | None = None
    billed_stores: int | None = None


def list_associations(session: Session, *, search: str | None = None, limit: int = 500) -> list[AssociationRow]:
    """Associations by name with their number of member stores; `search` matches the name or the address."""
    stores = sa.select(sa.func.count(Store.id)).where(Store.association_id == Association.id).scalar_subquery()
    statement = (
        sa.select(Association, stores, AssociationSubscription.status, AssociationSubscription.quantity)
        .outerjoin(AssociationSubscription, AssociationSubscription.association_id == Association.id)
        .order_by(Association.name)
        .limit(limit)
    )
    term = (search or "").strip()[:100]
    if term:
        pattern = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        statement = statement.where(sa.or_(Association.name.ilike(pattern), Association.slug.ilike(pattern)))
    return [AssociationRow(*row) for row in session.execute(statement).all()]


def suspend(session: Session, slug: str, *, actor: Actor) -> Association:
    """Suspend an association: its people see a page saying so, nothing is deleted (audited)."""
    association = get_association(session, slug, lock=True)
    if association.suspended_at is not None:
        raise AssociationError(_("%(name)s is already suspended.", name=association.name))
    association.suspended_at = utcnow()
    session.flush()
    audit.record(session, "association.suspend", actor=actor, association_id=association.id, target=association.slug)
    return association


def unsuspend(session: Session, slug: str, *, actor: Actor) -> Association:
    """Give a suspended association its access back, exactly as it was (audited)."""
    association = get_association(session, slug, lock=True)
    if association.suspended_at is None:
        raise AssociationError(_("%(name)s is not suspended.", name=association.name))
    association.suspended_at = None
    session.flush()
    audit.record(session, "association.unsuspend", actor=actor, association_id=association.id, target=association.slug)
    return association
