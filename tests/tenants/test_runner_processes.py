"""The migration runner's worker processes end with the run: after success, after failures, and when the process
running it is interrupted or killed mid-run. Processes are found through /proc (Linux): a worker is a child of the
runner's process started by multiprocessing's spawn (`multiprocessing.spawn` in its command line)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from models import Store
from tenants.migrations import migrate_all_stores
from tenants.schema_upgrade import store_head
from tests.support.processes import HAS_PROC, children, still_alive, wait_until

pytestmark = pytest.mark.skipif(not HAS_PROC, reason="finds processes through /proc")

ROOT = Path(__file__).resolve().parents[2]
# Written into the slow revision's SQL, to find the workers' sessions in pg_stat_activity (one per test session:
# sessions may share a server through DATABASE_URL).
MARKER = f"loupe-runner-processes-{uuid.uuid4().hex[:10]}"

REVISION = textwrap.dedent(
    '''
    """test-only: {doc}"""
    import multiprocessing
    import os

    from alembic import op

    revision = "t9301"
    down_revision = "{down}"
    branch_labels = None
    depends_on = None
    REPLAY = {replay}


    def upgrade():
        {body}


    def downgrade():
        pass
    '''
)

BODIES = {
    "noop": dict(doc="nothing", replay=True, body='op.execute("SELECT 1")'),
    # Long enough that the runner is surely interrupted while both workers are inside it.
    "slow": dict(doc="a long statement", replay=True, body=f'op.execute("SELECT pg_sleep(120) /* {MARKER} */")'),
    # The worker process itself dies mid-chunk (online, so the revision's Python runs in the worker).
    "die": dict(
        doc="the worker process dies",
        replay=False,
        body='assert multiprocessing.parent_process() is not None, "only ever in a worker"\n    os._exit(3)',
    ),
}


def revision_folder(tmp_path: Path, kind: str) -> Path:
    folder = tmp_path / f"versions_{kind}"
    folder.mkdir()
    (folder / "t9301_test.py").write_text(REVISION.format(down=store_head(), **BODIES[kind]))
    return folder


def spawned_children(parent: int) -> dict[int, str]:
    """Live processes started by multiprocessing's spawn whose parent is `parent`: pid -> start time."""
    return children(parent, marker=b"multiprocessing.spawn")


@pytest.fixture
def stores(engines, make_world, make_store):
    """Three fresh stores; afterwards put back at the code's head (the test revisions change no table)."""
    world = make_world()
    made = [make_store(world) for _ in range(3)]
    yield made
    with engines.owner.begin() as conn:
        for store in made:
            conn.exec_driver_sql(f"UPDATE \"{store.schema_name}\".alembic_version SET version_num = '{store_head()}'")
        conn.execute(
            sa.update(Store)
            .where(Store.id.in_([s.id for s in made]))
            .values(schema_revision=store_head(), last_error=None)
        )


def run_in_process(engines, app_role, stores, folder):
    """Run the runner with two workers; returns its report and the workers seen while it ran."""
    seen: dict[int, str] = {}
    report = migrate_all_stores(
        engines.owner,
        workers=2,
        app_role=app_role,
        extra_version_locations=[folder],
        store_ids=[s.id for s in stores],
        on_progress=lambda _schema, _ok: seen.update(spawned_children(os.getpid())),
    )
    return report, seen


def test_no_worker_outlives_a_successful_run(engines, app_role, stores, tmp_path):
    report, seen = run_in_process(engines, app_role, stores, revision_folder(tmp_path, "noop"))
    assert report.ok and len(report.upgraded) == 3
    assert seen, "the run used worker processes"
    assert still_alive(seen) == {}


