"""Measure 8: PostgreSQL backend memory after a soak that touches every store.

(a) gunicorn as in measure 5 (4 sync workers; pool per worker: DATABASE_POOL_SIZE=5, DATABASE_MAX_OVERFLOW=5,
pool_recycle=1800 s, DATABASE_STORES_PER_CONNECTION=200: at most 4 × 10 backends, each living at most 30 minutes
and retired once it has served 200 stores — tenants.binding.limit_stores_per_connection); wrk walks every
store's dashboard in turn (each store several times); then the private memory (USS) and RSS of every backend
of the app role is read from /proc. (b) worst case for one backend: one connection reads every table of every
store schema, then reads its own `pg_backend_memory_contexts` (CacheMemoryContext holds the catalog caches): what
a backend without that budget reaches.
"""

from __future__ import annotations

import os
import time

import psutil
import sqlalchemy as sa

from bench.harness import APP_ROLE, log
from bench.stats import result
from bench.web import Gunicorn, write_lua, wrk

NUMBER, PHASE = "8", 1
TARGET = "≤ 100 MB per backend, bounded by pool"
POOL = {"workers": 4, "DATABASE_POOL_SIZE": 5, "DATABASE_MAX_OVERFLOW": 5, "pool_recycle_s": 1800,
        "DATABASE_STORES_PER_CONNECTION": 200}  # fmt: skip


def _backends(ctx) -> list[dict]:
    with ctx.owner.connect() as conn:
        pids = conn.scalars(sa.text("SELECT pid FROM pg_stat_activity WHERE usename = :r"), {"r": APP_ROLE}).all()
    out = []
    for pid in pids:
        try:
            info = psutil.Process(pid).memory_full_info()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        out.append({"pid": pid, "uss_mb": round(info.uss / 2**20, 1), "rss_mb": round(info.rss / 2**20, 1)})
    return out


def _sweep(ctx) -> dict:
    from models import StoreBase

    tables = [t.name for t in StoreBase.metadata.sorted_tables]
    t0 = time.perf_counter()
    with ctx.owner.connect() as conn:
        before = float(conn.scalar(sa.text("SELECT sum(total_bytes) FROM pg_backend_memory_contexts")))
        for store in ctx.stores:
            conn.exec_driver_sql(
                " UNION ALL ".join(f'SELECT count(*) FROM "{store.schema}"."{t}"' for t in tables)
            ).all()
            conn.commit()  # one transaction per store: its locks go, the caches stay
        rows = conn.execute(
            sa.text("SELECT name, sum(total_bytes) FROM pg_backend_memory_contexts GROUP BY name ORDER BY 2 DESC")
        ).all()
        total = float(conn.scalar(sa.text("SELECT sum(total_bytes) FROM pg_backend_memory_contexts")))
        pid = conn.scalar(sa.text("SELECT pg_backend_pid()"))
        info = psutil.Process(pid).memory_full_info()
        conn.rollback()
    contexts = {name: round(float(b) / 2**20, 1) for name, b in rows[:6]}
    return {
        "relations_read": len(ctx.stores) * len(tables),
        "contexts_before_mb": round(before / 2**20, 1),
        "contexts_after_mb": round(total / 2**20, 1),
        "largest_contexts_mb": contexts,
        "uss_mb": round(info.uss / 2**20, 1),
        "seconds": round(time.perf_counter() - t0, 1),
    }


def run(ctx) -> dict:
    every = ctx.extra.get("all_targets") or [(f"/s/{s.slug}/", ctx.session_cookie(s.owner_id)) for s in ctx.stores]
    lua = write_lua(os.path.join(ctx.tmp, "soak.lua"), every)
    env = {k: str(v) for k, v in ctx.app_settings().items()}
    loupe = Gunicorn("app:create_app()", env, os.path.join(ctx.tmp, "gunicorn-soak.log"), probe="/login")
    try:
        idle = _backends(ctx)
        # Long enough to reach every store at least once at the throughput measured in measure 5's rounds.
        rps = min((r["rps"] for r in ctx.extra.get("web", {}).get("all", [])), default=0)
        seconds = ctx.options.soak if not rps else min(300, max(ctx.options.soak, 1.3 * len(every) / rps))
        soak = wrk(loupe.base, lua, seconds, mode="seq")
        log(f"  soak: {soak['requests']} requests over {len(every)} stores, {soak['errors']} errors")
        after = _backends(ctx)
    finally:
        loupe.stop()
    sweep = _sweep(ctx)
    log(f"  one backend reading every table of every store: contexts {sweep['contexts_after_mb']} MB")
    worst = max((b["uss_mb"] for b in after), default=None)
    return result(
        worst,
        "MB (largest backend, private memory)",
        TARGET,
        [{"after_soak": after, "before_soak": idle}],
        soak=soak,
        passes_over_every_store=round(soak["requests"] / max(1, len(every)), 1),
        backends_after_soak=len(after),
        largest_rss_mb=max((b["rss_mb"] for b in after), default=None),
        one_backend_every_table=sweep,
        pool=POOL,
    )
