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
import time

import requests

from bench._stack import Stack, csrf_token
from bench.paired_timing import result, time_pairs


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
        known, unknown = time_pairs(
            lambda email: _post(client, stack.base_url, email, token),
            person.email,
            runs=args.runs,
            warmup=args.warmup,
            expected_status=200,
        )
        figures = result(args.runs, "known_account", known, unknown)
        print(json.dumps(figures, indent=2))
    finally:
        stack.close()


if __name__ == "__main__":
    main()
