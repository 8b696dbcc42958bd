"""casing reports drafted offline carry the phone's key, so a draft sent twice files one incident (issue 19)

Revision ID: s0014
Revises: s0015
Create Date: 2026-12-04

Store migrations are written without a schema: the runner binds each store's schema.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "s0014"
down_revision: str | Sequence[str] | None = "s0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("incidents", sa.Column("draft_key", sa.Uuid(), nullable=True))
    op.create_unique_constraint(op.f("uq_incidents_draft_key"), "incidents", ["draft_key"])


def downgrade() -> None:
    op.drop_constraint(op.f("uq_incidents_draft_key"), "incidents", type_="unique")
    op.drop_column("incidents", "draft_key")
