"""The platform's own rows: its settings and the associations that signed up on the public page."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import SharedBase


class PlatformSettings(SharedBase):
    """The one row of platform-wide settings the operator changes in the console (id is always 1)."""

    __tablename__ = "platform_settings"
    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(sa.SmallInteger, primary_key=True)
    # True: a confirmed sign-up waits for the operator's approval; False: it becomes an association at once.
    signup_requires_approval: Mapped[bool] = mapped_column(server_default=sa.true())
    updated_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())


class SignupStatus(enum.StrEnum):
    UNCONFIRMED = "unconfirmed"  # the email link is not used yet
    AWAITING_APPROVAL = "awaiting"  # confirmed; the operator decides
    APPROVED = "approved"  # the association exists (`association_id`)
    REJECTED = "rejected"


class AssociationSignup(SharedBase):
    """An association's request on the public "start your association" page.

    Kept until it is decided: the association, its first admin and membership are created only once the email is
    confirmed (and, when the platform says so, the operator approved). The password is stored hashed only.
    """

    __tablename__ = "association_signups"
    __table_args__ = (
        sa.CheckConstraint("status IN ('unconfirmed', 'awaiting', 'approved', 'rejected')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    slug: Mapped[str] = mapped_column(sa.String(63), index=True)
    timezone: Mapped[str] = mapped_column(sa.String(64))
    contact_email: Mapped[str] = mapped_column(sa.String(254))
    person_name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    nonce: Mapped[str] = mapped_column(sa.String(64), unique=True)
    status: Mapped[str] = mapped_column(sa.String(12), server_default=SignupStatus.UNCONFIRMED.value)
    created_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())
    confirmed_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    association_id: Mapped[int | None] = mapped_column(sa.ForeignKey("associations.id", ondelete="SET NULL"))
