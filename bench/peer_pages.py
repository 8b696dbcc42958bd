"""The page comparison's two sides (issue #22): Loupe's store pages and the same pages in Django + django-tenants.

`record(ctx, store, path)` runs one of Loupe's pages in-process and records the statements it sends (on the app
engine), so the Django side (bench/django_side/pages/views.py) runs the very same queries, found through
`SET search_path` instead of Loupe's schema-qualified names. `DjangoPages(ctx, …)` copies the Django project,
writes those statements beside it and serves it with the same gunicorn command as Loupe (`bench.web.Gunicorn`:
the same gunicorn binary and settings, the Django side's packages from bench/.venv-django on its path), on
Loupe's database as the `loupe_app` role, keeping connections across requests (CONN_MAX_AGE), as Loupe's pool
does. `sign_in(ctx, user_id)` opens one server-side auth session and returns the cookies both apps read it from.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bench.harness import APP_ROLE
from bench.web import Gunicorn

HERE = Path(__file__).resolve().parent
# The layout's navigation (templates/base.html, a store owner's links), for a Django page of the same size.
NAV = [("", "Dashboard"), ("logbook/", "Logbook"), ("feed/", "Regional feed"), ("contacts/", "Police contacts"),
       ("meetings/", "Meetings"), ("patrols/", "Patrols"), ("plans/", "Plans"), ("briefing/", "Briefing"),
       ("review/", "Police review"), ("people/", "People"), ("billing/", "Billing")]  # fmt: skip
PAGES = {"dashboard": "/s/{slug}/", "feed": "/s/{slug}/feed/"}


def sign_in(ctx, user_id: int) -> tuple[str, str]:
    """(Loupe's cookie, the Django side's cookie) for one new auth session of `user_id`."""
    from accounts.accounts import start_session
    from models import User

    app = ctx.app
    with Session(ctx.owner) as session, session.begin():
        token = start_session(session, session.get(User, user_id), ip="127.0.0.1", user_agent="wrk")
    value = app.session_interface.get_signing_serializer(app).dumps({"_user_id": token, "_fresh": True})
    return f"{app.config['SESSION_COOKIE_NAME']}={value}", f"djsid={token}"


def _tag(value) -> list:
    if isinstance(value, dt.datetime):
        return ["datetime", None]
    if isinstance(value, dt.date):
        return ["date", None]
    return ["value", value]


def record(ctx, store, path: str) -> tuple[list[dict], str]:
    """The SELECTs one signed-in GET of `path` sends on the app engine (store prefix removed), and the page."""
    from database.request_scope import engines

    client = ctx.app.test_client()
    name, _, value = sign_in(ctx, store.owner_id)[0].partition("=")
    client.set_cookie(name, value)
    assert client.get(path).status_code == 200, path  # warm: the engine exists, caches are filled
    with ctx.app.app_context():
        engine = engines().app
    seen: list[tuple[str, dict]] = []

    def listen(_conn, _cursor, statement, params, *_args):
        seen.append((" ".join(statement.split()), dict(params or {})))

    sa.event.listen(engine, "before_cursor_execute", listen)
    try:
        response = client.get(path)
    finally:
        sa.event.remove(engine, "before_cursor_execute", listen)
    assert response.status_code == 200, path
    prefix = re.compile(rf'"?{re.escape(store.schema)}"?\.')
    statements = []
    for sql, params in seen:
        if not sql.upper().startswith(("SELECT", "WITH")) or " FROM " not in sql.upper():
            continue
        table = re.search(r"FROM (?:loupe\.)?\(?(\w+)", prefix.sub("", sql))
        statements.append({"sql": prefix.sub("", sql), "params": {k: _tag(v) for k, v in params.items()},
                           "title": table.group(1).replace("_", " ") if table else "rows",
                           "store_tables": bool(prefix.search(sql))})  # fmt: skip
    # Loupe reads the session, the person and the memberships in one statement (issue #22); the peer runs the same.
    if "auth_sessions" not in statements[0]["sql"] or "loupe.memberships" not in statements[0]["sql"]:
        raise RuntimeError(f"{path}: expected the auth session with the memberships first: {statements[:1]}")
    return statements, response.get_data(as_text=True)


def _membership_columns(sql: str) -> dict:
    """The result names of loupe.stores' columns in the memberships statement (e.g. slug AS slug_2)."""
    found = {m.group(1): m.group(2) or m.group(1) for m in re.finditer(r"loupe\.stores\.(\w+)(?: AS (\w+))?", sql)}
    return {
        "store_slug_column": found["slug"],
        "store_name_column": found["name"],
        "from_membership": {
            "association_id": found["association_id"],
            "region_id": found["region_id"],
            "store_id": found["id"],
        },  # fmt: skip
    }


def django_site_packages() -> str:
    from bench.django_run import VENV, ensure_venv

    ensure_venv()
    return str(next(VENV.glob("lib/python*/site-packages")))


class DjangoPages:
    """The Django + django-tenants pages served by gunicorn on Loupe's database (`db_host`/`db_port`)."""

    def __init__(self, ctx, statements: dict, *, db_host: str, db_port: str = "", label: str = "django") -> None:
        workdir = Path(ctx.tmp) / f"django_pages_{label}"
        if not workdir.exists():
            shutil.copytree(HERE / "django_side", workdir, ignore=shutil.ignore_patterns("__pycache__", "generate.py"))
        first = next(iter(statements.values()))
        spec = {**statements, **_membership_columns(first[0]["sql"]), "nav": NAV}
        (workdir / "pages.json").write_text(json.dumps(spec, default=str))
        env = {
            "DJ_PAGES_SQL": str(workdir / "pages.json"),
            "DJ_DB_HOST": db_host,
            "DJ_DB_PORT": str(db_port),
            "DJ_DB_NAME": sa.engine.make_url(ctx.owner_url).database,
            "DJ_DB_USER": APP_ROLE,
            "DJ_CONN_MAX_AGE": "600",
            "PYTHONPATH": os.pathsep.join([str(workdir), django_site_packages()]),
            "DJANGO_SETTINGS_MODULE": "benchsite.settings",
        }
        log_path = os.path.join(ctx.tmp, f"gunicorn-{label}.log")
        self.gunicorn = Gunicorn("benchsite.wsgi:application", env, log_path, probe="/s/x/", cwd=workdir)
        self.base = self.gunicorn.base

    def stop(self) -> None:
        self.gunicorn.stop()
