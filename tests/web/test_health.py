"""GET /healthz: what a load balancer and Docker's HEALTHCHECK ask (issue #16, item 11).

Real PostgreSQL throughout: the healthy case runs as the app role (its grants are part of what is checked), the
unhealthy ones point a second app at a database without the job queue's schema, and at no server at all.
"""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from app import create_app

SECRET_KEY = "health-check-secret-key-that-must-never-show-0123456789"


def _get_health(app):
    response = app.test_client().get("/healthz")
    return response, response.get_data(as_text=True)


def test_healthy_when_the_database_answers_and_the_queue_is_reachable(app):
    response, _ = _get_health(app)
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert response.json["database"] == "ok"
    assert response.json["queue"] == "ok"
    # Nothing to sign in with, nothing to cache.
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"


def test_a_recent_worker_heartbeat_is_reported_but_its_absence_does_not_fail(app, engines):
    response, _ = _get_health(app)
    assert (response.status_code, response.json["worker"]) == (200, "no recent heartbeat")
    with engines.owner.begin() as conn:
        worker_id = conn.execute(
            sa.text("INSERT INTO loupe_jobs.procrastinate_workers DEFAULT VALUES RETURNING id")
        ).scalar_one()
    try:
        response, _ = _get_health(app)
        assert (response.status_code, response.json["worker"]) == (200, "ok")
    finally:
        with engines.owner.begin() as conn:
            conn.execute(sa.text("DELETE FROM loupe_jobs.procrastinate_workers WHERE id = :id"), {"id": worker_id})


@pytest.fixture
def database_without_queue(engines):
    """A fresh, empty database on the test server: it answers, but has no job queue (migrations not run)."""
    name = f"loupe_health_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(engines.owner.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield engines.owner.url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def _other_app(database_url: str):
    other = create_app("testing", {"DATABASE_URL": database_url, "SECRET_KEY": SECRET_KEY})
    return other


def _assert_reveals_nothing(body: str, database_url: str) -> None:
    lowered = body.lower()
    for leak in ("postgres", "psycopg", "sqlalchemy", "loupe_jobs", "procrastinate", "traceback", "host", "version"):
        assert leak not in lowered
    assert SECRET_KEY not in body and database_url not in body


def test_unavailable_when_the_job_queue_cannot_be_read(database_without_queue):
    other = _other_app(database_without_queue)
    try:
        response, body = _get_health(other)
    finally:
        other.extensions["loupe_db"].dispose()
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "database": "ok", "queue": "unavailable"}
    _assert_reveals_nothing(body, database_without_queue)


def test_unavailable_when_the_database_does_not_answer(tmp_path):
    # A socket folder with no server in it: the connection is refused at once.
    url = f"postgresql+psycopg://postgres:@/postgres?host={tmp_path}"
    other = _other_app(url)
    try:
        response, body = _get_health(other)
    finally:
        other.extensions["loupe_db"].dispose()
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "database": "unavailable", "queue": "unavailable"}
    _assert_reveals_nothing(body, url)


def test_the_health_check_never_binds_a_store_schema(app):
    """It runs on the app engine as the app role, whose search_path is the empty schema: no store is opened."""
    from database import health

    engine = app.extensions["loupe_db"].engines.app
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        assert health.check(engine).ok
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    assert seen and not any("search_path" in s.lower() or "store_" in s.lower() for s in seen)
