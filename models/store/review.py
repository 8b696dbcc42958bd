"""Police review of the logbook: grants of a time-boxed slice to an officer, and the log of every access.

A grant names its officer either as a police liaison account (a user id in the shared schema, mirrored by a
pointer row in `loupe.police_share_index` so the liaison can find it without scanning store schemas) or as one
of the store's police contacts reached by a signed link. No foreign key crosses schemas: the liaison's id is kept
as a plain number together with the name and address shown to the store.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import StoreBase, Timestamped

RECIPIENT_LIAISON = "liaison"
RECIPIENT_CONTACT = "contact"


class ReviewGrant(Timestamped, StoreBase):
    """Read access to the incidents of some types between two dates, until `expires_at` or revocation."""

    __tablename__ = "review_grants"
    __table_args__ = (
        sa.CheckConstraint("recipient_kind IN ('liaison', 'contact')", name="recipient_kind_known"),
        sa.CheckConstraint(
            "(recipient_kind = 'liaison' AND liaison_user_id IS NOT NULL)"
            " OR (recipient_kind = 'contact' AND link_nonce IS NOT NULL)",
            name="recipient_named",
        ),
        sa.CheckConstraint("since <= until", name="dates_ordered"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    recipient_kind: Mapped[str] = mapped_column(sa.String(10))
    # The liaison's user id in the shared schema (no cross-schema foreign key).
    liaison_user_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    police_contact_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("police_contacts.id", ondelete="SET NULL"), index=True
    )
    # Who the officer is, as the store saw them when granting (kept if the account or contact changes).
    recipient_name: Mapped[str] = mapped_column(sa.String(200))
    recipient_email: Mapped[str] = mapped_column(sa.String(254))
    incident_types: Mapped[list[str]] = mapped_column(ARRAY(sa.String(40)))
    since: Mapped[date] = mapped_column(sa.Date)
    until: Mapped[date] = mapped_column(sa.Date)
    expires_at: Mapped[datetime]
    message: Mapped[str] = mapped_column(sa.Text, server_default="")
    granted_by_user_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    granted_by_name: Mapped[str] = mapped_column(sa.String(200), server_default="")
    # Random value inside the signed link; a link is valid only while it matches (contacts only).
    link_nonce: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    revoked_at: Mapped[datetime | None]
    revoked_by_name: Mapped[str | None] = mapped_column(sa.String(200))
    first_opened_at: Mapped[datetime | None]
    last_opened_at: Mapped[datetime | None]
    open_count: Mapped[int] = mapped_column(sa.Integer, server_default="0")
    reviewed_at: Mapped[datetime | None]
    reviewed_by_name: Mapped[str | None] = mapped_column(sa.String(200))
    pattern_notes: Mapped[str] = mapped_column(sa.Text, server_default="")

    accesses: Mapped[list[ReviewAccess]] = relationship(
        back_populates="grant", order_by="ReviewAccess.id.desc()", cascade="all, delete-orphan"
    )

    def state(self, now: datetime) -> str:
        """`revoked`, `expired` or `live`."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        return "live"


class ReviewAccess(StoreBase):
    """One access to a grant by the officer (opened, reviewed, notes) or a change by the store (granted, revoked)."""

    __tablename__ = "review_access_log"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    grant_id: Mapped[int] = mapped_column(sa.ForeignKey("review_grants.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(server_default=sa.func.now())
    action: Mapped[str] = mapped_column(sa.String(32))
    actor_name: Mapped[str] = mapped_column(sa.String(254))
    actor_user_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    ip: Mapped[str | None] = mapped_column(sa.String(64))
    detail: Mapped[str] = mapped_column(sa.String(300), server_default="")

    grant: Mapped[ReviewGrant] = relationship(back_populates="accesses")
