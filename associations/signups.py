"""The public "start your association" sign-up: request, email confirmation, the operator's approval.

Nothing is stored for a refused request (every check runs before the row is added). A confirmed sign-up becomes an
association with its first admin at once, or waits for the operator when the platform setting asks for approval.
The person's password is hashed on arrival and only the hash waits in the sign-up row.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

import audit
from accounts.accounts import normalise_email
from associations import onboarding
from audit import Actor
from errors import DomainError, NotFound
from i18n import _, _l
from mail.links import external_url
from mail.outbox import queue_email
from mail.render import recipient_language, render_email
from models import AssociationSignup, Membership, PlatformSettings, Role, SignupStatus, User
from models.base import utcnow
from security.passwords import PasswordRejected, check_policy, hash_password
from security.readable_text import clean_name
from security.tokens import new_secret, sign

SIGNUP_LINK_PURPOSE = "association-signup"


class SignupError(DomainError):
    """A sign-up that cannot go ahead as typed; the message says why."""


class SignupLinkInvalid(DomainError):
    """A confirmation link that is unknown or already used."""

    status_code = 410


# --- the platform setting ---------------------------------------------------------------------------------------


def platform_settings(session: Session) -> PlatformSettings:
    """The platform's settings row (revision 0025 inserts it; recreated with the defaults if someone removed it)."""
    settings = session.get(PlatformSettings, 1)
    if settings is None:
        settings = PlatformSettings(id=1, signup_requires_approval=True)
        session.add(settings)
        session.flush()
    return settings


def set_signup_approval(session: Session, *, required: bool, actor: Actor) -> PlatformSettings:
    """Whether a confirmed sign-up waits for the operator (audited)."""
    settings = platform_settings(session)
    settings.signup_requires_approval = required
    settings.updated_at = utcnow()
    session.flush()
    audit.record(session, "platform.signup_approval", actor=actor, details={"required": required})
    return settings


# --- sign-up ------------------------------------------------------------------------------------------------------


