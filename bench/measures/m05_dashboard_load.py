"""Measure 5: the store dashboard under gunicorn (production command, 4 sync workers), wrk on 127.0.0.1 with
16 connections, each request a random store among 200 with that store owner's session; a hello-world Flask page
on the same gunicorn settings in the same run, and (for measure 6) random stores among all N and one fixed
store. Rounds alternate the three
so that noise from the shared machine hits all of them alike; medians of the rounds are reported.
"""

from __future__ import annotations

import os
import random

from bench.harness import log
from bench.stats import median, ratio, result
from bench.web import Gunicorn, write_lua, wrk

NUMBER, PHASE = "5", 1
TARGET = "p95 ≤ 50 ms; 0 errors; throughput ≥ 15% of hello-world on the same gunicorn"


def web_rounds(ctx) -> dict:
    """Run (once) the hello / random-200 / fixed-store rounds shared by measures 5 and 6."""
    if "web" in ctx.extra:
        return ctx.extra["web"]
    log(f"  signing in the owners of all {len(ctx.stores)} stores (server-side sessions)")
    every = [(f"/s/{s.slug}/", ctx.session_cookie(s.owner_id)) for s in ctx.stores]
    ctx.extra["all_targets"] = every
    targets = random.Random(7).sample(every, min(200, len(every)))
    random_lua = write_lua(os.path.join(ctx.tmp, "random.lua"), targets)
    all_lua = write_lua(os.path.join(ctx.tmp, "all.lua"), every)
    fixed_lua = write_lua(os.path.join(ctx.tmp, "fixed.lua"), targets[:1])
    hello_lua = write_lua(os.path.join(ctx.tmp, "hello.lua"), [("/", "")])
    env = {k: str(v) for k, v in ctx.app_settings().items()}
    seconds = ctx.options.seconds
    rounds = {"hello": [], "random": [], "all": [], "fixed": []}
    hello = Gunicorn("bench.hello_app:create_app()", env, os.path.join(ctx.tmp, "gunicorn-hello.log"))
    loupe = None
    try:
        loupe = Gunicorn("app:create_app()", env, os.path.join(ctx.tmp, "gunicorn-loupe.log"), probe="/login")
        wrk(loupe.base, random_lua, 3)  # warm-up: imports, pools, caches
        wrk(hello.base, hello_lua, 2)
        for i in range(ctx.options.runs):
            rounds["hello"].append(wrk(hello.base, hello_lua, seconds))
            rounds["random"].append(wrk(loupe.base, random_lua, seconds))
            rounds["all"].append(wrk(loupe.base, all_lua, seconds))
            rounds["fixed"].append(wrk(loupe.base, fixed_lua, seconds))
            log(
                f"  round {i + 1}: hello {rounds['hello'][-1]['rps']}/s, random stores {rounds['random'][-1]['rps']}/s"
                f" p95 {rounds['random'][-1]['p95_ms']} ms, all stores {rounds['all'][-1]['rps']}/s,"
                f" fixed store {rounds['fixed'][-1]['rps']}/s"
            )
    finally:
        hello.stop()
        if loupe is not None:
            loupe.stop()
    ctx.extra["web"] = rounds
    return rounds


def run(ctx) -> dict:
    rounds = web_rounds(ctx)
    rnd, hello = rounds["random"], rounds["hello"]
    per_round = [ratio(r["rps"], h["rps"]) for r, h in zip(rnd, hello, strict=True)]
    p95 = median([r["p95_ms"] for r in rnd])
    return result(
        p95,
        "ms (p95)",
        TARGET,
        [{"random": r, "hello": h} for r, h in zip(rnd, hello, strict=True)],
        p50_ms=median([r["p50_ms"] for r in rnd]),
        throughput_rps=median([r["rps"] for r in rnd]),
        hello_rps=median([h["rps"] for h in hello]),
        share_of_hello=median(per_round),
        errors=sum(r["errors"] for r in rnd),
        connections=16,
        stores=min(200, len(ctx.stores)),
        gunicorn="LOUPE_ENV=production gunicorn --workers 4 --no-control-socket --access-logfile - 'app:create_app()'",
        seconds_per_round=ctx.options.seconds,
    )
