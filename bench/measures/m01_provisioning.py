"""Measure 1: `tenants.provisioning.create_store` (registry row → schema ready), at 0 and at N existing stores.

At 0 and at N existing stores: `sample` stores are created and timed, then dropped again
(`tenants.provisioning.drop_store`), so the data set itself is grown separately (and stays at N). If tenants/
offers a warm pool of pre-built schemas (`tenants.pool.fill_pool`), "cold build" is timed with the pool unused
and "from the pool" after filling the pool with `sample` schemas (untimed), both through `create_store` (the pool
path in `runs` rounds: a claim is quick enough for a neighbour's burst of load to move one round's median). The
value is the production path (the warm pool, kept stocked by `flask tenants pool fill`); the cold build — what a
store costs when the pool has run dry — is reported beside it.
"""

from __future__ import annotations

from bench.harness import log
from bench.stats import ratio, result, summary

NUMBER, PHASE = "1", 0
TARGET = "median ≤ 20 ms; no growth beyond 1.5×"


def checkpoint(ctx, stores: int) -> None:
    data = ctx.extra.setdefault("m1", {})
    k = ctx.options.sample
    from tenants.provisioning import drop_store

    if stores == 0:
        rows = [ctx.new_store(j, seed=False, use_pool=False) for j in range(k)]
        data["at_0"] = [round(r.provision_ms, 2) for r in rows]
        for r in rows:
            drop_store(ctx.owner, r.id)
        log(f"  measure 1 at 0: median {summary(data['at_0'])['median']} ms")
        data["pool_at_0"] = _pool(ctx, k, 0)
    elif stores == ctx.options.stores:
        rows = [ctx.new_store(len(ctx.stores) + j, seed=False, use_pool=False) for j in range(k)]
        data["at_n"] = [round(r.provision_ms, 2) for r in rows]
        for r in rows:
            drop_store(ctx.owner, r.id)
        log(f"  measure 1 at {stores}: median {summary(data['at_n'])['median']} ms")
        data["pool_at_n"] = _pool(ctx, k, len(ctx.stores))


def _pool(ctx, k: int, index: int) -> list[float] | None:
    """`create_store` from a warm pool of `k` pre-built schemas (filled untimed); None when tenants/ has no pool."""
    try:
        from tenants import pool
    except ImportError:
        return None
    from bench.harness import APP_ROLE
    from tenants.migrations import store_head
    from tenants.provisioning import drop_store

    # A claim takes ~10 ms, so one round of `k` is over in a fraction of a second and a burst of load from a
    # neighbour on this shared machine moves its median: `runs` rounds, each from a freshly filled pool.
    ms: list[float] = []
    for _ in range(ctx.options.runs):
        pool.fill_pool(ctx.owner, k, revision=store_head(), app_role=APP_ROLE)
        ctx.settle()  # filling the pool is DDL: let autovacuum catch up before the claims are timed
        rows = [ctx.new_store(index + j, seed=False) for j in range(k)]
        for r in rows:
            drop_store(ctx.owner, r.id)
        ms.extend(round(r.provision_ms, 2) for r in rows)
        log(f"  measure 1 from the warm pool at {index}: round median {summary(ms[-k:])['median']} ms")
    return ms


def production_path(data: dict) -> tuple[list[float], list[float], str]:
    """(ms at 0, ms at N, which path): what `create_store` does in production — a claim from the warm pool, which
    `flask tenants pool fill` keeps stocked — or the cold build when tenants/ has no pool."""
    if data.get("pool_at_0") and data.get("pool_at_n"):
        return data["pool_at_0"], data["pool_at_n"], "warm pool"
    return data.get("at_0", []), data.get("at_n", []), "cold build"


def run(ctx) -> dict:
    data = ctx.extra.get("m1", {})
    at_0, at_n, path = production_path(data)
    s0, sn = summary(at_0), summary(at_n)
    c0, cn = summary(data.get("at_0", [])), summary(data.get("at_n", []))
    return result(
        s0["median"],
        "ms",
        TARGET,
        [
            {"at_stores": 0, "path": path, "ms": at_0},
            {"at_stores": ctx.options.stores, "path": path, "ms": at_n},
            {"at_stores": 0, "path": "cold build", "ms": data.get("at_0", [])},
            {"at_stores": ctx.options.stores, "path": "cold build", "ms": data.get("at_n", [])},
        ],
        path=path,
        at_0=s0,
        at_n=sn,
        growth=ratio(sn["median"], s0["median"]),
        cold_at_0=c0,
        cold_at_n=cn,
        cold_growth=ratio(cn["median"], c0["median"]),
        data_folder="tmpfs (/dev/shm)" if ctx.tmp.startswith("/dev/shm") else ctx.tmp,
    )
