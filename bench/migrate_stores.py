"""Time of the store migration runner for one new revision (measure 4's column + index) over N stores, 2 workers.

    .venv/bin/python -m bench.migrate_stores --stores 300 [--runs 2] [--pool 5]

A quick stand-alone check of `tenants.migrations.migrate_all_stores` without the whole bench harness: a fresh
embedded PostgreSQL in tmpfs (when /dev/shm is writable, as the harness does), N stores built cold, a few warm-pool
schemas, then each run adds one more revision (measure 4's REVISION) and migrates everything to it.

The app's modules are imported inside `main()`: the runner's spawned workers import this file again as their
`__mp_main__`, and a heavy import list here would be charged to the migration (`python -m bench` imports about
0.9 s worth at its top; this file about as much).
"""

from __future__ import annotations

import argparse
import atexit
import os
import shutil
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

APP_ROLE = "loupe_app"


def main() -> None:
    from sqlalchemy.orm import Session

    from bench.measures.m04_migrate_revision import REVISION
    from database.embedded import embedded_url
    from database.engines import ensure_roles
    from database.migrate import upgrade_shared
    from models import Association, Region
    from tenants.migrations import migrate_all_stores, store_head
    from tenants.pool import fill_pool
    from tenants.provisioning import StoreSpec, create_store

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stores", type=int, default=300)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--pool", type=int, default=5, help="warm-pool schemas present during the runs")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    base = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
    tmp = tempfile.mkdtemp(prefix="loupe-migbench-", dir=base)
    # Registered before the server starts, so it runs after pgserver's exit hook has stopped the server.
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    owner = sa.create_engine(embedded_url(f"{tmp}/pg"))
    ensure_roles(owner, APP_ROLE)
    upgrade_shared(owner)
    ensure_roles(owner, APP_ROLE)
    with Session(owner) as session, session.begin():
        association = Association(slug="bench", name="Bench")
        session.add(association)
        session.flush()
        session.add(Region(association_id=association.id, slug="r", name="R"))
    t0 = time.perf_counter()
    for i in range(args.stores):
        create_store(owner, StoreSpec("bench", "r", f"Bench Store {i}"), app_role=APP_ROLE, use_pool=False)
    fill_pool(owner, args.pool, revision=store_head(), app_role=APP_ROLE)
    print(f"{args.stores} stores and {args.pool} pool schemas built in {time.perf_counter() - t0:.1f} s", flush=True)

    folder = Path(tmp) / "versions"
    folder.mkdir()
    down = store_head()
    for i in range(1, args.runs + 1):
        rev = f"t90{i:02d}"
        (folder / f"{rev}_bench_badge.py").write_text(REVISION.format(rev=rev, down=down, col=f"badge_{i}"))
        down = rev
        t0 = time.perf_counter()
        report = migrate_all_stores(owner, workers=args.workers, app_role=APP_ROLE, extra_version_locations=[folder])
        elapsed = time.perf_counter() - t0
        if not report.ok:
            raise SystemExit(f"failed: {list(report.failed.items())[:3]}")
        n = len(report.upgraded)
        print(
            f"run {i} ({rev}): {elapsed:.2f} s for {n} stores + {len(report.pool_upgraded)} pool schemas, "
            f"{elapsed * 1000 / max(n, 1):.1f} ms per store",
            flush=True,
        )
    owner.dispose()


if __name__ == "__main__":
    main()
