"""Issue #16 item 9: per-address request limits on the routes open without signing in, counted in PostgreSQL.

The testing config keeps the limits on but out of reach; each test lowers the one it exercises on `app.config`
(read on each request) and sends from its own address, so counters of other tests never meet it.
"""

from __future__ import annotations

import itertools
import threading

import pytest
import sqlalchemy as sa

from app import create_app
from config import JOBS_SCHEMA, ConfigError, load_config
from database.rate_limit_storage import PostgresStorage
from tests.fixtures.web import csrf_token

_addresses = (f"198.51.100.{n}" for n in itertools.count(1))


def _client(flask_app, address: str):
    client = flask_app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _forgot(client, email: str):
    page = client.get("/password/forgot")
    return client.post("/password/forgot", data={"email": email, "csrf_token": csrf_token(page.get_data(as_text=True))})


def _stored(engines) -> tuple[int, int]:
    """Rows a request could have written: jobs queued and audit entries."""
    with engines.owner.connect() as conn:
        jobs = conn.scalar(sa.text(f"SELECT count(*) FROM {JOBS_SCHEMA}.procrastinate_jobs"))
        audit = conn.scalar(sa.text("SELECT count(*) FROM loupe.audit_log"))
    return jobs, audit


def test_the_third_reset_request_from_one_address_gets_429_and_stores_nothing(app, engines, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_PASSWORD_FORGOT", "2 per hour")
    address = next(_addresses)
    client = _client(app, address)
    assert _forgot(client, "one@example.org").status_code == 200
    assert _forgot(client, "two@example.org").status_code == 200
    before = _stored(engines)

    refused = _forgot(client, "three@example.org")

    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 3600
    assert "Too many requests" in refused.get_data(as_text=True)
    assert _stored(engines) == before  # no reset job queued, nothing audited
    # The form itself is still shown: only POSTs count.
    assert client.get("/password/forgot").status_code == 200
    # Another address is not affected.
    assert _forgot(_client(app, next(_addresses)), "three@example.org").status_code == 200


def test_one_inbox_gets_at_most_the_per_email_limit_from_any_number_of_addresses(app, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_PASSWORD_FORGOT_PER_EMAIL", "2 per hour")
    target = "Flooded@Example.org"
    assert _forgot(_client(app, next(_addresses)), target).status_code == 200
    assert _forgot(_client(app, next(_addresses)), target.lower()).status_code == 200
    refused = _forgot(_client(app, next(_addresses)), f"  {target.upper()} ")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert _forgot(_client(app, next(_addresses)), "someone.else@example.org").status_code == 200


@pytest.mark.parametrize(
    ("setting", "method", "url"),
    [
        ("RATELIMIT_ACCOUNT_LINKS", "get", "/invitations/not-a-token"),
        ("RATELIMIT_ACCOUNT_LINKS", "get", "/password/reset/not-a-token"),
        ("RATELIMIT_OFFICER_LINKS", "get", "/officer/review/not-a-token"),
        ("RATELIMIT_OFFICER_LINKS", "get", "/officer/patrol/not-a-token"),
        ("RATELIMIT_WEBHOOKS", "post", "/webhooks/stripe/no-such-association"),
        ("RATELIMIT_UNSUBSCRIBE", "post", "/digest/unsubscribe/not-a-token"),
    ],
)
def test_each_open_route_is_limited_per_address(app, monkeypatch, setting, method, url):
    monkeypatch.setitem(app.config, setting, "2 per minute")
    client = _client(app, next(_addresses))
    first = [getattr(client, method)(url).status_code for _ in range(2)]
    assert 429 not in first
    refused = getattr(client, method)(url)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert getattr(_client(app, next(_addresses)), method)(url).status_code != 429


def _login(client):
    page = client.get("/login")
    token = csrf_token(page.get_data(as_text=True))
    return client.post("/login", data={"email": "nobody@example.org", "password": "wrong", "csrf_token": token})


def test_sign_in_is_limited_per_address(app, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_LOGIN", "2 per minute")
    client = _client(app, next(_addresses))
    assert [_login(client).status_code for _ in range(2)] == [401, 401]
    refused = _login(client)
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 60
    assert client.get("/login").status_code == 200  # the form is still shown
    assert _login(_client(app, next(_addresses))).status_code == 401


def test_a_limited_machine_client_gets_json(app, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_WEBHOOKS", "1 per minute")
    client = _client(app, next(_addresses))
    client.post("/webhooks/stripe/no-such-association")
    refused = client.post("/webhooks/stripe/no-such-association", headers={"Accept": "application/json"})
    assert refused.status_code == 429 and refused.headers["Retry-After"]
    assert refused.get_json()["error"]["code"] == "too_many_requests"


def test_two_apps_on_one_database_count_together(app, engines, database_settings, monkeypatch):
    """Two app instances stand for two workers: the counter is the database's, not a process's."""
    other = create_app("testing", dict(database_settings))
    try:
        for flask_app in (app, other):
            monkeypatch.setitem(flask_app.config, "RATELIMIT_LOGIN", "2 per hour")
        address = next(_addresses)
        assert _login(_client(app, address)).status_code == 401
        assert _login(_client(other, address)).status_code == 401
        with engines.owner.connect() as conn:
            hits = conn.scalar(
                sa.text("SELECT hits FROM loupe.rate_limit_counters WHERE key LIKE :k"), {"k": f"%/{address}/%"}
            )
        assert hits == 2
        assert _login(_client(app, address)).status_code == 429
        assert _login(_client(other, address)).status_code == 429
    finally:
        other.extensions["loupe_db"].dispose()


def test_concurrent_hits_are_each_counted_once(engines):
    storage = PostgresStorage(engine=lambda: engines.app)
    key = f"test/concurrent/{next(_addresses)}"
    counts: list[int] = []
    lock = threading.Lock()

    def hit():
        for _ in range(5):
            value = storage.incr(key, 60)
            with lock:
                counts.append(value)

    threads = [threading.Thread(target=hit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(counts) == list(range(1, 21))
    assert storage.get(key) == 20
    storage.clear(key)
    assert storage.get(key) == 0


def test_an_expired_window_starts_again(engines):
    storage = PostgresStorage(engine=lambda: engines.app)
    key = f"test/expired/{next(_addresses)}"
    assert storage.incr(key, 60) == 1
    with engines.owner.begin() as conn:
        conn.execute(
            sa.text("UPDATE loupe.rate_limit_counters SET expires_at = now() - interval '1 second' WHERE key = :k"),
            {"k": key},
        )
    assert storage.get(key) == 0
    assert storage.incr(key, 60) == 1


def test_a_limit_that_does_not_parse_is_refused_at_start(monkeypatch):
    monkeypatch.setenv("RATELIMIT_LOGIN", "lots")
    with pytest.raises(ConfigError, match="RATELIMIT_LOGIN"):
        load_config("development", {"SECRET_KEY": "x" * 40})
