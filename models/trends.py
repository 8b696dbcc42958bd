"""Published trend counts (shared schema): only the cells published for each closed week, never a per-store fact
(`trends.closing`)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from models.base import SharedBase


class PublishedTrendWeek(SharedBase):
    """The cells of one region's closed ISO week as first published, frozen (ANONYMIZATION.md rule 4: published
    once). Every later look shows these cells, so a share made, withdrawn or rejected after the week was published
    cannot be isolated by comparing two looks. Written by `trends.closing` from the stores' own records. `cells` is
    a list of [area id or null for the whole region, incident type, distinct-store count] of the published cells
    only (withheld cells are simply absent, as on the page); an empty list is a week published with nothing to
    show."""

    __tablename__ = "published_trend_weeks"
    __table_args__ = (sa.UniqueConstraint("region_id", "iso_week"),)

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    association_id: Mapped[int] = mapped_column(sa.ForeignKey("associations.id", ondelete="CASCADE"))
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id", ondelete="CASCADE"))
    iso_week: Mapped[str] = mapped_column(sa.String(10))
    cells: Mapped[list] = mapped_column(JSONB)
    # The red flags of the week's casing shares, per region only: [red-flag code, distinct-store count] of the
    # cells published under the same small-count rule (`trends.closing`); withheld ones are absent.
    red_flag_cells: Mapped[list] = mapped_column(JSONB, server_default=sa.text("'[]'::jsonb"))
