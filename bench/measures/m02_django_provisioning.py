"""Measure 2: django-tenants provisioning (tenant + domain rows → schema migrated) on the same server, same run.

At 0: `sample` tenants timed; at N: the data set is filled to N tenants (untimed), `sample` more are timed, then
dropped. The Django store app's models are generated from Loupe's store metadata (bench/django_side/generate.py).
"""

from __future__ import annotations

from pathlib import Path

from bench.harness import log
from bench.measures.m01_provisioning import production_path
from bench.stats import median, ratio, result, summary

NUMBER, PHASE = "2", 0
TARGET = "Loupe ≥ 8× faster (value = django-tenants median / Loupe median)"


def side(ctx):
    if "django" not in ctx.extra:
        from bench.django_run import DjangoSide

        if ctx.datadir is None:
            raise RuntimeError("the django-tenants side needs the embedded server (its socket folder)")
        ctx.extra["django"] = DjangoSide(ctx.owner, ctx.datadir, Path(ctx.tmp) / "django_side")
        ctx.extra["django_count"] = 0
    return ctx.extra["django"]


def checkpoint(ctx, stores: int) -> None:
    k = ctx.options.sample
    data = ctx.extra.setdefault("m2", {})
    if stores == 0:
        data["at_0"] = side(ctx).provision(0, k)
        ctx.extra["django_count"] = k
        log(f"  measure 2 at 0: django-tenants median {median(data['at_0']):.1f} ms")
    elif stores == ctx.options.stores:
        dj = side(ctx)
        have = ctx.extra["django_count"]
        log(f"  django-tenants: filling {have} → {stores} tenants (untimed)")
        dj.provision(have, stores - have)
        data["at_n"] = dj.provision(stores, k)
        dj.drop(stores, k)
        ctx.extra["django_count"] = stores
        log(f"  measure 2 at {stores}: django-tenants median {median(data['at_n']):.1f} ms")


def run(ctx) -> dict:
    data = ctx.extra.get("m2", {})
    m1 = ctx.extra.get("m1", {})
    loupe_0, loupe_n, path = production_path(m1)
    at_0, at_n = [round(x, 2) for x in data.get("at_0", [])], [round(x, 2) for x in data.get("at_n", [])]
    r0 = ratio(median(at_0), median(loupe_0), 2)
    rn = ratio(median(at_n), median(loupe_n), 2)
    versions = ctx.extra["django"].versions if "django" in ctx.extra else {}
    return result(
        r0,
        "× (django-tenants / Loupe median)",
        TARGET,
        [{"at_stores": 0, "ms": at_0}, {"at_stores": ctx.options.stores, "ms": at_n}],
        django_at_0=summary(at_0),
        django_at_n=summary(at_n),
        loupe_path=path,
        ratio_at_0=r0,
        ratio_at_n=rn,
        ratio_cold_build_at_0=ratio(median(at_0), median(m1.get("at_0", [])), 2),
        ratio_cold_build_at_n=ratio(median(at_n), median(m1.get("at_n", [])), 2),
        django_growth=ratio(median(at_n), median(at_0)),
        versions=versions,
    )
