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
import time

import requests

from bench._stack import Stack, csrf_token
from bench.paired_timing import result, time_pairs

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
        known, unknown = time_pairs(
            lambda email: _post(client, stack.base_url, email, token),
            person.email,
            runs=args.runs,
            warmup=args.warmup,
            expected_status=401,
        )
        figures = result(args.runs, "known_wrong_password", known, unknown)
        print(json.dumps(figures, indent=2))
    finally:
        stack.close()


if __name__ == "__main__":
    main()
