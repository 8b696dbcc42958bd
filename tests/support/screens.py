"""Screenshots of each role's main pages, desktop and phone, in English and French: `make screens`
(`python -m tests.support.screens [--out docs/screens] [--lang en --lang fr]`).

Starts the app as the tests do (its own embedded PostgreSQL in a temporary folder, the demo association seeded by
`tests/support/demo_world.py`), serves it on a free local port, signs in as each role in Debian's Chromium and saves
`<out>/<lang>/<role>-<page>-<desktop|phone>.png`, then writes `<out>/README.md`, the index of what it saved. The
language comes from the browser (`Accept-Language`), as it does for a person who has not chosen one.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.demo_world import DemoWorld, build_demo_world, sign_in

VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
LANGUAGES = {"en": "en-CA", "fr": "fr-CA"}
MAX_HEIGHT = 2400  # px of a full-page shot: long lists are cut there (the top of a page is what a reader scans)


def role_pages(world: DemoWorld) -> dict[str, list[tuple[str, str]]]:
    """(page name, path) of each role's main pages."""
    store, empty = f"/s/{world.store_slug}", f"/s/{world.empty_store_slug}"
    v = world.values
    association = f"/a/{world.association_slug}"
    return {
        "signed-out": [("sign-in", "/login"), ("forgot-password", "/password/forgot"), ("start", "/start/")],
        "owner": [
            ("dashboard", f"{store}/"),
            ("casing-report", f"{store}/logbook/casing"),
            ("logbook", f"{store}/logbook/"),
            ("incident", f"{store}/logbook/{v['incident_id']}"),
            ("feed", f"{store}/feed/"),
            ("contacts", f"{store}/contacts/"),
            ("patrols", f"{store}/patrols/"),
            ("meetings", f"{store}/meetings/"),
            ("police-review", f"{store}/review/"),
            ("briefing", f"{store}/briefing/"),
            ("people", f"{store}/people/"),
        ],
        "manager": [("choose-store", "/stores"), ("dashboard", f"{store}/")],
        "staff": [("dashboard", f"{store}/"), ("casing-report", f"{store}/logbook/casing"), ("feed", f"{store}/feed/")],
        "new-owner": [("dashboard", f"{empty}/"), ("logbook", f"{empty}/logbook/")],
        "admin": [
            ("home", f"{association}/"),
            ("members", f"{association}/members/"),
            ("moderation", f"{association}/moderation"),
            ("people", f"{association}/people/"),
            ("regions", f"{association}/regions/"),
            ("digest", f"{association}/digest"),
            ("trends", f"{association}/trends"),
            ("audit", f"{association}/audit/"),
        ],
        "liaison": [
            ("home", "/liaison/"),
            ("review", f"/liaison/reviews/{v['share_id']}"),
            ("feed", "/liaison/feed/"),
            ("trends", "/liaison/trends"),
        ],
        "operator": [("console", "/operator/")],
        "officer": [
            ("casing-alert", f"/officer/casing/{world.tokens['officer.casing_alert']}"),
            ("patrol-request", f"/officer/patrol/{world.tokens['officer.patrol_request']}"),
            ("review", f"/officer/review/{world.tokens['officer.review']}"),
        ],
    }


def capture(browser, base_url: str, app, world: DemoWorld, out: Path, *, langs=("en", "fr"), only=None) -> list[Path]:
    """Save the screenshots (only: a set of roles) and return their paths."""
    saved = []
    pages = role_pages(world)
    for lang in langs:
        (out / lang).mkdir(parents=True, exist_ok=True)
        for role, shots in pages.items():
            if only and role not in only:
                continue
            locale = LANGUAGES[lang]
            context = browser.new_context(
                base_url=base_url,
                locale=locale,
                extra_http_headers={"Accept-Language": f"{locale},{lang};q=0.9"},
                viewport=VIEWPORTS["desktop"],
            )
            try:
                page = context.new_page()
                if role not in ("signed-out", "officer"):
                    sign_in(page, app, world, role)
                for name, path in shots:
                    for size, viewport in VIEWPORTS.items():
                        page.set_viewport_size(viewport)
                        page.goto(path)
                        page.wait_for_load_state("networkidle")
                        height = min(page.evaluate("document.documentElement.scrollHeight"), MAX_HEIGHT)
                        target = out / lang / f"{role}-{name}-{size}.png"
                        clip = {"x": 0, "y": 0, "width": viewport["width"], "height": height}
                        save_small(page.screenshot(clip=clip, full_page=True), target)
                        saved.append(target)
            finally:
                context.close()
    return saved


