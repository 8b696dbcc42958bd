"""Account domain functions: authentication with throttling, server-side sessions, invitations, password reset.

Each takes a Session and explicit arguments, flushes, raises a domain error, and never commits.
"""

from __future__ import annotations

import functools
import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, contains_eager

import audit
from accounts import throttle
from audit import Actor
from billing.access import BillingState, state_from
from errors import DomainError
from i18n import LANGUAGES, _
from jobs import names
from jobs.queue import enqueue, notify
from models import (
    STORE_ROLES,
    Association,
    AssociationSubscription,
    AuthSession,
    Invitation,
    Membership,
    Region,
    Role,
    Store,
    StoreSubscription,
    User,
)
from models.base import utcnow
from security.passwords import check_policy, hash_password, needs_rehash, verify_password
from security.readable_text import clean_name
from security.tokens import digest, new_secret
from tenants.activity import touch_stores


class AccountError(DomainError):
    """Base of account errors; the message is safe to show."""


class LoginRefused(AccountError):
    """Wrong email or password (deliberately not saying which)."""


class LoginThrottled(AccountError):
    """The account is locked for a few minutes (or has failed too often from an address over its limit)."""


class LanguageUnknown(AccountError):
    """A language code that is not one of i18n.LANGUAGES."""


class InvitationInvalid(AccountError):
    """An invitation that is unknown, used, expired, or for another address."""


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


# --- authentication -----------------------------------------------------------------------------------------


def authenticate(
    session: Session,
    email: str,
    password: str,
    *,
    ip: str | None,
    max_account_failures: int,
    max_address_failures: int,
    independent: throttle.Independent,
    now: datetime | None = None,
) -> User:
    """Return the active user with this email and password, or raise LoginRefused / LoginThrottled.

    Unknown accounts take the same path and time as wrong passwords. Failures are counted per account, per
    address and per address+account, and the rule of `accounts.throttle` decides what is refused: a locked account
    (even with the right password, for a few minutes that double with each further failure), and, from an address
    over its limit, the accounts that have themselves failed from there; never the right password of an account
    that has not. The count, the audit of a refusal and, when the account locks, the job that emails its owner
    (once per lock episode) are written in a transaction of their own opened with `independent`, so they stay when
    the refused request rolls back.
    """
    now = now or utcnow()
    email = normalise_email(email)
    account = throttle.account_key(email)
    limits = {account: max_account_failures}
    counted = [account]
    if ip:
        address, pair = throttle.address_key(ip), throttle.pair_key(ip, email)
        counted += [address, pair]
        if throttle.failures(session, address, now) >= max_address_failures:
            # A suspicious address: each account it has failed on backs off from its first failure there; an
            # account it has not failed on (a colleague behind the same proxy) is not held back at all.
            limits[pair] = 1
    if throttle.is_throttled(session, limits, now):
        with independent() as kept:
            audit.record(kept, "login.throttled", actor=Actor.anonymous(email=email, ip=ip), outcome="denied")
        raise LoginThrottled(
            _("Too many failed sign-in attempts for this account. Try again in a few minutes, or reset your password.")
        )
    user = session.scalar(sa.select(User).where(User.email == email))
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        with independent() as kept:
            throttle.record_failure(kept, counted, now)
            audit.record(
                kept,
                "login.failure",
                actor=Actor.for_user(user, ip=ip) if user else Actor.anonymous(email=email, ip=ip),
                outcome="denied",
            )
            if throttle.locked_until(kept, account, max_account_failures, now) and throttle.notify_once(
                kept, email, now
            ):
                # The job looks the account up (an unknown address costs the same here) and emails its owner.
                enqueue(kept, names.SEND_LOCK_NOTICE, {"email": email, "token": uuid.uuid4().hex})
        raise LoginRefused(_("Email or password is incorrect."))
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    throttle.clear(session, account)
    if ip:
        throttle.clear(session, throttle.pair_key(ip, email))
    audit.record(session, "login.success", actor=Actor.for_user(user, ip=ip))
    return user


# --- server-side sessions -----------------------------------------------------------------------------------


