"""The two declarative bases: shared tables live in the shared schema, store tables in each store's schema.

Store tables are declared without a schema; a Session bound through `tenants.binding` translates the blank
schema to the store's own. Models never import Flask.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from config import SHARED_SCHEMA

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Timezone-aware now; every timestamp column is `timestamptz`."""
    return datetime.now(UTC)


def this_hour(moment: datetime | None = None) -> datetime:
    """`moment` (default now) cut to the hour: the precision of every time a store's action writes in the shared
    schema (issue #17 item 6), so a bulletin's times cannot be lined up with a session's or a job's."""
    return (moment or utcnow()).replace(minute=0, second=0, microsecond=0)


# The server-side default of those columns: the transaction's time, cut to the hour.
HOUR_NOW = sa.text("date_trunc('hour', now())")


class SharedBase(DeclarativeBase):
    """Base of the shared-schema tables (registry, accounts, billing, anonymized data, audit)."""

    metadata = sa.MetaData(schema=SHARED_SCHEMA, naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: sa.DateTime(timezone=True)}


class StoreBase(DeclarativeBase):
    """Base of the tables inside each store's own schema."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: sa.DateTime(timezone=True)}


class Timestamped:
    """Creation and update times, set by the database clock."""

    created_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=sa.func.now(), onupdate=sa.func.now())


def N_(message: str) -> str:  # noqa: N802  (gettext's conventional name, which the catalogs' extraction knows)
    """Mark a label for the translation catalogs and keep it as it is (models never import Flask): labels of stored
    codes stay English in Python and in data, and are translated where they are shown (`_(label)`)."""
    return message
