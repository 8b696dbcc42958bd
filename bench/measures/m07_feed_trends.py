"""Measure 7: the regional feed and the trends page, in-process (test client, signed in as the first store's
owner), timed when the data set has 10, 100 and N stores. Bulletins and incident facts grow with the stores
(every 4th store shares two incidents), so this shows whether the pages depend on the number of stores."""

from __future__ import annotations

import time

from bench.harness import log
from bench.stats import median, result

NUMBER, PHASE = "7", 0
TARGET = "flat within ±15%"
PAGES = {"feed": "/s/{slug}/feed/", "trends": "/s/{slug}/feed/trends"}


def _facts(ctx) -> tuple[int, int]:
    import sqlalchemy as sa

    with ctx.owner.connect() as conn:
        bulletins = conn.scalar(sa.text("SELECT count(*) FROM loupe.bulletins"))
        facts = conn.scalar(sa.text("SELECT count(*) FROM loupe.incident_facts"))
    return bulletins, facts


def checkpoint(ctx, stores: int) -> None:
    if stores == 0 or len(ctx.stores) != stores:
        return
    store = ctx.stores[0]
    client = ctx.app.test_client()
    name, _, value = ctx.session_cookie(store.owner_id).partition("=")
    client.set_cookie(name, value)
    n = ctx.options.iterations // 10
    out = {}
    for page, path in PAGES.items():
        url = path.format(slug=store.slug)
        samples = []
        for i in range(n + 5):
            t0 = time.perf_counter()
            response = client.get(url)
            if i >= 5:
                samples.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        out[page] = [round(x, 2) for x in samples]
    bulletins, facts = _facts(ctx)
    ctx.extra.setdefault("m7", {})[stores] = {"pages": out, "bulletins": bulletins, "facts": facts}
    log(
        f"  measure 7 at {stores}: feed {median(out['feed']):.1f} ms, trends {median(out['trends']):.1f} ms"
        f" ({bulletins} bulletins, {facts} facts)"
    )


def run(ctx) -> dict:
    data = ctx.extra.get("m7", {})
    sizes = sorted(data)
    medians = {page: {n: round(median(data[n]["pages"][page]), 2) for n in sizes} for page in PAGES}
    spread = {}
    for page, by_size in medians.items():
        values = list(by_size.values())
        base = values[0] if values else 0
        spread[page] = round(100 * (max(abs(v - base) for v in values) / base), 1) if base else None
    worst = max((v for v in spread.values() if v is not None), default=None)
    return result(
        worst,
        "% largest change from the 10-store time",
        TARGET,
        [{"stores": n, **{p: data[n]["pages"][p] for p in PAGES}} for n in sizes],
        medians_ms={p: {str(n): v for n, v in m.items()} for p, m in medians.items()},
        change_pct=spread,
        shared_rows={str(n): {"bulletins": data[n]["bulletins"], "facts": data[n]["facts"]} for n in sizes},
    )
