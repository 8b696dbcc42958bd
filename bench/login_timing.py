"""Login timing: a known account with a wrong password vs an account that does not exist, over HTTP.

    .venv/bin/python -m bench.login_timing [--runs 200] [--workers 1]

Starts the real stack (embedded PostgreSQL, gunicorn as production starts it, on 127.0.0.1), creates one account,
raises the failure throttle out of the way (a throttled answer skips the password check for both kinds alike),
then alternates POST /login for the known email with a wrong password and for unknown emails (a fresh one each
run, as an attacker probing a list would), timing each request from the client. Prints the medians, the ratio
unknown/known, and the spread, so that an enumeration-by-timing gap would show. Both must answer 401 (the page is
the same: tests/web/test_auth.py). Speed is measured here, never in timed tests; the code path is proved by
tests/security/test_login_timing.py.
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

import requests

from bench._stack import Stack, csrf_token, percentile

WRONG_PASSWORD = "not-the-password-at-all-42"


def _post(client: requests.Session, base_url: str, email: str, token: str) -> tuple[float, int]:
    t0 = time.perf_counter()
    response = client.post(
        f"{base_url}/login",
        data={"email": email, "password": WRONG_PASSWORD, "csrf_token": token},
        allow_redirects=False,
        timeout=60,
    )
    return (time.perf_counter() - t0) * 1000, response.status_code


def _summary(values: list[float]) -> dict[str, float]:
    return {
        "median_ms": round(statistics.median(values), 2),
        "p25_ms": round(percentile(values, 25), 2),
        "p75_ms": round(percentile(values, 75), 2),
        "p95_ms": round(percentile(values, 95), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=200, help="pairs of requests (known, unknown), alternating")
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers")
    parser.add_argument("--warmup", type=int, default=10, help="pairs run first and not counted")
    args = parser.parse_args()

    # Out of the throttle's way: a locked account (or an address over its limit) is refused before any password
    # check, which would time the refusal, not the check.
    os.environ["LOGIN_MAX_FAILURES_PER_ACCOUNT"] = str(10 * (args.runs + args.warmup) + 100)
    os.environ["LOGIN_MAX_FAILURES_PER_ADDRESS"] = str(10 * (args.runs + args.warmup) + 100)
    stack = Stack.start()
    try:
        stack.add_stores(1, progress=False)
        person = stack.add_person("timing-known@example.org", store=stack.stores[0])
        stack.start_gunicorn(workers=args.workers)
        client = requests.Session()
        token = csrf_token(client.get(f"{stack.base_url}/login", timeout=30).text)
        known: list[float] = []
        unknown: list[float] = []
        for i in range(args.warmup + args.runs):
            # Alternate which kind goes first, so drift over the run cannot favour one of them.
            pair = [("known", person.email), ("unknown", f"nobody-{uuid.uuid4().hex[:12]}@example.org")]
            if i % 2:
                pair.reverse()
            for kind, email in pair:
                elapsed, status = _post(client, stack.base_url, email, token)
                if status != 401:
                    raise RuntimeError(f"{kind} login answered {status}, expected 401")
                if i >= args.warmup:
                    (known if kind == "known" else unknown).append(elapsed)
            if (i + 1) % 50 == 0:
                print(f"  {i + 1}/{args.warmup + args.runs} pairs", file=sys.stderr, flush=True)
        ratio = statistics.median(unknown) / statistics.median(known)
        result = {
            "date": time.strftime("%Y-%m-%d"),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}",
            "runs": args.runs,
            "known_wrong_password": _summary(known),
            "unknown_account": _summary(unknown),
            "ratio_unknown_over_known": round(ratio, 3),
        }
        print(json.dumps(result, indent=2))
    finally:
        stack.close()


if __name__ == "__main__":
    main()
