"""Citus beside the single server, in one run (issue #21; docs/scaling.md): provisioning (cold build and pool claim),
one migration revision per store, dashboard throughput, and a store schema moved to another worker under writes.

Runs only when a cluster is given: CITUS_URL (the coordinator, e.g. postgresql+psycopg://postgres@127.0.0.1:9700/
postgres) and CITUS_WORKERS ("host:port,host:port"); otherwise it records "skipped" with that message, so
`make bench` on a fresh machine runs as before. Both sides get a fresh database of their own, built the same way
(roles, shared schema, two associations of the harness), on the bench's server and on the cluster (created on every
node, extension, workers registered, schema-based sharding on, `flask db citus-prepare`); both are dropped at the end.

The dashboard figure is the Flask app in this process (test client, one thread, the owner's real session cookie),
the same for both sides: it compares the database's cost per page, not gunicorn.
"""

from __future__ import annotations

import os
import random
import threading
import time
import uuid
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from bench.harness import APP_ROLE, Context, log
from bench.stats import ratio, result, summary

NUMBER, PHASE = "citus", 2
TARGET = "measured beside the single server (no target): the pool matters more on Citus"
SKIPPED = "skipped: no Citus cluster given (set CITUS_URL and CITUS_WORKERS to measure one)"

REVISION = '''"""bench-only: a column and an index on every store"""
import sqlalchemy as sa
from alembic import op

revision = "b9001"
down_revision = "{down}"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("police_contacts", sa.Column("bench_badge", sa.String(40), nullable=True))
    op.create_index("ix_police_contacts_bench_badge", "police_contacts", ["bench_badge"])


def downgrade():
    pass
'''


def workers_from_env() -> list[tuple[str, int]]:
    pairs = []
    for item in filter(None, (p.strip() for p in os.environ.get("CITUS_WORKERS", "").split(","))):
        host, _, port = item.rpartition(":")
        pairs.append((host, int(port)))
    return pairs


def _create_database(base: sa.URL, name: str, workers: list[tuple[str, int]]) -> list[sa.URL]:
    """`name` on the server of `base` (and on each worker); returns the admin URLs to drop it from, coordinator last."""
    admins = [base.set(host=h, port=p) for h, p in workers] + [base]
    for admin in admins:
        engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        engine.dispose()
    if workers:
        url = base.set(database=name)
        for h, p in workers:
            engine = sa.create_engine(url.set(host=h, port=p), isolation_level="AUTOCOMMIT")
            with engine.connect() as conn:
                conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS citus")
            engine.dispose()
        engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS citus")
            conn.execute(sa.text("SELECT citus_set_coordinator_host(:h, :p)"), {"h": url.host, "p": url.port or 5432})
            for h, p in workers:
                conn.execute(sa.text("SELECT citus_add_node(:h, :p)"), {"h": h, "p": p})
            conn.exec_driver_sql(f'ALTER DATABASE "{name}" SET citus.enable_schema_based_sharding = on')
        engine.dispose()
    return list(reversed(admins))


def _drop_database(admins: list[sa.URL], name: str) -> None:
    for admin in admins:
        engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        engine.dispose()


def _side(ctx: Context, url: sa.URL, *, citus: bool) -> Context:
    """A harness context on a fresh database (the bench's keys and password hash), its shared schema ready."""
    from database.citus import prepare_shared_tables
    from database.engines import ensure_roles
    from database.migrate import upgrade_shared

    owner = sa.create_engine(url, pool_pre_ping=True)
    side = Context(
        options=ctx.options, tmp=ctx.tmp, datadir=None, owner_url=url.render_as_string(hide_password=False), owner=owner
    )
    side.secret_key, side.billing_key, side._password_hash = ctx.secret_key, ctx.billing_key, ctx._password_hash
    ensure_roles(owner, APP_ROLE)
    upgrade_shared(owner)
    ensure_roles(owner, APP_ROLE)
    if citus:
        prepare_shared_tables(owner)
        ensure_roles(owner, APP_ROLE)  # as `flask db citus-prepare` does: the conversion drops the sequences' grants
    side._make_associations()
    return side


def _close(side: Context) -> None:
    if side._app is not None:
        from database.request_scope import engines

        with side._app.app_context():
            engines().app.dispose()
            engines().owner.dispose()
    side.owner.dispose()


