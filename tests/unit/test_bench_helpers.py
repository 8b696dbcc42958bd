"""Pure helpers of the performance harness (bench/): statistics, the measure registry and the report renderer.
The harness itself is never run from the test suite (speed is measured in bench/, not in timed tests)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from bench import report
from bench.__main__ import load_measures, parse
from bench.stats import percentile, ratio, result, summary

RESULTS = {
    "machine": {"cpu": "Test CPU", "cores": 2, "memory_gb": 24, "python": "3.11.7", "postgres": "PostgreSQL 16.2"},
    "dataset": {"stores": 1000, "associations": 5, "regions": 20, "incidents": 5000, "bulletins": 500, "facts": 500},
    "date": "2026-11-28T00:00:00+00:00",
    "1": result(
        60.0, "ms", "t", [], at_0={"median": 60.0, "p95": 70.0}, at_n={"median": 66.0, "p95": 80.0}, growth=1.1
    ),
    "2": result(7.5, "×", "t", [], django_at_0={"median": 450.0}, django_at_n={"median": 500.0}, ratio_at_n=7.6),
    "3": result(0.01, "s", "t", [], django_standard={"median": 50.0}, django_multiprocessing={"median": 30.0}),
    "4": result(12.0, "s", "t", [], django_standard={"median": 80.0}, django_multiprocessing={"median": 45.0}),
    "5": result(40.0, "ms (p95)", "t", [], errors=0, share_of_hello=0.2, hello_rps=1000.0, throughput_rps=200.0),
    "6": result(0.97, "ratio", "t", [{"random_rps": 190.0, "fixed_rps": 196.0, "ratio": 0.97}], binding_cost_ms=0.5),
    "7": result(8.0, "%", "t", [], medians_ms={"feed": {"10": 40.0, "1000": 43.0}, "trends": {"10": 12, "1000": 13}}),
    "9": result(0.6, "ms", "t", []),
    "10": {"value": None, "unit": None, "target": "t", "runs": [], "status": "not measured (no module yet)"},
}


def test_percentile_nearest_rank():
    values = list(range(1, 101))
    assert percentile(values, 50) == 50
    assert percentile(values, 95) == 95
    assert percentile(values, 100) == 100
    assert percentile([3.0], 95) == 3.0
    assert percentile([], 95) == 0.0


def test_summary_and_ratio():
    s = summary([1.0, 2.0, 3.0, 4.0, 100.0])
    assert s == {"median": 3.0, "p95": 100.0, "min": 1.0, "max": 100.0, "n": 5}
    assert ratio(10, 4) == 2.5
    assert ratio(1, 0) is None


def test_verdicts_follow_the_issue_targets():
    v = report.verdicts(RESULTS)
    assert v["1"] == "missed"  # 60 ms > 20 ms
    assert v["2"] == "missed"  # 7.5× < 8×
    assert v["3"] == "met" and v["4"] == "missed" and v["5"] == "met"
    assert v["6"] == "missed"  # ratio fine, binding 0.5 ms > 0.3 ms
    assert v["7"] == "met" and v["9"] == "met"
    assert "8" not in v and "10" not in v  # not measured


def test_rendered_doc_has_every_measure_and_the_command():
    text = report.render(RESULTS, "## What we found\n- something", ".venv/bin/python -m bench")
    assert ".venv/bin/python -m bench" in text
    for number in map(str, range(1, 11)):
        assert f"\n| {number} |" in text
    assert "not measured (no module yet)" in text  # measure 10's slot
    assert "## What we found" in text
    assert "![perf-provisioning.svg](img/perf-provisioning.svg)" in text


def test_charts_are_well_formed_svg():
    charts = report.charts(RESULTS)
    assert {"perf-provisioning.svg", "perf-migrations.svg", "perf-throughput.svg", "perf-feed-trends.svg"} <= set(
        charts
    )
    for svg in charts.values():
        assert ET.fromstring(svg).tag.endswith("svg")


def test_registry_reports_a_missing_measure_module_as_not_measured():
    modules, hooked, missing = load_measures(None)
    numbers = {str(m.NUMBER) for m in modules}
    assert {str(n) for n in range(1, 10)} <= numbers
    if "10" not in numbers:
        assert missing["10"].startswith("not measured")
    # measure 3 needs django-tenants tenants created while the data set grows (measure 2's checkpoints)
    _, hooked, _ = load_measures({"3"})
    assert {m.NUMBER for m in hooked} >= {"1", "2"}


def test_quick_options_do_not_overwrite_the_committed_results():
    options = parse(["--quick"])
    assert options.stores == 100 and options.runs == 1
    assert "tmp" in options.out and "tmp" in options.doc
    assert parse([]).out.endswith("bench/results/latest.json")


def test_scaling_block_replaces_only_its_markers():
    text = f"# Scaling\nbefore\n{report.SCALING_BEGIN}\nold\n{report.SCALING_END}\nafter\n"
    results = {**RESULTS, "scaling": {"per_1000_stores": {"catalog_mb": 12.5}, "pg_dump_all_s": 42.0}}
    out = report.update_scaling(text, results)
    assert "\nold\n" not in out and "12.5 MB" in out and "42 s" in out
    assert out.startswith("# Scaling\nbefore\n") and out.endswith("after\n")
    assert report.update_scaling("no markers", results) == "no markers"


def test_fmt_keeps_small_figures_readable():
    assert report.fmt(0.0019) == "0.0019"
    assert report.fmt(12.345) == "12.35"
    assert report.fmt(1234.5) == "1,234"
    assert report.fmt(30) == "30"
    assert report.fmt(None) == "—"


def test_merge_takes_only_the_measures_a_later_run_made():
    from bench.__main__ import merge

    later = {
        "options": {"only": "8,scaling"},
        "command": "python -m bench --only 8,scaling",
        "date": "d2",
        "8": {"value": 40.0, "unit": "MB", "runs": []},
        "1": {"value": 1.0},
        "scaling": {"value": 5.0},
    }
    out = merge(RESULTS, [later])
    assert out["8"]["value"] == 40.0 and out["8"]["measured_in"]["command"].endswith("--only 8,scaling")
    assert out["1"] == RESULTS["1"] and out["scaling"]["value"] == 5.0
    assert "measured in a later run" in report.table(out)
    assert out["later_runs"] == [
        {
            "measures": ["8", "scaling"],
            "date": "d2",
            "command": later["command"],
            "wall_s": None,
            "options": later["options"],
        }
    ]
    assert out["date"] == RESULTS.get("date")  # the header stays the full run's
