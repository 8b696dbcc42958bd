"""Two-step sign-in: codes work once, within one step of drift; recovery codes; the sign-in step; enrolment."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote

import pyotp
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from accounts import mfa, throttle
from accounts.mfa import provisioning_qr_svg
from models import AuditEntry, LoginThrottle, RecoveryCode, Role, User
from tests.admin.conftest import enrol, next_code, sign_in_with_code
from tests.fixtures.web import csrf_token, post_form, sign_in

NOW = datetime(2026, 11, 27, 12, 0, 10, tzinfo=UTC)


def code_at(secret: str, when: datetime) -> str:
    return pyotp.TOTP(secret, interval=30).at(when)


def test_a_code_matches_its_step_and_one_step_either_side_only():
    secret = mfa.new_totp_secret()
    step = mfa.time_step(NOW)
    for offset in (-1, 0, 1):
        code = code_at(secret, NOW + timedelta(seconds=30 * offset))
        assert mfa.matching_step(secret, code, now=NOW, after_step=None) == step + offset
    window = {code_at(secret, NOW + timedelta(seconds=30 * offset)) for offset in (-1, 0, 1)}
    for offset in (-3, -2, 2, 3):
        code = code_at(secret, NOW + timedelta(seconds=30 * offset))
        if code in window:
            continue  # a 6-digit code repeats by chance (about 1 in 10^6): it is then rightly accepted
        assert mfa.matching_step(secret, code, now=NOW, after_step=None) is None
    assert mfa.matching_step(secret, "12345", now=NOW, after_step=None) is None
    assert mfa.matching_step(secret, "abcdef", now=NOW, after_step=None) is None


def _enrolled_user(engines, make_user):
    user = make_user()
    return user, enrol(engines, user)


def test_each_code_is_accepted_once_and_older_codes_die_with_it(engines, make_user, independent):
    user, secret = _enrolled_user(engines, make_user)
    with Session(engines.owner) as session, session.begin():
        u = session.get(User, user.id)
        assert (
            mfa.verify_second_factor(session, u, code=code_at(secret, NOW), ip=None, independent=independent, now=NOW)
            == "code"
        )
    with Session(engines.owner) as session, session.begin():
        u = session.get(User, user.id)
        with pytest.raises(mfa.MfaRefused):  # the same code again
            mfa.verify_second_factor(session, u, code=code_at(secret, NOW), ip=None, independent=independent, now=NOW)
    with Session(engines.owner) as session, session.begin():
        u = session.get(User, user.id)
        with pytest.raises(mfa.MfaRefused):  # the previous step's code, still inside the drift window
            mfa.verify_second_factor(
                session, u, code=code_at(secret, NOW - timedelta(seconds=30)), ip=None, independent=independent, now=NOW
            )
    with Session(engines.owner) as session, session.begin():
        u = session.get(User, user.id)
        later = NOW + timedelta(seconds=30)
        assert (
            mfa.verify_second_factor(
                session, u, code=code_at(secret, later), ip=None, independent=independent, now=later
            )
            == "code"
        )
    with Session(engines.owner) as session:
        failures = session.scalars(
            sa.select(AuditEntry.action).where(AuditEntry.actor_user_id == user.id, AuditEntry.outcome == "denied")
        ).all()
    assert failures == ["mfa.failure", "mfa.failure"]


def test_an_old_code_is_refused(engines, make_user, independent):
    user, secret = _enrolled_user(engines, make_user)
    with Session(engines.owner) as session, session.begin():
        u = session.get(User, user.id)
        with pytest.raises(mfa.MfaRefused):
            mfa.verify_second_factor(
                session, u, code=code_at(secret, NOW - timedelta(minutes=2)), ip=None, independent=independent, now=NOW
            )


def test_recovery_codes_are_hashed_and_work_once(engines, make_user, independent):
    user, _secret = _enrolled_user(engines, make_user)
    with Session(engines.owner) as session, session.begin():
        codes = mfa.new_recovery_codes(session, session.get(User, user.id))
    assert len(codes) == 10 and len(set(codes)) == 10
    with Session(engines.owner) as session:
        stored = session.scalars(sa.select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all()
    assert len(stored) == 10 and not set(codes) & set(stored)
    with Session(engines.owner) as session, session.begin():
        u = session.get(User, user.id)
        assert (
            mfa.verify_second_factor(session, u, recovery_code=codes[0].lower(), ip=None, independent=independent)
            == "recovery"
        )
    with Session(engines.owner) as session, session.begin():
        with pytest.raises(mfa.MfaRefused):
            mfa.verify_second_factor(
                session, session.get(User, user.id), recovery_code=codes[0], ip=None, independent=independent
            )
    with Session(engines.owner) as session:
        assert mfa.remaining_recovery_codes(session, user.id) == 9


def test_wrong_codes_are_throttled(engines, make_user, independent):
    user, secret = _enrolled_user(engines, make_user)
    for _ in range(mfa.MAX_FAILURES_PER_HOUR):
        with Session(engines.owner) as session, session.begin():
            with pytest.raises(mfa.MfaRefused):
                mfa.verify_second_factor(
                    session, session.get(User, user.id), code="000000", ip=None, independent=independent, now=NOW
                )
    with Session(engines.owner) as session, session.begin():
        with pytest.raises(mfa.MfaThrottled):  # even the right code, until the hour is over
            mfa.verify_second_factor(
                session,
                session.get(User, user.id),
                code=code_at(secret, NOW),
                ip=None,
                independent=independent,
                now=NOW,
            )


def test_wrong_codes_at_sign_in_count_across_requests_until_the_code_step_is_throttled(app, engines, make_user):
    user, secret = _enrolled_user(engines, make_user)
    client = app.test_client()
    sign_in(client, user.email)
    token = csrf_token(client.get("/login/verify").get_data(as_text=True))
    for _ in range(mfa.MAX_FAILURES_PER_HOUR):
        # Each refused request rolls back; its count and its audit were written in their own transaction.
        assert client.post("/login/verify", data={"csrf_token": token, "code": "000000"}).status_code == 401
    with engines.owner.connect() as conn:
        key = throttle.second_factor_key(user.id)
        counted = conn.scalar(sa.select(sa.func.sum(LoginThrottle.failures)).where(LoginThrottle.key == key))
        denied = conn.scalars(
            sa.select(AuditEntry.action).where(AuditEntry.actor_user_id == user.id, AuditEntry.outcome == "denied")
        ).all()
    assert counted == mfa.MAX_FAILURES_PER_HOUR
    assert denied == ["mfa.failure"] * mfa.MAX_FAILURES_PER_HOUR
    response = client.post("/login/verify", data={"csrf_token": token, "code": next_code(engines, user.id, secret)})
    assert response.status_code == 429  # even the right code, until the hour is over
    assert "Too many wrong codes" in response.get_data(as_text=True)
    assert client.get("/account/password").status_code == 302  # still not signed in


def test_the_password_alone_does_not_sign_in_an_enrolled_person(client, engines, make_user):
    user, secret = _enrolled_user(engines, make_user)
    response = sign_in(client, user.email)
    assert response.headers["Location"].endswith("/login/verify")
    assert client.get("/account/password").status_code == 302  # not signed in yet
    page = client.get("/login/verify")
    response = client.post("/login/verify", data={"csrf_token": csrf_token(page.get_data(as_text=True)), "code": "1"})
    assert response.status_code == 401
    assert "not right" in response.get_data(as_text=True)
    response = client.post("/login/verify", data={"csrf_token": csrf_token(page.get_data(as_text=True))})
    assert response.status_code == 400
    response = post_form(client, "/login/verify", {"code": next_code(engines, user.id, secret)})
    assert response.status_code == 302
    assert client.get("/account/password").status_code == 200


def test_the_code_step_needs_a_password_first(client):
    response = client.get("/login/verify")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_captured_code_cannot_be_replayed_at_sign_in(app, engines, make_user):
    user, secret = _enrolled_user(engines, make_user)
    code = next_code(engines, user.id, secret)
    first, second = app.test_client(), app.test_client()
    sign_in(first, user.email)
    sign_in(second, user.email)
    assert post_form(first, "/login/verify", {"code": code}).status_code == 302
    assert post_form(second, "/login/verify", {"code": code}).status_code == 401
    assert second.get("/account/password").status_code == 302


def test_an_admin_without_two_step_sign_in_is_sent_to_enrol_and_can(client, engines, make_world, make_user):
    world = make_world()
    admin = make_user(association=world.association, role=Role.ASSOCIATION_ADMIN)
    response = sign_in(client, admin.email)
    assert response.headers["Location"].endswith("/account/two-step")
    portal = client.get(f"/a/{world.association.slug}/")
    assert portal.status_code == 302 and portal.headers["Location"].endswith("/account/two-step")

    page = client.get("/account/two-step").get_data(as_text=True)
    enrolment = re.search(r'name="enrolment" type="hidden" value="([^"]+)"', page).group(1)
    secret = re.search(r"secret=([A-Z2-7]+)", page).group(1)
    # A QR code of this very setup link (issue #19: nobody should have to type a 32-character key).
    uri = html.unescape(re.search(r"<code>(otpauth://[^<]+)</code>", page).group(1))
    assert f"secret={secret}" in uri and provisioning_qr_svg(uri) in page and "<svg" in page
    wrong = client.post(
        "/account/two-step", data={"csrf_token": csrf_token(page), "enrolment": enrolment, "code": "000000"}
    )
    assert wrong.status_code == 401 and "does not match" in wrong.get_data(as_text=True)
    done = client.post(
        "/account/two-step",
        data={"csrf_token": csrf_token(page), "enrolment": enrolment, "code": pyotp.TOTP(secret).now()},
    )
    assert done.status_code == 200
    codes = re.findall(r"<code>([A-Z2-9]{5}-[A-Z2-9]{5})</code>", done.get_data(as_text=True))
    assert len(codes) == 10
    download = re.search(
        r'download="loupe-recovery-codes.txt"\s+href="data:text/plain;charset=utf-8,([^"]+)"',
        done.get_data(as_text=True),
    )
    assert all(code in unquote(html.unescape(download.group(1))) for code in codes)
    assert client.get(f"/a/{world.association.slug}/").status_code == 200

    # Next sign-in needs a code; a recovery code works instead, once.
    other = client.application.test_client()
    sign_in(other, admin.email)
    assert post_form(other, "/login/verify", {"recovery_code": codes[3]}).status_code == 302
    third = client.application.test_client()
    sign_in(third, admin.email)
    assert post_form(third, "/login/verify", {"recovery_code": codes[3]}).status_code == 401


def test_an_enrolment_page_of_another_person_is_refused(app, engines, make_user):
    a, b = make_user(), make_user()
    client_a, client_b = app.test_client(), app.test_client()
    sign_in(client_a, a.email)
    sign_in(client_b, b.email)
    page = client_a.get("/account/two-step").get_data(as_text=True)
    enrolment = re.search(r'name="enrolment" type="hidden" value="([^"]+)"', page).group(1)
    secret = re.search(r"secret=([A-Z2-7]+)", page).group(1)
    token_b = csrf_token(client_b.get("/account/two-step").get_data(as_text=True))
    response = client_b.post(
        "/account/two-step", data={"csrf_token": token_b, "enrolment": enrolment, "code": pyotp.TOTP(secret).now()}
    )
    assert response.status_code == 400
    with engines.owner.connect() as conn:
        assert conn.scalar(sa.select(User.totp_secret).where(User.id == b.id)) is None


def test_signing_in_as_an_enrolled_admin_reaches_the_portal(client, engines, admin_world):
    sign_in_with_code(client, engines, admin_world.admin, admin_world.secret)
    assert client.get(admin_world.url + "/").status_code == 200
    assert client.get("/").headers["Location"].endswith(admin_world.url + "/")
