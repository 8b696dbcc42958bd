"""Measure 11: the store dashboard and the regional feed, Loupe beside Django + django-tenants (issue #22).

Same PostgreSQL, same data (the Django side runs on Loupe's database and store schemas), same queries (recorded
from Loupe's page, run through django-tenants' `SET search_path`), pages of about the same size, the same gunicorn
command (4 sync workers), the same wrk run (16 connections, 2 threads) over the same 200 random stores of N, each
request with that store owner's session. A hello-world page on the same gunicorn settings is measured in the same
rounds; rounds alternate the apps so that noise on the shared machine hits all alike; medians of the rounds.
"""

from __future__ import annotations

import os
import random

import requests

from bench.harness import log
from bench.peer_pages import PAGES, DjangoPages, record, sign_in
from bench.stats import median, ratio, result
from bench.web import Gunicorn, write_lua, wrk

NUMBER, PHASE = "11", 1
TARGET = "Loupe ≥ 1.5× django-tenants' throughput on the same page; p95 ≤ 50 ms"


def prepare(ctx) -> dict:
    """Statements recorded from Loupe's pages, 200 random stores and both apps' cookies (shared with measure 12)."""
    if "peer" in ctx.extra:
        return ctx.extra["peer"]
    store = ctx.stores[0]
    statements, pages = {}, {}
    for kind, path in PAGES.items():
        statements[kind], pages[kind] = record(ctx, store, path.format(slug=store.slug))
        log(f"  {kind}: {len(statements[kind])} statements recorded, page {len(pages[kind])} bytes")
    chosen = random.Random(7).sample(ctx.stores, min(200, len(ctx.stores)))
    log(f"  signing in the owners of {len(chosen)} stores (one auth session each, read by both apps)")
    cookies = [(s, *sign_in(ctx, s.owner_id)) for s in chosen]
    scripts = {}
    for kind, path in PAGES.items():
        for side, index in (("loupe", 1), ("django", 2)):
            targets = [(path.format(slug=c[0].slug), c[index]) for c in cookies]
            scripts[(side, kind)] = write_lua(os.path.join(ctx.tmp, f"peer-{side}-{kind}.lua"), targets)
    ctx.extra["peer"] = {"statements": statements, "pages": pages, "scripts": scripts, "cookies": cookies}
    return ctx.extra["peer"]


def page_bytes(base: str, path: str, cookie: str) -> int:
    name, _, value = cookie.partition("=")
    response = requests.get(base + path, cookies={name: value}, timeout=30)
    if response.status_code != 200:
        raise RuntimeError(f"{base}{path} answered {response.status_code}")
    return len(response.content)


def run(ctx) -> dict:
    peer = prepare(ctx)
    env = {k: str(v) for k, v in ctx.app_settings().items()}
    seconds = ctx.options.seconds
    hello_lua = write_lua(os.path.join(ctx.tmp, "hello.lua"), [("/", "")])
    rounds: dict[str, list] = {"hello": [], **{f"{s}_{k}": [] for s in ("loupe", "django") for k in PAGES}}
    # Settings from measurement: Loupe's dashboard again with another worker count or pool setting, same rounds.
    variants = {
        "loupe_dashboard_8_workers": ({}, 8),
        "loupe_dashboard_no_retire": ({"DATABASE_STORES_PER_CONNECTION": "0"}, 4),
    }
    for key in variants:
        rounds[key] = []
    extra: dict[str, Gunicorn] = {}
    hello = loupe = django = None
    try:
        hello = Gunicorn("bench.hello_app:create_app()", env, os.path.join(ctx.tmp, "gunicorn-hello11.log"))
        loupe = Gunicorn("app:create_app()", env, os.path.join(ctx.tmp, "gunicorn-loupe11.log"), probe="/login")
        django = DjangoPages(ctx, peer["statements"], db_host=ctx.datadir)
        for key, (overrides, workers) in variants.items():
            log_path = os.path.join(ctx.tmp, f"gunicorn-{key}.log")
            extra[key] = Gunicorn("app:create_app()", {**env, **overrides}, log_path, probe="/login", workers=workers)
        store, loupe_cookie, django_cookie = peer["cookies"][0]
        sizes = {
            kind: {"loupe": page_bytes(loupe.base, path.format(slug=store.slug), loupe_cookie),
                   "django": page_bytes(django.base, path.format(slug=store.slug), django_cookie)}
            for kind, path in PAGES.items()
        }  # fmt: skip
        log(f"  page sizes (bytes): {sizes}")
        bases = {"loupe": loupe.base, "django": django.base}
        for (side, _kind), script in peer["scripts"].items():  # warm-up: imports, pools, caches
            wrk(bases[side], script, 3)
        wrk(hello.base, hello_lua, 2)
        dashboard = peer["scripts"][("loupe", "dashboard")]
        for server in extra.values():
            wrk(server.base, dashboard, 3)
        for i in range(ctx.options.runs):
            rounds["hello"].append(wrk(hello.base, hello_lua, seconds))
            for (side, kind), script in peer["scripts"].items():
                rounds[f"{side}_{kind}"].append(wrk(bases[side], script, seconds))
            for key, server in extra.items():
                rounds[key].append(wrk(server.base, dashboard, seconds))
            line = ", ".join(f"{k} {v[-1]['rps']}/s p95 {v[-1]['p95_ms']} ms" for k, v in rounds.items())
            log(f"  round {i + 1}: {line}")
    finally:
        for server in (hello, loupe, django, *extra.values()):
            if server is not None:
                server.stop()
    figures = {
        key: {"rps": median([r["rps"] for r in rs]), "p50_ms": median([r["p50_ms"] for r in rs]),
              "p95_ms": median([r["p95_ms"] for r in rs]), "errors": sum(r["errors"] for r in rs)}
        for key, rs in rounds.items()
    }  # fmt: skip
    hello_rps = figures["hello"]["rps"]
    for f in figures.values():
        f["share_of_hello"] = ratio(f["rps"], hello_rps, 3)
    speedup = {kind: ratio(figures[f"loupe_{kind}"]["rps"], figures[f"django_{kind}"]["rps"], 2) for kind in PAGES}
    return result(
        speedup["dashboard"],
        "× (Loupe / django-tenants dashboard throughput)",
        TARGET,
        [{k: v[i] for k, v in rounds.items()} for i in range(len(rounds["hello"]))],
        figures=figures,
        speedup=speedup,
        page_bytes=sizes,
        statements={kind: len(s) for kind, s in peer["statements"].items()},
        connections=16,
        stores=len(peer["cookies"]),
        gunicorn="gunicorn --workers 4 --no-control-socket --access-logfile - <app> (the same binary for both)",
        django="Django + django-tenants (bench/django_side/requirements.txt), CONN_MAX_AGE=600, SET search_path",
        seconds_per_round=seconds,
        loadavg=[round(x, 2) for x in os.getloadavg()],
    )
