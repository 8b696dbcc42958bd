"""The operator's view of the queue (depth, failed jobs, retry) and the password reset that costs the same work
whether or not the account exists."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from config import JOBS_SCHEMA
from jobs import names
from jobs.queue import enqueue
from models import AuditEntry, OutboundEmail, Role
from tests.admin.conftest import enrol, sign_in_with_code
from tests.fixtures.factories import unique
from tests.fixtures.web import csrf_token, post_form, sign_in


def _status(engines, job_id: int) -> str:
    with engines.owner.connect() as conn:
        return conn.execute(
            sa.text(f"SELECT status::text FROM {JOBS_SCHEMA}.procrastinate_jobs WHERE id = :id"), {"id": job_id}
        ).scalar_one()


def _failed_job(engines, run_jobs) -> int:
    """A job the worker cannot run (no such task): it fails for good at once."""
    with Session(engines.app) as session, session.begin():
        job = enqueue(session, "no.such.task", {"x": 1})
    run_jobs()
    assert _status(engines, job.job_id) == "failed"
    return job.job_id


def test_the_operator_sees_failed_jobs_and_retries_one_audited(app, engines, make_user, run_jobs):
    job_id = _failed_job(engines, run_jobs)
    operator = make_user(operator=True)
    client = app.test_client()
    sign_in_with_code(client, engines, operator, enrol(engines, operator))  # operators must use two-step sign-in
    page = client.get("/operator/").get_data(as_text=True)
    assert "Job queue" in page and f"#{job_id}" in page and "no.such.task" in page
    response = client.post(f"/operator/jobs/{job_id}/retry", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    assert _status(engines, job_id) == "todo"
    with Session(engines.owner) as session:
        entry = session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "job.retried", AuditEntry.target == f"job:{job_id}")
        ).one()
        assert entry.actor_user_id == operator.id
    # A job that is not failed (any more) cannot be retried: 404, nothing changes.
    again = client.post(f"/operator/jobs/{job_id}/retry", data={"csrf_token": csrf_token(page)})
    assert again.status_code == 404 and _status(engines, job_id) == "todo"


@pytest.mark.parametrize("who", ["store_owner", "association_admin"])
def test_people_who_are_not_operators_get_404_for_the_console_and_the_retry(
    app, engines, make_user, make_world, make_store, run_jobs, who
):
    job_id = _failed_job(engines, run_jobs)
    world = make_world()
    if who == "store_owner":
        person = make_user(store=make_store(world))
    else:
        person = make_user(association=world.association, role=Role.ASSOCIATION_ADMIN)
    client = app.test_client()
    sign_in(client, person.email)
    page = client.get("/operator/")
    assert page.status_code == 404 and "no.such.task" not in page.get_data(as_text=True)
    token = csrf_token(client.get("/password/forgot").get_data(as_text=True))
    assert client.post(f"/operator/jobs/{job_id}/retry", data={"csrf_token": token}).status_code == 404
    assert _status(engines, job_id) == "failed" and _retries_audited(engines, job_id) == 0


def _retries_audited(engines, job_id: int) -> int:
    with Session(engines.owner) as session:
        return session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "job.retried", AuditEntry.target == f"job:{job_id}")
        )


def test_a_refused_retry_stores_nothing(app, engines, make_user, run_jobs):
    """The retry form without its CSRF token is refused: the job stays failed and nothing is audited."""
    job_id = _failed_job(engines, run_jobs)
    operator = make_user(operator=True)
    client = app.test_client()
    sign_in_with_code(client, engines, operator, enrol(engines, operator))
    assert client.get("/operator/").status_code == 200
    refused = client.post(f"/operator/jobs/{job_id}/retry", data={})
    assert refused.status_code == 400
    assert _status(engines, job_id) == "failed" and _retries_audited(engines, job_id) == 0


def _reset_jobs(engines, email: str) -> list[dict]:
    with engines.owner.connect() as conn:
        rows = conn.execute(
            sa.text(f"SELECT args FROM {JOBS_SCHEMA}.procrastinate_jobs WHERE task_name = :t"),
            {"t": names.SEND_PASSWORD_RESET},
        ).scalars()
        return [args for args in rows if args["email"] == email]


def test_forgot_password_does_the_same_work_whether_or_not_the_account_exists(app, engines, make_user, smtp):
    known = make_user()
    unknown = f"{unique('nobody')}@example.org"
    answers = []
    for email in (known.email, unknown):
        response = post_form(app.test_client(), "/password/forgot", {"email": email})
        answers.append((response.status_code, re.sub(r"\s+", " ", response.get_data(as_text=True))))
        # One job and one audit row either way; no email is rendered in the request.
        assert len(_reset_jobs(engines, email)) == 1
    assert answers[0] == answers[1]
    with Session(engines.owner) as session:
        queued = sa.select(sa.func.count()).select_from(OutboundEmail)
        assert session.scalar(queued.where(OutboundEmail.to_address.in_([known.email, unknown]))) == 0
    [mail] = smtp.to(known.email)  # the worker ran the jobs: only the real account gets a link
    assert "/password/reset/" in mail.get_body(preferencelist=("plain",)).get_content()
    assert smtp.to(unknown) == []


def test_the_reset_job_run_twice_queues_one_email(app, engines, make_user):
    from jobs.tasks import send_password_reset

    user = make_user()
    with app.app_context():
        send_password_reset(user.email, "fixed-token")
        send_password_reset(user.email, "fixed-token")  # a retry after a crash: same Message-ID, no second email
    with Session(engines.owner) as session:
        rows = session.scalars(sa.select(OutboundEmail).where(OutboundEmail.to_address == user.email)).all()
    assert len(rows) == 1 and rows[0].message_id.startswith("<reset-fixed-token@")
