"""The outbox: emails are rows written in the caller's transaction and delivered after it commits.

Queueing an email also asks for a `mail.deliver` job with the ids of the transaction's emails, written when it
commits: the worker delivers once the rows are there, and a rolled-back transaction leaves neither rows nor job.
Retries after a refusal are picked up by the same job running every minute without ids (every due row).

Delivery claims rows with `FOR UPDATE SKIP LOCKED`, one transaction per message, and marks a row sent only after
the SMTP server accepted it. A crash between those two steps can send that one message twice, with the same
Message-ID, so receivers can drop the copy. A refused or failed attempt is retried with backoff, then `failed`.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import timedelta
from email.utils import parseaddr
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from jobs import names
from jobs.queue import enqueue_batched
from mail.render import RenderedEmail, header_safe
from mail.smtp import SmtpSettings, build_message, send_message
from models import OutboundEmail
from models.base import utcnow

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 6


def sender_domain(sender: str) -> str:
    """The domain of the From address (`Loupe <no-reply@loupe.example>` → `loupe.example`), for Message-IDs."""
    address = parseaddr(sender)[1]
    domain = address.rpartition("@")[2].strip().lower()
    return domain if domain and all(ch.isalnum() or ch in ".-" for ch in domain) else "loupe.localhost"


def after_failure(attempts: int, exc: BaseException) -> dict[str, Any]:
    """The columns to set on an outbox-like row (outbox emails, digest deliveries) whose attempt number `attempts`
    just failed with `exc`: the reason, and either the next attempt after a backoff or `failed` for good."""
    values: dict[str, Any] = {"attempts": attempts, "last_error": f"{type(exc).__name__}: {exc}"[:1000]}
    if attempts >= MAX_ATTEMPTS:
        values["status"] = "failed"
    else:
        values["next_attempt_at"] = utcnow() + backoff(attempts)
    return values


def make_message_id(domain: str = "loupe.localhost") -> str:
    return f"<{uuid.uuid4().hex}@{domain}>"


def queue_email(
    session: Session,
    *,
    to: str,
    email: RenderedEmail,
    kind: str,
    message_id: str | None = None,
    attachments: list[dict] | None = None,
) -> OutboundEmail:
    """Add one email to the outbox in the caller's transaction, with the job that delivers it. Flushes, never
    commits. `message_id` fixes the Message-ID (a job that may run twice gives the same one each time)."""
    row = OutboundEmail(
        message_id=message_id or make_message_id(),
        to_address=header_safe(to, 254),
        subject=email.subject,
        body_text=email.text,
        body_html=email.html,
        kind=kind,
        attachments=attachments or None,
    )
    session.add(row)
    session.flush()
    enqueue_batched(session, names.DELIVER_MAIL, "ids", row.id)
    return row


def backoff(attempts: int) -> timedelta:
    """How long to wait before the next attempt after `attempts` failed ones: 30 s, 1 min, 2 min, ... up to 1 h."""
    return timedelta(seconds=min(3600, 30 * 2 ** max(0, attempts - 1)))


def deliver_pending(
    engine: Engine, settings: SmtpSettings, *, ids: Sequence[int] | None = None, limit: int = 500
) -> dict[str, Any]:
    """Send due outbox rows (only `ids` when given); returns counts of sent / retry / failed."""
    counts = {"sent": 0, "retry": 0, "failed": 0}
    for _ in range(limit):
        with engine.connect() as conn, conn.begin():
            query = (
                sa.select(OutboundEmail)
                .where(OutboundEmail.status == "pending", OutboundEmail.next_attempt_at <= sa.func.now())
                .order_by(OutboundEmail.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            )
            if ids is not None:
                query = query.where(OutboundEmail.id.in_(ids))
            with Session(bind=conn) as session:
                row = session.scalar(query)
                if row is None:
                    break
                try:
                    message = build_message(
                        settings,
                        to=row.to_address,
                        subject=row.subject,
                        text=row.body_text,
                        html=row.body_html,
                        message_id=row.message_id,
                        attachments=row.attachments,
                    )
                    send_message(settings, message)
                except Exception as exc:  # SMTP refused, down, or timed out: retry later, lose nothing
                    for column, value in after_failure(row.attempts + 1, exc).items():
                        setattr(row, column, value)
                    counts["failed" if row.status == "failed" else "retry"] += 1
                    log.warning("email %s to outbox id %s not sent: %s", row.kind, row.id, row.last_error)
                else:
                    row.status = "sent"
                    row.sent_at = utcnow()
                    row.attempts += 1
                    counts["sent"] += 1
                session.flush()
    return counts