def start_session(session: Session, user: User, *, ip: str | None, user_agent: str | None) -> str:
    """Create a new auth session and return its token (goes into the signed cookie, never stored in clear)."""
    token = new_secret()
    session.add(
        AuthSession(token_hash=digest(token), user_id=user.id, ip=(ip or "")[:64], user_agent=(user_agent or "")[:300])
    )
    # The sign-in is complete: the admin portal's "last sign-in", and activity for the person's stores.
    user.last_sign_in_at = utcnow()
    touch_stores(session, [m.store_id for m in user.memberships if m.store_id is not None])
    session.flush()
    return token


@dataclass(frozen=True)
class ActiveSession:
    user: User
    auth_session: AuthSession
    # Read with the session when asked for (`with_memberships=True`): the request's one read of them.
    memberships: Memberships | None = None


@functools.cache
def _session_query() -> sa.Select:
    # Session and person in one round trip, the statement built once: this runs on every signed-in request.
    return (
        sa.select(AuthSession, User)
        .join(User, User.id == AuthSession.user_id)
        .where(AuthSession.token_hash == sa.bindparam("token_hash"), AuthSession.revoked_at.is_(None))
    )


def load_session(
    session: Session,
    token: str,
    *,
    idle_timeout: timedelta,
    absolute_timeout: timedelta,
    now: datetime | None = None,
    with_memberships: bool = False,
) -> ActiveSession | None:
    """The live session for `token`, or None when it is unknown, revoked, idle too long or too old.

    `with_memberships`: the person's memberships (`load_memberships`) come in the same round trip, as
    `ActiveSession.memberships` — what every signed-in page reads next anyway.
    """
    if not token or len(token) > 200:
        return None
    now = now or utcnow()
    memberships = None
    if with_memberships:
        rows = session.execute(_session_with_memberships_query(), {"token_hash": digest(token)}).all()
        if not rows:
            return None
        row, user = rows[0][:2]
        memberships = _memberships_from([r[2:] for r in rows if r[2] is not None])
    else:
        found = session.execute(_session_query(), {"token_hash": digest(token)}).first()
        if found is None:
            return None
        row, user = found
    if now - row.last_seen_at > idle_timeout or now - row.created_at > absolute_timeout:
        row.revoked_at = now
        return None
    if not user.is_active:
        return None
    # Writing on every request would cost a row update per page; a minute's precision is plenty for idling.
    if now - row.last_seen_at > timedelta(seconds=60):
        row.last_seen_at = now
    return ActiveSession(user=user, auth_session=row, memberships=memberships)


def end_session(session: Session, token: str, *, actor: Actor) -> None:
    """Sign out: the server-side session row is revoked (the cookie alone no longer admits anyone)."""
    session.execute(
        sa.update(AuthSession)
        .where(AuthSession.token_hash == digest(token), AuthSession.revoked_at.is_(None))
        .values(revoked_at=sa.func.now())
    )
    audit.record(session, "logout", actor=actor)


def revoke_user_sessions(session: Session, user_id: int, *, except_token: str | None = None) -> int:
    """End every session of a user (password change, role change, deactivation); returns how many."""
    stmt = sa.update(AuthSession).where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
    if except_token:
        stmt = stmt.where(AuthSession.token_hash != digest(except_token))
    return session.execute(stmt.values(revoked_at=sa.func.now())).rowcount


# --- memberships --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Memberships:
    """Everything a signed-in person's requests need to know about their memberships, read in one query.

    `stores` (by store name) feeds the navigation and the store check of `tenants.access.store_view`;
    `billing` holds each of those stores' dues state (what `billing.access` enforces); `associations` are the
    association roles (admin, liaison). Read once per request, never cached across requests: a role change,
    removal or suspension applies to the very next request.
    """

    stores: list[tuple[Membership, Store]]
    associations: list[Membership]
    billing: dict[int, BillingState]


_MEMBERSHIP_COLUMNS = (Membership, Store, StoreSubscription.status, StoreSubscription.current_period_end)


