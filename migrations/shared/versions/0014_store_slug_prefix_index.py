"""An index that serves the store-address check's prefix search (`slug LIKE 'base-%'`)

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29

Creating a store looks for the addresses already taken by its base slug (`base` and `base-2`, `base-3`, …). The
unique index on `slug` cannot serve `LIKE` under the database's collation, so the check scanned every registry
row (bench/findings.md); `varchar_pattern_ops` makes the prefix an index range whatever the collation.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_stores_slug_pattern", "stores", ["slug"], schema="loupe", postgresql_ops={"slug": "varchar_pattern_ops"}
    )


def downgrade() -> None:
    op.drop_index("ix_stores_slug_pattern", table_name="stores", schema="loupe")
