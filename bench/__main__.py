"""The performance harness of issue #7: `python -m bench` (or `make bench`).

    .venv/bin/python -m bench                         # the full run: 1,000 stores, measures 1-9 (about 20-30 min)
    .venv/bin/python -m bench --quick                 # smoke: 100 stores, short rounds → bench/results/tmp/
    .venv/bin/python -m bench --stores 1000 --quick   # 1,000 stores, short rounds
    .venv/bin/python -m bench --only 1,3              # some measures, merged into the results file

Starts a fresh embedded PostgreSQL (pgserver) in a temp folder (tmpfs when /dev/shm is writable; --tmpdir to
choose), or uses DATABASE_URL; grows the data set (bench/harness.py) calling the measures' checkpoints; runs the
measures (bench/measures/); writes bench/results/latest.json and renders docs/performance.md with charts in
docs/img/. Progress goes to stderr. Everything started is stopped by its pid at the end.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import shlex
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("XDG_RUNTIME_DIR", "/tmp")  # pgserver's platformdirs warns without it

import sqlalchemy as sa  # noqa: E402

from bench.harness import ASSOCIATIONS, REGIONS_PER_ASSOCIATION, ROOT, Context, log  # noqa: E402
from bench.measures import REGISTRY, TABLE  # noqa: E402
from bench.report import charts, render, update_scaling  # noqa: E402

RESULTS = ROOT / "bench" / "results"
# A measure that needs another's checkpoints (data taken while the data set grows) pulls them in.
NEEDS = {"2": ["1"], "3": ["2"], "4": ["2"], "6": ["5"]}


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--stores", type=int, help="member stores in the data set (default 1000; --quick: 100)")
    p.add_argument(
        "--quick", action="store_true", help="smoke run: fewer, shorter rounds; results under bench/results/tmp/"
    )
    p.add_argument("--only", help="comma-separated measure numbers (and/or 'scaling')")
    p.add_argument("--runs", type=int, help="rounds per measure (default 3; --quick: 1)")
    p.add_argument("--django-runs", type=int, help="rounds of django-tenants migrate_schemas (default 1)")
    p.add_argument("--seconds", type=float, help="seconds per wrk round (default 10; --quick: 3)")
    p.add_argument("--soak", type=float, help="seconds of the measure 8 soak (default 30; --quick: 8)")
    p.add_argument("--sample", type=int, help="stores timed at 0 and at N (default 30; --quick: 10)")
    p.add_argument("--iterations", type=int, help="in-process iterations (default 2000; --quick: 400)")
    p.add_argument("--tmpdir", help="parent folder of the temp data (default /dev/shm when writable)")
    p.add_argument("--keep", action="store_true", help="keep the temp folder (logs, generated Django project)")
    p.add_argument("--render-only", action="store_true", help="render the doc and charts from the results file only")
    p.add_argument(
        "--merge",
        nargs="+",
        metavar="FILE",
        help="with --render-only: take the measures of these results files (later runs with --only) into --out",
    )
    p.add_argument(
        "--out", help="results file (default bench/results/latest.json; --quick: bench/results/tmp/quick.json)"
    )
    p.add_argument(
        "--doc", help="rendered doc (default docs/performance.md; --quick: bench/results/tmp/performance.md)"
    )
    a = p.parse_args(argv)
    q = a.quick
    defaults = {"stores": 100 if q else 1000, "runs": 1 if q else 3, "django_runs": 1, "seconds": 3 if q else 10,
                "soak": 8 if q else 30, "sample": 10 if q else 30, "iterations": 400 if q else 2000}  # fmt: skip
    for key, value in defaults.items():
        if getattr(a, key) is None:
            setattr(a, key, value)
    if a.out is None:
        a.out = str(RESULTS / ("tmp/quick.json" if q else "latest.json"))
    if a.doc is None:
        a.doc = str(RESULTS / "tmp/performance.md") if q else str(ROOT / "docs" / "performance.md")
    return a


def load_measures(only: set[str] | None) -> tuple[list, list, dict[str, str]]:
    """(modules to report, modules whose checkpoints run, {number: why missing})."""
    modules, missing = {}, {}
    for name in REGISTRY:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            missing[name.rsplit(".m", 1)[-1].split("_")[0].lstrip("0") or name] = "not measured (no module yet)"
            continue
        modules[str(module.NUMBER)] = module
    wanted = set(modules) if only is None else {k for k in only if k in modules}
    hooked = set(wanted)
    for key in list(wanted):
        for dep in NEEDS.get(key, []):
            hooked.add(dep)
            for dep2 in NEEDS.get(dep, []):
                hooked.add(dep2)
    order = sorted(wanted, key=lambda k: (modules[k].PHASE, k.zfill(3)))
    return (
        [modules[k] for k in order],
        [modules[k] for k in sorted(hooked) if hasattr(modules[k], "checkpoint")],
        missing,
    )


def machine(ctx: Context) -> dict:
    cpu = "?"
    try:
        cpu = next(x.split(":", 1)[1].strip() for x in open("/proc/cpuinfo") if x.startswith("model name"))
    except (OSError, StopIteration):
        pass
    with ctx.owner.connect() as conn:
        pg = conn.scalar(sa.text("SHOW server_version"))
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(mem),
        "python": platform.python_version(),
        "postgres": f"PostgreSQL {pg}",
        "platform": platform.platform(),
        "loadavg_start": round(os.getloadavg()[0], 2),
    }


def dataset(ctx: Context) -> dict:
    with ctx.owner.connect() as conn:
        bulletins = conn.scalar(sa.text("SELECT count(*) FROM loupe.bulletins WHERE status = 'published'"))
        facts = conn.scalar(sa.text("SELECT count(*) FROM loupe.published_trend_weeks"))
        incidents = 0
        for i, store in enumerate(ctx.stores):
            if i % 4 == 0:
                incidents += conn.scalar(sa.text(f'SELECT count(*) FROM "{store.schema}".incidents'))
    return {
        "stores": len(ctx.stores),
        "associations": ASSOCIATIONS,
        "regions": ASSOCIATIONS * REGIONS_PER_ASSOCIATION,
        "incidents": incidents,
        "bulletins": bulletins,
        "facts": facts,
        "data_folder": "tmpfs (/dev/shm)" if ctx.tmp.startswith("/dev/shm") else "disk (" + ctx.tmp + ")",
    }


def write_docs(results: dict, doc: Path, command: str) -> None:
    """docs/performance.md (table, charts, findings) and the measured block of docs/scaling.md."""
    img = doc.parent / "img"
    img.mkdir(parents=True, exist_ok=True)
    for name, svg in charts(results).items():
        (img / name).write_text(svg)
    findings = (ROOT / "bench" / "findings.md").read_text()
    doc.write_text(render(results, findings, command))
    log(f"doc: {doc} (charts in {img})")
    scaling = doc.parent / "scaling.md"
    if scaling.exists() and "scaling" in results:
        scaling.write_text(update_scaling(scaling.read_text(), results))


def _ordered(results: dict) -> dict:
    """Measures by number, then the run's other keys by name."""
    return {k: results[k] for k in sorted(results, key=lambda k: (not k.isdigit(), int(k) if k.isdigit() else 0, k))}


