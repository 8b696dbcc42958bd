"""Timing an answer for an existing account against one for an address nobody has, in alternating pairs.

Shared by `bench.login_timing` and `bench.forgot_timing`: the pairs alternate which kind goes first, so drift over
the run cannot favour one kind; each unknown address is fresh, as an attacker probing a list would send.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
import uuid
from collections.abc import Callable

from bench._stack import percentile


def summary(values: list[float]) -> dict[str, float]:
    """Median, quartiles and p95 of a list of milliseconds."""
    return {
        "median_ms": round(statistics.median(values), 2),
        "p25_ms": round(percentile(values, 25), 2),
        "p75_ms": round(percentile(values, 75), 2),
        "p95_ms": round(percentile(values, 95), 2),
    }


def time_pairs(
    post: Callable[[str], tuple[float, int]],
    known_email: str,
    *,
    runs: int,
    warmup: int,
    expected_status: int,
) -> tuple[list[float], list[float]]:
    """`post(email)` → (milliseconds, status) for the known address and a fresh unknown one, `warmup + runs` times;
    returns the timings (known, unknown) of the counted runs. Any other status than `expected_status` stops it."""
    known: list[float] = []
    unknown: list[float] = []
    for i in range(warmup + runs):
        pair = [("known", known_email), ("unknown", f"nobody-{uuid.uuid4().hex[:12]}@example.org")]
        if i % 2:
            pair.reverse()
        for kind, email in pair:
            elapsed, status = post(email)
            if status != expected_status:
                raise RuntimeError(f"{kind} answered {status}, expected {expected_status}")
            if i >= warmup:
                (known if kind == "known" else unknown).append(elapsed)
        if (i + 1) % 50 == 0:
            print(f"  {i + 1}/{warmup + runs} pairs", file=sys.stderr, flush=True)
    return known, unknown


def result(runs: int, known_label: str, known: list[float], unknown: list[float]) -> dict:
    """The figures to print: the machine, both summaries and the ratio of the medians (unknown / known)."""
    return {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}",
        "runs": runs,
        known_label: summary(known),
        "unknown_account": summary(unknown),
        "ratio_unknown_over_known": round(statistics.median(unknown) / statistics.median(known), 3),
    }