def save_small(png: bytes, target: Path) -> None:
    """The screenshot as a 256-colour PNG: a third of the size, and pages are flat colours and text anyway."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(target, optimize=True)


def write_index(out: Path, saved: list[Path]) -> Path:
    """docs/screens/README.md: every screenshot, by language and role."""
    lines = [
        "# Screenshots",
        "",
        "Each role's main pages on a desktop (1366×900) and a phone (390×844), in English and French, from the",
        "demo association. Made by `make screens` (`python -m tests.support.screens`, see its docstring): run it",
        "again after a change to the pages. French pages show English wherever a string is not translated yet.",
        "",
    ]
    by_lang: dict[str, list[Path]] = {}
    for path in sorted(saved):
        by_lang.setdefault(path.parent.name, []).append(path)
    for lang, paths in by_lang.items():
        lines += [f"## {lang}", "", "| role | page | desktop | phone |", "| --- | --- | --- | --- |"]
        seen = []
        for path in paths:
            stem = path.stem.rsplit("-", 1)[0]
            if stem not in seen:
                seen.append(stem)
        rows = []
        for stem in seen:
            role = next(r for r in sorted(role_names(), key=len, reverse=True) if stem.startswith(r + "-"))
            rows.append((role_names().index(role), role, stem))
        for _order, role, stem in sorted(rows):
            name = stem[len(role) + 1 :]
            cells = [f"[{size}]({lang}/{stem}-{size}.png)" for size in VIEWPORTS]
            lines.append(f"| {role} | {name} | " + " | ".join(cells) + " |")
        lines.append("")
    index = out / "README.md"
    index.write_text("\n".join(lines))
    return index


def role_names() -> list[str]:
    return ["signed-out", "owner", "manager", "staff", "new-owner", "admin", "liaison", "operator", "officer"]


@contextmanager
def demo_app() -> Iterator[tuple[object, DemoWorld, str]]:
    """The app on its own embedded PostgreSQL, the demo seeded, served on 127.0.0.1: (app, world, base URL)."""
    from werkzeug.serving import make_server

    from app import create_app
    from database.migrate import upgrade_shared

    base = tempfile.mkdtemp(prefix="loupe-screens-", dir="/dev/shm" if os.access("/dev/shm", os.W_OK) else None)
    app = create_app("testing", {"DATABASE_URL": None, "EMBEDDED_DB_DIR": os.path.join(base, "data")})
    database = app.extensions["loupe_db"]
    server = None
    try:
        database.ensure_roles()
        upgrade_shared(database.engines.owner)
        database.ensure_roles()
        world = build_demo_world(app)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        yield app, world, f"http://127.0.0.1:{server.server_port}"
    finally:
        if server is not None:
            server.shutdown()
        database.dispose()
        shutil.rmtree(base, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    from playwright.sync_api import sync_playwright

    from tests.support.browser import chromium_launch_args

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/screens", type=Path)
    parser.add_argument("--lang", action="append", choices=sorted(LANGUAGES), help="default: all")
    parser.add_argument("--role", action="append", choices=role_names(), help="default: all")
    args = parser.parse_args(argv)
    with demo_app() as (app, world, base_url), sync_playwright() as playwright:
        browser = playwright.chromium.launch(**chromium_launch_args())
        try:
            saved = capture(
                browser, base_url, app, world, args.out, langs=tuple(args.lang or LANGUAGES), only=set(args.role or [])
            )
        finally:
            browser.close()
    index = write_index(args.out, sorted(args.out.glob("*/*.png")))
    size = sum(p.stat().st_size for p in saved)
    print(f"{len(saved)} screenshots ({size / 1e6:.1f} MB) in {args.out}; index: {index}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
