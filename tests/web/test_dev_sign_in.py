"""The development-only demo sign-in (issue #19): present in a development app, absent (404) from testing and
production apps, refused by the production configuration, loopback and demo accounts only."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from app import create_app
from config import ConfigError, load_config
from tests.fixtures.factories import unique
from tests.fixtures.web import csrf_token

PRODUCTION = {
    "SECRET_KEY": "p" * 40,
    "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none",
    "BILLING_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
}


def _has_route(flask_app) -> bool:
    return any(rule.rule.startswith("/dev/sign-in") for rule in flask_app.url_map.iter_rules())


def test_testing_and_production_apps_have_no_dev_sign_in(app, client, make_user):
    user = make_user(email=f"{unique('owner')}@stores.example")
    assert not _has_route(app)
    assert client.post(f"/dev/sign-in/{user.id}").status_code == 404
    assert "Demo sign-in" not in client.get("/login").get_data(as_text=True)
    assert not _has_route(create_app("production", PRODUCTION))


def test_production_refuses_to_turn_it_on():
    with pytest.raises(ConfigError, match="DEV_SIGN_IN"):
        load_config("production", {**PRODUCTION, "DEV_SIGN_IN": True})
    with pytest.raises(ConfigError, match="DEV_SIGN_IN"):
        create_app("production", {**PRODUCTION, "DEV_SIGN_IN": True})
    assert load_config("development")["DEV_SIGN_IN"] is True
    assert load_config("testing")["DEV_SIGN_IN"] is False


@pytest.fixture
def development_app(app):
    development = create_app(
        "development",
        {"DATABASE_URL": app.extensions["loupe_db"].owner_url, "SECRET_KEY": "d" * 40, "MAIL_SERVER": None},
    )
    yield development
    development.extensions["loupe_db"].dispose()


def test_a_development_app_signs_in_demo_accounts_from_this_machine_only(development_app, make_user):
    demo = make_user(email=f"{unique('admin')}@northern-jewelers.example")
    other = make_user(email=f"{unique('someone')}@real-store.com")
    assert _has_route(development_app)
    local = development_app.test_client()
    page = local.get("/login", environ_base={"REMOTE_ADDR": "127.0.0.1"}).get_data(as_text=True)
    assert "Demo sign-in as" in page and demo.email in page and other.email not in page
    token = csrf_token(page)
    # Not a demo account: nothing.
    refused = local.post(
        f"/dev/sign-in/{other.id}", data={"csrf_token": token}, environ_base={"REMOTE_ADDR": "127.0.0.1"}
    )
    assert refused.status_code == 404
    # No CSRF token: refused.
    assert local.post(f"/dev/sign-in/{demo.id}", environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 400
    # From another machine (even claiming loopback through a proxy header): no list, and the route is a 404.
    remote = development_app.test_client()
    elsewhere = {"REMOTE_ADDR": "10.0.0.9", "HTTP_X_FORWARDED_FOR": "127.0.0.1"}
    remote_page = remote.get("/login", environ_base=elsewhere).get_data(as_text=True)
    assert "Demo sign-in" not in remote_page
    remote_token = csrf_token(remote_page)
    assert (
        remote.post(f"/dev/sign-in/{demo.id}", data={"csrf_token": remote_token}, environ_base=elsewhere).status_code
        == 404
    )
    assert remote.get("/account/alerts/", environ_base=elsewhere).status_code != 200
    signed = local.post(
        f"/dev/sign-in/{demo.id}", data={"csrf_token": token}, environ_base={"REMOTE_ADDR": "127.0.0.1"}
    )
    assert signed.status_code == 302
    assert local.get("/account/alerts/", environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 200
