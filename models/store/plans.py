"""Emergency response plans: one per kind of emergency, with steps, a call tree, a review date and police agreement."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from i18n import _l
from models.base import StoreBase, Timestamped
from models.store.contacts import PoliceContact

# (value, label) in the order a store should work through them.
PLAN_KINDS = (
    ("robbery", _l("Robbery")),
    ("burglary", _l("Burglary")),
    ("grab_and_run", _l("Grab-and-run")),
    ("medical", _l("Medical emergency")),
    ("fire", _l("Fire")),
    ("bomb_threat", _l("Bomb threat")),
    ("active_threat", _l("Active threat")),
)
PLAN_KIND_LABELS = dict(PLAN_KINDS)


class EmergencyPlan(Timestamped, StoreBase):
    __tablename__ = "emergency_plans"
    __table_args__ = (
        sa.CheckConstraint(
            "kind IN ('robbery', 'burglary', 'grab_and_run', 'medical', 'fire', 'bomb_threat', 'active_threat')",
            name="kind_known",
        ),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20), unique=True)
    # One step per line, in order; one call per line ("Manager → police 999").
    steps: Mapped[str] = mapped_column(sa.Text, server_default="")
    call_tree: Mapped[str] = mapped_column(sa.Text, server_default="")
    review_due_on: Mapped[date] = mapped_column(sa.Date)
    # Agreed with police: with one of the store's police contacts, or a person named in free text, and when.
    agreed_contact_id: Mapped[int | None] = mapped_column(
        sa.BigInteger, sa.ForeignKey("police_contacts.id", ondelete="SET NULL")
    )
    agreed_with_name: Mapped[str] = mapped_column(sa.String(200), server_default="")
    agreed_on: Mapped[date | None] = mapped_column(sa.Date)

    agreed_contact: Mapped[PoliceContact | None] = relationship()

    @property
    def label(self) -> str:
        return PLAN_KIND_LABELS.get(self.kind, self.kind)

    @property
    def agreed_with(self) -> str:
        """Whom the plan was agreed with, for people to read ("" when it was not agreed with police)."""
        if self.agreed_contact is not None:
            return f"{self.agreed_contact.officer_name} ({self.agreed_contact.agency})"
        return self.agreed_with_name


class PlanAcknowledgement(StoreBase):
    """A member of the store read a plan and said so: who (a shared `users.id`, no foreign key across schemas, and
    the name at the time), when, and which version (the plan's `updated_at` then: a later edit asks again)."""

    __tablename__ = "plan_acknowledgements"
    __table_args__ = (sa.UniqueConstraint("plan_id", "user_id"),)

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("emergency_plans.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.BigInteger)
    user_name: Mapped[str] = mapped_column(sa.String(200), server_default="")
    plan_version: Mapped[datetime]
    acknowledged_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())
