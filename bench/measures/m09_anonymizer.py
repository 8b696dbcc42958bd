"""Measure 9: the anonymizer, incident → bulletin draft, over the 27-incident corpus (bench/anonymizer.py)."""

from __future__ import annotations

from bench.anonymizer import measure
from bench.stats import median, result, summary

NUMBER, PHASE = "9", 2
TARGET = "median ≤ 5 ms per incident"


def run(ctx) -> dict:
    runs = [measure(rounds=40 if ctx.options.quick else 100) for _ in range(ctx.options.runs)]
    medians = [round(median(r["warm"]), 3) for r in runs]
    warm = [x for r in runs for x in r["warm"]]
    return result(
        median(medians),
        "ms per incident (median)",
        TARGET,
        [{"median_ms": m, "drafts": len(r["warm"])} for m, r in zip(medians, runs, strict=True)],
        drafts=summary(warm, 3),
        first_draft_per_store=summary([x for r in runs for x in r["cold"]], 3),
        long_narrative_ms=round(median([x for r in runs for x in r["long"]]), 1),
        long_narrative_chars=runs[0]["long_chars"],
    )
