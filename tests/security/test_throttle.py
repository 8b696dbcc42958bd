"""The sign-in / two-step throttle (`accounts.throttle`): the window rule, and failures that outlive the refusal."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from accounts import accounts as services
from accounts import throttle
from database.request_scope import begin_request, db, end_request, independent_transaction
from models import AuditEntry, LoginThrottle, User
from tests.fixtures.factories import PASSWORD, unique
from tests.fixtures.web import post_form

NOON = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def counted(engines, key: str) -> int:
    """Every failure stored for `key`, whatever its window (read from the table, not through the module)."""
    with engines.owner.connect() as conn:
        return conn.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(LoginThrottle.failures), 0)).where(LoginThrottle.key == key)
        )


def audited(engines, action: str, email: str) -> int:
    with engines.owner.connect() as conn:
        return conn.scalar(
            sa.select(sa.func.count()).where(AuditEntry.action == action, AuditEntry.actor_email == email)
        )


def test_the_window_is_the_clock_hour_a_moment_falls_in():
    assert throttle.window_start(NOON) == NOON
    assert throttle.window_start(NOON.replace(minute=59, second=59, microsecond=999_999)) == NOON
    assert throttle.window_start(NOON.replace(hour=13)) == NOON.replace(hour=13)
    assert throttle.window_start(NOON.replace(minute=0, second=0, microsecond=1)) == NOON


def test_a_key_is_throttled_at_its_limit_and_only_inside_its_window(engines):
    key, other = f"account:{unique('w')}@example.org", f"address:{unique('w')}"
    with Session(engines.owner) as session, session.begin():
        for _ in range(3):
            throttle.record_failure(session, [key], NOON.replace(minute=5))
        throttle.record_failure(session, [key], NOON.replace(hour=11, minute=59))  # the previous window
        end_of_window = NOON.replace(minute=59, second=59)
        assert throttle.failures(session, key, end_of_window) == 3
        assert throttle.is_throttled(session, {key: 3}, end_of_window)
        assert not throttle.is_throttled(session, {key: 4}, end_of_window)
        assert not throttle.is_throttled(session, {key: 3}, NOON.replace(hour=13))  # a new hour starts at zero
        # Any key at its limit throttles; a key with no failures never does.
        assert throttle.is_throttled(session, {other: 1, key: 3}, end_of_window)
        assert not throttle.is_throttled(session, {other: 1}, end_of_window)
        throttle.clear(session, key)
        assert throttle.failures(session, key, end_of_window) == 0
        assert not throttle.is_throttled(session, {key: 1}, NOON.replace(hour=11, minute=30))


def test_a_refused_sign_in_keeps_its_count_and_audit_and_nothing_else_of_the_request(app, engines, make_user):
    user = make_user()
    ip = "203.0.113.17"
    with app.test_request_context("/login", method="POST"):
        # The request's unit of work, as `app.LoupeFlask` drives it around the login view.
        begin_request()
        db().get(User, user.id).name = "Renamed by the refused request"
        db().flush()
        with pytest.raises(services.LoginRefused):
            services.authenticate(
                db(),
                user.email,
                "not-the-password-at-all",
                ip=ip,
                max_account_failures=100,
                max_address_failures=300,
                independent=independent_transaction,
            )
        end_request(401)
    assert counted(engines, throttle.account_key(user.email)) == 1
    assert counted(engines, throttle.address_key(ip)) == 1
    assert audited(engines, "login.failure", user.email) == 1
    with Session(engines.owner) as session:
        assert session.get(User, user.id).name == user.name  # what the request flushed was rolled back


def test_refused_sign_ins_over_http_are_counted_per_account_and_per_address(app, engines, make_user):
    user = make_user()
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "203.0.113.29"
    for _ in range(3):
        response = post_form(client, "/login", {"email": user.email, "password": "not-the-password-at-all"})
        assert response.status_code == 401
    assert counted(engines, throttle.account_key(user.email)) == 3
    assert counted(engines, throttle.address_key("203.0.113.29")) == 3
    assert audited(engines, "login.failure", user.email) == 3
    # The right password clears the account's count (not the address's: another account may be under attack).
    assert post_form(client, "/login", {"email": user.email, "password": PASSWORD}).status_code == 302
    assert counted(engines, throttle.account_key(user.email)) == 0
    assert counted(engines, throttle.address_key("203.0.113.29")) == 3
