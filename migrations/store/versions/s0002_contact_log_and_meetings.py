"""contact log, meetings, agenda templates, follow-up actions

Revision ID: s0002
Revises: s0001
Create Date: 2026-11-27

Store migrations are written without a schema: the runner binds each store's schema.
"""

from collections.abc import Sequence

revision: str = "s0002"
down_revision: str | Sequence[str] | None = "s0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
