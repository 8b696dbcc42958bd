"""Measure 10: the digest — a region with 5,000 recipients rendered and handed to a local SMTP server
(bench/digest.py: its own PostgreSQL in a temp folder, an aiosmtpd sink process, `flask digest send`'s code path in
a fresh child per run, 2 sender processes), and peak memory at 1,000 vs 5,000 recipients."""

from __future__ import annotations

from bench.digest import measure
from bench.stats import result

NUMBER, PHASE = "10", 2
TITLE = "digest: 5,000 recipients rendered and handed to a local SMTP server"
TARGET = "≤ 60 s; peak memory flat (±20%) from 1,000 to 5,000 recipients"


def run(ctx) -> dict:
    sizes = [200, 1000] if ctx.options.quick else [1000, 5000]
    found = measure(sizes, runs=max(1, ctx.options.runs), workers=2)
    small, large = found[sizes[0]], found[sizes[-1]]
    return result(
        large["median_total_s"],
        f"s for {sizes[-1]} recipients (median)",
        TARGET,
        [{"recipients": size, **sample} for size in sizes for sample in found[size]["runs"]],
        messages_per_s=round(large["median_msgs_per_s"], 1),
        peak_rss_mb={str(size): found[size]["median_peak_rss_mb"] for size in sizes},
        peak_rss_ratio=round(large["median_peak_rss_mb"] / small["median_peak_rss_mb"], 3),
        sender_processes=2,
    )
