"""Upload denial of service: two signed-in attackers post photo floods while a bystander opens /login.

    .venv/bin/python -m bench.upload_attack [--seconds 40] [--attack count|budget] [--workers 2]

Starts the real stack (embedded PostgreSQL in a temp folder, gunicorn with sync workers and gunicorn's default
30 s worker timeout, as the Procfile starts it) on 127.0.0.1, one store, its owner and a staff member. Each of
them signs in and posts new incidents in a loop for `--seconds` (bounded in count too):

- `count` (issue #16): 40 flat 6300 x 6300 greyscale PNGs per request (38 KB each, 1.5 MB in all, 40 MP each).
  Before the fix every one was decoded (~0.7 s of CPU each) before the 20-photo rule was checked.
- `budget`: what is left to an attacker once the count and the pixel budget are checked first: two such PNGs
  (79 MP, under the 100 MP budget) on a valid incident, so they are decoded (and the incident is stored, with
  its reporter: a form refused for another reason no longer decodes its photos).

Meanwhile a third client GETs /login every 0.2 s and records its latency. Prints a JSON summary: /login p50, p95
and max, the attackers' request counts and statuses, the workers' peak memory, whether any worker died (a
"WORKER TIMEOUT" in gunicorn's log, or a worker pid that changed). Exits 1 when /login p95 reached 1 s or a worker
died. Everything started is stopped by its pid (bench/_stack.py).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import threading
import time

import psutil
import requests
import sqlalchemy as sa
from PIL import Image
from sqlalchemy.orm import Session

from bench._stack import Stack, csrf_token, percentile
from models import Membership, Role

MAX_ATTACKS_PER_CLIENT = 10_000
PROBE_INTERVAL_S = 0.2
GUNICORN_DEFAULT_TIMEOUT_S = 30  # the Procfile does not set --timeout


def flat_png() -> bytes:
    """40 megapixels of one grey: 38 KB on the wire, about 0.7 s of CPU and 120 MB of memory to decode."""
    out = io.BytesIO()
    Image.new("L", (6300, 6300)).save(out, format="PNG", optimize=True)
    return out.getvalue()


def attack(
    stack: Stack, client: requests.Session, slug: str, kind: str, stop: threading.Event, out: list[dict]
) -> None:
    """Post incidents carrying a photo flood until `stop` (bounded in count), recording each answer."""
    url = f"{stack.base_url}/s/{slug}/logbook/new"
    token = csrf_token(client.get(url, timeout=30).text)
    png = flat_png()
    count = 40 if kind == "count" else 2
    data = {
        "csrf_token": token,
        "occurred_at": "2026-11-27T10:05",
        "incident_type": "casing",
        "title": "Flood",
        "narrative": "x",
    }
    for _ in range(MAX_ATTACKS_PER_CLIENT):
        if stop.is_set():
            return
        files = [("new_photos", (f"p{i}.png", png, "image/png")) for i in range(count)]
        began = time.monotonic()
        try:
            response = client.post(url, data=data, files=files, allow_redirects=False, timeout=120)
            detail = str(response.status_code)
        except requests.RequestException as exc:
            detail = type(exc).__name__
        out.append({"seconds": time.monotonic() - began, "detail": detail})


def probe(base_url: str, stop: threading.Event, out: list[float], failures: list[str]) -> None:
    """GET /login every PROBE_INTERVAL_S until `stop`, as someone who only wants to sign in."""
    client = requests.Session()
    for _ in range(int(3600 / PROBE_INTERVAL_S)):
        if stop.is_set():
            return
        began = time.perf_counter()
        try:
            status = client.get(f"{base_url}/login", timeout=120).status_code
            if status != 200:
                failures.append(str(status))
        except requests.RequestException as exc:
            failures.append(type(exc).__name__)
        out.append(time.perf_counter() - began)
        time.sleep(PROBE_INTERVAL_S)


def watch_memory(stack: Stack, stop: threading.Event, peak: dict[int, int]) -> None:
    while not stop.wait(0.25):
        for pid in stack.worker_pids():
            try:
                rss = psutil.Process(pid).memory_info().rss
            except psutil.NoSuchProcess:
                continue
            peak[pid] = max(peak.get(pid, 0), rss)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=40.0, help="how long the attackers post")
    parser.add_argument("--attack", choices=("count", "budget"), default="count")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    args = parser.parse_args()

    stack = Stack.start()
    try:
        stack.add_stores(1, progress=False)
        owner = stack.add_person("attacker-owner@example.org", store=stack.stores[0])
        staff = stack.add_person("attacker-staff@example.org", store=stack.stores[0])
        with Session(stack.owner) as session, session.begin():
            session.execute(
                sa.update(Membership).where(Membership.user_id == staff.user_id).values(role=Role.STORE_STAFF.value)
            )
        stack.start_gunicorn(workers=args.workers, timeout=GUNICORN_DEFAULT_TIMEOUT_S)
        workers_before = stack.worker_pids()
        attackers = [(stack.sign_in(person), person.store_slug) for person in (owner, staff)]
        rss_idle = {pid: psutil.Process(pid).memory_info().rss for pid in workers_before}

        stop = threading.Event()
        stop_probe = threading.Event()
        attacks: list[list[dict]] = [[], []]
        latencies: list[float] = []
        probe_failures: list[str] = []
        peak: dict[int, int] = {}
        threads = [
            threading.Thread(target=attack, args=(stack, c, slug, args.attack, stop, attacks[i]), daemon=True)
            for i, (c, slug) in enumerate(attackers)
        ]
        prober = threading.Thread(target=probe, args=(stack.base_url, stop_probe, latencies, probe_failures))
        memory = threading.Thread(target=watch_memory, args=(stack, stop_probe, peak), daemon=True)
        started = time.monotonic()
        for thread in (*threads, prober, memory):
            thread.start()
        time.sleep(args.seconds)
        stop.set()
        stop_probe.set()
        prober.join(130)
        for thread in threads:
            thread.join(130)  # an attack in flight finishes (or times out) first
        elapsed = time.monotonic() - started
        workers_after = stack.worker_pids()
        log = open(os.path.join(stack.tmp, "gunicorn.log"), encoding="utf-8", errors="replace").read()  # noqa: SIM115
    finally:
        stack.close()

    done = [a for per in attacks for a in per]
    timeouts = log.count("WORKER TIMEOUT")
    summary = {
        "setup": {
            "attack": args.attack,
            "photos_per_request": 40 if args.attack == "count" else 2,
            "attackers": "a store owner and a staff member, signed in",
            "gunicorn_sync_workers": args.workers,
            "gunicorn_timeout_s": GUNICORN_DEFAULT_TIMEOUT_S,
            "seconds": args.seconds,
            "elapsed_s": round(elapsed, 1),
            "cpus": os.cpu_count(),
            "load_average": [round(x, 2) for x in os.getloadavg()],
        },
        "login": {
            "requests": len(latencies),
            "p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
            "p95_ms": round(percentile(latencies, 95) * 1000, 1),
            "max_ms": round(max(latencies, default=0) * 1000, 1),
            "over_1s": sum(x >= 1.0 for x in latencies),
            "failures": probe_failures,
        },
        "attacks": {
            "requests": len(done),
            "statuses": {d: sum(a["detail"] == d for a in done) for d in sorted({a["detail"] for a in done})},
            "median_s": round(statistics.median(a["seconds"] for a in done), 3) if done else None,
            "max_s": round(max((a["seconds"] for a in done), default=0), 3),
        },
        "workers": {
            "before": workers_before,
            "after": workers_after,
            "worker_timeouts_in_log": timeouts,
            "rss_idle_mb": [round(v / 2**20) for v in rss_idle.values()],
            "rss_peak_mb": [round(v / 2**20) for v in peak.values()],
        },
    }
    died = timeouts > 0 or workers_after != workers_before
    summary["passed"] = bool(latencies) and percentile(latencies, 95) < 1.0 and not died and not probe_failures
    print(json.dumps(summary, indent=2))
    sys.exit(0 if summary["passed"] else 1)


if __name__ == "__main__":
    main()
