"""Measure 4: one new store revision (a column + an index on police_contacts) over every store, 2 workers.

Loupe: the revision is added only for the bench through `migrate_all_stores(extra_version_locations=…)` (as
tests/tenants/test_migrate_all.py does); each run adds one more (t9001, t9002, …). django-tenants: the same
operations as a new migration of the store app, `migrate_schemas --tenant` standard and multiprocessing (2).
"""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

from bench.harness import APP_ROLE, log
from bench.stats import median, ratio, result, summary

NUMBER, PHASE = "4", 3
TARGET = "≤ 10 s with 2 workers (django-tenants side by side)"

REVISION = textwrap.dedent(
    '''
    """bench only: a column and an index"""
    import sqlalchemy as sa
    from alembic import op

    revision = "{rev}"
    down_revision = "{down}"
    branch_labels = None
    depends_on = None


    def upgrade():
        op.add_column("police_contacts", sa.Column("{col}", sa.String(40), nullable=True))
        op.create_index("ix_police_contacts_{col}", "police_contacts", ["{col}"])


    def downgrade():
        op.drop_index("ix_police_contacts_{col}", table_name="police_contacts")
        op.drop_column("police_contacts", "{col}")
    '''
)


def run(ctx) -> dict:
    from tenants.migrations import migrate_all_stores, store_head

    folder = Path(ctx.tmp) / "bench_versions"
    folder.mkdir(exist_ok=True)
    down = store_head()
    loupe, stores = [], 0
    for i in range(1, ctx.options.runs + 1):
        rev = f"t90{i:02d}"
        (folder / f"{rev}_bench_badge.py").write_text(REVISION.format(rev=rev, down=down, col=f"badge_{i}"))
        down = rev
        t0 = time.perf_counter()
        report = migrate_all_stores(ctx.owner, workers=2, app_role=APP_ROLE, extra_version_locations=[folder])
        loupe.append(round(time.perf_counter() - t0, 3))
        stores = len(report.upgraded)
        if not report.ok:
            raise RuntimeError(f"bench migration failed: {list(report.failed.items())[:3]}")
        log(f"  measure 4: Loupe run {i}: {loupe[-1]:.2f} s for {stores} stores")
    dj_std, dj_mp = [], []
    if "django" in ctx.extra:
        dj = ctx.extra["django"]
        for _ in range(ctx.options.django_runs):
            dj.add_bench_migration()
            dj_std.append(round(dj.migrate(), 3))
            dj.add_bench_migration()
            dj_mp.append(round(dj.migrate(multiprocessing=True), 3))
            log(f"  measure 4: django-tenants {dj_std[-1]:.1f} s, multiprocessing {dj_mp[-1]:.1f} s")
    return result(
        round(median(loupe), 3),
        "s",
        TARGET,
        [{"loupe_s": loupe, "django_standard_s": dj_std, "django_multiprocessing_s": dj_mp}],
        stores=stores,
        workers=2,
        loupe=summary(loupe, 3),
        django_standard=summary(dj_std),
        django_multiprocessing=summary(dj_mp),
        speedup_vs_django_multiprocessing=ratio(median(dj_mp), median(loupe), 1),
    )