def _with_membership_rows(query: sa.Select) -> sa.Select:
    """A query that already selects from memberships, with each membership's store, dues status, association and
    region joined on: what `_memberships_from` reads, in the navigation's order."""
    return (
        query.outerjoin(Store, Store.id == Membership.store_id)
        .outerjoin(Association, Association.id == Store.association_id)
        .outerjoin(Region, Region.id == Store.region_id)
        .outerjoin(StoreSubscription, StoreSubscription.store_id == Store.id)
        .outerjoin(AssociationSubscription, AssociationSubscription.association_id == Association.id)
        # Association (time zone, names, Loupe subscription) and region (feed, thresholds) ride along: no query of
        # their own.
        .options(
            contains_eager(Store.association).contains_eager(Association.platform_subscription),
            contains_eager(Store.region),
        )
        .order_by(Store.name, Membership.id)
    )


@functools.cache
def _memberships_query() -> sa.Select:
    # Built once: it runs on every signed-in request, and building the statement costs as much as running it.
    return _with_membership_rows(sa.select(*_MEMBERSHIP_COLUMNS)).where(Membership.user_id == sa.bindparam("user_id"))


@functools.cache
def _session_with_memberships_query() -> sa.Select:
    # The session, its person and the memberships query's rows (one row per membership, or one with none).
    query = (
        sa.select(AuthSession, User, *_MEMBERSHIP_COLUMNS)
        .join(User, User.id == AuthSession.user_id)
        .outerjoin(Membership, Membership.user_id == User.id)
    )
    return _with_membership_rows(query).where(
        AuthSession.token_hash == sa.bindparam("token_hash"), AuthSession.revoked_at.is_(None)
    )


def load_memberships(session: Session, user_id: int) -> Memberships:
    """The person's store memberships (with store, association and dues status) and association roles."""
    return _memberships_from(session.execute(_memberships_query(), {"user_id": user_id}).all())


def _memberships_from(rows) -> Memberships:
    stores, associations, billing = [], [], {}
    for membership, store, status, period_end in rows:
        if store is None:
            associations.append(membership)
            continue
        stores.append((membership, store))
        billing[store.id] = state_from(status, period_end)
    return Memberships(stores=stores, associations=associations, billing=billing)


# --- invitations --------------------------------------------------------------------------------------------


def create_invitation(
    session: Session,
    *,
    email: str,
    name: str,
    association: Association,
    role: Role,
    store: Store | None = None,
    region_id: int | None = None,
    invited_by: Actor | None = None,
    max_age: timedelta,
) -> Invitation:
    """Record an invitation; the caller signs `invitation.nonce` into the link and emails it."""
    email = normalise_email(email)
    if role in STORE_ROLES and (store is None or store.association_id != association.id):
        raise AccountError(_("A store role needs a store of this association."))
    if role not in STORE_ROLES and store is not None:
        raise AccountError(_("An association role cannot be tied to a store."))
    invitation = Invitation(
        email=email,
        name=clean_name(name, what=_("The person's name")),
        association_id=association.id,
        store_id=store.id if store else None,
        region_id=region_id,
        role=role.value,
        nonce=new_secret(),
        invited_by_id=invited_by.user_id if invited_by else None,
        expires_at=utcnow() + max_age,
    )
    session.add(invitation)
    session.flush()
    audit.record(
        session,
        "invitation.create",
        actor=invited_by,
        association_id=association.id,
        store_id=invitation.store_id,
        target=email,
        details={"role": role.value},
    )
    return invitation


def open_invitation(session: Session, nonce: str, now: datetime | None = None) -> Invitation:
    """The open invitation with this nonce, or InvitationInvalid."""
    now = now or utcnow()
    invitation = session.scalar(sa.select(Invitation).where(Invitation.nonce == nonce))
    if invitation is None or invitation.accepted_at is not None:
        raise InvitationInvalid(_("This invitation is not valid or was already used."))
    if invitation.expires_at < now:
        raise InvitationInvalid(_("This invitation has expired. Ask for a new one."))
    return invitation


