"""People, what they may do where, their server-side login sessions and invitations."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import SharedBase
from models.registry import Association, Region, Store


class Role(enum.StrEnum):
    """What a membership lets a person do. Store roles need a store; association roles need none."""

    STORE_OWNER = "owner"
    STORE_MANAGER = "manager"
    STORE_STAFF = "staff"
    ASSOCIATION_ADMIN = "admin"
    POLICE_LIAISON = "liaison"


# Role groups: their one home (tests/unit/test_role_groups.py keeps them from being redefined elsewhere). Role is a
# StrEnum, so a stored role string (`membership.role`) is found in these groups as it is.
STORE_ROLES = (Role.STORE_OWNER, Role.STORE_MANAGER, Role.STORE_STAFF)  # in rank order (choices list them so)
MANAGER_ROLES = frozenset({Role.STORE_OWNER, Role.STORE_MANAGER})  # run the store: contacts, plans, settings, ...
OWNER_ROLES = frozenset({Role.STORE_OWNER})  # billing and handing out roles
ASSOCIATION_ROLES = frozenset({Role.ASSOCIATION_ADMIN, Role.POLICE_LIAISON})  # no store; two-step sign-in required
# Who may hand out which store role.
GRANTABLE_ROLES = {
    Role.STORE_OWNER: STORE_ROLES,
    Role.STORE_MANAGER: (Role.STORE_STAFF,),
}


def is_manager(membership: Membership | None) -> bool:
    """Whether a store membership runs the store (owner or manager); templates use it for what they show.

    No membership (None, or Jinja's undefined on a page without a store) is not a manager."""
    return bool(membership) and membership.role in MANAGER_ROLES


def is_owner(membership: Membership | None) -> bool:
    """Whether a store membership is the store's owner (billing, roles)."""
    return bool(membership) and membership.role in OWNER_ROLES


class User(SharedBase):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    # Stored lower-cased; the unique index makes one account per address.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    is_operator: Mapped[bool] = mapped_column(server_default=sa.false())
    is_active: Mapped[bool] = mapped_column(server_default=sa.true())
    password_changed_at: Mapped[datetime | None]
    # Two-step sign-in (TOTP): the base32 secret once confirmed, and the last time step accepted (each code once).
    totp_secret: Mapped[str | None] = mapped_column(sa.String(255))  # sealed (security.secretbox), never plain
    totp_enabled_at: Mapped[datetime | None]
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    # The language chosen on /account/language (a code of i18n.LANGUAGES); NULL follows the browser's, and emails
    # to a person who never chose are in English.
    language: Mapped[str | None] = mapped_column(sa.String(16))
    created_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())
    # Set when a sign-in completes (a session starts): the admin portal's "last sign-in".
    last_sign_in_at: Mapped[datetime | None]

    memberships: Mapped[list[Membership]] = relationship(back_populates="user", cascade="all, delete-orphan")


class Membership(SharedBase):
    """A person's role in a store (owner/manager/staff) or an association (admin, police liaison)."""

    __tablename__ = "memberships"
    __table_args__ = (
        sa.CheckConstraint(
            "(role IN ('owner', 'manager', 'staff') AND store_id IS NOT NULL)"
            " OR (role IN ('admin', 'liaison') AND store_id IS NULL)",
            name="role_scope",
        ),
        # One membership per person and store; one per person and association for association roles.
        sa.Index(
            "uq_memberships_user_store",
            "user_id",
            "store_id",
            unique=True,
            postgresql_where=sa.text("store_id IS NOT NULL"),
        ),
        sa.Index(
            "uq_memberships_user_association_role",
            "user_id",
            "association_id",
            "role",
            unique=True,
            postgresql_where=sa.text("store_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    association_id: Mapped[int] = mapped_column(sa.ForeignKey("associations.id", ondelete="CASCADE"))
    store_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    region_id: Mapped[int | None] = mapped_column(sa.ForeignKey("regions.id", ondelete="SET NULL"))
    role: Mapped[str] = mapped_column(sa.String(20))
    # Police liaisons: their agency and badge number or unit.
    agency: Mapped[str | None] = mapped_column(sa.String(200))
    badge_unit: Mapped[str | None] = mapped_column(sa.String(100))
    created_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())

    user: Mapped[User] = relationship(back_populates="memberships")
    association: Mapped[Association] = relationship()
    store: Mapped[Store | None] = relationship()
    region: Mapped[Region | None] = relationship()


class AuthSession(SharedBase):
    """One login. The cookie carries only its random id; deleting or revoking the row ends the session."""

    __tablename__ = "auth_sessions"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    # sha256 of the token in the cookie, so a database dump does not hand out live sessions.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())
    last_seen_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())
    revoked_at: Mapped[datetime | None]
    ip: Mapped[str | None] = mapped_column(sa.String(64))
    user_agent: Mapped[str | None] = mapped_column(sa.String(300))

    user: Mapped[User] = relationship()


class Invitation(SharedBase):
    """An emailed, signed, expiring offer of a membership."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), index=True)
    name: Mapped[str] = mapped_column(sa.String(200), server_default="")
    association_id: Mapped[int] = mapped_column(sa.ForeignKey("associations.id", ondelete="CASCADE"))
    store_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stores.id", ondelete="CASCADE"))
    region_id: Mapped[int | None] = mapped_column(sa.ForeignKey("regions.id", ondelete="SET NULL"))
    role: Mapped[str] = mapped_column(sa.String(20))
    agency: Mapped[str | None] = mapped_column(sa.String(200))
    badge_unit: Mapped[str | None] = mapped_column(sa.String(100))
    # A random nonce inside the signed token: the token is only valid while it matches an open invitation.
    nonce: Mapped[str] = mapped_column(sa.String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]

    association: Mapped[Association] = relationship()
    store: Mapped[Store | None] = relationship()


class RecoveryCode(SharedBase):
    """A single-use two-step sign-in recovery code, stored as its sha256 (the codes are random, not chosen)."""

    __tablename__ = "mfa_recovery_codes"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())
    used_at: Mapped[datetime | None]


class LoginThrottle(SharedBase):
    """Failure counters in one-minute buckets (`window_start` is the bucket's start), per key (account, address,
    address+account, second factor), kept in PostgreSQL so every worker sees them; the rule is `accounts.throttle`."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(sa.String(300), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(primary_key=True)
    failures: Mapped[int] = mapped_column(server_default="0")
