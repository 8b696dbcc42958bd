"""Sending queued email once the request's transaction has committed."""

from __future__ import annotations

from flask import current_app

from database.request_scope import after_commit, engines
from mail.outbox import deliver_pending
from mail.smtp import SmtpSettings
from models import OutboundEmail


def send_after_commit(*rows: OutboundEmail) -> None:
    """Try to deliver these outbox rows right after commit; what fails stays queued for `flask mail send`."""
    if not current_app.config.get("MAIL_SERVER"):
        return  # development: the rows stay in the outbox and show on /dev/outbox
    ids = [row.id for row in rows]
    settings = SmtpSettings.from_config(current_app.config)
    engine = engines().app

    def deliver() -> None:
        try:
            deliver_pending(engine, settings, ids=ids)
        except Exception:  # the rows are still pending; never fail a committed request over mail
            current_app.logger.exception("delivering outbox rows %s failed", ids)

    after_commit(deliver)
