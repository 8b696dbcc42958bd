"""`flask serve` (what `make run` starts): the web server and a job worker from one command, both gone on Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from config import JOBS_SCHEMA
from jobs import names
from jobs.queue import enqueue
from tests.fixtures.outbound import expect_outbound
from tests.support.processes import HAS_PROC, children, still_alive, wait_until

pytestmark = pytest.mark.skipif(not HAS_PROC, reason="finds processes through /proc")
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_runs_the_web_and_a_worker_and_ctrl_c_stops_both(engines, tmp_path):
    port = _free_port()
    log = tmp_path / "serve.log"
    env = {
        **os.environ,
        "LOUPE_ENV": "development",
        "DATABASE_URL": engines.owner.url.render_as_string(hide_password=False),
        "DATABASE_APP_URL": engines.app.url.render_as_string(hide_password=False),
        "SECRET_KEY": "serve-test-secret-key-serve-test-secret-key",
        "MAIL_SERVER": "",
    }
    with log.open("w") as out:
        serve = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "app", "serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:

        def answers() -> bool:
            try:
                with expect_outbound("127.0.0.1", port), urllib.request.urlopen(f"http://127.0.0.1:{port}/login") as r:
                    return r.status == 200
            except OSError:
                return False

        assert wait_until(answers, 30), log.read_text()
        worker = children(serve.pid)
        assert len(worker) == 1, worker  # one job worker
        # The worker is connected and working: a job written now is run by it.
        with Session(engines.app) as session, session.begin():
            job = enqueue(session, names.DETECT_PATTERNS, {"region_id": -1})

        def done() -> bool:
            with engines.owner.connect() as conn:
                status = conn.execute(
                    sa.text(f"SELECT status::text FROM {JOBS_SCHEMA}.procrastinate_jobs WHERE id = :id"),
                    {"id": job.job_id},
                ).scalar_one()
            return status == "succeeded"

        assert wait_until(done, 30), log.read_text()
        serve.send_signal(signal.SIGINT)  # Ctrl-C
        assert serve.wait(40) is not None
        assert wait_until(lambda: not still_alive(worker), 10), "the job worker outlived `flask serve`"
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait()
