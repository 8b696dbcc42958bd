"""The k threshold stays within the range the admin form allows (2..50), for associations and regions alike

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04

k is the anonymity floor: an area or trend cell is named or published only when it rests on at least k member
stores. A k of 1 names a single store; the form and `regions.effective_settings` assumed a sane value but nothing
stopped a script or a hand-written UPDATE from storing one. A region's NULL (inherited) passes the CHECK. A row
already out of range makes the upgrade fail rather than being changed silently: fix it by hand first.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Fixed here rather than imported: a migration keeps the rule of its day even if the domain's range changes later.
_CONDITION = "k_threshold BETWEEN 2 AND 50"


def upgrade() -> None:
    for table in ("associations", "regions"):
        op.create_check_constraint(op.f(f"ck_{table}_k_threshold_range"), table, _CONDITION, schema="loupe")


def downgrade() -> None:
    for table in ("regions", "associations"):
        op.drop_constraint(op.f(f"ck_{table}_k_threshold_range"), table, type_="check", schema="loupe")
