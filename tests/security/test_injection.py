"""ASVS items without a home elsewhere: forged audit lines, email header injection, the password policy, body size."""

from __future__ import annotations

import unicodedata

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

import audit
from audit import Actor
from mail.smtp import SmtpSettings, build_message
from models import AuditEntry
from security.passwords import PasswordRejected, check_policy, hash_password, verify_password
from tests.fixtures.outbound import expect_outbound

FORGED = "shop\n2026-01-01 00:00:00 store.drop ok admin@example.org\r\x1b[2Jcleared"


def test_audit_values_cannot_forge_a_second_line(engines):
    with Session(engines.owner) as session, session.begin():
        audit.record(
            session,
            "test.forge",
            actor=Actor.anonymous(email="a\nb@example.org"),
            target=FORGED,
            details={"note": FORGED, "n": 3},
        )
    with engines.owner.connect() as conn:
        entry = conn.execute(
            sa.select(AuditEntry.actor_email, AuditEntry.target, AuditEntry.details)
            .where(AuditEntry.action == "test.forge")
            .order_by(AuditEntry.id.desc())
            .limit(1)
        ).one()
    for value in (entry.actor_email, entry.target, entry.details["note"]):
        assert not any(unicodedata.category(ch) == "Cc" for ch in value)
        assert "\\x0a" in value
    assert entry.details["n"] == 3


def test_email_headers_cannot_be_injected():
    settings = SmtpSettings(
        server=None, port=25, username=None, password=None, use_tls=False, sender="Loupe <noreply@example.org>"
    )
    message = build_message(
        settings,
        to="owner@example.org\r\nBcc: thief@example.org",
        subject="Patrol request\r\nBcc: thief@example.org\nX-Evil: 1",
        text="body",
        html=None,
        message_id="<m1@example.org>",
        extra_headers={"List-Unsubscribe": "<https://example.org/u>\r\nBcc: thief@example.org"},
    )
    assert message["Bcc"] is None and message["X-Evil"] is None
    raw = message.as_bytes()
    assert b"\nBcc:" not in raw and b"\nX-Evil:" not in raw
    assert "\n" not in str(message["Subject"])


def test_password_policy_length_common_and_nfc():
    for bad in ("short-pass1", "x" * 129, "password1234", "aaaaaaaaaaaaaaaa"):
        try:
            check_policy(bad)
        except PasswordRejected:
            continue
        raise AssertionError(f"{bad!r} was accepted")
    composed = "caf\u00e9-sapphire-lantern"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    assert check_policy(decomposed) == composed
    stored = hash_password(check_policy(composed))
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, check_policy(decomposed))
    assert check_policy("any characters \u2603 \U0001f48e ok") == "any characters \u2603 \U0001f48e ok"


def test_a_request_body_over_the_limit_is_refused_without_a_500(app, client):
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = client.post("/login", data=b"a=" + b"x" * (limit + 1), content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413


def test_the_app_role_cannot_rewrite_or_erase_the_audit_log(engines, app_role):
    if app_role is None:
        pytest.skip("requests use the owner role when DATABASE_URL is set without DATABASE_APP_URL")
    for statement in ("UPDATE loupe.audit_log SET action = 'x'", "DELETE FROM loupe.audit_log"):
        with engines.app.connect() as conn, pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
            conn.exec_driver_sql(statement)


def test_smtp_down_keeps_the_email_for_a_retry(engines):
    from mail.outbox import deliver_pending, queue_email
    from mail.render import RenderedEmail
    from models import OutboundEmail

    with Session(engines.owner) as session, session.begin():
        row = queue_email(
            session, to="officer@example.org", email=RenderedEmail("Subject", "text", "<p>html</p>"), kind="test"
        )
        row_id = row.id
    closed = SmtpSettings(
        server="127.0.0.1", port=9, username=None, password=None, use_tls=False, sender="x@example.org", timeout=2
    )
    with expect_outbound("127.0.0.1", 9):  # nothing listens there: connection refused
        counts = deliver_pending(engines.owner, closed, ids=[row_id])
    assert counts == {"sent": 0, "retry": 1, "failed": 0}
    with Session(engines.owner) as session, session.begin():
        row = session.get(OutboundEmail, row_id)
        assert (row.status, row.attempts) == ("pending", 1)
        assert row.next_attempt_at > row.created_at and row.last_error
        session.delete(row)  # other tests deliver the outbox: leave nothing behind
