"""Rendering docs/performance.md and its SVG charts from a results dict (pure: no I/O but what callers write)."""

from __future__ import annotations

from html import escape

from bench.measures import TABLE

COLOURS = ["#2f6db5", "#d9822b", "#7a9e3b", "#8e5ea2"]


def fmt(value, digits: int = 2) -> str:
    """A figure for a table cell: thousands separators from 100, `digits` decimals from 1, 3 significant below."""
    if value is None:
        return "—"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        text = f"{value:.{digits}f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    return f"{value:.3g}"


def bar_chart(title: str, unit: str, groups: list[str], series: dict[str, list[float | None]]) -> str:
    """A grouped bar chart as standalone SVG: one group per label, one bar per series, values written on bars."""
    width, height, left, bottom, top = 640, 300, 60, 40, 40
    plot_w, plot_h = width - left - 20, height - top - bottom
    peak = max([v for values in series.values() for v in values if v is not None] or [1]) or 1
    n_series = max(1, len(series))
    group_w = plot_w / max(1, len(groups))
    bar_w = min(48, (group_w - 20) / n_series)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        'font-family="sans-serif" font-size="11">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{width / 2}" y="18" text-anchor="middle" font-size="13" font-weight="bold">{escape(title)}</text>',
        f'<text x="14" y="{top + plot_h / 2}" transform="rotate(-90 14 {top + plot_h / 2})" '
        f'text-anchor="middle">{escape(unit)}</text>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#333"/>',
    ]
    for i, group in enumerate(groups):
        gx = left + i * group_w
        parts.append(
            f'<text x="{gx + group_w / 2:.1f}" y="{top + plot_h + 16}" text-anchor="middle">{escape(group)}</text>'
        )
        start = gx + (group_w - bar_w * n_series) / 2
        for j, values in enumerate(series.values()):
            value = values[i] if i < len(values) else None
            if value is None:
                continue
            h = max(1.0, plot_h * value / peak)
            x, y = start + j * bar_w, top + plot_h - h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w - 4:.1f}" height="{h:.1f}" '
                f'fill="{COLOURS[j % len(COLOURS)]}"/>'
            )
            parts.append(
                f'<text x="{x + (bar_w - 4) / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle">{escape(fmt(value))}</text>'
            )
    for j, name in enumerate(series):
        x = left + j * 170
        parts.append(f'<rect x="{x}" y="{height - 14}" width="10" height="10" fill="{COLOURS[j % len(COLOURS)]}"/>')
        parts.append(f'<text x="{x + 14}" y="{height - 5}">{escape(name)}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _get(results: dict, key: str, *path, default=None):
    node = results.get(key) or {}
    for p in path:
        if not isinstance(node, dict):
            return default
        node = node.get(p)
        if node is None:
            return default
    return node


def charts(results: dict) -> dict[str, str]:
    """{file name: SVG} for the charts the doc shows (only those with data)."""
    n = str(_get(results, "dataset", "stores", default="N"))
    out = {}
    if results.get("1", {}).get("value") is not None:
        out["perf-provisioning.svg"] = bar_chart(
            "Provisioning one store, median",
            "ms",
            ["at 0 stores", f"at {n} stores"],
            {
                f"Loupe ({_get(results, '1', 'path', default='cold build')})": [
                    _get(results, "1", "at_0", "median"),
                    _get(results, "1", "at_n", "median"),
                ],
                **(
                    {
                        "Loupe (cold build)": [
                            _get(results, "1", "cold_at_0", "median"),
                            _get(results, "1", "cold_at_n", "median"),
                        ]
                    }
                    if _get(results, "1", "cold_at_0", default=None)
                    else {}
                ),
                "django-tenants": [
                    _get(results, "2", "django_at_0", "median"),
                    _get(results, "2", "django_at_n", "median"),
                ],
            },
        )
    if results.get("3", {}).get("value") is not None:
        out["perf-migrations.svg"] = bar_chart(
            f"Migrating every store schema ({n} stores), median",
            "s",
            ["nothing to apply", "column + index"],
            {
                "Loupe (2 workers)": [_get(results, "3", "value"), _get(results, "4", "value")],
                "django-tenants": [
                    _get(results, "3", "django_standard", "median"),
                    _get(results, "4", "django_standard", "median"),
                ],
                "django-tenants multiproc. (2)": [
                    _get(results, "3", "django_multiprocessing", "median"),
                    _get(results, "4", "django_multiprocessing", "median"),
                ],
            },
        )
    if results.get("5", {}).get("value") is not None:
        runs6 = results.get("6", {}).get("runs") or []
        from statistics import median

        all_rps = median([r["random_rps"] for r in runs6]) if runs6 else None
        fixed_rps = median([r["fixed_rps"] for r in runs6]) if runs6 else None
        out["perf-throughput.svg"] = bar_chart(
            "Throughput under gunicorn (4 workers), wrk 16 connections, median",
            "requests/s",
            ["hello world", "dashboard, 200 stores", f"dashboard, {n} stores", "dashboard, 1 store"],
            {"requests/s": [_get(results, "5", "hello_rps"), _get(results, "5", "throughput_rps"), all_rps, fixed_rps]},
        )
    medians = _get(results, "7", "medians_ms")
    if medians:
        sizes = list(medians.get("feed", {}))
        out["perf-feed-trends.svg"] = bar_chart(
            "Regional feed and trends page (in-process), median",
            "ms",
            [f"{s} stores" for s in sizes],
            {page: [medians[page][s] for s in sizes] for page in medians},
        )
    return out


def _status(entry: dict) -> str:
    return entry.get("status") or ""


def table(results: dict) -> str:
    rows = ["| # | measure | target | result | runs |", "| --- | --- | --- | --- | --- |"]
    for number, (title, target) in TABLE.items():
        entry = results.get(number) or {}
        if entry.get("value") is None:
            shown = entry.get("status") or "not measured"
        else:
            shown = f"**{fmt(entry['value'])}** {entry.get('unit', '')}".strip()
            detail = detail_for(number, entry)
            if detail:
                shown += f"; {detail}"
        where = entry.get("measured_in") or {}
        if where:
            shown += f" (measured in a later run: `{where.get('command')}`, {where.get('date')})"
        rows.append(f"| {number} | {title} | {target} | {shown} | {len(entry.get('runs') or [])} |")
    return "\n".join(rows)


def detail_for(number: str, e: dict) -> str:
    g = e.get
    if number == "1":
        return (
            f"{g('path') or 'cold build'}: at 0 median {fmt(_sub(e, 'at_0', 'median'))} ms, p95 "
            f"{fmt(_sub(e, 'at_0', 'p95'))} ms; at N median {fmt(_sub(e, 'at_n', 'median'))} ms, p95 "
            f"{fmt(_sub(e, 'at_n', 'p95'))} ms; growth {fmt(g('growth'))}×"
            + (
                f"; cold build (pool empty): median {fmt(_sub(e, 'cold_at_0', 'median'))} ms at 0, "
                f"{fmt(_sub(e, 'cold_at_n', 'median'))} ms at N (growth {fmt(g('cold_growth'))}×)"
                if g("cold_at_0")
                else ""
            )
        )
    if number == "2":
        return (
            f"django-tenants median {fmt(_sub(e, 'django_at_0', 'median'))} ms at 0, "
            f"{fmt(_sub(e, 'django_at_n', 'median'))} ms at N (ratio at N {fmt(g('ratio_at_n'))}×"
            + (
                f"; against Loupe's cold build {fmt(g('ratio_cold_build_at_0'))}× at 0, "
                f"{fmt(g('ratio_cold_build_at_n'))}× at N"
                if g("ratio_cold_build_at_0")
                else ""
            )
            + ")"
        )
    if number in ("3", "4"):
        return (
            f"django-tenants {fmt(_sub(e, 'django_standard', 'median'))} s, multiprocessing "
            f"{fmt(_sub(e, 'django_multiprocessing', 'median'))} s ({fmt(g('stores'))} stores)"
        )
    if number == "5":
        return (
            f"p50 {fmt(g('p50_ms'))} ms, {fmt(g('throughput_rps'))} req/s = {fmt(_pct(g('share_of_hello')))}% of "
            f"hello-world ({fmt(g('hello_rps'))} req/s), {fmt(g('errors'))} errors"
        )
    if number == "6":
        ip = g("in_process") or {}
        return f"resolve + bind {fmt(g('binding_cost_ms'), 3)} ms per request" + (
            f"; in-process dashboard: fixed store {fmt(ip.get('fixed_store_ms'))} ms, stores not touched before "
            f"{fmt(ip.get('first_touch_ms'))} ms, the same again {fmt(ip.get('second_touch_ms'))} ms, fixed store "
            f"without prepared statements {fmt(ip.get('fixed_store_unprepared_ms'))} ms"
            if ip.get("fixed_store_unprepared_ms") is not None
            else ""
        )
    if number == "7":
        text = "; ".join(
            f"{page} " + " / ".join(f"{fmt(v)}" for v in sizes.values()) + " ms"
            for page, sizes in (g("medians_ms") or {}).items()
        )
        if g("reference_ms"):
            raw = g("raw_change_pct") or {}
            text += (
                "; reference page "
                + " / ".join(fmt(v) for v in g("reference_ms").values())
                + " ms; raw change "
                + ", ".join(f"{page} {fmt(v)}%" for page, v in raw.items())
                + "; bulletins shown "
                + " / ".join(fmt(v) for v in (g("bulletins_shown") or {}).values())
            )
        return text
    if number == "8":
        sweep = g("one_backend_every_table") or {}
        return (
            f"{fmt(g('backends_after_soak'))} backends after the soak; one backend reading every store table: "
            f"{fmt(sweep.get('contexts_after_mb'))} MB of memory contexts"
        )
    if number == "10":
        peaks = g("peak_rss_mb")
        if isinstance(peaks, dict):  # recipients → MB
            peaks = ", ".join(f"{fmt(mb)} MB at {fmt(int(n))} recipients" for n, mb in peaks.items())
        return f"{fmt(g('messages_per_s'))} messages/s; peak RSS {peaks} (ratio {fmt(g('peak_rss_ratio'))})"
    if number == "9":
        chars, long_ms = fmt(g("long_narrative_chars")), fmt(g("long_narrative_ms"))
        return f"p95 {fmt(_sub(e, 'drafts', 'p95'), 3)} ms; a {chars}-character narrative {long_ms} ms"
    if number == "11":
        f = g("figures") or {}

        def side(key: str) -> str:
            x = f.get(key) or {}
            return f"{fmt(x.get('rps'))}/s, p95 {fmt(x.get('p95_ms'))} ms"

        sizes = g("page_bytes") or {}
        return (
            f"dashboard: Loupe {side('loupe_dashboard')}, django-tenants {side('django_dashboard')}; feed: Loupe "
            f"{side('loupe_feed')} ({fmt((g('speedup') or {}).get('feed'))}×), django-tenants {side('django_feed')}; "
            f"hello-world {fmt((f.get('hello') or {}).get('rps'))}/s; Loupe's dashboard with 8 workers "
            f"{side('loupe_dashboard_8_workers')}"
            + (
                f", with DATABASE_STORES_PER_CONNECTION=0 {side('loupe_dashboard_no_retire')}"
                if f.get("loupe_dashboard_no_retire")
                else ""
            )  # fmt: skip
            + "; page bytes Loupe/Django: dashboard "
            f"{fmt((sizes.get('dashboard') or {}).get('loupe'))}/{fmt((sizes.get('dashboard') or {}).get('django'))},"
            f" feed {fmt((sizes.get('feed') or {}).get('loupe'))}/{fmt((sizes.get('feed') or {}).get('django'))}; "
            f"{fmt(g('stores'))} stores; load average {g('loadavg')}"
        )
    if number == "12":
        p = g("probe") or {}
        f = g("figures") or {}

        def probed(key: str) -> str:
            x = p.get(key) or {}
            return (
                f"{fmt(x.get('other_store_secret'))} of {fmt(x.get('requests'))} pages with the other store's secret, "
                f"{fmt(x.get('not_200'))} not 200"
            )

        return (
            f"probe: Loupe {probed('loupe')}; Loupe without DATABASE_TRANSACTION_POOLER "
            f"{probed('loupe_prepared_statements')}; django-tenants {probed('django')}. Dashboard through the pooler:"
            f" Loupe {fmt((f.get('loupe') or {}).get('rps'))}/s p95 {fmt((f.get('loupe') or {}).get('p95_ms'))} ms "
            f"({fmt((f.get('loupe') or {}).get('errors'))} errors), django-tenants "
            f"{fmt((f.get('django') or {}).get('rps'))}/s p95 {fmt((f.get('django') or {}).get('p95_ms'))} ms "
            f"({fmt((f.get('django') or {}).get('errors'))} errors); {g('pgbouncer')}; load average {g('loadavg')}"
        )
    return ""


def _sub(entry: dict, *path):
    node = entry
    for p in path:
        node = (node or {}).get(p) if isinstance(node, dict) else None
    return node


def _pct(x):
    return None if x is None else round(100 * x, 1)


def verdicts(results: dict) -> dict[str, str]:
    """met / missed per measure, by the issue's targets (None when not measured)."""
    v = {}

    def val(k, *path):
        return _get(results, k, *path)

    checks = {
        "1": lambda: val("1", "value") <= 20 and (val("1", "growth") or 0) <= 1.5,
        "2": lambda: val("2", "value") >= 8,
        "3": lambda: val("3", "value") <= 1,
        "4": lambda: val("4", "value") <= 10,
        "5": lambda: val("5", "value") <= 50 and val("5", "errors") == 0 and val("5", "share_of_hello") >= 0.15,
        "6": lambda: val("6", "value") >= 0.95 and val("6", "binding_cost_ms") <= 0.3,
        "7": lambda: val("7", "value") <= 15,
        "8": lambda: val("8", "value") <= 100,
        "9": lambda: val("9", "value") <= 5,
        "10": lambda: val("10", "value") <= 60 and 0.8 <= val("10", "peak_rss_ratio") <= 1.2,
        "11": lambda: val("11", "value") >= 1.5,
        "12": lambda: val("12", "value") == 0,
    }
    for key, check in checks.items():
        if val(key, "value") is None:
            continue
        try:
            v[key] = "met" if check() else "missed"
        except TypeError:
            v[key] = "incomplete"
    return v


SCALING_BEGIN = "<!-- scaling-figures:begin (rendered by python -m bench) -->"
SCALING_END = "<!-- scaling-figures:end -->"


def scaling_block(results: dict) -> str:
    """The measured limits for docs/scaling.md, as a bullet list."""
    sc = results.get("scaling") or {}
    per = sc.get("per_1000_stores") or {}
    m8 = results.get("8") or {}
    sweep = m8.get("one_backend_every_table") or {}
    by_stores = sc.get("catalog_by_stores") or {}
    last = by_stores[max(by_stores, key=int)] if by_stores else {}
    m1 = results.get("1") or {}
    return "\n".join(
        [
            f"- **Catalog per 1,000 stores**: {fmt(per.get('catalog_mb'))} MB of `pg_catalog` relations and "
            f"{fmt(per.get('pg_class_rows'))} `pg_class` rows ({fmt(last.get('pg_class_rows'))} rows and "
            f"{fmt(last.get('catalog_mb'))} MB at {fmt(sc.get('stores'))} stores); the whole database grows by "
            f"{fmt(per.get('database_mb'))} MB per 1,000 stores with this data set.",
            f"- **Backend memory**: after a soak over every store through gunicorn, the largest app backend held "
            f"{fmt(m8.get('value'))} MB of private memory (RSS {fmt(m8.get('largest_rss_mb'))} MB, shared buffers "
            f"included); one backend that reads every table of every store grows to "
            f"{fmt(sweep.get('contexts_after_mb'))} MB of memory contexts "
            f"(CacheMemoryContext {fmt((sweep.get('largest_contexts_mb') or {}).get('CacheMemoryContext'))} MB) and "
            f"{fmt(sweep.get('uss_mb'))} MB private memory. Catalog caches are per backend and never shrink: "
            f"bound them with the pool (`pool_recycle`) and the number of backends.",
            f"- **pg_dump**: one store with about 300 logbook entries {fmt(sc.get('pg_dump_one_store_s'))} s; "
            f"the whole database ({fmt(sc.get('stores'))} stores) {fmt(sc.get('pg_dump_all_s'))} s"
            + (
                f" — only after raising `max_locks_per_transaction` to "
                f"{fmt(sc.get('pg_dump_all_max_locks_per_transaction'))}: with the default "
                f"({fmt(sc.get('pg_dump_all_default_locks'))}) it fails (`{sc['pg_dump_all_failure_with_default']}`), "
                "because pg_dump locks every table of the database in one transaction."
                if sc.get("pg_dump_all_failure_with_default")
                else "."
            ),
            f"- **Provisioning** ({m1.get('path') or 'cold build'}): median "
            f"{fmt((m1.get('at_0') or {}).get('median'))} ms at 0 stores, "
            f"{fmt((m1.get('at_n') or {}).get('median'))} ms at {fmt(sc.get('stores'))}"
            + (
                f"; cold build {fmt((m1.get('cold_at_0') or {}).get('median'))} ms at 0 and "
                f"{fmt((m1.get('cold_at_n') or {}).get('median'))} ms at {fmt(sc.get('stores'))}"
                if m1.get("cold_at_0")
                else ""
            )
            + " (measure 1).",
            f"- Run of {results.get('date', '?')}; `{results.get('command', 'python -m bench')}`.",
        ]
    )


def update_scaling(text: str, results: dict) -> str:
    """Replace the measured block of docs/scaling.md (between its markers); unchanged when they are missing."""
    if SCALING_BEGIN not in text or SCALING_END not in text:
        return text
    head, rest = text.split(SCALING_BEGIN, 1)
    _, tail = rest.split(SCALING_END, 1)
    return f"{head}{SCALING_BEGIN}\n{scaling_block(results)}\n{SCALING_END}{tail}"


def render(results: dict, findings: str, command: str) -> str:
    m = results.get("machine", {})
    ds = results.get("dataset", {})
    verdict = verdicts(results)
    verdict_line = ", ".join(f"{k}: {v}" for k, v in verdict.items()) or "none measured"
    chart_names = list(charts(results))
    scaling = results.get("scaling") or {}
    lines = [
        "# Performance",
        "",
        "<!-- Rendered by `python -m bench` from bench/results/latest.json; edit bench/findings.md and the",
        "     renderer (bench/report.py), not this file. -->",
        "",
        "Speed is measured by the harness in `bench/`, never by timed tests. These machines are shared and noisy (2",
        "cores, other engineers' test runs alongside): figures are medians of several runs, and every comparison",
        "(Loupe vs django-tenants, dashboard vs hello-world, fixed vs random store) is taken in the same run.",
        "",
        "Reproduce:",
        "",
        "```sh",
        command,
        "```",
        "",
        f"Run of {results.get('date', '?')} on {m.get('cpu', '?')} ({m.get('cores', '?')} cores, "
        f"{m.get('memory_gb', '?')} GB), Python {m.get('python', '?')}, {m.get('postgres', '?')}; load average "
        f"{m.get('loadavg_start', '?')} at the start, {m.get('loadavg_end', '?')} at the end; wall time "
        f"{fmt(results.get('wall_s'))} s. PostgreSQL data folder: {ds.get('data_folder', '?')}.",
        "",
        *[
            f"{'Measures' if len(run['measures']) > 1 else 'Measure'} {', '.join(run['measures'])} taken again in a "
            f"later run of {run['date']} (`{run['command']}`, {fmt((run.get('options') or {}).get('stores'))} "
            f"stores, {fmt(run.get('wall_s'))} s); the table says which.\n"
            for run in results.get("later_runs") or []
        ],
        f"Data set: {ds.get('stores', '?')} member stores in {ds.get('associations', '?')} associations and "
        f"{ds.get('regions', '?')} regions, each with an owner; {ds.get('incidents', '?')} logbook entries "
        f"(every 4th store about 10, every 100th about 300), {ds.get('bulletins', '?')} published bulletins and "
        f"{ds.get('facts', '?')} incident facts shared through the anonymizer. Targets: {verdict_line}.",
        "",
        table(results),
        "",
    ]
    for name in chart_names:
        lines += [f"![{name}](img/{name})", ""]
    if scaling.get("value") is not None or scaling.get("pg_dump_one_store_s") is not None:
        per = scaling.get("per_1000_stores") or {}
        lines += [
            "## Limits measured for scaling (see docs/scaling.md)",
            "",
            f"- Catalog: {fmt(per.get('catalog_mb'))} MB of `pg_catalog` and {fmt(per.get('pg_class_rows'))} "
            f"`pg_class` rows per 1,000 stores; database {fmt(per.get('database_mb'))} MB per 1,000 stores "
            "(with this data set).",
            f"- `pg_dump` of one store with ~300 logbook entries: {fmt(scaling.get('pg_dump_one_store_s'))} s; "
            f"of the whole database ({fmt(scaling.get('stores'))} stores): {fmt(scaling.get('pg_dump_all_s'))} s"
            + (
                f" with `max_locks_per_transaction = {scaling.get('pg_dump_all_max_locks_per_transaction')}`; with "
                f"the default ({scaling.get('pg_dump_all_default_locks')}) it fails: "
                f"`{scaling.get('pg_dump_all_failure_with_default')}`."
                if scaling.get("pg_dump_all_failure_with_default")
                else "."
            ),
            f"- Backend memory: see measure 8 (pool: {_get(results, '8', 'pool') or '—'}).",
            "",
        ]
    versions = _get(results, "2", "versions")
    if versions:
        lines += [
            "django-tenants side: "
            + ", ".join(f"{k} {v}" for k, v in versions.items())
            + " in `bench/.venv-django`; store models generated from Loupe's `StoreBase` metadata "
            "(`bench/django_side/generate.py`), its own database on the same server.",
            "",
        ]
    lines += [findings.strip(), ""]
    return "\n".join(lines)
