"""The job queue: jobs are written in the caller's transaction and run by the real worker (procrastinate)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from config import JOBS_SCHEMA
from jobs import names
from jobs.queue import enqueue
from jobs.tasks import JOBS
from jobs.worker import queue_app
from mail.outbox import queue_email
from mail.render import RenderedEmail
from models import OutboundEmail
from tests.fixtures.factories import unique


def _jobs(engines, task: str) -> list[sa.Row]:
    with engines.owner.connect() as conn:
        return conn.execute(
            sa.text(f"SELECT id, status::text, args FROM {JOBS_SCHEMA}.procrastinate_jobs WHERE task_name = :t"),
            {"t": task},
        ).all()


def _email(subject: str) -> RenderedEmail:
    return RenderedEmail(subject=subject, text="Hello", html=None)


def test_every_job_name_has_exactly_one_task_and_every_task_a_name():
    declared = {v for k, v in vars(names).items() if k.isupper() and not k.endswith("_LOCK")}
    registered = [job.name for job in JOBS]
    assert sorted(registered) == sorted(set(registered))  # no name twice
    assert set(registered) == declared


def test_the_periodic_jobs_are_scheduled_by_the_queue(app):
    scheduled = queue_app(app, schedule=True)
    periodic = {p.task.name for p in scheduled.periodic_registry.periodic_tasks.values()}
    assert periodic == {job.name for job in JOBS if job.cron}
    assert {names.DELIVER_MAIL, names.RUN_DUE_DIGESTS, names.FILL_POOL, names.PURGE_REMOVED} <= periodic
    unscheduled = queue_app(app, schedule=False)
    assert not unscheduled.periodic_registry.periodic_tasks


def test_a_job_exists_only_if_its_transaction_commits(engines, run_jobs):
    region_lock = unique("lock")
    with Session(engines.app) as session:
        enqueue(session, names.DETECT_PATTERNS, {"region_id": -1}, queueing_lock=region_lock)
        session.rollback()
    assert not [j for j in _jobs(engines, names.DETECT_PATTERNS) if j.status == "todo"]
    with Session(engines.app) as session, session.begin():
        first = enqueue(session, names.DETECT_PATTERNS, {"region_id": -1}, queueing_lock=region_lock)
        again = enqueue(session, names.DETECT_PATTERNS, {"region_id": -1}, queueing_lock=region_lock)
        # The transaction is still usable after the refused duplicate.
        assert session.scalar(sa.select(sa.literal(1))) == 1
    assert first.job_id is not None and again.job_id is None
    assert [j.id for j in _jobs(engines, names.DETECT_PATTERNS) if j.status == "todo"] == [first.job_id]
    run_jobs()  # region -1 does not exist: the job has nothing to do and succeeds
    [job] = [j for j in _jobs(engines, names.DETECT_PATTERNS) if j.id == first.job_id]
    assert job.status == "succeeded"


def test_emails_of_one_transaction_make_one_delivery_job_and_a_rollback_makes_none(app, engines, run_jobs, smtp):
    to = f"{unique('to')}@example.org"
    with Session(engines.app) as session:
        queue_email(session, to=to, email=_email("rolled back"), kind="test")
        session.rollback()
    assert not [j for j in _jobs(engines, names.DELIVER_MAIL) if j.status == "todo"]
    with Session(engines.app) as session, session.begin():
        ids = [queue_email(session, to=to, email=_email(f"n{i}"), kind="test").id for i in range(3)]
    [job] = [j for j in _jobs(engines, names.DELIVER_MAIL) if j.status == "todo"]
    assert job.args == {"ids": ids}
    assert sorted(m["Subject"] for m in smtp.to(to)) == ["n0", "n1", "n2"]  # reading the inbox runs the worker
    with Session(engines.app) as session:
        assert set(session.scalars(sa.select(OutboundEmail.status).where(OutboundEmail.id.in_(ids)))) == {"sent"}
    run_jobs()  # nothing left: nobody gets a second copy
    assert len(smtp.to(to)) == 3
