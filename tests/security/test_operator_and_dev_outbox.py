"""Issue #16 item 10: the platform operator must use two-step sign-in; /dev/outbox exists only in a development
app and answers only this machine."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from app import create_app
from tests.admin.conftest import enrol, sign_in_with_code
from tests.fixtures.web import sign_in


def test_an_operator_without_two_step_is_sent_to_enrolment(app, make_user):
    operator = make_user(operator=True)
    client = app.test_client()
    signed_in = sign_in(client, operator.email)
    assert signed_in.headers["Location"].endswith("/account/two-step")  # straight from the password
    console = client.get("/operator/")
    assert console.status_code == 302 and console.headers["Location"].endswith("/account/two-step")


def test_an_enrolled_operator_reaches_the_console(app, engines, make_user):
    operator = make_user(operator=True)
    client = app.test_client()
    sign_in_with_code(client, engines, operator, enrol(engines, operator))
    assert client.get("/operator/").status_code == 200


def _has_outbox(flask_app) -> bool:
    return any(rule.rule == "/dev/outbox" for rule in flask_app.url_map.iter_rules())


def test_a_testing_app_has_no_dev_outbox(app, client):
    assert not _has_outbox(app)
    assert client.get("/dev/outbox").status_code == 404


def test_a_production_app_has_no_dev_outbox():
    production = create_app(
        "production",
        {
            "SECRET_KEY": "p" * 40,
            "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none",
            "BILLING_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        },
    )
    assert not _has_outbox(production)


@pytest.fixture
def development_app(app):
    """A development app on this session's database, keeping its mail (DEV_OUTBOX)."""
    development = create_app(
        "development",
        {
            "DATABASE_URL": app.extensions["loupe_db"].owner_url,
            "SECRET_KEY": "d" * 40,
            "DEV_OUTBOX": True,
            "MAIL_SERVER": None,
            "TRUSTED_PROXIES": 1,
        },
    )
    yield development
    development.extensions["loupe_db"].dispose()


def test_a_development_app_without_dev_outbox_has_no_route(app):
    development = create_app(
        "development",
        {"DATABASE_URL": app.extensions["loupe_db"].owner_url, "SECRET_KEY": "d" * 40, "DEV_OUTBOX": False},
    )
    assert not _has_outbox(development)


def test_dev_outbox_answers_loopback_only_and_ignores_forwarded_addresses(development_app):
    assert _has_outbox(development_app)
    local = development_app.test_client()
    assert local.get("/dev/outbox", environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 200
    assert local.get("/dev/outbox", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200
    remote = development_app.test_client()
    assert remote.get("/dev/outbox", environ_base={"REMOTE_ADDR": "203.0.113.5"}).status_code == 404
    # A header anyone can write does not make a remote client local, even behind a trusted proxy.
    forged = remote.get(
        "/dev/outbox", environ_base={"REMOTE_ADDR": "203.0.113.5"}, headers={"X-Forwarded-For": "127.0.0.1"}
    )
    assert forged.status_code == 404
