"""the warm pool of pre-built, unassigned store schemas

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "schema_pool",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("schema_name", sa.String(63), nullable=False),
        sa.Column("revision", sa.String(32), nullable=False),
        sa.Column("app_role", sa.String(63), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schema_pool")),
        sa.UniqueConstraint("schema_name", name=op.f("uq_schema_pool_schema_name")),
        schema="loupe",
    )
    # The pool is the owner's business (provisioning jobs): `database.engines.grant_shared_tables` keeps the app
    # role off this table.


def downgrade() -> None:
    # Unassigned pool schemas hold no store data: drop them with their rows.
    bind = op.get_bind()
    for (name,) in bind.execute(sa.text("SELECT schema_name FROM loupe.schema_pool")).all():
        if name.startswith("pool_") and name[5:].isdigit():
            op.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
    op.drop_table("schema_pool", schema="loupe")