def merge(results: dict, others: list[dict]) -> dict:
    """Measures of later partial runs (`--only`) replace those of `results`; each keeps where it was measured, and
    `later_runs` lists those runs (the doc names them under the header, which stays the full run's)."""
    merged = dict(results)
    for other in others:
        ran = [k.strip() for k in ((other.get("options") or {}).get("only") or "").split(",") if k.strip()]
        for key in ran:
            if key in other:
                merged[key] = {
                    **other[key],
                    "measured_in": {k: other.get(k) for k in ("command", "date", "machine", "dataset")},
                }
        merged["later_runs"] = [
            *[r for r in merged.get("later_runs", []) if set(r["measures"]) - set(ran)],
            {"measures": sorted(ran), **{k: other.get(k) for k in ("date", "command", "wall_s", "options")}},
        ]
    return _ordered(merged)


def _have(tool: str) -> bool:
    import shutil

    return bool(shutil.which(tool) or shutil.which(tool, path="/usr/sbin:/sbin"))


def main(argv: list[str] | None = None) -> int:
    options = parse(argv)
    if options.render_only:
        results = json.loads(Path(options.out).read_text())
        if options.merge:
            results = merge(results, [json.loads(Path(f).read_text()) for f in options.merge])
            Path(options.out).write_text(json.dumps(results, indent=1, default=str) + "\n")
        write_docs(results, Path(options.doc), results.get("command", ".venv/bin/python -m bench"))
        return 0
    only = None if not options.only else {x.strip() for x in options.only.split(",")}
    report, hooked, missing = load_measures(only)
    needs = {"wrk": {"5", "6", "11", "12"}, "pgbouncer": {"12"}}  # what the measures run besides Python
    absent = [tool for tool, users in needs.items() if users & {str(m.NUMBER) for m in report} and not _have(tool)]
    if absent:
        names = " ".join(absent)
        log(f"missing {names}: `make bench-tools` installs them (Debian: apt-get install {names})")
        return 2
    command = ".venv/bin/python -m bench " + shlex.join(sys.argv[1:] if argv is None else argv)
    started = time.perf_counter()
    out_path = Path(options.out)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    # A partial run (`--only`) is merged into the results file it starts from; a full run replaces it.
    previous = json.loads(out_path.read_text()) if only and out_path.exists() else {}
    results: dict = {}
    ctx = Context.start(options)
    failed = False
    try:
        ctx.checkpoint_hooks = [m.checkpoint for m in hooked]
        results["machine"] = machine(ctx)
        log(f"growing the data set to {options.stores} stores; measures: {', '.join(str(m.NUMBER) for m in report)}")
        ctx.grow_to(options.stores)
        results["dataset"] = dataset(ctx)
        for module in report:
            log(f"measure {module.NUMBER}: {TABLE.get(str(module.NUMBER), (module.__name__,))[0]}")
            waited = ctx.settle()
            if waited >= 1:
                log(f"  waited {waited} s for autovacuum to finish")
            t0 = time.perf_counter()
            try:
                entry = module.run(ctx)
            except Exception as exc:  # one measure's failure is recorded; the others still run
                failed = True
                traceback.print_exc()
                entry = {"value": None, "unit": None, "target": getattr(module, "TARGET", None), "runs": [],
                         "status": f"failed: {type(exc).__name__}: {exc}"[:300]}  # fmt: skip
            entry["seconds"] = round(time.perf_counter() - t0, 1)
            entry["date"] = datetime.now(UTC).isoformat(timespec="seconds")
            results[str(module.NUMBER)] = entry
            log(f"  → {entry.get('value')} {entry.get('unit') or ''} ({entry['seconds']} s)")
            partial = out_path.with_name(out_path.stem + ".partial.json")  # survives an interrupted run
            partial.write_text(json.dumps(results, indent=1, default=str) + "\n")
    finally:
        results["machine"] = {**results.get("machine", {}), "loadavg_end": round(os.getloadavg()[0], 2)}
        ctx.close()
    for number, why in missing.items():
        results.setdefault(number, {"value": None, "unit": None, "target": TABLE.get(number, ("", ""))[1],
                                    "runs": [], "status": why})  # fmt: skip
    results["date"] = datetime.now(UTC).isoformat(timespec="seconds")
    results["command"] = command
    results["wall_s"] = round(time.perf_counter() - started)
    results["options"] = {k: v for k, v in vars(options).items() if k not in ("out", "doc")}
    ordered = merge(previous, [results]) if previous.get("date") else _ordered(results)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(ordered, indent=1, default=str) + "\n")
    out_path.with_name(out_path.stem + ".partial.json").unlink(missing_ok=True)
    log(f"results: {out_path}")
    write_docs(ordered, Path(options.doc), ordered["command"])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
