"""Measure 12: both apps behind PgBouncer in transaction mode (issue #22 part 2), correctness first, then speed.

The probe: two stores each get a police contact whose name is a secret; their owners' dashboards are requested
in turns, 8 at a time, through each app served behind the pooler (4 gunicorn workers, PgBouncer's pool of 4
server connections for the database). A page is counted when it shows the other store's secret (data of another
store), when it lacks its own (wrong or no store), and when it is not a 200. Loupe names every store table with
its schema in each statement (`schema_translate_map`), so the server connection a statement lands on does not
matter; django-tenants binds the connection once with `SET search_path`, a session setting that stays on the
server connection PgBouncer hands to the next transaction, whoever sends it.

Then the speed: the dashboard wrk run of measure 11 (same 200 stores, 16 connections) through the pooler.
"""

from __future__ import annotations

import os
import secrets
from concurrent.futures import ThreadPoolExecutor

import requests
import sqlalchemy as sa

from bench import pooler
from bench.harness import APP_ROLE, log
from bench.measures.m11_peer_pages import prepare
from bench.peer_pages import DjangoPages, sign_in
from bench.stats import median, ratio, result
from bench.web import Gunicorn, wrk

NUMBER, PHASE = "12", 1
TARGET = "Loupe: 0 pages wrong (another store's data, or an error); throughput kept"
PROBE_REQUESTS = 400


def plant_secrets(ctx, stores) -> dict[str, str]:
    """A police contact named with a fresh secret in each store (never contacted: on the dashboard's list)."""
    planted = {}
    with ctx.owner.begin() as conn:
        for store in stores:
            secret = f"Probe{secrets.token_hex(6)}"
            conn.execute(
                sa.text(f'INSERT INTO "{store.schema}".police_contacts (agency, officer_name) VALUES (:a, :n)'),
                {"a": "Probe Police", "n": secret},
            )
            planted[store.slug] = secret
    return planted


def probe(base: str, pairs: list[tuple[str, str]], planted: dict[str, str]) -> dict:
    """Interleaved dashboards of the stores in `pairs` ((slug, cookie)), 8 in flight; what each page showed."""

    def one(i: int) -> tuple[str, int, str]:
        slug, cookie = pairs[i % len(pairs)]
        name, _, value = cookie.partition("=")
        try:
            response = requests.get(f"{base}/s/{slug}/", cookies={name: value}, timeout=30)
        except requests.RequestException as exc:
            return slug, 0, type(exc).__name__
        return slug, response.status_code, response.text

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(one, range(PROBE_REQUESTS)))
    counts = {"requests": len(answers), "ok": 0, "other_store_secret": 0, "own_secret_missing": 0, "not_200": 0}
    statuses: dict[str, int] = {}
    for slug, status, body in answers:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
        if status != 200:
            counts["not_200"] += 1
            continue
        others = [s for other, s in planted.items() if other != slug]
        leaked = any(s in body for s in others)
        missing = planted[slug] not in body
        counts["other_store_secret"] += leaked
        counts["own_secret_missing"] += missing
        counts["ok"] += not leaked and not missing
    counts["statuses"] = statuses
    return counts


def run(ctx) -> dict:
    peer = prepare(ctx)
    stores = ctx.stores[1:3]
    planted = plant_secrets(ctx, stores)
    cookies = {s.slug: sign_in(ctx, s.owner_id) for s in stores}
    bouncer = pooler.PgBouncer(ctx, pool_size=4, roles=(APP_ROLE,))
    env = {k: str(v) for k, v in ctx.app_settings().items()}
    env["DATABASE_APP_URL"] = bouncer.url(APP_ROLE)  # requests go through the pooler; the owner stays direct
    seconds = ctx.options.seconds
    probes, rounds = {}, {"loupe": [], "django": []}
    loupe = django = None
    try:
        # First as configured for a direct connection: psycopg's server-side prepared statements meet the pooler.
        loupe = Gunicorn("app:create_app()", env, os.path.join(ctx.tmp, "gunicorn-loupe12p.log"), probe="/login")
        probes["loupe_prepared_statements"] = probe(loupe.base, [(k, c[0]) for k, c in cookies.items()], planted)
        log(f"  probe through PgBouncer, loupe as for a direct connection: {probes['loupe_prepared_statements']}")
        loupe.stop()
        env["DATABASE_TRANSACTION_POOLER"] = "true"  # no server-side prepared statements (database/engines.py)
        loupe = Gunicorn("app:create_app()", env, os.path.join(ctx.tmp, "gunicorn-loupe12.log"), probe="/login")
        django = DjangoPages(ctx, peer["statements"], db_host="127.0.0.1", db_port=bouncer.port, label="django12")
        for side, base, index in (("loupe", loupe.base, 0), ("django", django.base, 1)):
            pairs = [(slug, c[index]) for slug, c in cookies.items()]
            probes[side] = probe(base, pairs, planted)
            log(f"  probe through PgBouncer, {side}: {probes[side]}")
        bases = {"loupe": loupe.base, "django": django.base}
        for side in rounds:
            wrk(bases[side], peer["scripts"][(side, "dashboard")], 3)
        for i in range(ctx.options.runs):
            for side in rounds:
                rounds[side].append(wrk(bases[side], peer["scripts"][(side, "dashboard")], seconds))
            log(f"  round {i + 1} through PgBouncer: " + ", ".join(
                f"{s} {r[-1]['rps']}/s p95 {r[-1]['p95_ms']} ms ({r[-1]['errors']} errors)" for s, r in rounds.items()
            ))  # fmt: skip
    finally:
        for server in (loupe, django):
            if server is not None:
                server.stop()
        bouncer.stop()
    figures = {
        side: {"rps": median([r["rps"] for r in rs]), "p95_ms": median([r["p95_ms"] for r in rs]),
               "errors": sum(r["errors"] for r in rs)}
        for side, rs in rounds.items()
    }  # fmt: skip
    wrong = probes["loupe"]["other_store_secret"] + probes["loupe"]["own_secret_missing"] + probes["loupe"]["not_200"]
    return result(
        wrong,
        "of Loupe's probe pages wrong (another store's data, not its own, or not 200) through the pooler",
        TARGET,
        [{side: rs[i] for side, rs in rounds.items()} for i in range(ctx.options.runs)],
        probe=probes,
        figures=figures,
        speedup=ratio(figures["loupe"]["rps"], figures["django"]["rps"], 2),
        pgbouncer=f"{pooler.version()}, pool_mode=transaction, default_pool_size=4, 127.0.0.1",
        loupe_setting="DATABASE_TRANSACTION_POOLER=true (the probe also runs once without it)",
        probe_requests=PROBE_REQUESTS,
        seconds_per_round=seconds,
        loadavg=[round(x, 2) for x in os.getloadavg()],
    )
