"""TOTP secrets are stored sealed (Fernet, `security.secretbox`), never as the base32 secret; sign-in still works."""

from __future__ import annotations

import time

import pyotp
import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from sqlalchemy.orm import Session

from accounts.mfa import STEP_SECONDS, enable_mfa, new_totp_secret, plain_secret
from models import User
from security.secretbox import SecretBox, SecretUnreadable, looks_sealed, seal_plain_totp_secrets, totp_box
from tests.fixtures.web import post_form, sign_in


def stored_secret(engines, user_id: int) -> str:
    with engines.owner.connect() as conn:
        return conn.scalar(sa.select(User.totp_secret).where(User.id == user_id))


def code_after_last_use(engines, user_id: int, secret: str) -> str:
    with engines.owner.connect() as conn:
        last = conn.scalar(sa.select(User.totp_last_step).where(User.id == user_id))
    step = max(int(time.time()) // STEP_SECONDS, (last or 0) + 1)
    return pyotp.TOTP(secret, interval=STEP_SECONDS).generate_otp(step)


def enrol_through_the_app(engines, user: User, independent) -> str:
    secret = new_totp_secret()
    code = pyotp.TOTP(secret, interval=STEP_SECONDS).now()
    with Session(engines.owner) as session, session.begin():
        enable_mfa(
            session, session.get(User, user.id), secret=secret, code=code, ip="127.0.0.1", independent=independent
        )
    return secret


def test_an_enrolled_secret_is_stored_sealed_and_sign_in_with_a_code_works(client, engines, make_user, independent):
    user = make_user()
    secret = enrol_through_the_app(engines, user, independent)

    stored = stored_secret(engines, user.id)
    assert stored != secret and secret not in stored and secret.lower() not in stored.lower()
    assert looks_sealed(stored) and len(stored) > 100
    assert totp_box().open(stored) == secret
    with pytest.raises(SecretUnreadable):  # another key cannot read it
        SecretBox([Fernet.generate_key()]).open(stored)

    response = sign_in(client, user.email)
    assert response.headers["Location"].endswith("/login/verify")
    response = post_form(client, "/login/verify", {"code": code_after_last_use(engines, user.id, secret)})
    assert response.status_code == 302 and "/login" not in response.headers["Location"]
    assert stored_secret(engines, user.id) == stored  # verifying does not rewrite it


def test_plain_secrets_from_before_the_migration_are_sealed_by_it_and_keep_working(client, engines, make_user):
    user = make_user()
    secret = new_totp_secret()
    with engines.owner.begin() as conn:  # as a database at revision 0012 holds it
        conn.execute(
            sa.update(User).where(User.id == user.id).values(totp_secret=secret, totp_enabled_at=sa.func.now())
        )
    assert plain_secret(stored_secret(engines, user.id)) == secret  # read as it is until sealed

    with engines.owner.begin() as conn:
        assert seal_plain_totp_secrets(conn, totp_box()) >= 1
    with engines.owner.begin() as conn:
        assert seal_plain_totp_secrets(conn, totp_box()) == 0  # idempotent
    stored = stored_secret(engines, user.id)
    assert looks_sealed(stored) and totp_box().open(stored) == secret

    sign_in(client, user.email)
    response = post_form(client, "/login/verify", {"code": code_after_last_use(engines, user.id, secret)})
    assert response.status_code == 302 and "/login" not in response.headers["Location"]


def test_revision_0013_seals_existing_secrets_when_run_by_the_app(app, engines, make_user):
    """Down to 0012 (secrets opened, column narrowed) and up again inside the app, as `flask db upgrade` runs it."""
    from alembic import command

    from database.migrate import shared_config

    user = make_user()
    secret = new_totp_secret()
    with engines.owner.begin() as conn:
        conn.execute(sa.update(User).where(User.id == user.id).values(totp_secret=secret))

    def migrate(step, target):
        cfg = shared_config()
        with app.app_context(), engines.owner.begin() as conn:
            cfg.attributes["connection"] = conn
            step(cfg, target)

    migrate(command.downgrade, "0012")
    try:
        assert stored_secret(engines, user.id) == secret
    finally:
        migrate(command.upgrade, "head")
        app.extensions["loupe_db"].ensure_roles()  # as `flask db upgrade` does: the grants of what was re-created
    stored = stored_secret(engines, user.id)
    assert looks_sealed(stored) and totp_box().open(stored) == secret


def test_billing_rotate_keys_reseals_two_step_secrets_too(app, engines, make_user, independent):
    """The Stripe keys and the TOTP secrets share the keys: a rotation must re-seal both before an old key goes."""
    plain_user, sealed_user = make_user(), make_user()
    plain, sealed = new_totp_secret(), enrol_through_the_app(engines, sealed_user, independent)
    with engines.owner.begin() as conn:
        conn.execute(sa.update(User).where(User.id == plain_user.id).values(totp_secret=plain))
    before = stored_secret(engines, sealed_user.id)

    result = app.test_cli_runner().invoke(args=["billing", "rotate-keys"])
    assert result.exit_code == 0, result.output
    assert "two-step secret(s)" in result.output
    for user, secret in ((plain_user, plain), (sealed_user, sealed)):
        stored = stored_secret(engines, user.id)
        assert looks_sealed(stored) and totp_box().open(stored) == secret
    assert stored_secret(engines, sealed_user.id) != before  # a fresh token under the newest key
