"""People of an association: its staff (admins), police liaisons, and the owners and staff of its member stores.

An account can belong to several associations; what an admin here may do to the account itself (deactivate it,
reset its two-step sign-in) is refused when it also belongs to another association, since that would reach
beyond this association. Their roles here can always be changed or removed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

import audit
from accounts import mfa
from accounts.accounts import create_invitation, revoke_user_sessions, set_role
from audit import Actor
from errors import DomainError, NotFound
from i18n import _, ngettext
from models import ASSOCIATION_ROLES, STORE_ROLES, Association, Invitation, Membership, Region, Role, Store, User
from models.base import utcnow
from security.readable_text import clean_name


class PeopleError(DomainError):
    """A change to a person that cannot be done as asked."""


@dataclass
class PersonRole:
    membership: Membership
    store: Store | None
    region: Region | None


@dataclass
class Person:
    user: User
    roles: list[PersonRole] = field(default_factory=list)

    @property
    def mfa_enrolled(self) -> bool:
        return mfa.is_enrolled(self.user)

    @property
    def needs_mfa(self) -> bool:
        return any(Role(r.membership.role) in ASSOCIATION_ROLES for r in self.roles)


def _memberships_query(association: Association):
    return (
        sa.select(Membership, User, Store, Region)
        .join(User, User.id == Membership.user_id)
        .outerjoin(Store, Store.id == Membership.store_id)
        .outerjoin(Region, Region.id == Membership.region_id)
        .where(Membership.association_id == association.id)
    )


PEOPLE_PAGE_SIZE = 50
SEARCH_MAX = 200


class PageOutOfRange(DomainError):
    """A page of the people list past its last one (the page number came from the address: a 400)."""

    status_code = 400


@dataclass(frozen=True)
class PeoplePage:
    people: list[Person]
    total: int  # people matching, every page
    page: int
    pages: int


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _filtered(query, *, kind: str | None, search: str | None):
    if kind == "staff":
        query = query.where(Membership.role == Role.ASSOCIATION_ADMIN.value)
    elif kind == "liaisons":
        query = query.where(Membership.role == Role.POLICE_LIAISON.value)
    elif kind == "stores":
        query = query.where(Membership.store_id.is_not(None))
    words = (search or "").strip()[:SEARCH_MAX].split()
    for word in words:  # every word in the name or the email, in any order ("tremblay marie")
        pattern = f"%{_like(word.lower())}%"
        query = query.where(
            sa.or_(sa.func.lower(User.name).like(pattern, escape="\\"), User.email.like(pattern, escape="\\"))
        )
    return query


def list_people(
    session: Session, association: Association, *, kind: str | None = None, search: str | None = None
) -> list[Person]:
    """Everyone with a role in this association, by name; `kind`: 'staff', 'liaisons' or 'stores'; `search`:
    words found in their name or email."""
    query = _filtered(_memberships_query(association), kind=kind, search=search)
    people: dict[int, Person] = {}
    for membership, user, store, region in session.execute(query.order_by(User.name, User.email, Membership.id)).all():
        people.setdefault(user.id, Person(user)).roles.append(PersonRole(membership, store, region))
    return list(people.values())


def people_page(
    session: Session,
    association: Association,
    *,
    kind: str | None = None,
    search: str | None = None,
    page: int = 1,
) -> PeoplePage:
    """One page of `list_people` (50 people, each with all their roles here); PageOutOfRange past the last."""
    matching = (
        _filtered(
            sa.select(User.id, User.name, User.email)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.association_id == association.id),
            kind=kind,
            search=search,
        )
        .distinct()
        .subquery()
    )
    total = session.scalar(sa.select(sa.func.count()).select_from(matching))
    pages = max(1, -(-total // PEOPLE_PAGE_SIZE))
    if page < 1 or page > pages:
        raise PageOutOfRange(
            ngettext(
                "There is no page %(page)s: the list has %(num)d page.",
                "There is no page %(page)s: the list has %(num)d pages.",
                pages,
                page=page,
            )
        )
    ids = list(
        session.scalars(
            sa.select(matching.c.id)
            .order_by(matching.c.name, matching.c.email, matching.c.id)
            .offset((page - 1) * PEOPLE_PAGE_SIZE)
            .limit(PEOPLE_PAGE_SIZE)
        )
    )
    people: dict[int, Person] = {user_id: None for user_id in ids}  # keeps the page's order
    for membership, user, store, region in session.execute(
        _filtered(_memberships_query(association), kind=kind, search=None)
        .where(Membership.user_id.in_(ids))
        .order_by(Membership.id)
    ).all():
        if people[user.id] is None:
            people[user.id] = Person(user)
        people[user.id].roles.append(PersonRole(membership, store, region))
    return PeoplePage([p for p in people.values() if p is not None], total, page, pages)


def get_person(session: Session, association: Association, user_id: int) -> Person:
    person = None
    for membership, user, store, region in session.execute(
        _memberships_query(association).where(Membership.user_id == user_id).order_by(Membership.id)
    ).all():
        person = person or Person(user)
        person.roles.append(PersonRole(membership, store, region))
    if person is None:
        raise NotFound(_("No such person in this association."))
    return person


def _membership(session: Session, association: Association, membership_id: int) -> Membership:
    membership = session.scalar(
        sa.select(Membership).where(Membership.id == membership_id, Membership.association_id == association.id)
    )
    if membership is None:
        raise NotFound(_("No such role in this association."))
    return membership


def pending_invitations(session: Session, association: Association) -> list[Invitation]:
    return list(
        session.scalars(
            sa.select(Invitation)
            .where(
                Invitation.association_id == association.id,
                Invitation.accepted_at.is_(None),
                Invitation.expires_at > utcnow(),
            )
            .order_by(Invitation.created_at.desc())
            .limit(200)
        )
    )


def invite_person(
    session: Session,
    association: Association,
    *,
    email: str,
    name: str,
    role: Role,
    store_id: int | None,
    region_id: int | None,
    agency: str | None,
    badge_unit: str | None,
    actor: Actor,
    max_age: timedelta,
) -> Invitation:
    """Invite someone as association staff, police liaison, or owner/manager/staff of a member store."""
    store = None
    if role in STORE_ROLES:
        store = session.scalar(sa.select(Store).where(Store.id == store_id, Store.association_id == association.id))
        if store is None:
            raise PeopleError(_("Choose the member store this person joins."))
    region = None
    if region_id:
        region = session.scalar(
            sa.select(Region).where(Region.id == region_id, Region.association_id == association.id)
        )
        if region is None:
            raise NotFound(_("No such region."))
    if role == Role.POLICE_LIAISON and not (agency or "").strip():
        raise PeopleError(_("Enter the liaison's agency."))
    invitation = create_invitation(
        session,
        email=email,
        name=name,
        association=association,
        role=role,
        store=store,
        region_id=region.id if region and role == Role.POLICE_LIAISON else None,
        invited_by=actor,
        max_age=max_age,
    )
    if role == Role.POLICE_LIAISON:
        invitation.agency = clean_name(agency, what="The agency")
        invitation.badge_unit = clean_name(badge_unit, what="The badge number or unit", max_length=100) or None
    session.flush()
    return invitation


def record_liaison_details(session: Session, invitation: Invitation, user: User) -> None:
    """Once a liaison accepts, their membership carries the agency and badge/unit from the invitation."""
    if invitation.role != Role.POLICE_LIAISON.value or not invitation.agency:
        return
    session.execute(
        sa.update(Membership)
        .where(
            Membership.user_id == user.id,
            Membership.association_id == invitation.association_id,
            Membership.role == Role.POLICE_LIAISON.value,
            Membership.store_id.is_(None),
        )
        .values(agency=invitation.agency, badge_unit=invitation.badge_unit)
    )


def admin_associations(session: Session, user_id: int) -> list[tuple[str, str]]:
    """(slug, name) of every association the person administers, by name."""
    return [
        (slug, name)
        for slug, name in session.execute(
            sa.select(Association.slug, Association.name)
            .join(Membership, Membership.association_id == Association.id)
            .where(Membership.user_id == user_id, Membership.role == Role.ASSOCIATION_ADMIN.value)
            .order_by(Association.name)
        )
    ]


def first_admin_association_slug(session: Session, user_id: int) -> str | None:
    return session.scalar(
        sa.select(Association.slug)
        .join(Membership, Membership.association_id == Association.id)
        .where(Membership.user_id == user_id, Membership.role == Role.ASSOCIATION_ADMIN.value)
        .order_by(Association.name)
        .limit(1)
    )


def change_role(
    session: Session, association: Association, membership_id: int, role: Role, *, actor: Actor
) -> Membership:
    """Change one role (store roles among themselves, association roles among themselves); sessions end."""
    membership = _membership(session, association, membership_id)
    if membership.user_id == actor.user_id:
        raise PeopleError(_("You cannot change your own role; ask another administrator."))
    if Role(membership.role) == role:
        return membership
    if role in ASSOCIATION_ROLES:
        clash = session.scalar(
            sa.select(Membership.id).where(
                Membership.user_id == membership.user_id,
                Membership.association_id == association.id,
                Membership.role == role.value,
                Membership.store_id.is_(None),
            )
        )
        if clash is not None:
            raise PeopleError(_("This person already has that role; remove this one instead."))
    try:
        set_role(session, membership, role, actor=actor)
    except DomainError as exc:
        raise PeopleError(str(exc)) from None
    return membership


def update_liaison(
    session: Session,
    association: Association,
    membership_id: int,
    *,
    agency: str,
    badge_unit: str | None,
    region_id: int | None,
    actor: Actor,
) -> Membership:
    membership = _membership(session, association, membership_id)
    if membership.role != Role.POLICE_LIAISON.value:
        raise PeopleError(_("Only a police liaison has an agency and badge."))
    if not (agency or "").strip():
        raise PeopleError(_("Enter the liaison's agency."))
    if region_id:
        region = session.scalar(
            sa.select(Region).where(Region.id == region_id, Region.association_id == association.id)
        )
        if region is None:
            raise NotFound(_("No such region."))
    membership.agency = clean_name(agency, what="The agency")
    membership.badge_unit = clean_name(badge_unit, what="The badge number or unit", max_length=100) or None
    membership.region_id = region_id or None
    audit.record(
        session,
        "liaison.update",
        actor=actor,
        association_id=association.id,
        target=str(membership.user_id),
    )
    session.flush()
    return membership


def remove_role(session: Session, association: Association, membership_id: int, *, actor: Actor) -> None:
    membership = _membership(session, association, membership_id)
    if membership.user_id == actor.user_id:
        raise PeopleError(_("You cannot remove your own role; ask another administrator."))
    user_id, role, store_id = membership.user_id, membership.role, membership.store_id
    session.delete(membership)
    revoke_user_sessions(session, user_id)
    audit.record(
        session,
        "role.remove",
        actor=actor,
        association_id=association.id,
        store_id=store_id,
        target=str(user_id),
        details={"role": role},
    )
    session.flush()


def _only_here(session: Session, association: Association, user_id: int, actor: Actor) -> User:
    """The account, when every one of its roles is in this association (else the change would reach further)."""
    person = get_person(session, association, user_id)
    if user_id == actor.user_id:
        raise PeopleError(_("You cannot do this to your own account."))
    elsewhere = session.scalar(
        sa.select(sa.func.count()).where(Membership.user_id == user_id, Membership.association_id != association.id)
    )
    if elsewhere or person.user.is_operator:
        raise PeopleError(_("This account also belongs elsewhere; remove their roles here instead."))
    return person.user


def set_active(session: Session, association: Association, user_id: int, *, active: bool, actor: Actor) -> User:
    """Deactivate (sign-in refused, every session ended) or reactivate an account of this association."""
    user = _only_here(session, association, user_id, actor)
    user.is_active = active
    if not active:
        revoke_user_sessions(session, user.id)
    audit.record(
        session,
        "user.reactivate" if active else "user.deactivate",
        actor=actor,
        association_id=association.id,
        target=str(user.id),
    )
    session.flush()
    return user


def reset_two_step(session: Session, association: Association, user_id: int, *, actor: Actor) -> User:
    user = _only_here(session, association, user_id, actor)
    mfa.reset_mfa(session, user, actor=actor, association_id=association.id)
    return user
