"""Over-size bodies (issue #16 item 4): a request above MAX_CONTENT_LENGTH (12 MB) from a signed-in person answers
413, never 500, and stores nothing: a friendly page for a person, the JSON error shape for an API client.

It was a 500 because the 413 page itself failed: the layout built the sign-out form bound to the request, which
read the body again and raised RequestEntityTooLarge inside the error handler.
"""

from __future__ import annotations

import io

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.security.refusals import Ctx, changed_tables
from tests.security.test_refused_requests_store_nothing import INCIDENT

OVER = 13 * 1024 * 1024


@pytest.fixture
def ctx(app, engines, make_world, make_store, make_user, in_store, monkeypatch):
    return Ctx(app, engines, make_world, make_store, make_user, in_store, app.test_client(), monkeypatch)


def _post(ctx: Ctx, url: str, data: dict, headers: dict | None = None):
    """ctx.post, with the multipart body built in memory (the test client would spool it to a file it never
    closes)."""
    token = ctx.token(url)
    boundary, body = encode_multipart({**data, "csrf_token": token})
    ctx.before = ctx.snapshot()
    response = ctx.client.post(
        url, data=body, content_type=f"multipart/form-data; boundary={boundary}", headers=headers or {}
    )
    ctx.after = ctx.snapshot()
    return response


def _oversize_incident(ctx: Ctx, headers: dict | None = None):
    store = ctx.store(ctx.world())
    ctx.owner(store)
    big = FileStorage(io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"\0" * OVER), "big.png", content_type="image/png")
    return _post(ctx, f"/s/{store.slug}/logbook/new", {**INCIDENT, "new_photos": big}, headers)


def test_an_oversize_form_from_a_signed_in_person_gets_a_friendly_413_and_stores_nothing(app, ctx):
    assert app.config["MAX_CONTENT_LENGTH"] == 12 * 1024 * 1024
    response = _oversize_incident(ctx)
    body = response.get_data(as_text=True)
    assert response.status_code == 413, body[:2000]
    assert response.mimetype == "text/html"
    assert "Too large" in body and "12 MB at most" in body and "nothing was saved" in body
    assert changed_tables(ctx.before, ctx.after) == {}


def test_an_oversize_request_from_an_api_client_gets_the_json_error(ctx):
    response = _oversize_incident(ctx, headers={"Accept": "application/json"})
    assert response.status_code == 413
    error = response.get_json()["error"]
    assert error["status"] == 413 and error["code"] == "request_entity_too_large"
    assert "12 MB at most" in error["message"]
    assert changed_tables(ctx.before, ctx.after) == {}


def test_an_oversize_urlencoded_form_is_a_413_too(ctx):
    store = ctx.store(ctx.world())
    ctx.owner(store)
    response = _post(ctx, f"/s/{store.slug}/logbook/new", {**INCIDENT, "narrative": "x" * OVER})
    assert response.status_code == 413
    assert changed_tables(ctx.before, ctx.after) == {}
