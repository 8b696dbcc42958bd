"""Test fixtures: a real PostgreSQL (pgserver, or the server in DATABASE_URL), the app, factories, SMTP.

With no DATABASE_URL, a fresh embedded server is started in a temporary folder for the session. With
DATABASE_URL, a fresh database is created on that server for the session and dropped afterwards.

With CITUS_URL (a Citus coordinator, e.g. postgresql+psycopg://postgres@127.0.0.1:9700/postgres) and CITUS_WORKERS
("host:port,host:port"), the session's database is created on the coordinator and on every worker (same user and
password), with the citus extension on each; the workers are registered in it and schema-based sharding is on, so
every store schema the tests create is a distributed schema on one of the workers, and the shared tables are
prepared as `flask db citus-prepare` does (see docs/scaling.md).
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

from database.engines import app_url_for
from i18n.catalogs import compile_catalogs

pytest_plugins = [
    "pytester",
    "tests.fixtures.factories",
    "tests.fixtures.jobs",
    "tests.fixtures.outbound",
    "tests.fixtures.smtp",
    "tests.fixtures.web",
]


def pytest_sessionstart(session):
    """`pytest` alone works: the translation catalogs are compiled when missing or older than their .po (the .mo
    files are build output, not in git; `make translations` does the same)."""
    compile_catalogs(only_stale=True)


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
    citus = os.environ.get("CITUS_URL")
    url = citus or os.environ.get("DATABASE_URL")
    if not url:
        yield {"DATABASE_URL": None, "EMBEDDED_DB_DIR": str(_embedded_data_dir(tmp_path_factory))}
        return
    base = make_url(url)
    name = f"loupe_test_{uuid.uuid4().hex[:10]}"
    workers = _citus_workers() if citus else []
    # The coordinator last in, first out: its database is dropped before the workers' ones.
    admins = [sa.create_engine(base.set(host=h, port=p), isolation_level="AUTOCOMMIT") for h, p in workers]
    admins.append(sa.create_engine(base, isolation_level="AUTOCOMMIT"))
    for admin in admins:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    session_url = base.set(database=name)
    if citus:
        _citus_cluster(session_url, workers)
    settings = {"DATABASE_URL": session_url.render_as_string(hide_password=False)}
    if citus:  # requests as the app role, as in production (the cluster's loopback trusts it, as the embedded one)
        settings["DATABASE_APP_URL"] = app_url_for(session_url, "loupe_app").render_as_string(hide_password=False)
    yield settings
    for admin in reversed(admins):
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def _citus_workers() -> list[tuple[str, int]]:
    """CITUS_WORKERS as (host, port) pairs; a cluster without workers would test nothing Citus does."""
    spec = os.environ.get("CITUS_WORKERS", "")
    workers = []
    for item in filter(None, (part.strip() for part in spec.split(","))):
        host, _, port = item.rpartition(":")
        workers.append((host, int(port)))
    if not workers:
        raise pytest.UsageError('CITUS_URL needs CITUS_WORKERS="host:port,host:port" (the worker nodes)')
    return workers


def _citus_cluster(url, workers: list[tuple[str, int]]) -> None:
    """The extension on every node's copy of the session database, the workers registered on the coordinator,
    schema-based sharding on for every connection to it."""
    for host, port in workers:
        engine = sa.create_engine(url.set(host=host, port=port), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS citus")
        engine.dispose()
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS citus")
        conn.execute(
            sa.text("SELECT citus_set_coordinator_host(:h, :p)"), {"h": url.host or "localhost", "p": url.port or 5432}
        )
        for host, port in workers:
            conn.execute(sa.text("SELECT citus_add_node(:h, :p)"), {"h": host, "p": port})
        conn.exec_driver_sql(f'ALTER DATABASE "{url.database}" SET citus.enable_schema_based_sharding = on')
    engine.dispose()


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
    if os.environ.get("CITUS_URL"):  # the layout production runs on Citus: `flask db citus-prepare`
        from database.citus import prepare_shared_tables

        prepare_shared_tables(database.engines.owner)
        database.ensure_roles()  # as the command does: the sequences' grants, which the conversion drops
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