def _provisioning(side: Context, count: int) -> dict:
    from tenants.migrations import store_head
    from tenants.pool import fill_pool

    cold = [side.new_store(seed=False, use_pool=False) for _ in range(count)]
    t0 = time.perf_counter()
    built = fill_pool(side.owner, count, revision=store_head(), app_role=APP_ROLE)
    fill_ms = (time.perf_counter() - t0) * 1000 / max(built, 1)
    warm = [side.new_store(seed=False, use_pool=True) for _ in range(count)]
    side.stores.extend(cold + warm)
    return {
        "cold_build_ms": summary([r.provision_ms for r in cold]),
        "pool_fill_ms_per_schema": round(fill_ms, 1),
        "pool_claim_ms": summary([r.provision_ms for r in warm]),
    }


def _seed(side: Context) -> None:
    from demo.logbook import seed_logbook
    from models.base import utcnow
    from tenants.binding import store_session

    for i, row in enumerate(side.stores):
        if i % 2 == 0:
            with store_session(side.owner, row.schema) as session:
                seed_logbook(session, store_name=f"Bench Store {i + 1}", now=utcnow())
                session.commit()


def _dashboard(side: Context, requests: int) -> dict:
    client = side.app.test_client(use_cookies=False)  # its own cookie jar would drop the Cookie header we send
    cookies = [(f"/s/{s.slug}/", side.session_cookie(s.owner_id)) for s in side.stores]
    chooser = random.Random(7)
    for path, cookie in cookies[:3]:  # warm-up: imports, pools, caches
        client.get(path, headers={"Cookie": cookie})
    times, statuses = [], {}
    started = time.perf_counter()
    for _ in range(requests):
        path, cookie = chooser.choice(cookies)
        t0 = time.perf_counter()
        status = client.get(path, headers={"Cookie": cookie}).status_code
        times.append((time.perf_counter() - t0) * 1000)
        statuses[status] = statuses.get(status, 0) + 1
    wall = time.perf_counter() - started
    errors = requests - statuses.get(200, 0)
    return {"rps": round(requests / wall, 1), "ms": summary(times), "errors": errors, "statuses": statuses,
            "requests": requests}  # fmt: skip


def _migration(side: Context, folder: Path) -> dict:
    from tenants.migrations import migrate_all_stores

    stores = len(side.stores)
    t0 = time.perf_counter()
    report = migrate_all_stores(side.owner, workers=2, app_role=APP_ROLE, extra_version_locations=[folder])
    seconds = time.perf_counter() - t0
    return {
        "stores": stores,
        "seconds": round(seconds, 2),
        "ms_per_store": round(seconds * 1000 / max(stores, 1), 1),
        "upgraded": len(report.upgraded),
        "failed": len(report.failed),
        "first_error": next(iter(report.failed.values()), None),
        "pool_upgraded": len(report.pool_upgraded),
    }


def _placement(conn, schema: str) -> tuple[str, int]:
    return tuple(
        conn.execute(
            sa.text("SELECT nodename, nodeport FROM citus_shards WHERE table_name = CAST(:t AS regclass) LIMIT 1"),
            {"t": f"{schema}.police_contacts"},
        ).one()
    )


# Logical replication copies the schema while writes go on; only the final switch blocks them.
_MOVE = sa.text("SELECT citus_schema_move(CAST(:s AS regnamespace), :h, :p, shard_transfer_mode => 'force_logical')")


