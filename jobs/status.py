"""What the operator console shows of the job queue, and retrying a failed job. Reads with the caller's Session
(the app role may read the queue's table); the retry goes through procrastinate's owner-run function."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

import audit
from audit import Actor
from config import JOBS_SCHEMA
from errors import NotFound

STATUSES = ("todo", "doing", "succeeded", "failed", "cancelled", "aborted")


@dataclass(frozen=True)
class FailedJob:
    id: int
    task: str
    args: dict
    attempts: int
    failed_at: datetime | None


def queue_depth(session: Session) -> dict[str, int]:
    """Jobs per status (every status listed, zero included)."""
    rows = session.execute(
        sa.text(f"SELECT status::text, count(*) FROM {JOBS_SCHEMA}.procrastinate_jobs GROUP BY status")
    ).all()
    counts = dict.fromkeys(STATUSES, 0)
    counts.update({status: count for status, count in rows})
    return counts


def failed_jobs(session: Session, *, limit: int = 50) -> list[FailedJob]:
    """The most recent failed jobs, newest first."""
    rows = session.execute(
        sa.text(
            f"SELECT j.id, j.task_name, j.args, j.attempts,"
            f" (SELECT max(e.at) FROM {JOBS_SCHEMA}.procrastinate_events e WHERE e.job_id = j.id) AS failed_at"
            f" FROM {JOBS_SCHEMA}.procrastinate_jobs j WHERE j.status = 'failed' ORDER BY j.id DESC LIMIT :limit"
        ),
        {"limit": limit},
    ).all()
    return [FailedJob(r.id, r.task_name, r.args, r.attempts, r.failed_at) for r in rows]


def retry_failed_job(session: Session, job_id: int, *, actor: Actor) -> None:
    """Put a failed job back in the queue, to run now, and audit it. Raises NotFound for any other job."""
    status = session.execute(
        sa.text(f"SELECT status::text FROM {JOBS_SCHEMA}.procrastinate_jobs WHERE id = :id"), {"id": job_id}
    ).scalar()
    if status != "failed":
        raise NotFound("No failed job with that number.")
    session.execute(
        sa.text(f"SELECT {JOBS_SCHEMA}.procrastinate_retry_job_v2(:id, now(), NULL, NULL, NULL)"), {"id": job_id}
    )
    audit.record(session, "job.retried", actor=actor, target=f"job:{job_id}")
