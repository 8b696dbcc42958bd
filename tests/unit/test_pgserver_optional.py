"""pgserver is a development/test dependency only (issue #16, item 11): with DATABASE_URL set the app never imports
it, and without DATABASE_URL and without pgserver the error says what to do."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import create_app
from database.embedded import MISSING_PGSERVER, EmbeddedServerUnavailable

ROOT = Path(__file__).resolve().parents[2]


def test_with_database_url_the_app_runs_without_pgserver(monkeypatch, engines):
    # None in sys.modules makes `import pgserver` raise ImportError, as in the production image.
    monkeypatch.setitem(sys.modules, "pgserver", None)
    url = engines.owner.url.render_as_string(hide_password=False)
    other = create_app("testing", {"DATABASE_URL": url})
    try:
        with other.extensions["loupe_db"].engines.app.connect() as conn:
            assert conn.execute(sa.text("SELECT 1")).scalar_one() == 1
        assert other.test_client().get("/healthz").status_code == 200
    finally:
        other.extensions["loupe_db"].dispose()


def test_without_database_url_a_missing_pgserver_says_what_to_do(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "pgserver", None)
    other = create_app("testing", {"DATABASE_URL": None, "EMBEDDED_DB_DIR": str(tmp_path / "pgdata")})
    with pytest.raises(EmbeddedServerUnavailable) as raised:
        other.extensions["loupe_db"].engines  # noqa: B018 - the first use starts (here: fails to start) the server
    assert str(raised.value) == MISSING_PGSERVER
    assert "set DATABASE_URL, or install requirements-dev.txt" in MISSING_PGSERVER


def test_pgserver_is_pinned_for_development_only():
    runtime = (ROOT / "requirements.txt").read_text().lower().split()
    development = (ROOT / "requirements-dev.txt").read_text().lower().split()
    assert not any(line.startswith("pgserver") for line in runtime)
    assert "pgserver==0.1.4" in development


def test_no_runtime_module_imports_pgserver_at_module_level():
    """Only database/embedded.py may name it, inside a function (bench/ is development tooling)."""
    offenders = []
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in {"tests", "bench", ".venv", "instance"}:
            continue
        for line in path.read_text().splitlines():
            if line.startswith(("import pgserver", "from pgserver")):
                offenders.append(str(relative))
    assert offenders == []
