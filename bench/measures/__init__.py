"""The measures of the performance issue (#7), one module each, run by `python -m bench`.

A measure module defines NUMBER (its row in the issue's table, or a name for extra figures), TITLE, TARGET,
PHASE (run order: 0 data-set checkpoints, 1 web, 2 in-process, 3 migrations — those change every schema, so last)
and `run(ctx) -> dict` (a `bench.stats.result(...)` entry). It may also define `checkpoint(ctx, stores)`, called
while the data set grows, at 0, 10, 100 and N stores.

A module listed here but missing is reported as "not measured" (measure 10, the digest, was added that way:
`bench/measures/m10_digest.py` wraps `bench/digest.py`'s `measure()`).
"""

REGISTRY = [
    "bench.measures.m01_provisioning",
    "bench.measures.m02_django_provisioning",
    "bench.measures.m03_migrate_noop",
    "bench.measures.m04_migrate_revision",
    "bench.measures.m05_dashboard_load",
    "bench.measures.m06_tenant_switching",
    "bench.measures.m07_feed_trends",
    "bench.measures.m08_backend_memory",
    "bench.measures.m09_anonymizer",
    "bench.measures.m10_digest",  # the digest's slot (its module came after the harness)
    "bench.measures.m11_peer_pages",
    "bench.measures.m12_pooler",
    "bench.measures.scaling",  # not in the table: limits for docs/scaling.md (catalog size, pg_dump)
    "bench.measures.citus",  # not in the table: Citus beside the single server, only when CITUS_URL is given
]

# Titles and targets of every numbered measure, so a missing module still shows in the report.
TABLE = {
    "1": ("provisioning one store (registry row → schema ready), median and p95, at 0 and at N stores",
          "median ≤ 20 ms; no growth beyond 1.5×"),
    "2": ("the same for django-tenants (separate venv, equivalent store models, same PostgreSQL, same run)",
          "Loupe ≥ 8× faster (value = django-tenants median / Loupe median)"),
    "3": ("migrate every store schema, nothing to apply, N stores", "≤ 1 s (django-tenants side by side)"),
    "4": ("migrate every store schema, one revision adding a column and an index, N stores",
          "≤ 10 s with 2 workers (django-tenants side by side)"),
    "5": ("store dashboard under gunicorn, 16 connections, 200 random stores: p95, throughput, errors",
          "p95 ≤ 50 ms; 0 errors; throughput ≥ 15% of hello-world on the same gunicorn"),
    "6": ("tenant switching: fixed store vs random stores throughput ratio; resolve + bind cost per request",
          "ratio ≥ 0.95; binding cost ≤ 0.3 ms"),
    "7": ("regional feed and trend page time at 10, 100, N stores", "flat within ±15%"),
    "8": ("PostgreSQL backend memory after a soak touching every store", "≤ 100 MB per backend, bounded by pool"),
    "9": ("anonymizer: incident → bulletin draft", "median ≤ 5 ms per incident"),
    "10": ("digest: 5,000 recipients rendered and handed to a local SMTP server",
           "≤ 60 s; peak memory flat (±20%) from 1,000 to 5,000"),
    "11": ("store dashboard and regional feed, Loupe beside Django + django-tenants (same data, queries, gunicorn, "
           "wrk over 200 random stores)", "Loupe ≥ 1.5× django-tenants' throughput on the same page"),
    "12": ("both apps behind PgBouncer (transaction mode): cross-store probe, then throughput and p95",
           "Loupe: 0 pages wrong (another store's data, or an error); throughput kept"),
}  # fmt: skip
