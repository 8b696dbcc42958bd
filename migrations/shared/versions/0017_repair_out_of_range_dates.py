"""Stored dates brought into the platform's range: review pointers and bulletin expiry

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04

Before dates were range-checked (security/ranges.py), a review grant could be made for `until=9999-12-31`: its pages
then failed for the grant's whole life, because a day added to 9999-12-31 leaves what Python's date holds. This
revision repairs rows already written: a slice's dates are clamped to 1900-01-01..2200-12-31 (no incident lies
outside, so the slice shows the same incidents), a pointer's access end to at most 90 days after it was made (what
`review.grants.create_grant` allows), and a bulletin's expiry to the end of 2200. The pages also clamp what they
read, so a row this misses still opens. Data only: nothing to undo on downgrade.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Fixed here rather than imported: a migration keeps the rule of its day even if the platform's range changes later.
_EARLIEST, _LATEST = "DATE '1900-01-01'", "DATE '2200-12-31'"
_LAST_MOMENT = "TIMESTAMPTZ '2200-12-31 23:59:00+00'"
# 90 days counted in UTC, with immutable functions only: `timestamptz + interval` is STABLE, and Citus refuses a STABLE
# function over a column in an UPDATE of a table in its metadata (docs/scaling.md). Same result in a UTC session.
_NINETY_DAYS_ON = "((created_at AT TIME ZONE 'UTC') + INTERVAL '90 days') AT TIME ZONE 'UTC'"
REPAIRS = (
    f"UPDATE loupe.police_share_index SET since = LEAST(GREATEST(since, {_EARLIEST}), {_LATEST}), "
    f"until = LEAST(GREATEST(until, {_EARLIEST}), {_LATEST}) "
    f"WHERE since NOT BETWEEN {_EARLIEST} AND {_LATEST} OR until NOT BETWEEN {_EARLIEST} AND {_LATEST}",
    f"UPDATE loupe.police_share_index SET expires_at = {_NINETY_DAYS_ON} WHERE expires_at > {_NINETY_DAYS_ON}",
    f"UPDATE loupe.bulletins SET expires_at = {_LAST_MOMENT} WHERE expires_at > {_LAST_MOMENT}",
)


def upgrade() -> None:
    for statement in REPAIRS:
        op.execute(statement)


def downgrade() -> None:
    pass  # the repaired values were unusable; there is nothing to restore