def start_signup(
    session: Session,
    *,
    name: str,
    slug: str,
    timezone: str,
    contact_email: str,
    person_name: str,
    password: str,
    ip: str | None,
) -> AssociationSignup:
    """Check everything typed, then record the sign-up and email the confirmation link (in this transaction)."""
    try:
        association_name = onboarding.check_name(name)
        address = onboarding.check_slug(session, slug)
        zone = onboarding.check_zone(timezone)
        email = onboarding.check_email(contact_email, what=_("your email"))
    except onboarding.AssociationError as exc:
        raise SignupError(str(exc)) from None
    person = clean_name(person_name, what=_("Your name"))
    if len(person) < 2:
        raise SignupError(_("Enter your name."))
    try:
        clean = check_policy(password, email=email)
    except PasswordRejected as exc:
        raise SignupError(str(exc)) from None
    signup = AssociationSignup(
        name=association_name,
        slug=address,
        timezone=zone,
        contact_email=email,
        person_name=person,
        password_hash=hash_password(clean),
        nonce=new_secret(),
    )
    session.add(signup)
    session.flush()
    hours = int(current_app.config["SIGNUP_CONFIRM_MAX_AGE"].total_seconds() // 3600)
    link = external_url("signup.confirm", token=sign(SIGNUP_LINK_PURPOSE, signup.nonce))
    message = render_email(
        "signup_confirm",
        _l("Confirm your email to start %(name)s on Loupe", name=signup.name),
        signup=signup,
        link=link,
        hours=hours,
    )
    queue_email(session, to=email, email=message, kind="signup_confirm")
    audit.record(
        session,
        "signup.start",
        actor=Actor.anonymous(email=email, ip=ip),
        target=address,
        details={"name": signup.name},
    )
    return signup


def open_signup(session: Session, nonce: str, *, lock: bool = False) -> AssociationSignup:
    """The unconfirmed sign-up of a confirmation link, or SignupLinkInvalid."""
    statement = sa.select(AssociationSignup).where(AssociationSignup.nonce == nonce)
    signup = session.scalar(statement.with_for_update() if lock else statement)
    if signup is None or signup.status != SignupStatus.UNCONFIRMED.value:
        raise SignupLinkInvalid(_("This link is not valid or was already used."))
    return signup


@dataclass(frozen=True)
class Confirmed:
    signup: AssociationSignup
    # The first admin, when the association exists now (no approval needed); None while it waits.
    admin: User | None
    # True when the admin's account existed before: they sign in with their own password, not the sign-up's.
    existing_account: bool = False


def confirm_signup(session: Session, nonce: str, *, ip: str | None) -> Confirmed:
    """The email is confirmed: create the association now, or leave it for the operator's approval."""
    signup = open_signup(session, nonce, lock=True)
    signup.confirmed_at = utcnow()
    actor = Actor.anonymous(email=signup.contact_email, ip=ip)
    if platform_settings(session).signup_requires_approval:
        try:
            onboarding.check_slug(session, signup.slug, signup_id=signup.id)
        except onboarding.AssociationError as exc:
            raise SignupError(_("%(reason)s Start again with another address.", reason=exc)) from None
        signup.status = SignupStatus.AWAITING_APPROVAL.value
        session.flush()
        audit.record(session, "signup.confirm", actor=actor, target=signup.slug, details={"awaiting_approval": True})
        return Confirmed(signup, None)
    audit.record(session, "signup.confirm", actor=actor, target=signup.slug, details={"awaiting_approval": False})
    admin, existed = _establish(session, signup, actor=actor)
    return Confirmed(signup, admin, existed)


def _establish(session: Session, signup: AssociationSignup, *, actor: Actor) -> tuple[User, bool]:
    """Create the association of a sign-up and make its person the first admin; returns (admin, account existed)."""
    try:
        association = onboarding.new_association(
            session,
            name=signup.name,
            slug=signup.slug,
            timezone=signup.timezone,
            k_threshold=onboarding.DEFAULT_K,
            signup_id=signup.id,
        )
    except onboarding.AssociationError as exc:
        raise SignupError(str(exc)) from None
    email = normalise_email(signup.contact_email)
    user = session.scalar(sa.select(User).where(User.email == email))
    existed = user is not None
    if user is None:
        user = User(
            email=email, name=signup.person_name, password_hash=signup.password_hash, password_changed_at=utcnow()
        )
        session.add(user)
        session.flush()
    session.add(Membership(user_id=user.id, association_id=association.id, role=Role.ASSOCIATION_ADMIN.value))
    signup.status = SignupStatus.APPROVED.value
    signup.decided_at = utcnow()
    signup.association_id = association.id
    # The hash has done its work (the account has it, or an older account keeps its own password).
    signup.password_hash = ""
    session.flush()
    audit.record(
        session,
        "association.create",
        actor=actor,
        association_id=association.id,
        target=association.slug,
        details={"timezone": association.timezone, "admin": email, "signup": signup.id},
    )
    return user, existed


def purge_expired(session: Session, *, max_age, now=None) -> int:
    """Delete the sign-ups whose confirmation link has expired unused (with their password hash): they can never be
    confirmed, and nobody asked for them to be kept. Returns how many."""
    cutoff = (now or utcnow()) - max_age
    return session.execute(
        sa.delete(AssociationSignup).where(
            AssociationSignup.status == SignupStatus.UNCONFIRMED.value, AssociationSignup.created_at < cutoff
        )
    ).rowcount


def awaiting_signups(session: Session) -> list[AssociationSignup]:
    """Confirmed sign-ups waiting for the operator, oldest first."""
    return list(
        session.scalars(
            sa.select(AssociationSignup)
            .where(AssociationSignup.status == SignupStatus.AWAITING_APPROVAL.value)
            .order_by(AssociationSignup.confirmed_at)
            .limit(200)
        )
    )


def _awaiting(session: Session, signup_id: int) -> AssociationSignup:
    signup = session.scalar(
        sa.select(AssociationSignup)
        .where(
            AssociationSignup.id == signup_id,
            AssociationSignup.status == SignupStatus.AWAITING_APPROVAL.value,
        )
        .with_for_update()
    )
    if signup is None:
        raise NotFound(_("No sign-up waits with that number."))
    return signup


def approve_signup(session: Session, signup_id: int, *, actor: Actor) -> AssociationSignup:
    """The operator lets a confirmed sign-up through: the association exists and its person is told (audited)."""
    signup = _awaiting(session, signup_id)
    _establish(session, signup, actor=actor)
    audit.record(session, "signup.approve", actor=actor, association_id=signup.association_id, target=signup.slug)
    _queue_decision(session, signup, approved=True)
    return signup


def reject_signup(session: Session, signup_id: int, *, actor: Actor) -> AssociationSignup:
    """The operator turns a sign-up down; its person is told, nothing else is created (audited)."""
    signup = _awaiting(session, signup_id)
    signup.status = SignupStatus.REJECTED.value
    signup.decided_at = utcnow()
    signup.password_hash = ""
    session.flush()
    audit.record(session, "signup.reject", actor=actor, target=signup.slug)
    _queue_decision(session, signup, approved=False)
    return signup


def _queue_decision(session: Session, signup: AssociationSignup, *, approved: bool) -> None:
    subject = (
        _l("%(name)s is ready on Loupe", name=signup.name)
        if approved
        else _l("About your Loupe sign-up for %(name)s", name=signup.name)
    )
    message = render_email(
        "signup_decided",
        subject,
        signup=signup,
        approved=approved,
        link=external_url("auth.login"),
        language=recipient_language(session, signup.contact_email),
    )
    queue_email(session, to=signup.contact_email, email=message, kind="signup_decided")