def accept_invitation(
    session: Session, invitation: Invitation, *, name: str, password: str, ip: str | None = None
) -> User:
    """Create (or, with the right password, reuse) the account and add the invited membership."""
    user = session.scalar(sa.select(User).where(User.email == invitation.email))
    if user is None:
        clean = check_policy(password, email=invitation.email)
        user = User(
            email=invitation.email,
            name=clean_name(name, what=_("Your name")) or invitation.name or invitation.email,
            password_hash=hash_password(clean),
            password_changed_at=utcnow(),
        )
        session.add(user)
        session.flush()
    elif not verify_password(user.password_hash, password):
        raise LoginRefused(_("You already have an account: enter its password to accept."))
    exists = session.scalar(
        sa.select(Membership.id).where(
            Membership.user_id == user.id,
            Membership.association_id == invitation.association_id,
            Membership.role == invitation.role,
            Membership.store_id.is_(None)
            if invitation.store_id is None
            else Membership.store_id == invitation.store_id,
        )
    )
    if exists is None:
        session.add(
            Membership(
                user_id=user.id,
                association_id=invitation.association_id,
                store_id=invitation.store_id,
                region_id=invitation.region_id,
                role=invitation.role,
            )
        )
    invitation.accepted_at = utcnow()
    session.flush()
    notify(session, "invitation.accepted", invitation_id=invitation.id)
    audit.record(
        session,
        "invitation.accept",
        actor=Actor.for_user(user, ip=ip),
        association_id=invitation.association_id,
        store_id=invitation.store_id,
        details={"role": invitation.role},
    )
    return user


# --- password reset -----------------------------------------------------------------------------------------


def password_fingerprint(user: User) -> str:
    """Changes whenever the password does, so a reset link works once and dies with a password change."""
    return digest(f"{user.id}:{user.password_hash or ''}")[:24]


def request_password_reset(session: Session, email: str, *, ip: str | None) -> None:
    """Write the job that emails a reset link if `email` has an active account, and audit the request.

    The request never looks the account up, so it costs the same whether or not the account exists (one job,
    one audit row, under the address typed); the job (`accounts.send_password_reset`) does. `token` fixes the
    email's Message-ID, so a job that runs twice queues one email.
    """
    email = normalise_email(email)
    enqueue(session, names.SEND_PASSWORD_RESET, {"email": email, "token": uuid.uuid4().hex})
    audit.record(session, "password.reset_requested", actor=Actor.anonymous(email=email, ip=ip))


def reset_password(session: Session, *, user_id: int, fingerprint: str, new_password: str, ip: str | None) -> User:
    """Set a new password from a reset link's payload; every existing session of the account ends."""
    user = session.get(User, user_id)
    if user is None or not user.is_active or not hmac.compare_digest(password_fingerprint(user), fingerprint):
        raise InvitationInvalid(_("This link is not valid or was already used."))
    clean = check_policy(new_password, email=user.email)
    user.password_hash = hash_password(clean)
    user.password_changed_at = utcnow()
    revoke_user_sessions(session, user.id)
    throttle.clear(session, throttle.account_key(user.email))  # the owner proved they hold the mailbox: unlock
    audit.record(session, "password.reset", actor=Actor.for_user(user, ip=ip))
    session.flush()
    return user


def change_password(
    session: Session, user: User, *, current: str, new_password: str, keep_token: str | None, ip: str | None
) -> None:
    """Change a password knowing the current one; every other session of the account ends."""
    if not verify_password(user.password_hash, current):
        raise LoginRefused(_("Your current password is not correct."))
    clean = check_policy(new_password, email=user.email)
    user.password_hash = hash_password(clean)
    user.password_changed_at = utcnow()
    revoke_user_sessions(session, user.id, except_token=keep_token)
    audit.record(session, "password.change", actor=Actor.for_user(user, ip=ip))
    session.flush()


def set_language(session: Session, user: User, language: str | None) -> None:
    """Choose the language a person reads Loupe and its emails in; None (or "") follows the browser again."""
    language = language or None
    if language is not None and language not in LANGUAGES:
        raise LanguageUnknown(_("Loupe does not speak that language yet."))
    user.language = language
    session.flush()


def set_role(session: Session, membership: Membership, role: Role, *, actor: Actor) -> None:
    """Change a membership's role; the person's sessions end so the new rights apply at once."""
    old = membership.role
    if (Role(old) in STORE_ROLES) != (role in STORE_ROLES):
        raise AccountError(_("A store role can only become another store role."))
    membership.role = role.value
    revoke_user_sessions(session, membership.user_id)
    audit.record(
        session,
        "role.change",
        actor=actor,
        association_id=membership.association_id,
        store_id=membership.store_id,
        target=str(membership.user_id),
        details={"from": old, "to": role.value},
    )
    session.flush()
