"""Test fixtures: a real PostgreSQL (pgserver, or the server in DATABASE_URL), the app, factories, SMTP.

With no DATABASE_URL, a fresh embedded server is started in a temporary folder for the session. With
DATABASE_URL, a fresh database is created on that server for the session and dropped afterwards.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

pytest_plugins = [
    "pytester",
    "tests.fixtures.factories",
    "tests.fixtures.jobs",
    "tests.fixtures.outbound",
    "tests.fixtures.smtp",
    "tests.fixtures.web",
]


def _embedded_data_dir(tmp_path_factory) -> str:
    """A data folder for this session's embedded server, in memory when the machine has /dev/shm.

    Creating a relation costs ~12 ms on this machine's disk and ~3 ms in tmpfs; every test provisions stores.
    """
    shm = "/dev/shm"
    if os.path.isdir(shm) and os.access(shm, os.W_OK):
        base = tempfile.mkdtemp(prefix="loupe-test-", dir=shm)
        # Registered before the server starts, so it runs after pgserver's own exit hook has stopped it.
        atexit.register(shutil.rmtree, base, ignore_errors=True)
        return os.path.join(base, "data")
    return str(tmp_path_factory.mktemp("pg") / "data")


@pytest.fixture(scope="session")
def database_settings(tmp_path_factory):
    """Settings that point the app at this session's own database."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        yield {"DATABASE_URL": None, "EMBEDDED_DB_DIR": str(_embedded_data_dir(tmp_path_factory))}
        return
    base = make_url(url)
    name = f"loupe_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield {"DATABASE_URL": base.set(database=name).render_as_string(hide_password=False)}
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture(scope="session")
def app(database_settings):
    """The app under test, with the shared schema migrated once for the session."""
    from app import create_app
    from database.migrate import upgrade_shared

    app = create_app("testing", dict(database_settings))
    database = app.extensions["loupe_db"]
    database.ensure_roles()
    upgrade_shared(database.engines.owner)
    database.ensure_roles()
    _session_app.append(app)
    yield app
    _session_app.clear()
    database.dispose()


_session_app: list = []


@pytest.fixture(autouse=True)
def _totp_box_follows_the_session_app():
    """Creating another app (with other keys: a production or development app in a test) re-points the process-wide
    TOTP box (`security.secretbox.configure`); put it back on the session's app after each test, so one test's extra
    app can never seal the next test's two-step secrets with its keys."""
    yield
    if _session_app:
        from security import secretbox

        secretbox.configure(_session_app[0].config)


@pytest.fixture(scope="session")
def engines(app):
    return app.extensions["loupe_db"].engines


@pytest.fixture(scope="session")
def app_role(app):
    return app.extensions["loupe_db"].app_role
