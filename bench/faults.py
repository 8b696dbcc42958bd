"""Faults with real processes: a gunicorn worker killed mid-request, PostgreSQL restarted mid-load.

    .venv/bin/python -m bench.faults [--stores 20] [--clients 4] [--seconds 12]

Starts its own embedded PostgreSQL in a temp folder and a real gunicorn (`app:create_app()`, sync workers,
`--no-control-socket`) on 127.0.0.1, provisions stores and one owner per client, then:

(a) worker kill: clients stream GETs of their store's pages; one busy worker gets SIGKILL. Expected: at most the
    requests that worker had in flight fail (one per sync worker), the master starts a replacement, later requests
    succeed.
(b) PostgreSQL restart: clients stream GETs; `pg_ctl restart -m fast` runs as the server's user. Expected: errors
    only in requests that overlap the restart window, and the same gunicorn (no app restart) serves again after
    it (`pool_pre_ping` in database/engines.py drops the dead pooled connections).
(c) two stores interleaved on a pool of one connection, with errors and rollbacks, is a test:
    tests/web/test_store_isolation.py::test_interleaved_requests_on_a_pool_of_one_never_leak

Prints a JSON summary; exits 1 when an expectation fails.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass

import requests

from bench._stack import Stack

MAX_REQUESTS_PER_CLIENT = 20_000


@dataclass
class Outcome:
    began: float
    ended: float
    ok: bool
    detail: str


def stream(stack: Stack, client: requests.Session, slug: str, stop: threading.Event, out: list[Outcome]) -> None:
    """GET the store's dashboard and logbook in turn until `stop` (bounded in count), recording every outcome."""
    paths = [f"/s/{slug}/", f"/s/{slug}/logbook/", f"/s/{slug}/contacts/"]
    for i in range(MAX_REQUESTS_PER_CLIENT):
        if stop.is_set():
            return
        began = time.monotonic()
        try:
            response = client.get(stack.base_url + paths[i % len(paths)], timeout=30, allow_redirects=False)
            ok, detail = response.status_code == 200, str(response.status_code)
        except requests.RequestException as exc:
            ok, detail = False, type(exc).__name__
        out.append(Outcome(began, time.monotonic(), ok, detail))


def run_streams(stack: Stack, clients, fault, seconds: float, fault_at: float):
    """Run one streaming thread per client; call `fault()` after `fault_at` s; stop after `seconds`."""
    stop = threading.Event()
    results: list[list[Outcome]] = [[] for _ in clients]
    threads = [
        threading.Thread(target=stream, args=(stack, client, slug, stop, results[i]), daemon=True)
        for i, (client, slug) in enumerate(clients)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    time.sleep(fault_at)
    fault_info = fault()
    time.sleep(max(0.0, seconds - (time.monotonic() - started)))
    stop.set()
    for thread in threads:
        thread.join(60)
    outcomes = sorted((o for per in results for o in per), key=lambda o: o.began)
    return started, outcomes, fault_info


def worker_kill(stack: Stack, clients, seconds: float) -> dict:
    before = stack.worker_pids()
    victim = {}

    def kill() -> dict:
        pid = before[0]
        victim["pid"] = pid
        victim["at"] = time.monotonic()
        os.kill(pid, signal.SIGKILL)
        return victim

    started, outcomes, _ = run_streams(stack, clients, kill, seconds, fault_at=seconds / 3)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (
        victim["pid"] in stack.worker_pids() or len(stack.worker_pids()) < len(before)
    ):
        time.sleep(0.1)
    after = stack.worker_pids()
    failed = [o for o in outcomes if not o.ok]
    in_flight = [o for o in failed if o.began <= victim["at"] <= o.ended]
    later = [o for o in outcomes if o.began > victim["at"] + 1.0]
    result = {
        "requests": len(outcomes),
        "failed": len(failed),
        "failed_in_flight_at_kill": len(in_flight),
        "failed_other": len(failed) - len(in_flight),
        "failure_kinds": sorted({o.detail for o in failed}),
        "requests_from_1s_after_kill": len(later),
        "failed_from_1s_after_kill": sum(not o.ok for o in later),
        "workers_before": before,
        "workers_after": after,
        "worker_replaced": victim["pid"] not in after and len(after) == len(before),
        "gunicorn_master_pid_unchanged": stack.gunicorn.poll() is None,
    }
    result["passed"] = (
        result["failed_other"] == 0
        and result["failed_in_flight_at_kill"] <= 1
        and result["failed_from_1s_after_kill"] == 0
        and result["requests_from_1s_after_kill"] > 0
        and result["worker_replaced"]
        and result["gunicorn_master_pid_unchanged"]
    )
    return result


def postgres_restart(stack: Stack, clients, seconds: float) -> dict:
    master = stack.gunicorn.pid
    workers = stack.worker_pids()
    started, outcomes, (began, ended) = run_streams(
        stack, clients, stack.restart_postgres, seconds, fault_at=seconds / 3
    )
    failed = [o for o in outcomes if not o.ok]
    inside = [o for o in failed if o.began <= ended and o.ended >= began]
    after = [o for o in outcomes if o.began > ended]
    first_ok_after = next((o for o in after if o.ok), None)
    result = {
        "requests": len(outcomes),
        "restart_window_s": round(ended - began, 3),
        "failed": len(failed),
        "failed_inside_window": len(inside),
        "failed_outside_window": len(failed) - len(inside),
        "failure_kinds": sorted({o.detail for o in failed}),
        "error_span_s": round(max(o.ended for o in failed) - min(o.began for o in failed), 3) if failed else 0.0,
        "requests_after_window": len(after),
        "failed_after_window": sum(not o.ok for o in after),
        "first_success_after_window_s": None if first_ok_after is None else round(first_ok_after.ended - ended, 3),
        "app_not_restarted": stack.gunicorn.pid == master and stack.worker_pids() == workers,
    }
    result["passed"] = (
        result["failed_outside_window"] == 0
        and result["requests_after_window"] > 0
        and first_ok_after is not None
        and result["app_not_restarted"]
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stores", type=int, default=20)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=12.0, help="length of each fault run")
    args = parser.parse_args()

    stack = Stack.start()
    try:
        stack.add_stores(args.stores)
        people = [
            stack.add_person(f"fault-{i}@example.org", store=stack.stores[i % len(stack.stores)])
            for i in range(args.clients)
        ]
        stack.start_gunicorn(workers=args.workers)
        clients = [(stack.sign_in(person), person.store_slug) for person in people]
        summary = {
            "setup": {"stores": args.stores, "clients": args.clients, "gunicorn_sync_workers": args.workers},
            "worker_killed_mid_request": worker_kill(stack, clients, args.seconds),
            "postgres_restarted_mid_load": postgres_restart(stack, clients, args.seconds),
            "stores_interleaved_on_a_pool_of_one": {
                "test": "tests/web/test_store_isolation.py::test_interleaved_requests_on_a_pool_of_one_never_leak"
            },
        }
    finally:
        stack.close()
    print(json.dumps(summary, indent=2))
    passed = summary["worker_killed_mid_request"]["passed"] and summary["postgres_restarted_mid_load"]["passed"]
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
