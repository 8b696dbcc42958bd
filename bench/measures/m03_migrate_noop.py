"""Measure 3: migrate every store schema with nothing to apply (`tenants.migrations.migrate_all_stores`, 2 workers),
against django-tenants' `migrate_schemas --tenant` (standard and multiprocessing executors, 2 processes)."""

from __future__ import annotations

import time

from bench.harness import APP_ROLE, log
from bench.stats import median, ratio, result, summary

NUMBER, PHASE = "3", 3
TARGET = "≤ 1 s (django-tenants side by side)"


def run(ctx) -> dict:
    from tenants.migrations import migrate_all_stores

    loupe = []
    for _ in range(max(ctx.options.runs, 5)):
        t0 = time.perf_counter()
        report = migrate_all_stores(ctx.owner, workers=2, app_role=APP_ROLE)
        loupe.append(round(time.perf_counter() - t0, 4))
        assert report.ok and not report.upgraded, report
    log(f"  measure 3: Loupe median {median(loupe):.3f} s over {report.already_current} stores")
    dj_std, dj_mp = [], []
    if "django" in ctx.extra:
        dj = ctx.extra["django"]
        for _ in range(ctx.options.django_runs):
            dj_std.append(round(dj.migrate(), 3))
            dj_mp.append(round(dj.migrate(multiprocessing=True), 3))
            log(f"  measure 3: django-tenants {dj_std[-1]:.1f} s, multiprocessing {dj_mp[-1]:.1f} s")
    return result(
        round(median(loupe), 4),
        "s",
        TARGET,
        [{"loupe_s": loupe, "django_standard_s": dj_std, "django_multiprocessing_s": dj_mp}],
        stores=report.already_current,
        loupe=summary(loupe, 4),
        django_standard=summary(dj_std),
        django_multiprocessing=summary(dj_mp),
        django_tenants=ctx.extra.get("django_count"),
        speedup_vs_django_multiprocessing=ratio(median(dj_mp), median(loupe), 1),
    )
