"""Digest throughput and memory: a region with N recipients rendered and handed to a local SMTP server.

    .venv/bin/python -m bench.digest [--recipients 1000,5000] [--runs 3] [--per-store 20]

Sets up a fresh embedded PostgreSQL in a temp folder (on disk, like production: one commit per message), one
region per size with N/per-store stores (each with a police contact nobody called, so every reader's own-store
part has an item read from its schema) and N people, a few published bulletins and a published trend week; starts
an SMTP sink (aiosmtpd, a separate process on 127.0.0.1). Each run queues a new period and sends it in a fresh child
process (`flask digest send` does the same), which reports its wall time and peak RSS. Prints a JSON line per
size with the medians; `measure()` returns the same for the harness (`python -m bench`, measure 10).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bench._stack import _free_port, pg_ctl

ROOT = Path(__file__).resolve().parents[1]
APP_ROLE = "loupe_app"


def _setup(owner_url: str, sizes: list[int], per_store: int) -> dict[int, tuple[str, str]]:
    """One association, one region per size; returns {size: (association slug, region slug)}."""
    from database.engines import ensure_roles
    from database.migrate import upgrade_shared
    from models import Association, Bulletin, Membership, PoliceContact, PublishedTrendWeek, Region, Role, User
    from models.base import utcnow
    from security.passwords import hash_password
    from tenants.binding import store_session
    from tenants.provisioning import StoreSpec, create_store

    owner = sa.create_engine(owner_url)
    ensure_roles(owner, APP_ROLE)
    upgrade_shared(owner)
    ensure_roles(owner, APP_ROLE)
    password = hash_password("bench-digest-passphrase-7")  # one hash for everyone: hashing is not measured here
    out = {}
    with Session(owner) as session, session.begin():
        association = Association(slug="bench-digest", name="Bench Jewellers Association")
        session.add(association)
        session.flush()
        for size in sizes:
            session.add(Region(association_id=association.id, slug=f"r{size}", name=f"Region {size}"))
    for size in sizes:
        stores = []
        for i in range(max(1, size // per_store)):
            stores.append(
                create_store(owner, StoreSpec("bench-digest", f"r{size}", f"Store {size}-{i}"), app_role=APP_ROLE)
            )
            if (i + 1) % 50 == 0:
                print(f"  region {size}: {i + 1} stores", file=sys.stderr, flush=True)
        for store in stores:
            with store_session(owner, store.schema_name) as s:
                s.add(PoliceContact(agency="Harbour Police", officer_name="PC Bench", phone="01632 960000"))
                s.commit()
        with Session(owner) as session, session.begin():
            users = [
                {"email": f"p{size}-{n}@bench.example", "name": f"Person {n}", "password_hash": password}
                for n in range(size)
            ]
            ids = list(session.scalars(sa.insert(User).returning(User.id), users))
            session.execute(
                sa.insert(Membership),
                [
                    {
                        "user_id": uid,
                        "store_id": stores[n % len(stores)].id,
                        "association_id": stores[n % len(stores)].association_id,
                        "role": Role.STORE_STAFF.value,
                    }
                    for n, uid in enumerate(ids)
                ],
            )
            region = session.scalar(sa.select(Region).where(Region.slug == f"r{size}"))
            for k in range(8):
                session.add(
                    Bulletin(
                        association_id=region.association_id, region_id=region.id, region_label=region.name,
                        status="published", published_at=utcnow(), tlp="AMBER" if k % 2 else "GREEN",
                        title=f"Casing report {k} <b>escaped</b>", incident_type="casing",
                    )
                )  # fmt: skip
            week = (date.today() - timedelta(weeks=1)).isocalendar()  # last week's published count
            session.add(
                PublishedTrendWeek(
                    association_id=region.association_id, region_id=region.id,
                    iso_week=f"{week[0]}-W{week[1]:02d}", cells=[[None, "casing", 12]],
                )
            )  # fmt: skip
        out[size] = ("bench-digest", f"r{size}")
        print(f"  region {size}: {len(stores)} stores, {size} people", file=sys.stderr, flush=True)
    owner.dispose()
    return out


def _child(args) -> None:
    """One timed send in a fresh process: queue the period, then deliver it; print seconds and peak RSS."""
    from app import create_app
    from digest.periods import parse_period
    from digest.runs import queue_period
    from digest.send import deliver_in_workers
    from models import Association, Region

    settings = {"DATABASE_URL": args.owner_url, "DATABASE_APP_URL": args.app_url}
    app = create_app("development", {**settings, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": int(args.smtp_port)})
    engines = app.extensions["loupe_db"].engines
    with app.app_context():
        started = time.perf_counter()
        with Session(engines.owner, expire_on_commit=False) as session, session.begin():
            association = session.scalar(sa.select(Association).where(Association.slug == args.association))
            region = session.scalar(
                sa.select(Region).where(Region.association_id == association.id, Region.slug == args.region)
            )
            period = parse_period(args.period, date.today())
            [queued] = queue_period(session, association, period, domain="bench.example", region=region)
        queued_at = time.perf_counter()
        profile_to = os.environ.get("BENCH_DIGEST_PROFILE")  # a cProfile dump of the send, to find where time goes
        if profile_to:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        counts = deliver_in_workers(int(args.workers), app_factory=create_app, run_ids=[queued.run.id])
        if profile_to:
            profiler.disable()
            profiler.dump_stats(profile_to)
        done = time.perf_counter()
    usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    cpu_s = sum(u.ru_utime + u.ru_stime for u in usage)
    # The largest sender process: this one when sending in-process, else the largest worker.
    peak_kb = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    )
    print(
        json.dumps(
            {
                "recipients": queued.run.recipients,
                "sent": counts.sent,
                "failed": counts.failed + counts.retry,
                "queue_s": round(queued_at - started, 3),
                "send_s": round(done - queued_at, 3),
                "total_s": round(done - started, 3),
                "peak_rss_mb": round(peak_kb / 1024, 1),
                # CPU of the sender processes (setup included): less sensitive than wall time to a busy machine.
                "sender_cpu_ms_per_msg": round(cpu_s * 1000 / max(1, counts.sent), 2),
            }
        )
    )


def measure(sizes: list[int] | None = None, runs: int = 3, per_store: int = 20, workers: int = 2) -> dict:
    """Set up, send `runs` periods per size, return {size: {"runs": [...], "median_total_s", ...}}."""
    from database.embedded import embedded_url
    from database.engines import app_url_for

    sizes = sizes or [1000, 5000]
    results: dict = {}
    with tempfile.TemporaryDirectory(prefix="loupe-bench-digest-") as tmp:
        owner_url = embedded_url(f"{tmp}/pg")
        app_url = app_url_for(owner_url, APP_ROLE)
        app_url = app_url if isinstance(app_url, str) else app_url.render_as_string(hide_password=False)
        port = _free_port()
        sink = subprocess.Popen(
            [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Sink"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            regions = _setup(owner_url, sizes, per_store)
            time.sleep(1.0)
            monday = date.today() - timedelta(days=date.today().weekday())
            for size in sizes:
                association, region = regions[size]
                samples = []
                for r in range(runs):
                    year, week, _ = (monday - timedelta(weeks=r + 1)).isocalendar()
                    env = {**os.environ, "PYTHONPATH": str(ROOT)}
                    out = subprocess.run(
                        [sys.executable, "-m", "bench.digest", "--child", "--owner-url", owner_url, "--app-url",
                         app_url, "--smtp-port", str(port), "--association", association, "--region", region,
                         "--period", f"{year}-W{week:02d}", "--workers", str(workers)],
                        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
                    )  # fmt: skip
                    sample = json.loads(out.stdout.strip().splitlines()[-1])
                    samples.append(sample)
                    print(f"  {size} recipients, run {r + 1}: {sample}", file=sys.stderr, flush=True)
                results[size] = {
                    "runs": samples,
                    "median_total_s": statistics.median(s["total_s"] for s in samples),
                    "median_send_s": statistics.median(s["send_s"] for s in samples),
                    "median_msgs_per_s": statistics.median(s["sent"] / s["send_s"] for s in samples),
                    "median_peak_rss_mb": statistics.median(s["peak_rss_mb"] for s in samples),
                }
        finally:
            sink.terminate()
            sink.wait(timeout=10)
            pg_ctl(f"{tmp}/pg", ["-w", "-m", "fast", "stop"], check=False)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipients", default="1000,5000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--per-store", type=int, default=20)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--workers", type=int, default=2, help="sender processes (flask digest send --workers)")
    for name in ("--owner-url", "--app-url", "--smtp-port", "--association", "--region", "--period"):
        parser.add_argument(name, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args)
        return
    results = measure([int(n) for n in args.recipients.split(",")], args.runs, args.per_store, args.workers)
    for size, r in results.items():
        print(json.dumps({"recipients": size, **{k: v for k, v in r.items() if k != "runs"}}))
    sizes = sorted(results)
    if len(sizes) > 1:
        small, large = results[sizes[0]]["median_peak_rss_mb"], results[sizes[-1]]["median_peak_rss_mb"]
        print(f"peak RSS {sizes[0]} → {sizes[-1]} recipients: {small} → {large} MB ({large / small:.2f}×)")


if __name__ == "__main__":
    main()
