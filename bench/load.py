"""Load: concurrent signed-in users mixing store pages, the logbook, the feed, admin pages and form posts.

    .venv/bin/python -m bench.load                                   # smoke: 200 stores, 32 users, 15 s
    .venv/bin/python -m bench.load --seconds 60                      # 200 stores, 60 s
    .venv/bin/python -m bench.load --stores 1000 --seconds 60        # the issue's run

Starts its own embedded PostgreSQL in a temp folder and a real gunicorn (`app:create_app()`, `--no-control-socket`)
on 127.0.0.1, provisions N stores, one owner for each store user (spread over the N stores) and association
admins with two-step sign-in, signs every virtual user in (not timed), then runs one thread per user for the
given seconds (and at most --max-requests each). Form posts GET the form for its CSRF token first, as a browser
does. First one user alone makes --baseline sequential requests (the cost of a request without queueing).
Reports requests, error rate (anything but 200 for a page and 302 for a post, or no answer) and
p50/p95/p99 per request kind and overall, as JSON. Exits 1 when the error rate is 1% or more.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

import requests

from bench._stack import Person, Stack, csrf_token, percentile

STORE_MIX = [
    ("dashboard", 20),
    ("logbook", 20),
    ("incident", 12),
    ("feed", 15),
    ("contacts", 10),
    ("post_contact", 10),
    ("post_incident", 8),
    ("meetings", 5),
]
ADMIN_MIX = [("admin_home", 30), ("admin_members", 30), ("admin_audit", 20), ("admin_regions", 20)]


class User:
    """One virtual user: a signed-in session and what it may ask for."""

    def __init__(self, stack: Stack, person: Person, client: requests.Session, seed: int) -> None:
        self.stack = stack
        self.person = person
        self.client = client
        self.random = random.Random(seed)
        self.incidents: list[str] = []
        self.samples: list[tuple[str, float, bool, str]] = []
        mix = ADMIN_MIX if person.totp_secret else STORE_MIX
        self.kinds = [kind for kind, _ in mix]
        self.weights = [weight for _, weight in mix]

    def _request(self, kind: str, method: str, path: str, expect: int, **kwargs) -> requests.Response | None:
        began = time.perf_counter()
        try:
            response = self.client.request(
                method, self.stack.base_url + path, timeout=30, allow_redirects=False, **kwargs
            )
        except requests.RequestException as exc:
            self.samples.append((kind, (time.perf_counter() - began) * 1000, False, type(exc).__name__))
            return None
        ok = response.status_code == expect
        self.samples.append((kind, (time.perf_counter() - began) * 1000, ok, str(response.status_code)))
        return response if ok else None

    def post_form(self, kind: str, path: str, data: dict) -> requests.Response | None:
        page = self._request(f"{kind}_form", "GET", path, 200)
        if page is None:
            return None
        return self._request(kind, "POST", path, 302, data={**data, "csrf_token": csrf_token(page.text)})

    def post_incident(self, kind: str = "post_incident") -> None:
        n = self.random.randrange(1_000_000)
        data = {
            "occurred_at": "2026-03-10T14:30",
            "incident_type": "distraction",
            "title": f"Two people, one distracts ({n})",
            "narrative": "One asked to see watches while the other drifted to the ring case.",
            "location_note": "Front counter",
            "people-0-clothing": "Red scarf",
            "vehicles-0-plate": "",
        }
        response = self.post_form(kind, f"/s/{self.person.store_slug}/logbook/new", data)
        if response is not None and "/logbook/" in response.headers.get("Location", ""):
            self.incidents.append(response.headers["Location"].split("/logbook/", 1)[1].strip("/"))

    def step(self) -> None:
        kind = self.random.choices(self.kinds, self.weights)[0]
        store = f"/s/{self.person.store_slug}"
        association = f"/a/{self.stack.association_slug}"
        if kind == "incident" and self.incidents:
            self._request(kind, "GET", f"{store}/logbook/{self.random.choice(self.incidents)}", 200)
        elif kind in ("incident", "logbook"):
            self._request("logbook", "GET", f"{store}/logbook/", 200)
        elif kind == "post_incident":
            self.post_incident()
        elif kind == "post_contact":
            data = {"agency": "Metro Police", "officer_name": f"Officer {self.random.randrange(1000)}"}
            self.post_form(kind, f"{store}/contacts/new", {**data, "preferred_contact": "phone"})
        else:
            paths = {
                "dashboard": f"{store}/",
                "feed": f"{store}/feed/",
                "contacts": f"{store}/contacts/",
                "meetings": f"{store}/meetings/",
                "admin_home": f"{association}/",
                "admin_members": f"{association}/members/",
                "admin_audit": f"{association}/audit/",
                "admin_regions": f"{association}/regions/",
            }
            self._request(kind, "GET", paths[kind], 200)

    def run(self, deadline: float, max_requests: int) -> None:
        for _ in range(max_requests):
            if time.monotonic() >= deadline:
                return
            self.step()


def summarise(samples: list[tuple[str, float, bool, str]], seconds: float) -> dict:
    def figures(rows) -> dict:
        latencies = [ms for _, ms, _, _ in rows]
        errors = sum(not ok for _, _, ok, _ in rows)
        return {
            "requests": len(rows),
            "errors": errors,
            "error_rate_pct": round(100 * errors / len(rows), 3) if rows else 0.0,
            "p50_ms": round(percentile(latencies, 50), 1),
            "p95_ms": round(percentile(latencies, 95), 1),
            "p99_ms": round(percentile(latencies, 99), 1),
        }

    per_kind = defaultdict(list)
    for row in samples:
        per_kind[row[0]].append(row)
    overall = figures(samples)
    overall["requests_per_s"] = round(len(samples) / seconds, 1)
    overall["error_kinds"] = sorted({detail for _, _, ok, detail in samples if not ok})
    return {"overall": overall, "per_kind": {kind: figures(rows) for kind, rows in sorted(per_kind.items())}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stores", type=int, default=200)
    parser.add_argument("--users", type=int, default=32, help="concurrent virtual users")
    parser.add_argument("--admins", type=int, default=4, help="how many of the users are association admins")
    parser.add_argument("--seconds", type=float, default=15.0, help="timed part (the issue's run: 60)")
    parser.add_argument("--max-requests", type=int, default=50_000, help="per user, a bound on the loop")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    parser.add_argument("--baseline", type=int, default=50, help="sequential requests of one user first (no queueing)")
    args = parser.parse_args()

    stack = Stack.start()
    try:
        t0 = time.perf_counter()
        stack.add_stores(args.stores)
        provision_s = time.perf_counter() - t0
        store_users = args.users - args.admins
        people = [
            stack.add_person(f"load-owner-{i}@example.org", store=stack.stores[i * args.stores // store_users])
            for i in range(store_users)
        ] + [stack.add_person(f"load-admin-{i}@example.org", admin=True) for i in range(args.admins)]
        stack.start_gunicorn(workers=args.workers, threads=args.threads)

        def prepare(item: tuple[int, Person]) -> User:
            i, person = item
            user = User(stack, person, stack.sign_in(person), seed=i)
            if not person.totp_secret:
                user.post_incident("warm_up")  # something in each logbook to open
            return user

        with ThreadPoolExecutor(max_workers=8) as pool:
            users = list(pool.map(prepare, enumerate(people)))
        for user in users:
            user.samples.clear()
        # One user alone: what a request costs without queueing behind the other users.
        users[0].run(time.monotonic() + 60, args.baseline)
        baseline = summarise(users[0].samples, 1.0)["overall"]
        baseline = {key: baseline[key] for key in ("requests", "errors", "p50_ms", "p95_ms", "p99_ms")}
        users[0].samples.clear()

        barrier = threading.Barrier(len(users))
        started = [0.0]

        def run(user: User) -> None:
            barrier.wait()
            if not started[0]:
                started[0] = time.monotonic()
            user.run(started[0] + args.seconds, args.max_requests)

        with ThreadPoolExecutor(max_workers=len(users)) as pool:
            list(pool.map(run, users))
        elapsed = time.monotonic() - started[0]
    finally:
        stack.close()

    result = {
        "setup": {
            "stores": args.stores,
            "provisioning_s": round(provision_s, 1),
            "users": args.users,
            "admins": args.admins,
            "seconds": args.seconds,
            "gunicorn": f"{args.workers} workers x {args.threads} threads",
        },
        "single_user_baseline": baseline,
        **summarise([s for user in users for s in user.samples], elapsed),
    }
    print(json.dumps(result, indent=2))
    sys.exit(0 if result["overall"]["error_rate_pct"] < 1 else 1)


if __name__ == "__main__":
    main()
