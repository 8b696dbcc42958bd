"""Sign-in, sign-out revocation, throttling, CSRF, cookies and headers, invitations, password reset."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from audit import Actor
from models import AuditEntry, AuthSession, LoginThrottle, Membership, Role, User
from tests.fixtures.factories import PASSWORD
from tests.fixtures.web import csrf_token, post_form, sign_in, sign_out


def audit_actions(engines, email):
    with engines.owner.connect() as conn:
        return conn.scalars(
            sa.select(AuditEntry.action).where(AuditEntry.actor_email == email).order_by(AuditEntry.id)
        ).all()


def test_login_success_is_audited_and_lands_on_the_store(client, engines, make_world, make_store, make_user):
    store = make_store(make_world())
    owner = make_user(store=store)
    response = sign_in(client, owner.email)
    assert response.headers["Location"] == "/"
    assert client.get("/").headers["Location"] == f"/s/{store.slug}/"
    assert "login.success" in audit_actions(engines, owner.email)


def test_unknown_and_known_accounts_get_the_same_answer(client, engines, make_user):
    known = make_user()
    wrong = post_form(client, "/login", {"email": known.email, "password": "not-the-password-at-all"})
    unknown = post_form(client, "/login", {"email": "nobody-here@example.org", "password": "not-the-password-at-all"})
    assert wrong.status_code == unknown.status_code == 401

    def message(r):
        return re.search(r'<p class="error form-error"[^>]*>(.*?)</p>', r.get_data(as_text=True)).group(1)

    assert message(wrong) == message(unknown) == "Email or password is incorrect."
    assert "login.failure" in audit_actions(engines, known.email)
    assert "login.failure" in audit_actions(engines, "nobody-here@example.org")


def test_a_failed_login_keeps_the_email_typed(client, make_user):
    user = make_user()
    response = post_form(client, "/login", {"email": user.email, "password": "wrong-password-typed"})
    body = response.get_data(as_text=True)
    assert f'value="{user.email}"' in body
    assert "wrong-password-typed" not in body  # passwords are never echoed back


def _age_failures(engines, key_prefix: str, by: timedelta) -> None:
    """Move the stored failures of the keys starting with `key_prefix` back in time (instead of sleeping)."""
    with engines.owner.begin() as conn:
        conn.execute(
            sa.update(LoginThrottle)
            .where(LoginThrottle.key.startswith(key_prefix))
            # In UTC with immutable functions: `timestamptz - interval` is STABLE, which Citus refuses over a column
            # in an UPDATE of a table in its metadata (docs/scaling.md); same result.
            .values(window_start=sa.func.timezone("UTC", sa.func.timezone("UTC", LoginThrottle.window_start) - by))
        )


def test_a_locked_account_refuses_even_the_right_password_until_its_backoff_ends(app, engines, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES_PER_ACCOUNT", 3)
    user = make_user()
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "198.51.100.31"
    token = csrf_token(client.get("/login").get_data(as_text=True))
    for _ in range(3):
        r = client.post("/login", data={"csrf_token": token, "email": user.email, "password": "wrong-password-x"})
        assert r.status_code == 401
    r = client.post("/login", data={"csrf_token": token, "email": user.email, "password": PASSWORD})
    assert r.status_code == 429
    assert "Too many failed sign-in attempts for this account. Try again in a few minutes" in r.get_data(as_text=True)
    assert "login.throttled" in audit_actions(engines, user.email)
    # The first lock lasts one minute after the last failure's minute, then ends by itself (not at the top of the
    # hour): two minutes later the right password goes in.
    _age_failures(engines, f"account:{user.email}", timedelta(minutes=2))
    r = client.post("/login", data={"csrf_token": token, "email": user.email, "password": PASSWORD})
    assert r.status_code == 302


def test_an_attacker_over_the_address_limit_does_not_lock_out_other_accounts_behind_that_address(
    app, engines, make_user, monkeypatch
):
    # One address for everyone: a shared proxy, or `TRUSTED_PROXIES` not configured.
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES_PER_ADDRESS", 5)
    victim, colleague, target = make_user(), make_user(), make_user()
    attacker, office = app.test_client(), app.test_client()
    attacker.environ_base["REMOTE_ADDR"] = office.environ_base["REMOTE_ADDR"] = "198.51.100.77"
    token = csrf_token(attacker.get("/login").get_data(as_text=True))
    for _ in range(8):
        r = attacker.post("/login", data={"csrf_token": token, "email": victim.email, "password": "wrong-password-x"})
        assert r.status_code in (401, 429)
    # A correct password for an account that has not failed from this address is not refused...
    assert sign_in(office, colleague.email).status_code == 302
    # ...while the address slows the attacker down: over the address limit, every account it fails on backs off
    # from its first failure there (one guess, then a wait), and the account it hammered is held back too.
    guess = {"csrf_token": token, "email": target.email, "password": "wrong-password-x"}
    assert attacker.post("/login", data=guess).status_code == 401
    assert attacker.post("/login", data=guess).status_code == 429
    assert attacker.post("/login", data={**guess, "email": victim.email, "password": PASSWORD}).status_code == 429


def test_the_owner_of_a_locked_account_is_emailed_once_per_lock_episode(app, smtp, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES_PER_ACCOUNT", 3)
    user = make_user()
    client = app.test_client()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    for _ in range(6):  # three failures lock the account; the next attempts are refused, not emailed again
        r = client.post("/login", data={"csrf_token": token, "email": user.email, "password": "wrong-password-x"})
        assert r.status_code in (401, 429)
    assert r.status_code == 429
    [message] = smtp.to(user.email)
    assert "locked" in message["Subject"]
    # The link sets a new password, which unlocks the account at once.
    path = _link(message).split("127.0.0.1:5000", 1)[1]
    new_password = "a-brand-new-passphrase-91"
    page = client.get(path)
    done = client.post(
        path,
        data={"csrf_token": csrf_token(page.get_data(as_text=True)), "password": new_password, "confirm": new_password},
    )
    assert done.status_code == 302
    assert sign_in(app.test_client(), user.email, new_password).status_code == 302


def test_a_cookie_captured_before_logout_is_refused_after(client, app, make_world, make_store, make_user):
    store = make_store(make_world())
    owner = make_user(store=store)
    sign_in(client, owner.email)
    assert client.get(f"/s/{store.slug}/").status_code == 200
    captured = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    sign_out(client)

    thief = app.test_client()
    thief.set_cookie(app.config["SESSION_COOKIE_NAME"], captured)
    response = thief.get(f"/s/{store.slug}/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_new_session_id_at_each_login(client, engines, make_user):
    user = make_user()
    sign_in(client, user.email)
    sign_out(client)
    sign_in(client, user.email)
    with Session(engines.owner) as session:
        rows = session.scalars(sa.select(AuthSession).where(AuthSession.user_id == user.id)).all()
    assert len(rows) == 2 and len({r.token_hash for r in rows}) == 2
    assert sum(r.revoked_at is None for r in rows) == 1


def test_idle_sessions_expire(client, engines, make_world, make_store, make_user):
    store = make_store(make_world())
    owner = make_user(store=store)
    sign_in(client, owner.email)
    with engines.owner.begin() as conn:
        conn.execute(
            sa.update(AuthSession)
            .where(AuthSession.user_id == owner.id)
            .values(last_seen_at=sa.func.now() - timedelta(minutes=31))
        )
    assert client.get(f"/s/{store.slug}/").status_code == 302


def test_absolute_session_lifetime(client, engines, make_world, make_store, make_user):
    store = make_store(make_world())
    owner = make_user(store=store)
    sign_in(client, owner.email)
    with engines.owner.begin() as conn:
        conn.execute(
            sa.update(AuthSession)
            .where(AuthSession.user_id == owner.id)
            .values(created_at=sa.func.now() - timedelta(hours=12, minutes=1))
        )
    assert client.get(f"/s/{store.slug}/").status_code == 302


@pytest.mark.parametrize("path", ["/login", "/password/forgot", "/logout"])
def test_posts_without_a_csrf_token_are_refused(client, path):
    response = client.post(path, data={"email": "a@example.org", "password": "whatever-password"})
    assert response.status_code == 400
    assert "form expired" in response.get_data(as_text=True)


def test_logout_is_not_possible_by_get(client, make_user):
    user = make_user()
    sign_in(client, user.email)
    assert client.get("/logout").status_code == 405
    assert client.get("/stores").status_code == 200


def test_session_cookie_flags(app, make_user):
    user = make_user()
    client = app.test_client()
    response = sign_in(client, user.email)
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(app.config["SESSION_COOKIE_NAME"]))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_cookie_settings():
    from config import ProductionConfig

    assert ProductionConfig.SESSION_COOKIE_NAME.startswith("__Host-")
    assert ProductionConfig.SESSION_COOKIE_SECURE is True


@pytest.mark.parametrize("path", ["/login", "/static/loupe.css", "/nope", "/s/none/"])
def test_security_headers_on_every_kind_of_response(client, path):
    response = client.get(path, headers={"Accept": "text/html"})
    response.close()  # file responses hold the file open until closed
    csp = response.headers["Content-Security-Policy"]
    for part in ("default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert part in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]
    assert response.headers["Referrer-Policy"]


def test_json_errors_have_a_stable_shape(client):
    response = client.get("/s/none/", headers={"Accept": "application/json"})
    # Anonymous: sent to sign in. A signed-out API caller gets the same redirect, so check a 404 instead.
    response = client.get("/definitely/not/here", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json() == {
        "error": {
            "status": 404,
            "code": "not_found",
            "message": response.get_json()["error"]["message"],
            "details": {},
        }
    }
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_open_redirects_after_login_are_ignored(client, make_user):
    user = make_user()
    page = client.get("/login?next=https://evil.example/")
    response = client.post(
        "/login?next=https://evil.example/",
        data={"csrf_token": csrf_token(page.get_data(as_text=True)), "email": user.email, "password": PASSWORD},
    )
    assert response.headers["Location"] == "/"


def test_a_ten_thousand_character_password_is_refused_quickly(client, make_user):
    import time

    user = make_user()
    started = time.perf_counter()
    response = post_form(client, "/login", {"email": user.email, "password": "x" * 10_000})
    assert response.status_code in (400, 401)
    # Not a timing benchmark: the guard is that no hash of 10,000 characters is computed at all.
    assert time.perf_counter() - started < 5


# --- invitations and password reset, over a real SMTP server -------------------------------------------------


def _link(message) -> str:
    text = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"https?://\S+", text).group(0)


def test_invitation_by_email_creates_the_account_and_membership(app, client, smtp, engines, make_world, make_store):
    from accounts.accounts import create_invitation
    from accounts.mailers import queue_invitation_email
    from mail.outbox import deliver_pending
    from mail.smtp import SmtpSettings
    from models import Association, Store

    world = make_world("Harbour <Jewelers> & Co")
    store = make_store(world, "Invite Gems")
    with app.test_request_context(), Session(engines.owner) as session, session.begin():
        invitation = create_invitation(
            session,
            email="New.Owner@Example.org",
            name="Nia Owner",
            association=session.get(Association, world.association.id),
            role=Role.STORE_OWNER,
            store=session.get(Store, store.id),
            max_age=app.config["INVITATION_MAX_AGE"],
        )
        row_id = queue_invitation_email(session, invitation, inviter="Alex Admin").id
    with app.app_context():
        counts = deliver_pending(engines.app, SmtpSettings.from_config(app.config), ids=[row_id])
    assert counts["sent"] == 1
    [message] = smtp.to("new.owner@example.org")
    assert message["Subject"] == "You are invited to Harbour <Jewelers> & Co on Loupe"
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Harbour &lt;Jewelers&gt; &amp; Co" in html and "<Jewelers>" not in html
    link = _link(message)
    path = link.split("127.0.0.1:5000", 1)[1]

    page = client.get(path)
    assert page.status_code == 200 and "Invite Gems" in page.get_data(as_text=True)
    weak = client.post(
        path,
        data={
            "csrf_token": csrf_token(page.get_data(as_text=True)),
            "name": "Nia Owner",
            "password": "password1234",
            "confirm": "password1234",
        },
    )
    assert weak.status_code == 400 and "too common" in weak.get_data(as_text=True)
    assert 'value="Nia Owner"' in weak.get_data(as_text=True)
    done = client.post(
        path,
        data={
            "csrf_token": csrf_token(weak.get_data(as_text=True)),
            "name": "Nia Owner",
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
    )
    assert done.status_code == 302
    assert client.get(f"/s/{store.slug}/").status_code == 200
    with Session(engines.owner) as session:
        user = session.scalar(sa.select(User).where(User.email == "new.owner@example.org"))
        assert user.password_hash.startswith("$argon2id$")
        roles = session.scalars(sa.select(Membership.role).where(Membership.user_id == user.id)).all()
    assert roles == ["owner"]
    assert client.get(path).status_code == 410  # used once


def test_tampered_and_expired_invitation_links_are_refused(app, client):
    from security.tokens import sign

    with app.test_request_context():
        token = sign("invitation", "no-such-nonce")
    assert client.get(f"/invitations/{token}x").status_code == 410
    assert client.get(f"/invitations/{token}").status_code == 410
    assert "not valid" in client.get(f"/invitations/{token}").get_data(as_text=True)


def test_password_reset_by_email_changes_the_password_and_ends_sessions(app, client, smtp, make_user):
    user = make_user()
    other_device = app.test_client()
    sign_in(other_device, user.email)
    assert other_device.get("/stores").status_code == 200

    response = post_form(client, "/password/forgot", {"email": user.email})
    unknown = post_form(app.test_client(), "/password/forgot", {"email": "ghost@example.org"})
    # The same answer whether or not the account exists.
    assert response.status_code == unknown.status_code == 200
    assert response.get_data(as_text=True) == unknown.get_data(as_text=True)
    [message] = smtp.to(user.email)
    assert smtp.to("ghost@example.org") == []
    path = _link(message).split("127.0.0.1:5000", 1)[1]

    new_password = "a-brand-new-passphrase-77"
    page = client.get(path)
    done = client.post(
        path,
        data={"csrf_token": csrf_token(page.get_data(as_text=True)), "password": new_password, "confirm": new_password},
    )
    assert done.status_code == 302
    assert other_device.get("/stores").status_code == 302  # the other session ended
    assert client.get(path).status_code in (200, 410)
    again = client.post(
        path,
        data={
            "csrf_token": csrf_token(client.get("/login").get_data(as_text=True)),
            "password": "yet-another-passphrase-9",
            "confirm": "yet-another-passphrase-9",
        },
    )
    assert again.status_code == 410  # a reset link works once
    sign_in(app.test_client(), user.email, new_password)


def test_changing_a_password_ends_the_other_sessions(app, make_user):
    user = make_user()
    here, there = app.test_client(), app.test_client()
    sign_in(here, user.email)
    sign_in(there, user.email)
    new_password = "completely-different-phrase-3"
    response = post_form(
        here, "/account/password", {"current": PASSWORD, "password": new_password, "confirm": new_password}
    )
    assert response.status_code == 302
    assert here.get("/stores").status_code == 200
    assert there.get("/stores").status_code == 302


def test_a_role_change_ends_the_persons_sessions(app, engines, make_world, make_store, make_user):
    from accounts.accounts import set_role

    store = make_store(make_world())
    staff = make_user(store=store, role=Role.STORE_STAFF)
    admin = make_user()
    client = app.test_client()
    sign_in(client, staff.email)
    with Session(engines.owner) as session, session.begin():
        membership = session.scalar(sa.select(Membership).where(Membership.user_id == staff.id))
        set_role(session, membership, Role.STORE_MANAGER, actor=Actor.for_user(session.get(User, admin.id)))
    assert client.get(f"/s/{store.slug}/").status_code == 302
    assert "role.change" in audit_actions(engines, admin.email)


def test_the_operator_and_an_admin_land_where_their_work_is_never_on_a_dead_end(app, engines, make_user, make_world):
    """Issue #19: the operator signed in to "You are not a member of any store", and an admin's "Switch store" led
    to the same page."""
    from tests.admin.conftest import enrol, sign_in_with_code

    operator = make_user(operator=True)
    client = app.test_client()
    sign_in_with_code(client, engines, operator, enrol(engines, operator))
    home = client.get("/")
    assert home.status_code == 302 and home.headers["Location"].endswith("/operator/")
    page = client.get("/stores").get_data(as_text=True)
    assert "Operator console" in page and "not a member" not in page

    world = make_world()
    admin = make_user(association=world.association, role=Role.ASSOCIATION_ADMIN)
    admin_client = app.test_client()
    sign_in_with_code(admin_client, engines, admin, enrol(engines, admin))
    page = admin_client.get("/stores").get_data(as_text=True)
    assert f"/a/{world.association.slug}/" in page and world.association.name in page

    nobody = make_user(association=None, store=None)
    plain = app.test_client()
    sign_in(plain, nobody.email)
    assert "Ask your store's owner or your association to invite you" in plain.get("/stores").get_data(as_text=True)
