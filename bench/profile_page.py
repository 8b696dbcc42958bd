"""Where a store page's time goes, in-process: cProfile over repeated signed-in requests (issue #22).

    .venv/bin/python -m bench.profile_page                       # dashboard, 20 stores, 300 requests
    .venv/bin/python -m bench.profile_page --page feed --requests 500 --top 40

Grows a small data set in a fresh embedded PostgreSQL (bench/harness.py), signs a store owner in, requests the
page over all stores in turns (after a warm-up round), prints the per-request median and the functions with
the most cumulative and own time. Uses the standard library's cProfile (no profiler is installed in the venv).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import time
from types import SimpleNamespace

from bench.harness import Context, log
from bench.peer_pages import PAGES, sign_in


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--page", choices=sorted(PAGES), default="dashboard")
    p.add_argument("--stores", type=int, default=20)
    p.add_argument("--requests", type=int, default=300)
    p.add_argument("--top", type=int, default=30)
    p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="an app setting to override")
    a = p.parse_args()
    options = SimpleNamespace(tmpdir=None, keep=False, stores=a.stores)
    ctx = Context.start(options)
    overrides = dict(item.split("=", 1) for item in a.set)
    settings = ctx.app_settings
    ctx.app_settings = lambda: {**settings(), **overrides}  # before ctx.app is first built
    try:
        ctx.grow_to(a.stores)
        clients = []
        for store in ctx.stores:
            client = ctx.app.test_client()
            name, _, value = sign_in(ctx, store.owner_id)[0].partition("=")
            client.set_cookie(name, value)
            clients.append((client, PAGES[a.page].format(slug=store.slug)))
        for client, path in clients:
            assert client.get(path).status_code == 200
        times = []
        profiler = cProfile.Profile()
        for i in range(a.requests):
            client, path = clients[i % len(clients)]
            t0 = time.perf_counter()
            profiler.enable()
            response = client.get(path)
            profiler.disable()
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200
        log(f"{a.page}: median {statistics.median(times):.2f} ms over {a.requests} requests, {a.stores} stores")
        for order in ("cumulative", "tottime"):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(a.top)
            print(out.getvalue())
    finally:
        ctx.close()


if __name__ == "__main__":
    main()
