"""Timing an answer for an existing account against one for an address nobody has, in alternating pairs.

Shared by `bench.login_timing` and `bench.forgot_timing`: the pairs alternate which kind goes first, so drift over
the run cannot favour one kind; each unknown address is fresh, as an attacker probing a list would send.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
import uuid
from collections.abc import Callable

import requests

from bench._stack import Stack, csrf_token, percentile


def summary(values: list[float]) -> dict[str, float]:
    """Median, quartiles and p95 of a list of milliseconds."""
    return {
        "median_ms": round(statistics.median(values), 2),
        "p25_ms": round(percentile(values, 25), 2),
        "p75_ms": round(percentile(values, 75), 2),
        "p95_ms": round(percentile(values, 95), 2),
    }


def time_pairs(
    post: Callable[[str], tuple[float, int]],
    known_email: str,
    *,
    runs: int,
    warmup: int,
    expected_status: int,
) -> tuple[list[float], list[float]]:
    """`post(email)` → (milliseconds, status) for the known address and a fresh unknown one, `warmup + runs` times;
    returns the timings (known, unknown) of the counted runs. Any other status than `expected_status` stops it."""
    known: list[float] = []
    unknown: list[float] = []
    for i in range(warmup + runs):
        pair = [("known", known_email), ("unknown", f"nobody-{uuid.uuid4().hex[:12]}@example.org")]
        if i % 2:
            pair.reverse()
        for kind, email in pair:
            elapsed, status = post(email)
            if status != expected_status:
                raise RuntimeError(f"{kind} answered {status}, expected {expected_status}")
            if i >= warmup:
                (known if kind == "known" else unknown).append(elapsed)
        if (i + 1) % 50 == 0:
            print(f"  {i + 1}/{warmup + runs} pairs", file=sys.stderr, flush=True)
    return known, unknown


def result(runs: int, known_label: str, known: list[float], unknown: list[float]) -> dict:
    """The figures to print: the machine, both summaries and the ratio of the medians (unknown / known)."""
    return {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}",
        "runs": runs,
        known_label: summary(known),
        "unknown_account": summary(unknown),
        "ratio_unknown_over_known": round(statistics.median(unknown) / statistics.median(known), 3),
    }


def main(
    description: str,
    *,
    path: str,
    form: dict[str, str],
    expected_status: int,
    known_label: str,
    known_email: str,
    environment: Callable[[int], dict[str, str]] | None = None,
) -> None:
    """The whole measure: parse `--runs/--workers/--warmup`, start the real stack (embedded PostgreSQL, gunicorn as
    production starts it, on 127.0.0.1) with one account, POST `form` + `email` to `path` in alternating pairs, print
    the figures as JSON. `environment(pairs)` gives settings the server needs for that many requests."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=200, help="pairs of requests (known, unknown), alternating")
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers")
    parser.add_argument("--warmup", type=int, default=10, help="pairs run first and not counted")
    args = parser.parse_args()

    os.environ.update(environment(args.runs + args.warmup) if environment else {})
    stack = Stack.start()
    try:
        stack.add_stores(1, progress=False)
        person = stack.add_person(known_email, store=stack.stores[0])
        stack.start_gunicorn(workers=args.workers)
        client = requests.Session()
        url = f"{stack.base_url}{path}"
        token = csrf_token(client.get(url, timeout=30).text)

        def post(email: str) -> tuple[float, int]:
            t0 = time.perf_counter()
            response = client.post(
                url, data={**form, "email": email, "csrf_token": token}, allow_redirects=False, timeout=60
            )
            return (time.perf_counter() - t0) * 1000, response.status_code

        known, unknown = time_pairs(
            post, person.email, runs=args.runs, warmup=args.warmup, expected_status=expected_status
        )
        print(json.dumps(result(args.runs, known_label, known, unknown), indent=2))
    finally:
        stack.close()
