"""Measure 6: tenant switching. (a) throughput with one fixed store vs requests spread over all N stores at random,
same gunicorn, same rounds as measure 5 (value: random / fixed). (b) in-process, the per-request cost of what
`blueprints.guards.store_view` adds: the store + membership lookup, the billing check and the schema binding, timed
around those calls in a fresh request context for random stores, against the dashboard page's own time.
"""

from __future__ import annotations

import random
import time

from bench.measures.m05_dashboard_load import web_rounds
from bench.stats import median, percentile, ratio, result

NUMBER, PHASE = "6", 1
TARGET = "ratio ≥ 0.95; binding cost ≤ 0.3 ms"


def binding_cost(ctx, iterations: int) -> dict:
    """What `store_view` adds to a signed-in request, timed inside real request contexts for random stores.

    The person's memberships (store, association, dues status) are read once per request with their session, a
    query every signed-in page runs anyway for its navigation; it is timed apart (`memberships_query_*`). The
    tenancy work proper is finding the store among them, applying the dues rule and binding the schema.
    """
    import sqlalchemy as sa
    from flask_login import current_user

    from billing.access import enforce_billing_access
    from database.request_scope import db
    from tenants.access import resolve_store
    from tenants.binding import bind_schema

    app = ctx.app
    rng = random.Random(11)
    bind_ms, query_ms, noop_ms = [], [], []
    cookies: dict[int, str] = {}
    for i in range(iterations + 50):
        store = rng.choice(ctx.stores)
        if store.owner_id not in cookies:
            cookies[store.owner_id] = ctx.session_cookie(store.owner_id)
        cookie = cookies[store.owner_id]
        with app.test_request_context(f"/s/{store.slug}/", headers={"Cookie": cookie}):
            assert current_user.is_authenticated  # session and person loaded: request cost, not tenancy
            t0 = time.perf_counter()
            memberships = current_user.memberships
            t1 = time.perf_counter()
            row, _membership, billing = resolve_store(memberships, store.slug)
            enforce_billing_access(billing)
            bind_schema(db(), row.schema_name)
            t2 = time.perf_counter()
            db().execute(sa.select(1))
            t3 = time.perf_counter()
            db().rollback()
        if i >= 50:  # warm-up excluded
            query_ms.append((t1 - t0) * 1000)
            bind_ms.append((t2 - t1) * 1000)
            noop_ms.append((t3 - t2) * 1000)
    # The dashboard page in-process (test client, signed in), for scale.
    page_ms = []
    client = app.test_client()
    store = ctx.stores[1]
    name, _, value = ctx.session_cookie(store.owner_id).partition("=")
    client.set_cookie(name, value)
    for i in range(iterations // 4 + 10):
        t0 = time.perf_counter()
        response = client.get(f"/s/{store.slug}/")
        if i >= 10:
            page_ms.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, response.status_code
    return {
        "bind_median_ms": round(median(bind_ms), 4),
        "bind_p95_ms": round(percentile(bind_ms, 95), 4),
        "memberships_query_median_ms": round(median(query_ms), 3),
        "memberships_query_p95_ms": round(percentile(query_ms, 95), 3),
        "one_round_trip_median_ms": round(median(noop_ms), 3),
        "dashboard_in_process_median_ms": round(median(page_ms), 2),
        "iterations": iterations,
    }


def switching_in_process(ctx, count: int = 100) -> dict:
    """The dashboard in-process, one connection reused: a fixed store; `count` stores this process has not touched
    yet (cold catalog caches and no prepared statements for their schema-qualified queries on this backend); the
    same stores again (warm). Tells a per-backend first-touch cost from a per-request one."""
    app = ctx.app
    stores = ctx.stores[-count:]  # the measures above touched random stores; these are the least likely touched
    clients = []
    for store in [ctx.stores[1], *stores]:
        client = app.test_client()
        name, _, value = ctx.session_cookie(store.owner_id).partition("=")
        client.set_cookie(name, value)
        clients.append((store, client))

    def timed(store, client) -> float:
        t0 = time.perf_counter()
        response = client.get(f"/s/{store.slug}/")
        assert response.status_code == 200, response.status_code
        return (time.perf_counter() - t0) * 1000

    from database.request_scope import engines

    with app.app_context():
        engines().app.dispose()  # fresh backends: none of these stores is cached anywhere yet
    fixed_store, fixed_client = clients[0]
    for _ in range(10):
        timed(fixed_store, fixed_client)
    fixed = [timed(fixed_store, fixed_client) for _ in range(count)]
    first = [timed(s, c) for s, c in clients[1:]]
    again = [timed(s, c) for s, c in clients[1:]]
    unprepared = _fixed_without_prepared_statements(app, lambda: timed(fixed_store, fixed_client), count)
    return {
        "fixed_store_ms": round(median(fixed), 2),
        "first_touch_ms": round(median(first), 2),
        "second_touch_ms": round(median(again), 2),
        "fixed_store_unprepared_ms": round(median(unprepared), 2),
        "stores": count,
    }


def _fixed_without_prepared_statements(app, timed, count: int) -> list[float]:
    """The fixed store again with server-side prepared statements off (psycopg's `prepare_threshold=None`).

    A store's statements are schema-qualified, so each store has its own SQL text: a busy store's statements get
    prepared (psycopg prepares a statement text on its 5th use on a connection) and skip parsing and planning,
    while requests spread over many stores are parsed and planned every time. This tells how much of the
    fixed-vs-random difference is that planning."""
    import sqlalchemy as sa

    from database.request_scope import engines

    def no_prepare(dbapi_connection, _record):
        dbapi_connection.prepare_threshold = None

    with app.app_context():
        engine = engines().app
    sa.event.listen(engine, "connect", no_prepare)
    try:
        engine.dispose()
        for _ in range(10):
            timed()
        return [timed() for _ in range(count)]
    finally:
        sa.event.remove(engine, "connect", no_prepare)
        engine.dispose()


def run(ctx) -> dict:
    rounds = web_rounds(ctx)
    per_round = [ratio(r["rps"], f["rps"]) for r, f in zip(rounds["all"], rounds["fixed"], strict=True)]
    cost = binding_cost(ctx, ctx.options.iterations)
    # Both passes must run on one backend: past DATABASE_STORES_PER_CONNECTION stores the pool retires the
    # connection, and the second pass would be a first touch again on a new backend.
    limit = ctx.app.config["DATABASE_STORES_PER_CONNECTION"]
    switching = switching_in_process(ctx, min(limit // 2, len(ctx.stores) - 2))
    return result(
        median(per_round),
        "random / fixed throughput",
        TARGET,
        [
            {"random_rps": r["rps"], "fixed_rps": f["rps"], "ratio": x}
            for r, f, x in zip(rounds["all"], rounds["fixed"], per_round, strict=True)
        ],
        binding=cost,
        in_process=switching,
        binding_cost_ms=cost["bind_median_ms"],
        stores=len(ctx.stores),
    )
