"""security briefing and emergency response plans

Revision ID: s0003
Revises: s0002
Create Date: 2026-11-27

Store migrations are written without a schema: the runner binds each store's schema.
"""

from collections.abc import Sequence

revision: str = "s0003"
down_revision: str | Sequence[str] | None = "s0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