def test_no_worker_outlives_a_run_where_a_store_fails(engines, app_role, stores, tmp_path):
    with engines.owner.begin() as conn:  # the version guard refuses this store
        conn.exec_driver_sql(f"UPDATE \"{stores[1].schema_name}\".alembic_version SET version_num = 'zz000'")
    report, seen = run_in_process(engines, app_role, stores, revision_folder(tmp_path, "noop"))
    assert list(report.failed) == [stores[1].schema_name] and len(report.upgraded) == 2
    assert seen and still_alive(seen) == {}


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_no_worker_outlives_a_run_the_parent_abandons(engines, app_role, stores, tmp_path, error):
    """An error in the runner's own process (here: its progress callback) ends the run and its workers at once."""
    seen: dict[int, str] = {}

    def progress(_schema, _ok):
        seen.update(spawned_children(os.getpid()))
        raise error("stop")

    with pytest.raises(error):
        migrate_all_stores(
            engines.owner,
            workers=2,
            app_role=app_role,
            extra_version_locations=[revision_folder(tmp_path, "noop")],
            store_ids=[s.id for s in stores],
            on_progress=progress,
        )
    assert seen and still_alive(seen) == {}


def test_no_worker_outlives_a_run_where_a_worker_process_dies(engines, app_role, stores, tmp_path):
    before = spawned_children(os.getpid())
    report = migrate_all_stores(
        engines.owner,
        workers=2,
        app_role=app_role,
        extra_version_locations=[revision_folder(tmp_path, "die")],
        store_ids=[s.id for s in stores],
    )
    assert sorted(report.failed) == sorted(s.schema_name for s in stores)
    assert all("terminated abruptly" in message for message in report.failed.values())
    assert spawned_children(os.getpid()).keys() <= before.keys()


def busy_workers(engines) -> int:
    with engines.owner.connect() as conn:
        return conn.scalar(
            sa.text("SELECT count(*) FROM pg_stat_activity WHERE query LIKE :m AND pid <> pg_backend_pid()"),
            {"m": f"%{MARKER}%"},
        )


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=lambda s: s.name)
def test_no_worker_outlives_a_runner_interrupted_mid_run(engines, app_role, stores, tmp_path, sig):
    """`flask tenants migrate` stopped by Ctrl-C, a service manager's SIGTERM or SIGKILL: the workers end too."""
    script = textwrap.dedent(
        """
        import sys

        import sqlalchemy as sa

        from tenants.migrations import migrate_all_stores

        url, folder, role, ids = sys.argv[1:]
        migrate_all_stores(
            sa.create_engine(url), workers=2, app_role=role or None, extra_version_locations=[folder],
            store_ids=[int(i) for i in ids.split(",")],
        )
        """
    )
    args = [
        engines.owner.url.render_as_string(hide_password=False),
        str(revision_folder(tmp_path, "slow")),
        app_role or "",
        ",".join(str(s.id) for s in stores),
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    log = tmp_path / "runner.log"
    with log.open("wb") as out:
        runner = subprocess.Popen([sys.executable, "-c", script, *args], cwd=ROOT, env=env, stdout=out, stderr=out)
    workers: dict[int, str] = {}
    try:
        busy = wait_until(lambda: busy_workers(engines) == 2, timeout=90)
        assert busy, f"both workers inside the slow revision; runner said: {log.read_text()[-2000:]}"
        workers = spawned_children(runner.pid)
        assert len(workers) == 2
        runner.send_signal(sig)
        runner.wait(timeout=20)
        assert wait_until(lambda: not still_alive(workers), timeout=5), f"workers left: {sorted(still_alive(workers))}"
    finally:
        if runner.poll() is None:
            runner.kill()
            runner.wait()
        for pid in still_alive(workers):  # without the fix they would outlive the session
            os.kill(pid, signal.SIGKILL)
        with engines.owner.connect() as conn:  # their sessions sleep on in the server and hold locks
            conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE :m "
                    "AND pid <> pg_backend_pid()"
                ),
                {"m": f"%{MARKER}%"},
            )
            conn.commit()
    with engines.owner.connect() as conn:  # each store's transaction was rolled back: none is at the revision
        revisions = set(conn.scalars(sa.select(Store.schema_revision).where(Store.id.in_([s.id for s in stores]))))
    assert revisions == {store_head()}
