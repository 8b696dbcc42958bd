"""Anonymized incident facts, the only input of regional trends (shared schema, no store id)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from models.base import SharedBase


class IncidentFact(SharedBase):
    """One shared incident, reduced to what a trend cell needs: association, region, area (None when the store has
    none), ISO week, incident type and an opaque contributor key.

    The contributor key lets trends count *distinct stores* per cell without a store id: it is
    HMAC-SHA256(a key derived from SECRET_KEY, "<store id>:<ISO week>") (`trends.contributor_key`). A plain store id
    would tie every fact to a named store for anyone reading this table; a hash without a secret could be reversed
    by hashing every store id; and the week inside the MAC makes one store's keys of different weeks unrelated, so
    the table cannot be used to follow a store's reports over time. Withdrawing a share recomputes the key (the
    store knows its id and the week) to delete its fact. No timestamp finer than the week is kept (no created_at).
    """

    __tablename__ = "incident_facts"
    __table_args__ = (sa.Index("ix_incident_facts_trend", "association_id", "iso_week", "region_id"),)

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    association_id: Mapped[int] = mapped_column(sa.ForeignKey("associations.id", ondelete="CASCADE"))
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id", ondelete="CASCADE"))
    area_id: Mapped[int | None] = mapped_column(sa.ForeignKey("areas.id", ondelete="SET NULL"))
    iso_week: Mapped[str] = mapped_column(sa.String(10))
    incident_type: Mapped[str] = mapped_column(sa.String(30))
    contributor: Mapped[str] = mapped_column(sa.String(64))


class PublishedTrendWeek(SharedBase):
    """The cells of one region's closed ISO week as first published, frozen (ANONYMIZATION.md rule 4: published
    once). Every later look shows these cells, so a fact recorded or removed after the week was published (a late
    share, a withdrawal, a reject) cannot be isolated by comparing two looks. `cells` is a list of
    [area id or null for the whole region, incident type, distinct-store count] of the published cells only
    (withheld cells are simply absent, as on the page); an empty list is a week published with nothing to show."""

    __tablename__ = "published_trend_weeks"
    __table_args__ = (sa.UniqueConstraint("region_id", "iso_week"),)

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    association_id: Mapped[int] = mapped_column(sa.ForeignKey("associations.id", ondelete="CASCADE"))
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id", ondelete="CASCADE"))
    iso_week: Mapped[str] = mapped_column(sa.String(10))
    cells: Mapped[list] = mapped_column(JSONB)
