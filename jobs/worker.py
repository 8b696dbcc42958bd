"""Running the jobs: procrastinate's worker, over the owner connection, each job in the Flask app's context.

`flask jobs worker` runs it for good (LISTEN/NOTIFY wakes it when a job is written; the periodic jobs of
`jobs.tasks.JOBS` are deferred by the worker itself, once per tick across all workers). `run_until_empty` runs
what is waiting and returns: tests use it to run the real jobs in-process.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

import procrastinate
from flask import Flask
from sqlalchemy import Engine

from config import JOBS_SCHEMA
from jobs.tasks import JOBS, RETRY_BASE_SECONDS, Job


def conninfo(engine: Engine) -> str:
    """A libpq connection URI for `engine`'s database (procrastinate speaks psycopg directly)."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _in_app_context(flask_app: Flask, func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> Any:
        with flask_app.app_context():
            return func(*args, **kwargs)

    return run


def queue_app(flask_app: Flask, *, schedule: bool = True) -> procrastinate.App:
    """The procrastinate app of `flask_app`: its connector (owner connection, search_path on the queue's schema)
    and every job of `JOBS`; with `schedule`, the periodic ones on their cron."""
    owner = flask_app.extensions["loupe_db"].engines.owner
    connector = procrastinate.PsycopgConnector(
        conninfo=conninfo(owner), kwargs={"options": f"-c search_path={JOBS_SCHEMA}"}
    )
    app = procrastinate.App(connector=connector)
    for job in JOBS:
        _register(app, flask_app, job, schedule=schedule)
    return app


def _register(app: procrastinate.App, flask_app: Flask, job: Job, *, schedule: bool) -> None:
    retry = procrastinate.RetryStrategy(max_attempts=job.max_attempts, exponential_wait=RETRY_BASE_SECONDS)
    task = app.task(name=job.name, retry=retry, lock=job.lock)(_in_app_context(flask_app, job.func))
    if schedule and job.cron:
        app.periodic(cron=job.cron, lock=job.lock, queueing_lock=job.name)(task)


def run_worker(flask_app: Flask, *, concurrency: int = 2) -> None:
    """Run jobs until stopped (SIGINT / SIGTERM finish the jobs in hand, then stop)."""
    app = queue_app(flask_app)
    app.run_worker(concurrency=concurrency, install_signal_handlers=True)


def run_until_empty(flask_app: Flask, *, concurrency: int = 1, schedule: bool = False) -> None:
    """Run every job that is due now, then return (tests, `flask jobs run-once`).

    The worker's event loop runs in a thread of its own, so this works whatever the caller's thread is doing with
    asyncio (a browser test's Playwright keeps a loop running in the main thread).
    """
    app = queue_app(flask_app, schedule=schedule)
    failure: list[BaseException] = []

    def work() -> None:
        try:
            app.run_worker(concurrency=concurrency, wait=False, install_signal_handlers=False, listen_notify=False)
        except BaseException as exc:  # handed to the caller's thread
            failure.append(exc)

    thread = threading.Thread(target=work, name="loupe-jobs-run-once")
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
