"""The three public files that make Loupe installable on a phone. None of them holds anything of a person or a store:
the service worker caches them (and the static files), and nothing else (docs/offline.md, "What is never cached").
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from flask import Blueprint, Response, current_app, json, render_template, url_for

from blueprints.web import access
from i18n import _

bp = Blueprint("pwa", __name__)

THEME_COLOUR = "#1f4e8c"  # --brand in static/loupe.css
BACKGROUND_COLOUR = "#f5f6f9"  # --bg
# The app shell: what the offline page needs, cached by the service worker when it installs. Static files only.
SHELL_FILES = (
    "loupe.css",
    "draft-store.js",
    "offline-draft.js",
    "icons/loupe-192.png",
    "icons/loupe-512.png",
    "icons/loupe-maskable-192.png",
    "icons/loupe-maskable-512.png",
)
ICONS = (
    ("icons/loupe-192.png", "192x192", "any"),
    ("icons/loupe-512.png", "512x512", "any"),
    ("icons/loupe-maskable-192.png", "192x192", "maskable"),
    ("icons/loupe-maskable-512.png", "512x512", "maskable"),
)


@cache
def _service_worker(static_folder: str, static_url: str) -> str:
    """static/sw.js with its version (a digest of itself and of the shell files) and the shell's list written in:
    a changed stylesheet or script changes the worker's bytes, so phones install it and drop the old cache."""
    folder = Path(static_folder)
    source = (folder / "sw.js").read_text(encoding="utf-8")
    digest = hashlib.sha256(source.encode())
    for name in SHELL_FILES:
        digest.update((folder / name).read_bytes())
    shell = ["/offline", "/manifest.webmanifest", *(f"{static_url}/{name}" for name in SHELL_FILES)]
    return source.replace("__VERSION__", digest.hexdigest()[:16]).replace('"__SHELL__"', json.dumps(shell))


@bp.get("/manifest.webmanifest")
@access("public")
def manifest():
    """The web app manifest: what a phone needs to install Loupe on its home screen."""
    body = {
        "name": "Loupe",
        "short_name": "Loupe",
        "description": _("Police partnership and anonymized sharing for jewelers."),
        "id": "/",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": [
            {"src": url_for("static", filename=path), "sizes": sizes, "type": "image/png", "purpose": purpose}
            for path, sizes, purpose in ICONS
        ],
    }
    response = Response(json.dumps(body), content_type="application/manifest+json")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/sw.js")
@access("public")
def service_worker():
    """The service worker, from the site's root so that its scope is the whole site."""
    source = _service_worker(current_app.static_folder, current_app.static_url_path)
    response = Response(source, content_type="text/javascript; charset=utf-8")
    # Always ask: a new version must reach phones on their next visit.
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/offline")
@access("public")
def offline():
    """The page a phone shows when it has no connection. The same for everyone (it is cached): nothing of the
    person or the store on it, whoever is signed in."""
    response = Response(render_template("pwa/offline.html", shell=SHELL_FILES))
    response.headers["Cache-Control"] = "no-cache"
    return response
