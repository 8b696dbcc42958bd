"""patrol and extra-watch requests, trips (away mode), patrol log

Revision ID: s0004
Revises: s0003
Create Date: 2026-11-27

Store migrations are written without a schema: the runner binds each store's schema.
"""

from collections.abc import Sequence

revision: str = "s0004"
down_revision: str | Sequence[str] | None = "s0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
