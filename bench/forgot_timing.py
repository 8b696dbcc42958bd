"""Password-reset timing: an address with an account vs one without, over HTTP.

    .venv/bin/python -m bench.forgot_timing [--runs 200] [--workers 1]

Starts the real stack (embedded PostgreSQL, gunicorn as production starts it, on 127.0.0.1), creates one account,
then alternates POST /password/forgot for its address and for unknown addresses (a fresh one each run), timing each
request from the client. The request only writes a job and an audit row for both kinds — the job queue's worker
looks the account up and sends the email later — so the medians should agree; before the job queue, an existing
account paid for rendering the email and an SMTP round trip inside the request. Both must answer 200 with the same
page (tests/jobs/test_console_and_reset.py proves the same work is done); speed is measured here, never in tests.
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

from bench._stack import Stack, csrf_token
from bench.login_timing import _summary


def _post(client: requests.Session, base_url: str, email: str, token: str) -> tuple[float, int]:
    t0 = time.perf_counter()
    response = client.post(
        f"{base_url}/password/forgot",
        data={"email": email, "csrf_token": token},
        allow_redirects=False,
        timeout=60,
    )
    return (time.perf_counter() - t0) * 1000, response.status_code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=200, help="pairs of requests (known, unknown), alternating")
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers")
    parser.add_argument("--warmup", type=int, default=10, help="pairs run first and not counted")
    args = parser.parse_args()

    stack = Stack.start()
    try:
        stack.add_stores(1, progress=False)
        person = stack.add_person("timing-forgot@example.org", store=stack.stores[0])
        stack.start_gunicorn(workers=args.workers)
        client = requests.Session()
        token = csrf_token(client.get(f"{stack.base_url}/password/forgot", timeout=30).text)
        known: list[float] = []
        unknown: list[float] = []
        for i in range(args.warmup + args.runs):
            # Alternate which kind goes first, so drift over the run cannot favour one of them.
            pair = [("known", person.email), ("unknown", f"nobody-{uuid.uuid4().hex[:12]}@example.org")]
            if i % 2:
                pair.reverse()
            for kind, email in pair:
                elapsed, status = _post(client, stack.base_url, email, token)
                if status != 200:
                    raise RuntimeError(f"{kind} reset request answered {status}, expected 200")
                if i >= args.warmup:
                    (known if kind == "known" else unknown).append(elapsed)
            if (i + 1) % 50 == 0:
                print(f"  {i + 1}/{args.warmup + args.runs} pairs", file=sys.stderr, flush=True)
        ratio = statistics.median(unknown) / statistics.median(known)
        result = {
            "date": time.strftime("%Y-%m-%d"),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}",
            "runs": args.runs,
            "known_account": _summary(known),
            "unknown_account": _summary(unknown),
            "ratio_unknown_over_known": round(ratio, 3),
        }
        print(json.dumps(result, indent=2))
    finally:
        stack.close()


if __name__ == "__main__":
    main()
