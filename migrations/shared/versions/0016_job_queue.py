"""The job queue: procrastinate's tables and functions in their own schema, `loupe_jobs`

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04

Background work (email delivery, pattern detection, schema builds, digest runs, pool refills, purges) is a row in
`loupe_jobs.procrastinate_jobs`, written in the transaction of whatever caused it and run by `flask jobs worker`.
The schema is procrastinate's own (its `schema.sql`, from the pinned package), created with the search_path set to
`loupe_jobs` so its unqualified names land there. Every function then gets that search_path fixed, so it works from
a connection whose search_path is the app role's empty schema; the two functions requests call (defer a job, retry a
failed one) run as the owner, so the app role needs no rights on the queue's tables beyond reading them.

Upgrading procrastinate: apply the SQL deltas it ships for the versions crossed, in a new revision, the same way.
"""

from collections.abc import Sequence

from alembic import op
from procrastinate.schema import SchemaManager

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JOBS_SCHEMA = "loupe_jobs"


def upgrade() -> None:
    op.execute(f"CREATE SCHEMA {JOBS_SCHEMA}")
    previous = op.get_bind().exec_driver_sql("SELECT current_setting('search_path')").scalar()
    op.execute(f"SELECT set_config('search_path', '{JOBS_SCHEMA}', true)")
    # Straight to psycopg with no parameters: the schema's own '%' must not be read as placeholders.
    with op.get_bind().connection.driver_connection.cursor() as cursor:
        cursor.execute(SchemaManager.get_schema())
    op.get_bind().exec_driver_sql("SELECT set_config('search_path', %(p)s, true)", {"p": previous})
    op.execute(
        f"""
        DO $$
        DECLARE f regprocedure;
        BEGIN
            FOR f IN SELECT p.oid::regprocedure FROM pg_proc p WHERE p.pronamespace = '{JOBS_SCHEMA}'::regnamespace
            LOOP
                EXECUTE format('ALTER FUNCTION %s SET search_path = {JOBS_SCHEMA}, pg_temp', f);
            END LOOP;
        END $$;
        """
    )
    op.execute(
        f"ALTER FUNCTION {JOBS_SCHEMA}.procrastinate_defer_jobs_v1({JOBS_SCHEMA}.procrastinate_job_to_defer_v1[]) "
        "SECURITY DEFINER"
    )
    op.execute(
        f"ALTER FUNCTION {JOBS_SCHEMA}.procrastinate_retry_job_v2(bigint, timestamp with time zone, integer, "
        "character varying, character varying) SECURITY DEFINER"
    )
    op.execute(f"REVOKE ALL ON ALL FUNCTIONS IN SCHEMA {JOBS_SCHEMA} FROM PUBLIC")


def downgrade() -> None:
    op.execute(f"DROP SCHEMA {JOBS_SCHEMA} CASCADE")
