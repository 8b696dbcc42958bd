"""Regional bulletins: what a member store (or, later, a police liaison) shares, after anonymization.

A bulletin is published by the association, never by a store (ANONYMIZATION.md rule 1): there is deliberately no
store id, no foreign key to a store and no author here. Which store shared which bulletin is known only inside that
store's own schema (`models.store.sharing.SharedBulletin`). Every text column holds the anonymizer's output
(`BulletinDraft.shared_payload()`), never the store's own words.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import HOUR_NOW, N_, SharedBase, this_hour

BULLETIN_KINDS: dict[str, str] = {
    "incident": N_("Incident"),
    "police_trend": N_("Police trend"),
    "relayed_note": N_("Relayed police note"),
    "pattern": N_("Heightened response (pattern)"),
}
BULLETIN_STATUSES = ("pending", "published", "rejected", "withdrawn", "retired", "merged")
# Only these marks go to the feed: RED is for named recipients, CLEAR for k-checked trend counts.
FEED_TLPS = ("AMBER+STRICT", "AMBER", "GREEN")
DEFAULT_LIFETIME = timedelta(days=90)


def _in(values) -> str:
    return ", ".join(f"'{value}'" for value in values)


def default_expiry() -> datetime:
    return this_hour() + DEFAULT_LIFETIME


class Bulletin(SharedBase):
    __tablename__ = "bulletins"
    __table_args__ = (
        sa.CheckConstraint(f"kind IN ({_in(BULLETIN_KINDS)})", name="kind_known"),
        sa.CheckConstraint(f"status IN ({_in(BULLETIN_STATUSES)})", name="status_known"),
        sa.CheckConstraint(f"tlp IN ({_in(FEED_TLPS)})", name="tlp_feed_allowed"),
        sa.CheckConstraint("status <> 'published' OR published_at IS NOT NULL", name="published_has_time"),
        sa.Index("ix_bulletins_feed", "region_id", "status", "published_at"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    association_id: Mapped[int] = mapped_column(sa.ForeignKey("associations.id", ondelete="CASCADE"), index=True)
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id", ondelete="CASCADE"))
    # The area is named only when it holds at least k member stores (the anonymizer decided); else NULL.
    area_id: Mapped[int | None] = mapped_column(sa.ForeignKey("areas.id", ondelete="SET NULL"))
    area_label: Mapped[str | None] = mapped_column(sa.String(200))
    region_label: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(20), server_default="incident")
    tlp: Mapped[str] = mapped_column(sa.String(20), server_default="AMBER")
    incident_type: Mapped[str] = mapped_column(sa.String(30), server_default="")
    title: Mapped[str] = mapped_column(sa.String(200))
    narrative: Mapped[str] = mapped_column(sa.Text, server_default="")
    location_note: Mapped[str] = mapped_column(sa.String(300), server_default="")
    # Coarse time only: the local day and part of day, and the ISO week.
    day: Mapped[date | None] = mapped_column(sa.Date)
    part_of_day: Mapped[str] = mapped_column(sa.String(20), server_default="")
    iso_week: Mapped[str] = mapped_column(sa.String(10), server_default="")
    people: Mapped[list] = mapped_column(JSONB, server_default=sa.text("'[]'::jsonb"))
    vehicles: Mapped[list] = mapped_column(JSONB, server_default=sa.text("'[]'::jsonb"))
    # Red-flag codes (`logbook.red_flags`) as the anonymizer passed them through; a pattern's are the flags seen at
    # more than one of its sources (`alerts.patterns`). Codes only: the reader's words come from the list.
    red_flags: Mapped[list[str]] = mapped_column(ARRAY(sa.String(30)), server_default=sa.text("'{}'::varchar[]"))
    photos_allowed: Mapped[bool] = mapped_column(server_default=sa.false())
    status: Mapped[str] = mapped_column(sa.String(12), server_default="pending")
    expires_at: Mapped[datetime] = mapped_column(default=default_expiry)
    published_at: Mapped[datetime | None]
    # The last moderator decision (every decision is also in the audit log).
    decided_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    rejection_reason: Mapped[str] = mapped_column(sa.Text, server_default="")
    edited_by_moderator: Mapped[bool] = mapped_column(server_default=sa.false())
    withdrawn_at: Mapped[datetime | None]
    retired_at: Mapped[datetime | None]
    # A duplicate a moderator merged into another bulletin (status "merged"); its sightings and feedback moved there.
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bulletins.id", ondelete="SET NULL"))
    # Hour precision, whoever writes the row (issue #17 item 6): a store's share or withdrawal must not be
    # lined up with its sessions or jobs by its time. The share sets published_at and expires_at to the hour too.
    created_at: Mapped[datetime] = mapped_column(server_default=HOUR_NOW)
    updated_at: Mapped[datetime] = mapped_column(server_default=HOUR_NOW, onupdate=HOUR_NOW)

    feedback: Mapped[list[BulletinFeedback]] = relationship(
        back_populates="bulletin", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def tlp_label(self) -> str:
        return f"TLP:{self.tlp}"

    @property
    def kind_label(self) -> str:
        return BULLETIN_KINDS.get(self.kind, self.kind)

    @property
    def place_label(self) -> str:
        return f"{self.area_label}, {self.region_label}" if self.area_label else self.region_label

    def is_live(self, now: datetime) -> bool:
        return self.status == "published" and self.expires_at > now


class BulletinFeedback(SharedBase):
    """ "This helped" from a member (one per person and bulletin)."""

    __tablename__ = "bulletin_feedback"
    __table_args__ = (
        sa.UniqueConstraint("bulletin_id", "user_id", "kind"),
        sa.CheckConstraint("kind IN ('helped')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    bulletin_id: Mapped[int] = mapped_column(sa.ForeignKey("bulletins.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(12), server_default="helped")
    created_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())

    bulletin: Mapped[Bulletin] = relationship(back_populates="feedback")


class BulletinSettings(SharedBase):
    """An association's bulletin settings: trusted auto-publish skips the moderation queue."""

    __tablename__ = "bulletin_settings"

    association_id: Mapped[int] = mapped_column(sa.ForeignKey("associations.id", ondelete="CASCADE"), primary_key=True)
    auto_publish: Mapped[bool] = mapped_column(server_default=sa.false())
    updated_at: Mapped[datetime] = mapped_column(server_default=sa.func.now(), onupdate=sa.func.now())
