"""Provisioning time per store: registry row → schema ready, on a fresh embedded PostgreSQL, both paths.

    .venv/bin/python -m bench.provision --stores 1000 [--batch 20] [--rounds 5]

Measures `create_store` at about 0 existing stores and again at about N, each time for
- a **pool claim**: the warm pool holds `batch` schemas at head (`flask tenants pool fill`), each store claims one
  (registry row + claim + rename + seed + grants, one transaction);
- a **cold build** (`use_pool=False`): registry row, then the whole head DDL replayed.
The stores in between are created cold. Also prints the cost of building one pool schema (work moved ahead of
demand). Medians and p95 in milliseconds. Each timed batch starts once autovacuum is idle.
With `--rounds R` each point is measured R times in a row: the spread of the round medians at one point shows how
much of a difference between the points is this machine's noise.
"""

from __future__ import annotations

import argparse
import atexit
import shutil
import statistics
import tempfile
import time

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bench.harness import wait_for_autovacuum
from database.embedded import embedded_url
from database.engines import ensure_roles
from database.migrate import upgrade_shared
from models import Association, Region
from tenants.migrations import store_head
from tenants.pool import fill_pool
from tenants.provisioning import StoreSpec, create_store

APP_ROLE = "loupe_app"


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.95) - 1)]


def summary(values: list[float]) -> str:
    return f"median {statistics.median(values):6.1f} ms, p95 {p95(values):6.1f} ms"


class Bench:
    def __init__(self, owner: sa.Engine) -> None:
        self.owner = owner
        self.count = 0

    def create(self, *, use_pool: bool) -> float:
        self.count += 1
        spec = StoreSpec("bench", "r", f"Bench Store {self.count}")
        t0 = time.perf_counter()
        store = create_store(self.owner, spec, app_role=APP_ROLE, use_pool=use_pool)
        elapsed = (time.perf_counter() - t0) * 1000
        assert store.status == "ready"
        return elapsed

    def fill(self, size: int) -> list[float]:
        """Fill the pool to `size`, returning the time per pool schema built."""
        times: list[float] = []
        last = time.perf_counter()

        def tick(_name: str) -> None:
            nonlocal last
            now = time.perf_counter()
            times.append((now - last) * 1000)
            last = now

        fill_pool(self.owner, size, revision=store_head(), app_role=APP_ROLE, on_progress=tick)
        return times

    def measure(self, batch: int, label: str) -> dict[str, list[float]]:
        fill = self.fill(batch)
        waited = wait_for_autovacuum(self.owner)  # the builds leave the catalogs to autovacuum; time a quiet server
        claims = [self.create(use_pool=True) for _ in range(batch)]
        cold = [self.create(use_pool=False) for _ in range(batch)]
        print(f"at {label} (waited {waited} s for autovacuum):")
        print(f"  pool claim  {summary(claims)}")
        print(f"  cold build  {summary(cold)}")
        print(f"  (filling the pool: {summary(fill)} per schema, ahead of demand)", flush=True)
        return {"claim": claims, "cold": cold, "fill": fill}

    def measure_rounds(self, rounds: int, batch: int, label: str) -> dict[str, list[float]]:
        """`measure` `rounds` times in a row, the samples pooled; prints the spread of the round medians."""
        pooled: dict[str, list[float]] = {"claim": [], "cold": [], "fill": []}
        medians: dict[str, list[float]] = {"claim": [], "cold": []}
        for _ in range(rounds):
            for path, values in self.measure(batch, label).items():
                pooled[path].extend(values)
                if path in medians:
                    medians[path].append(statistics.median(values))
        if rounds > 1:
            for path, values in medians.items():
                print(f"  {path} round medians at {label}: {min(values):.1f}–{max(values):.1f} ms")
        return pooled


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stores", type=int, default=200, help="existing stores for the second measurement")
    parser.add_argument("--batch", type=int, default=20, help="stores measured per path and point")
    parser.add_argument("--rounds", type=int, default=1, help="measurements in a row at each point")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="loupe-bench-")
    # Registered before the server starts, so it runs after pgserver's own exit hook has stopped the server
    # (removing the folder first would leave a postmaster running on a deleted data folder).
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
    bench = Bench(owner)
    started = time.perf_counter()
    first = bench.measure_rounds(args.rounds, args.batch, "about 0 existing stores")
    while bench.count < args.stores:
        bench.create(use_pool=False)
        if bench.count % 100 == 0:
            print(f"  {bench.count}/{args.stores} stores", flush=True)
    last = bench.measure_rounds(args.rounds, args.batch, f"about {bench.count} existing stores")
    for path in ("claim", "cold"):
        growth = statistics.median(last[path]) / statistics.median(first[path])
        print(f"growth of the {path} median from about 0 to about {args.stores} existing stores: {growth:.2f}×")
    print(f"total {time.perf_counter() - started:.0f} s")
    owner.dispose()


if __name__ == "__main__":
    main()
