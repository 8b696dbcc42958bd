"""The sign-in / two-step throttle (`accounts.throttle`): the window rule, and failures that outlive the refusal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

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


def at(minutes: float) -> datetime:
    return NOON + timedelta(minutes=minutes)


def test_failures_count_over_the_last_hour_rolling_not_to_the_top_of_the_clock_hour(engines):
    key = f"account:{unique('w')}@example.org"
    with Session(engines.owner) as session, session.begin():
        throttle.record_failure(session, [key], at(50))
        throttle.record_failure(session, [key], at(59.5))
        assert throttle.failures(session, key, at(70)) == 2  # the clock hour turned; the failures did not vanish
        assert throttle.failures(session, key, at(110.5)) == 1  # 12:50 left the window, 12:59 has not
        assert throttle.failures(session, key, at(120)) == 0


def test_a_key_backs_off_after_its_limit_and_the_lock_expires_by_itself(engines):
    key, other = f"account:{unique('w')}@example.org", f"address:{unique('w')}"
    with Session(engines.owner) as session, session.begin():
        for _ in range(3):
            throttle.record_failure(session, [key], at(5.5))
        assert not throttle.is_throttled(session, {key: 4}, at(5.6))
        # At the limit: locked one minute after the end of the last failure's minute (12:06), so until 12:07.
        assert throttle.locked_until(session, key, 3, at(5.6)) == at(7)
        assert throttle.is_throttled(session, {other: 1, key: 3}, at(6.9))
        assert not throttle.is_throttled(session, {key: 3}, at(7))  # expired by itself, no success needed
        assert not throttle.is_throttled(session, {other: 1}, at(6))  # a key with no failures never is
        # Each failure beyond the limit doubles the wait: 2, 4, 8 minutes..., never more than 15.
        throttle.record_failure(session, [key], at(7))
        assert throttle.locked_until(session, key, 3, at(7)) == at(8 + 2)
        throttle.record_failure(session, [key], at(10))
        assert throttle.locked_until(session, key, 3, at(10)) == at(11 + 4)
        for _ in range(20):
            throttle.record_failure(session, [key], at(15))
        assert throttle.locked_until(session, key, 3, at(15)) == at(16 + 15)
        assert not throttle.is_throttled(session, {key: 3}, at(31))
        throttle.clear(session, key)
        assert throttle.failures(session, key, at(16)) == 0


def _attempt(session_factory, email: str, password: str, *, ip: str, now: datetime, independent, **limits):
    """One sign-in through the domain function at `now`; returns the exception's class, or "ok"."""
    with session_factory() as session, session.begin():
        try:
            services.authenticate(
                session,
                email,
                password,
                ip=ip,
                max_account_failures=limits.get("account", 100),
                max_address_failures=limits.get("address", 300),
                independent=independent,
                now=now,
            )
        except (services.LoginRefused, services.LoginThrottled) as exc:
            return type(exc)
        return "ok"


def test_an_address_over_its_limit_never_refuses_the_right_password_of_an_account_that_did_not_fail_there(
    engines, make_user, independent
):
    def factory():
        return Session(engines.owner)

    victim, colleague = make_user(), make_user()
    ip = "203.0.113.80"
    for _ in range(50):  # far over the address limit, all on one account
        _attempt(factory, victim.email, "wrong-guess", ip=ip, now=at(1), independent=independent, address=10)
    assert _attempt(factory, colleague.email, PASSWORD, ip=ip, now=at(1.5), independent=independent, address=10) == "ok"
    # The account it hammered from there is held back from that address (it backed off from its first failure
    # there, 15 minutes at most), and is free again once that wait is over.
    assert (
        _attempt(factory, victim.email, PASSWORD, ip=ip, now=at(1.5), independent=independent, address=10)
        is services.LoginThrottled
    )
    assert _attempt(factory, victim.email, PASSWORD, ip=ip, now=at(17), independent=independent, address=10) == "ok"


def test_an_account_lock_expires_after_its_backoff_and_the_owner_is_emailed_once_per_episode(
    engines, make_user, independent, smtp
):
    def factory():
        return Session(engines.owner)

    user = make_user()
    ip = "203.0.113.81"
    for _ in range(3):
        assert (
            _attempt(factory, user.email, "wrong-guess", ip=ip, now=at(0), independent=independent, account=3)
            is services.LoginRefused
        )
    # Locked: even the right password, for the first wait (until 12:02).
    assert _attempt(factory, user.email, PASSWORD, ip=ip, now=at(1.9), independent=independent, account=3) is (
        services.LoginThrottled
    )
    # The attacker waits it out and fails again: locked again, longer (2 minutes), and no second email.
    assert (
        _attempt(factory, user.email, "wrong-guess", ip=ip, now=at(2), independent=independent, account=3)
        is services.LoginRefused
    )
    assert _attempt(factory, user.email, PASSWORD, ip=ip, now=at(4.9), independent=independent, account=3) is (
        services.LoginThrottled
    )
    assert len(smtp.to(user.email)) == 1
    # The lock expires by itself: the owner's right password goes in once the wait is over.
    assert _attempt(factory, user.email, PASSWORD, ip=ip, now=at(5), independent=independent, account=3) == "ok"
    # A later attack is a new episode: a new email.
    for _ in range(3):
        _attempt(factory, user.email, "wrong-guess", ip=ip, now=at(200), independent=independent, account=3)
    assert len(smtp.to(user.email)) == 2


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
