"""Development: a stand-in for the SMTP connection that keeps each message in the outbox table instead, so
/dev/outbox shows it (as it shows every other email of a development app without MAIL_SERVER).

For the senders that hand messages to a connection themselves (the digest run: `digest.send.deliver`). The row is
written as already handled (status "sent", `sent_at` now, a note in `last_error`): a mail server configured later
must not send a development digest to its made-up recipients.
"""

from __future__ import annotations

from email.message import Message

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.dialects.postgresql import insert

from models import OutboundEmail

KEPT_NOTE = "kept in the development outbox (no MAIL_SERVER): never sent"


def _part(message: Message, subtype: str) -> str | None:
    """The first text/<subtype> part's text (the classic MIME classes `mail.smtp.build_message` uses)."""
    for part in message.walk():
        if part.get_content_type() == f"text/{subtype}" and part.get("Content-Disposition") is None:
            payload = part.get_payload(decode=True)
            return payload.decode(part.get_content_charset() or "utf-8", "replace") if payload else ""
    return None


class DevOutboxConnection:
    """Has `send(message)` like `mail.smtp.SmtpConnection`; writes the message to the outbox table, once per
    Message-ID (a second send of the same message adds nothing)."""

    def __init__(self, engine: Engine, kind: str) -> None:
        self.engine = engine
        self.kind = kind
        self.kept = 0

    def __enter__(self) -> DevOutboxConnection:
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None

    def send(self, message: Message) -> None:
        values = {
            "message_id": str(message["Message-ID"]),
            "to_address": str(message["To"])[:254],
            "subject": str(message["Subject"])[:300],
            "body_text": _part(message, "plain") or "",
            "body_html": _part(message, "html"),
            "kind": self.kind,
            "status": "sent",
            "sent_at": sa.func.now(),
            "last_error": KEPT_NOTE,
        }
        with self.engine.begin() as conn:
            conn.execute(insert(OutboundEmail).values(**values).on_conflict_do_nothing(index_elements=["message_id"]))
        self.kept += 1