def _move_under_load(side: Context, workers: list[tuple[str, int]], writers: int = 2) -> dict:
    """Move one store's schema to the other worker while `writers` threads insert into it without pause."""
    from models import PoliceContact
    from tenants.binding import store_session

    row = side.stores[0]
    with side.owner.connect() as conn:
        before = _placement(conn, row.schema)
    target = next(w for w in workers if w != before)
    stop = threading.Event()
    stats = {"writes": 0, "errors": 0, "longest_ms": 0.0, "first_error": None}
    lock = threading.Lock()

    def write() -> None:
        while not stop.is_set():
            t0 = time.perf_counter()
            try:
                with store_session(side.owner, row.schema) as session:
                    session.add(PoliceContact(agency="Bench Police", officer_name="PC Move", preferred_contact="phone"))
                    session.commit()
                failed = None
            except Exception as exc:  # counted: the figure is how many writes a move breaks
                failed = f"{type(exc).__name__}: {exc}"[:300]
            took = (time.perf_counter() - t0) * 1000
            with lock:
                stats["writes"] += 1
                stats["longest_ms"] = max(stats["longest_ms"], took)
                if failed:
                    stats["errors"] += 1
                    stats["first_error"] = stats["first_error"] or failed

    threads = [threading.Thread(target=write, daemon=True) for _ in range(writers)]
    for thread in threads:
        thread.start()
    time.sleep(1.0)
    t0 = time.perf_counter()
    with side.owner.connect() as conn:
        conn.execute(_MOVE, {"s": row.schema, "h": target[0], "p": target[1]})
        conn.commit()
    move_s = time.perf_counter() - t0
    time.sleep(1.0)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    with side.owner.connect() as conn:
        after = _placement(conn, row.schema)
    return {
        "move_s": round(move_s, 2),
        "from": f"{before[0]}:{before[1]}",
        "to": f"{after[0]}:{after[1]}",
        "moved": after == target,
        "writers": writers,
        "writes": stats["writes"],
        "errors": stats["errors"],
        "first_error": stats["first_error"],
        "longest_blocked_write_ms": round(stats["longest_ms"], 1),
        "shard_transfer_mode": "force_logical (needs wal_level=logical on every node)",
    }


def _measure(ctx: Context, url: sa.URL, workers: list[tuple[str, int]], folder: Path) -> dict:
    citus = bool(workers)
    label = "citus" if citus else "single"
    name = f"loupe_bench_{label}_{uuid.uuid4().hex[:8]}"
    admins = _create_database(url, name, workers)
    side = None
    try:
        side = _side(ctx, url.set(database=name), citus=citus)
        count = max(5, min(ctx.options.sample, 30))
        log(f"  {label}: {count} cold builds, {count} pool claims")
        entry = {"provisioning": _provisioning(side, count)}
        _seed(side)
        requests = max(200, ctx.options.iterations // 2)
        log(f"  {label}: dashboard, {requests} requests over {len(side.stores)} stores")
        entry["dashboard"] = _dashboard(side, requests)
        log(f"  {label}: one revision on every store")
        entry["migration"] = _migration(side, folder)
        if citus:
            log(f"  {label}: citus_schema_move of one store under writes")
            entry["schema_move"] = _move_under_load(side, workers)
            with side.owner.connect() as conn:
                entry["stores_per_node"] = {
                    f"{h}:{p}": n
                    for h, p, n in conn.execute(
                        sa.text(
                            "SELECT nodename, nodeport, count(DISTINCT colocation_id) FROM citus_shards "
                            "WHERE citus_table_type = 'schema' GROUP BY 1, 2 ORDER BY 1, 2"
                        )
                    )
                }
        return entry
    finally:
        if side is not None:
            _close(side)
        _drop_database(admins, name)


def run(ctx: Context) -> dict:
    from tenants.migrations import store_head

    citus_url = os.environ.get("CITUS_URL")
    workers = workers_from_env()
    if not citus_url or len(workers) < 2:
        log(f"  {SKIPPED}")
        return result(None, "ms", TARGET, [], status=SKIPPED)
    folder = Path(ctx.tmp) / "citus_bench_versions"
    folder.mkdir(exist_ok=True)
    (folder / "b9001_bench.py").write_text(REVISION.format(down=store_head()))
    single = _measure(ctx, make_url(ctx.owner_url).set(database="postgres"), [], folder)
    on_citus = _measure(ctx, make_url(citus_url), workers, folder)
    engine = sa.create_engine(make_url(citus_url))
    with engine.connect() as conn:
        version = conn.scalar(sa.text("SELECT citus_version()"))
    engine.dispose()
    claim = on_citus["provisioning"]["pool_claim_ms"]["median"]
    return result(
        claim,
        "ms",
        TARGET,
        [],
        citus_version=version,
        workers=[f"{h}:{p}" for h, p in workers],
        single=single,
        citus=on_citus,
        cold_build_ratio=ratio(
            on_citus["provisioning"]["cold_build_ms"]["median"], single["provisioning"]["cold_build_ms"]["median"]
        ),
        dashboard_rps_ratio=ratio(on_citus["dashboard"]["rps"], single["dashboard"]["rps"]),
    )
