"""The store's security briefing: one structured profile per store, with its keyholders and safes/vaults.

This is exactly what a robbery crew wants (who holds the alarm code, where the cameras do not see, when the time lock
opens), so only owners and managers may read it, and every read is audited (`blueprints.briefing`).
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import StoreBase, Timestamped

SAFE_KINDS = ("safe", "vault")


class SecurityBriefing(Timestamped, StoreBase):
    """The store's one briefing profile (a store schema holds one store, so the table holds at most one row)."""

    __tablename__ = "security_briefing"
    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    alarm_system: Mapped[str] = mapped_column(sa.String(200), server_default="")
    alarm_company: Mapped[str] = mapped_column(sa.String(200), server_default="")
    alarm_company_phone: Mapped[str] = mapped_column(sa.String(50), server_default="")
    alarm_notes: Mapped[str] = mapped_column(sa.Text, server_default="")
    cameras: Mapped[str] = mapped_column(sa.Text, server_default="")
    camera_coverage: Mapped[str] = mapped_column(sa.Text, server_default="")
    camera_blind_spots: Mapped[str] = mapped_column(sa.Text, server_default="")
    opening_procedure: Mapped[str] = mapped_column(sa.Text, server_default="")
    closing_procedure: Mapped[str] = mapped_column(sa.Text, server_default="")
    panic_buttons: Mapped[str] = mapped_column(sa.Text, server_default="")
    layout_notes: Mapped[str] = mapped_column(sa.Text, server_default="")
    police_design_advice: Mapped[str] = mapped_column(sa.Text, server_default="")
    last_reviewed_on: Mapped[date | None] = mapped_column(sa.Date)


class Keyholder(Timestamped, StoreBase):
    """A person the police or the alarm company call when the store is closed."""

    __tablename__ = "briefing_keyholders"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(sa.String(200), server_default="")
    phone: Mapped[str] = mapped_column(sa.String(50), server_default="")
    holds_alarm_code: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.false())


class SafeOrVault(Timestamped, StoreBase):
    """A safe or a vault: what it is, how it is rated, whether a time lock delays opening it, where it stands."""

    __tablename__ = "briefing_safes"
    __table_args__ = (sa.CheckConstraint("kind IN ('safe', 'vault')", name="kind_known"),)

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(10), server_default="safe")
    safe_type: Mapped[str] = mapped_column(sa.String(200), server_default="")
    rating: Mapped[str] = mapped_column(sa.String(100), server_default="")
    has_time_lock: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.false())
    time_lock_delay_minutes: Mapped[int | None] = mapped_column(sa.Integer)
    location: Mapped[str] = mapped_column(sa.String(200), server_default="")
