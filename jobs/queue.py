"""Writing a job in the caller's transaction.

Jobs are rows of procrastinate's queue, inserted through its `procrastinate_defer_jobs_v1` function (run as the
owner, see shared revision 0016), so a job exists exactly when the transaction that asked for it commits: a
refused request leaves none behind, and the worker never sees a job whose data is not there yet.

`queueing_lock` makes a job unique while it waits: asking again for a job that is already queued with the same lock
is a no-op (e.g. one pattern detection per region however many shares arrive before the worker gets to it).

`enqueue_batched` collects items on the Session and writes one job with all of them when the transaction commits
(e.g. one `mail.deliver` job for the 300 emails of an urgent alert): the after-commit work belongs to the Session,
so it happens the same way in a request, a CLI command or a job. `install(Session)` hooks it up (the factory).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from config import JOBS_SCHEMA
from jobs import names

DEFAULT_QUEUE = "default"
_DEFER = sa.text(
    f"SELECT {JOBS_SCHEMA}.procrastinate_defer_jobs_v1(ARRAY[ROW("
    ":queue, :task, :priority, :lock, :queueing_lock, CAST(:args AS jsonb), :scheduled_at"
    f")::{JOBS_SCHEMA}.procrastinate_job_to_defer_v1])"
)


@dataclass(frozen=True)
class Enqueued:
    """The job written, or None for `job_id` when an identical job (same queueing lock) was already waiting."""

    task: str
    job_id: int | None


def enqueue(
    session: Session,
    task: str,
    args: dict[str, Any] | None = None,
    *,
    queueing_lock: str | None = None,
    lock: str | None = None,
    scheduled_at: datetime | None = None,
    priority: int = 0,
    queue: str = DEFAULT_QUEUE,
) -> Enqueued:
    """Write job `task(**args)` in the session's transaction. Never commits.

    `args` must be JSON values (ids, not objects): the job runs later, in another process, on fresh data.
    """
    params = {
        "queue": queue,
        "task": task,
        "priority": priority,
        "lock": lock,
        "queueing_lock": queueing_lock,
        "args": json.dumps(args or {}),
        "scheduled_at": scheduled_at,
    }
    if queueing_lock is None:
        ids = session.execute(_DEFER, params).scalar_one()
        return Enqueued(task, ids[0])
    # A waiting job with the same queueing lock violates procrastinate's partial unique index: keep the caller's
    # transaction usable by trying inside a savepoint.
    try:
        with session.begin_nested():
            ids = session.execute(_DEFER, params).scalar_one()
    except sa.exc.IntegrityError as exc:
        if "procrastinate_jobs_queueing_lock_idx" not in str(exc.orig):
            raise
        return Enqueued(task, None)
    return Enqueued(task, ids[0])


def notify(session: Session, event: str, **args: Any) -> Enqueued:
    """Write the job that tells the people concerned about `event` (`notifications.fanout.fan_out`), in the caller's
    transaction. `args` are ids (and, for an event that can happen again to the same thing, a `token` that makes
    its notifications distinct while a retry of the same job stays one)."""
    return enqueue(session, names.NOTIFY, {"event": event, "args": args})


_BATCHES = "loupe_job_batches"


def enqueue_batched(session: Session, task: str, argument: str, item: Any) -> None:
    """Add `item` to the `argument` list of one `task` job written when this transaction commits."""
    batches: dict[tuple[str, str], list[Any]] = session.info.setdefault(_BATCHES, {})
    batches.setdefault((task, argument), []).append(item)


def _write_batches(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint is released, not the transaction: the batch waits for the real commit
    for (task, argument), items in session.info.pop(_BATCHES, {}).items():
        enqueue(session, task, {argument: items})


def _forget_batches(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the whole transaction ended (committed or rolled back)
        session.info.pop(_BATCHES, None)


def install(session_class: type[Session] = Session) -> None:
    """Write batched jobs at commit and drop them on rollback, for every Session of `session_class`. Idempotent."""
    if not event.contains(session_class, "before_commit", _write_batches):
        event.listen(session_class, "before_commit", _write_batches)
        event.listen(session_class, "after_transaction_end", _forget_batches)
