"""Pure helpers of the harness: percentiles, medians of runs, ratios. No I/O (tested in tests/unit)."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else 0.0


def summary(values: Sequence[float], digits: int = 2) -> dict:
    """median, p95, min, max and n of a list of samples."""
    return {
        "median": round(median(values), digits),
        "p95": round(percentile(values, 95), digits),
        "min": round(min(values), digits) if values else 0.0,
        "max": round(max(values), digits) if values else 0.0,
        "n": len(values),
    }


def ratio(numerator: float, denominator: float, digits: int = 3) -> float | None:
    return None if not denominator else round(numerator / denominator, digits)


def result(value: float | None, unit: str, target: str, runs: list, **extra) -> dict:
    """One measure's entry in latest.json."""
    return {"value": value, "unit": unit, "target": target, "runs": runs, **extra}
