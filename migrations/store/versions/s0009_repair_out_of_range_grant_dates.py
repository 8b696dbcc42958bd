"""review grants' dates brought into the platform's range

Revision ID: s0009
Revises: s0008
Create Date: 2026-12-04

The store's side of shared revision 0017: a review grant made before dates were range-checked could hold
`until=9999-12-31`, and its pages failed for its whole life. Its slice dates are clamped to 1900-01-01..2200-12-31
(the same incidents), its access end to at most 90 days after it was made (what `review.grants.create_grant`
allows). Plain UPDATEs on unqualified names: replayed on every store like any other revision. Data only.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "s0009"
down_revision: str | Sequence[str] | None = "s0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Fixed here rather than imported: a migration keeps the rule of its day even if the platform's range changes later.
_EARLIEST, _LATEST = "DATE '1900-01-01'", "DATE '2200-12-31'"
# 90 days counted in UTC, with immutable functions only: `timestamptz + interval` is STABLE (it reads the session's
# time zone), and Citus refuses a STABLE function over a column in an UPDATE of a store table on a worker ("STABLE
# functions used in UPDATE queries cannot be called with column references"). Same result in a UTC session.
_NINETY_DAYS_ON = "((created_at AT TIME ZONE 'UTC') + INTERVAL '90 days') AT TIME ZONE 'UTC'"
REPAIRS = (
    f"UPDATE review_grants SET since = LEAST(GREATEST(since, {_EARLIEST}), {_LATEST}), "
    f"until = LEAST(GREATEST(until, {_EARLIEST}), {_LATEST}) "
    f"WHERE since NOT BETWEEN {_EARLIEST} AND {_LATEST} OR until NOT BETWEEN {_EARLIEST} AND {_LATEST}",
    f"UPDATE review_grants SET expires_at = {_NINETY_DAYS_ON} WHERE expires_at > {_NINETY_DAYS_ON}",
)


def upgrade() -> None:
    for statement in REPAIRS:
        op.execute(statement)


def downgrade() -> None:
    pass  # the repaired values were unusable; there is nothing to restore
