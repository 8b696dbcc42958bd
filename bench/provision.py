"""Provisioning time per store: registry row → schema ready, measured on a fresh embedded PostgreSQL.

    .venv/bin/python -m bench.provision --stores 200 [--batch 20]

Prints median and p95 of the first batch (near 0 existing stores) and of the last batch (near N).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time

import sqlalchemy as sa
from sqlalchemy.orm import Session

from database.embedded import embedded_url
from database.engines import ensure_roles
from database.migrate import upgrade_shared
from models import Association, Region
from tenants.provisioning import StoreSpec, create_store


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.95) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stores", type=int, default=200)
    parser.add_argument("--batch", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="loupe-bench-") as tmp:
        owner = sa.create_engine(embedded_url(f"{tmp}/pg"))
        ensure_roles(owner, "loupe_app")
        upgrade_shared(owner)
        ensure_roles(owner, "loupe_app")
        with Session(owner) as session, session.begin():
            association = Association(slug="bench", name="Bench")
            session.add(association)
            session.flush()
            session.add(Region(association_id=association.id, slug="r", name="R"))
        times = []
        started = time.perf_counter()
        for i in range(args.stores):
            t0 = time.perf_counter()
            create_store(owner, StoreSpec("bench", "r", f"Bench Store {i}"), app_role="loupe_app")
            times.append((time.perf_counter() - t0) * 1000)
            if (i + 1) % 50 == 0:
                print(f"  {i + 1}/{args.stores} stores", flush=True)
        total = time.perf_counter() - started
        first, last = times[: args.batch], times[-args.batch :]
        print(f"stores: {args.stores} in {total:.1f} s")
        print(f"first {args.batch}: median {statistics.median(first):.1f} ms, p95 {p95(first):.1f} ms")
        print(f"last {args.batch}:  median {statistics.median(last):.1f} ms, p95 {p95(last):.1f} ms")
        owner.dispose()


if __name__ == "__main__":
    main()
