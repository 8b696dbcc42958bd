"""merging duplicate bulletins: bulletins.merged_into_id and the status 'merged'

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STATUSES_BEFORE = "status IN ('pending', 'published', 'rejected', 'withdrawn', 'retired')"
_STATUSES_AFTER = "status IN ('pending', 'published', 'rejected', 'withdrawn', 'retired', 'merged')"


def upgrade() -> None:
    op.add_column("bulletins", sa.Column("merged_into_id", sa.BigInteger(), nullable=True), schema="loupe")
    op.create_foreign_key(
        op.f("fk_bulletins_merged_into_id_bulletins"),
        "bulletins",
        "bulletins",
        ["merged_into_id"],
        ["id"],
        source_schema="loupe",
        referent_schema="loupe",
        ondelete="SET NULL",
    )
    op.drop_constraint(op.f("ck_bulletins_status_known"), "bulletins", schema="loupe", type_="check")
    op.create_check_constraint(op.f("ck_bulletins_status_known"), "bulletins", _STATUSES_AFTER, schema="loupe")


def downgrade() -> None:
    # A merged bulletin goes back to the moderation queue's "retired" list (it was out of the feed already).
    op.execute("UPDATE loupe.bulletins SET status = 'retired' WHERE status = 'merged'")
    op.drop_constraint(op.f("ck_bulletins_status_known"), "bulletins", schema="loupe", type_="check")
    op.create_check_constraint(op.f("ck_bulletins_status_known"), "bulletins", _STATUSES_BEFORE, schema="loupe")
    op.drop_constraint(op.f("fk_bulletins_merged_into_id_bulletins"), "bulletins", schema="loupe", type_="foreignkey")
    op.drop_column("bulletins", "merged_into_id", schema="loupe")
