"""Limits for docs/scaling.md, not a numbered measure: catalog size as stores grow, pg_dump of one store and of all.

Catalog size is the size of every relation in `pg_catalog` (tables, indexes, TOAST) and the number of `pg_class`
rows, read at each checkpoint (0, 10, 100, N stores); the per-1,000-stores figure is the slope between the first
and the last checkpoint. pg_dump runs against the same server: `-n store_<id>` for one store with its logbook
(one of the stores with about 300 entries), and the whole database.
"""

from __future__ import annotations

import subprocess
import time

import sqlalchemy as sa

from bench.harness import log
from bench.stats import median, result

NUMBER, PHASE = "scaling", 4  # last: it may restart the server (max_locks_per_transaction)
TARGET = "(figures for docs/scaling.md)"

CATALOG = sa.text(
    "SELECT sum(pg_total_relation_size(c.oid)), (SELECT count(*) FROM pg_class), pg_database_size(current_database())"
    " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'pg_catalog' AND c.relkind = 'r'"
)


def checkpoint(ctx, stores: int) -> None:
    with ctx.owner.connect() as conn:
        catalog, classes, database = (float(x) for x in conn.execute(CATALOG).one())
    ctx.extra.setdefault("catalog", {})[stores] = {
        "catalog_mb": round(catalog / 2**20, 1),
        "pg_class_rows": int(classes),
        "database_mb": round(database / 2**20, 1),
    }


class DumpFailed(RuntimeError):
    pass


def _dump(ctx, args: list[str]) -> float:
    url = sa.engine.make_url(ctx.owner_url)
    host = url.query.get("host") or url.host or ""
    cmd = [ctx.pg_bin("pg_dump"), "-h", host, "-U", url.username or "postgres", "-d", url.database, "-f", "/dev/null"]
    t0 = time.perf_counter()
    done = subprocess.run(
        [*cmd, *args], user=ctx.pg_user(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=1800
    )
    if done.returncode != 0:
        raise DumpFailed(done.stderr.strip().splitlines()[0][:300] if done.stderr.strip() else "pg_dump failed")
    return round(time.perf_counter() - t0, 2)


def _locks_setting(ctx) -> int:
    with ctx.owner.connect() as conn:
        return int(conn.scalar(sa.text("SHOW max_locks_per_transaction")))


def _raise_locks(ctx, value: int) -> None:
    """pg_dump locks every table of the database in one transaction: give the lock table room, restart."""
    with ctx.owner.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(f"ALTER SYSTEM SET max_locks_per_transaction = {int(value)}")
    ctx.owner.dispose()
    subprocess.run(
        [ctx.pg_bin("pg_ctl"), "-D", ctx.datadir, "-w", "-m", "fast", "-l", f"{ctx.datadir}/restart.log", "restart"],
        user=ctx.pg_user(), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120,
    )  # fmt: skip


def run(ctx) -> dict:
    data = ctx.extra.get("catalog", {})
    sizes = sorted(data)
    per_1000 = {}
    if len(sizes) >= 2 and sizes[-1] > sizes[0]:
        first, last = data[sizes[0]], data[sizes[-1]]
        scale = 1000 / (sizes[-1] - sizes[0])
        per_1000 = {k: round((last[k] - first[k]) * scale, 1) for k in first}
    heavy = ctx.stores[0]
    one = [_dump(ctx, ["-n", heavy.schema]) for _ in range(3)]
    default_locks, failure, raised_to = _locks_setting(ctx), None, None
    try:
        everything = [_dump(ctx, [])]
    except DumpFailed as exc:
        failure = str(exc)
        log(f"  pg_dump of everything failed with max_locks_per_transaction={default_locks}: {failure[:120]}")
        if ctx.datadir is None:
            raise
        raised_to = 1024
        _raise_locks(ctx, raised_to)
        everything = [_dump(ctx, [])]
    log(f"  pg_dump: one store {median(one):.2f} s, whole database {median(everything):.1f} s")
    return result(
        per_1000.get("catalog_mb"),
        "MB of catalog per 1,000 stores",
        TARGET,
        [{"pg_dump_one_store_s": one, "pg_dump_all_s": everything}],
        catalog_by_stores={str(n): v for n, v in data.items()},
        per_1000_stores=per_1000,
        pg_dump_one_store_s=median(one),
        pg_dump_all_s=median(everything),
        pg_dump_all_default_locks=default_locks,
        pg_dump_all_failure_with_default=failure,
        pg_dump_all_max_locks_per_transaction=raised_to or default_locks,
        stores=len(ctx.stores),
        django_tenants_in_same_server="a separate database (djangobench); not in these sizes"
        if "django" in ctx.extra
        else None,
    )
