"""Measure 7: the regional feed and the trends page, in-process (test client, signed in as the first store's
owner), timed when the data set has 10, 100 and N stores. Bulletins and incident facts grow with the stores
(every 4th store shares two incidents), so this shows whether the pages depend on the number of stores.

The checkpoints are minutes apart on a shared machine, so each sample of the two pages is taken next to a sample
of a reference page whose work does not depend on the data (the signed-in password form: session, memberships,
layout). The value compares each page's median relative to the reference's (a ratio taken in the same run);
the raw medians are reported beside it.
"""

from __future__ import annotations

import time

from bench.harness import log
from bench.stats import median, result

NUMBER, PHASE = "7", 0
TARGET = "flat within ±15%"
PAGES = {"feed": "/s/{slug}/feed/", "trends": "/s/{slug}/feed/trends"}
REFERENCE = "/account/password"


def _facts(ctx) -> tuple[int, int]:
    import sqlalchemy as sa

    with ctx.owner.connect() as conn:
        bulletins = conn.scalar(sa.text("SELECT count(*) FROM loupe.bulletins"))
        facts = conn.scalar(sa.text("SELECT count(*) FROM loupe.published_trend_weeks"))
    return bulletins, facts


def checkpoint(ctx, stores: int) -> None:
    if stores == 0 or len(ctx.stores) != stores:
        return
    store = ctx.stores[0]
    client = ctx.app.test_client()
    name, _, value = ctx.session_cookie(store.owner_id).partition("=")
    client.set_cookie(name, value)
    n = ctx.options.iterations // 10
    urls = {page: path.format(slug=store.slug) for page, path in PAGES.items()} | {"reference": REFERENCE}
    out: dict[str, list[float]] = {page: [] for page in urls}
    articles = 0
    for i in range(n + 5):
        for page, url in urls.items():  # interleaved: a slow moment of the machine hits all three alike
            t0 = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - t0) * 1000
            assert response.status_code == 200, (url, response.status_code)
            if i >= 5:
                out[page].append(round(elapsed, 2))
            if page == "feed" and i == 0:
                articles = response.get_data(as_text=True).count("<article")
    bulletins, facts = _facts(ctx)
    ctx.extra.setdefault("m7", {})[stores] = {"pages": out, "bulletins": bulletins, "facts": facts, "shown": articles}
    log(
        f"  measure 7 at {stores}: feed {median(out['feed']):.1f} ms ({articles} bulletins shown), trends "
        f"{median(out['trends']):.1f} ms, reference {median(out['reference']):.1f} ms"
        f" ({bulletins} bulletins, {facts} facts)"
    )


def run(ctx) -> dict:
    data = ctx.extra.get("m7", {})
    sizes = sorted(data)
    medians = {page: {n: round(median(data[n]["pages"][page]), 2) for n in sizes} for page in PAGES}
    has_reference = all("reference" in data[n]["pages"] for n in sizes)
    reference = {n: median(data[n]["pages"]["reference"]) for n in sizes} if has_reference else {}
    relative = {p: {n: round(m[n] / reference[n], 3) for n in sizes} for p, m in medians.items()} if reference else {}
    spread = _spread(relative or medians)
    worst = max((v for v in spread.values() if v is not None), default=None)
    return result(
        worst,
        "% largest change from the 10-store time" + (" (relative to the reference page)" if relative else ""),
        TARGET,
        [{"stores": n, **data[n]["pages"]} for n in sizes],
        medians_ms={p: {str(n): v for n, v in m.items()} for p, m in medians.items()},
        reference_ms={str(n): round(v, 2) for n, v in reference.items()},
        relative_to_reference={p: {str(n): v for n, v in m.items()} for p, m in relative.items()},
        change_pct=spread,
        raw_change_pct=_spread(medians),
        bulletins_shown={str(n): data[n].get("shown") for n in sizes},
        shared_rows={str(n): {"bulletins": data[n]["bulletins"], "facts": data[n]["facts"]} for n in sizes},
    )


def _spread(by_page: dict[str, dict[int, float]]) -> dict[str, float | None]:
    """Per page, the largest change from the first (smallest) data set, in percent."""
    spread = {}
    for page, by_size in by_page.items():
        values = list(by_size.values())
        base = values[0] if values else 0
        spread[page] = round(100 * (max(abs(v - base) for v in values) / base), 1) if base else None
    return spread
