"""the store's own record of sightings it reported ("I saw this too")

Revision ID: s0008
Revises: s0007
Create Date: 2026-11-28

Store migrations are written without a schema: the runner binds each store's schema.
"""

from collections.abc import Sequence

revision: str = "s0008"
down_revision: str | Sequence[str] | None = "s0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
