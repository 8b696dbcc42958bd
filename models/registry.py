"""The registry: associations, their regions and areas, and member stores."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import SharedBase

if TYPE_CHECKING:
    from models.platform import AssociationSubscription


class StoreStatus(enum.StrEnum):
    PROVISIONING = "provisioning"
    READY = "ready"
    SUSPENDED = "suspended"
    FAILED = "failed"


DIGEST_FREQUENCIES = ("weekly", "daily")
# `regions.MIN_K`..`regions.MAX_K` as a CHECK (migration 0015); models import no domain code, so the literal is
# kept equal to them by tests/admin/test_region_settings.py.
K_THRESHOLD_CHECK = "k_threshold BETWEEN 2 AND 50"


class Association(SharedBase):
    __tablename__ = "associations"
    __table_args__ = (
        sa.CheckConstraint("digest_frequency IN ('weekly', 'daily')", name="digest_frequency_known"),
        sa.CheckConstraint("digest_weekday BETWEEN 0 AND 6", name="digest_weekday_range"),
        sa.CheckConstraint("digest_hour BETWEEN 0 AND 23", name="digest_hour_range"),
        sa.CheckConstraint(K_THRESHOLD_CHECK, name="k_threshold_range"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(63), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    timezone: Mapped[str] = mapped_column(sa.String(64), server_default="UTC")
    # Smallest number of member stores an area or trend cell must rest on before it is named or published.
    k_threshold: Mapped[int] = mapped_column(sa.SmallInteger, server_default="5")
    # When the digest goes out, in the association's time zone; weekday 0 is Monday (ignored when daily). A region
    # may override each of these and the k threshold (`regions.effective_settings`).
    digest_frequency: Mapped[str] = mapped_column(sa.String(10), server_default="weekly")
    digest_weekday: Mapped[int] = mapped_column(sa.SmallInteger, server_default="0")
    digest_hour: Mapped[int] = mapped_column(sa.SmallInteger, server_default="7")
    created_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())
    # Suspended by the platform operator (`associations.onboarding.suspend`): its people see a page saying so and
    # nothing else; nothing is deleted, and unsuspending gives everything back.
    suspended_at: Mapped[datetime | None]

    regions: Mapped[list[Region]] = relationship(back_populates="association", order_by="Region.name")
    # Loupe's own subscription (billing.platform): read with the person's memberships, and by the admin guard.
    platform_subscription: Mapped[AssociationSubscription | None] = relationship(viewonly=True, uselist=False)


class Region(SharedBase):
    """A region of an association. Its optional settings override the association's; NULL means inherited."""

    __tablename__ = "regions"
    __table_args__ = (
        sa.UniqueConstraint("association_id", "slug"),
        sa.CheckConstraint("digest_frequency IN ('weekly', 'daily')", name="digest_frequency_known"),
        sa.CheckConstraint("digest_weekday BETWEEN 0 AND 6", name="digest_weekday_range"),
        sa.CheckConstraint("digest_hour BETWEEN 0 AND 23", name="digest_hour_range"),
        sa.CheckConstraint(K_THRESHOLD_CHECK, name="k_threshold_range"),  # NULL (inherited) passes a CHECK
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    association_id: Mapped[int] = mapped_column(sa.ForeignKey("associations.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(sa.String(63))
    name: Mapped[str] = mapped_column(sa.String(200))
    k_threshold: Mapped[int | None] = mapped_column(sa.SmallInteger)
    digest_frequency: Mapped[str | None] = mapped_column(sa.String(10))
    digest_weekday: Mapped[int | None] = mapped_column(sa.SmallInteger)
    digest_hour: Mapped[int | None] = mapped_column(sa.SmallInteger)
    timezone: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())

    association: Mapped[Association] = relationship(back_populates="regions")
    areas: Mapped[list[Area]] = relationship(back_populates="region", order_by="Area.name")


class Area(SharedBase):
    __tablename__ = "areas"
    __table_args__ = (sa.UniqueConstraint("region_id", "slug"),)

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(sa.String(63))
    name: Mapped[str] = mapped_column(sa.String(200))

    region: Mapped[Region] = relationship(back_populates="areas")


class Store(SharedBase):
    """A member store. Its data lives in the schema named `schema_name`, generated from the id and immutable."""

    __tablename__ = "stores"
    __table_args__ = (
        sa.CheckConstraint("schema_name ~ '^store_[0-9]+$'", name="schema_name_generated"),
        sa.CheckConstraint("status IN ('provisioning', 'ready', 'suspended', 'failed')", name="status_known"),
        # The free-address check's `slug LIKE 'base-%'` (tenants.provisioning.register_store): the unique index
        # cannot serve LIKE under the database's collation, this one can.
        sa.Index("ix_stores_slug_pattern", "slug", postgresql_ops={"slug": "varchar_pattern_ops"}),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    association_id: Mapped[int] = mapped_column(sa.ForeignKey("associations.id"), index=True)
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id"), index=True)
    area_id: Mapped[int | None] = mapped_column(sa.ForeignKey("areas.id", ondelete="SET NULL"))
    slug: Mapped[str] = mapped_column(sa.String(63), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    schema_name: Mapped[str | None] = mapped_column(sa.String(63), unique=True)
    status: Mapped[str] = mapped_column(sa.String(20), server_default=StoreStatus.PROVISIONING.value)
    # Alembic revision of the store schema, mirrored here so the migration runner can skip stores at head
    # without touching their schemas.
    schema_revision: Mapped[str | None] = mapped_column(sa.String(64))
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())
    provisioned_at: Mapped[datetime | None]
    # The last time someone of the store signed in or saved something, to the hour (tenants.activity).
    last_activity_at: Mapped[datetime | None]
    # When the store saved its first police contact: a step of its set-up progress the association sees.
    police_contact_added_at: Mapped[datetime | None]
    suspended_at: Mapped[datetime | None]
    # The registry export an admin must download before asking for removal.
    exported_at: Mapped[datetime | None]
    # Removal asked for (and confirmed): `flask tenants purge-removed` drops the store after the grace period.
    removal_requested_at: Mapped[datetime | None]

    association: Mapped[Association] = relationship()
    region: Mapped[Region] = relationship()
    area: Mapped[Area | None] = relationship()

    @property
    def is_ready(self) -> bool:
        return self.status == StoreStatus.READY
