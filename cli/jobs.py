"""`flask jobs`: the job queue's worker, its state, and retrying a failed job."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from audit import Actor
from jobs.status import failed_jobs, queue_depth, retry_failed_job
from jobs.worker import run_until_empty, run_worker


def _engines():
    return current_app.extensions["loupe_db"].engines


@click.group("jobs", help="Background work: email, pattern detection, schema builds, digests, pool, purges.")
def jobs_group() -> None:
    pass


@jobs_group.command("worker", help="Run jobs until stopped (Ctrl-C / SIGTERM finish the jobs in hand first).")
@click.option("--concurrency", default=2, show_default=True, type=click.IntRange(1, 32), help="Jobs at once.")
@with_appcontext
def worker(concurrency: int) -> None:
    run_worker(current_app._get_current_object(), concurrency=concurrency)


@jobs_group.command("run-once", help="Run every job waiting now, then stop (the worker also runs the periodic ones).")
@with_appcontext
def run_once() -> None:
    run_until_empty(current_app._get_current_object())


@jobs_group.command("status", help="Jobs per status, and the latest failed ones.")
@with_appcontext
def status() -> None:
    with Session(_engines().owner) as session:
        for name, count in queue_depth(session).items():
            click.echo(f"{name}\t{count}")
        for job in failed_jobs(session, limit=20):
            click.echo(f"failed #{job.id} {job.task} {job.args} attempts={job.attempts}")


@jobs_group.command("retry", help="Put a failed job back in the queue.")
@click.argument("job_id", type=click.IntRange(1))
@with_appcontext
def retry(job_id: int) -> None:
    with Session(_engines().owner) as session, session.begin():
        retry_failed_job(session, job_id, actor=Actor.system("cli"))
    click.echo(f"job {job_id} queued again")
