"""Every form in the app, found from the URL map and the pages themselves, gets hostile values.

For each POST route a signed-in owner can reach, the test GETs its page, reads the form's field names, and posts
each hostile value in every field at once (plus missing and duplicated fields). Nothing may answer 5xx; a refused
form answers 4xx (what was typed is shown again: tested on the contact form below).
"""

from __future__ import annotations

import re

import pytest
from markupsafe import escape

from models import PoliceContact, Role
from tests.fixtures.web import csrf_token, sign_in

HOSTILE = [
    "",
    " ",
    "x" * 100_000,
    "\x00nul",
    "<script>alert('xss')</script>",
    "' OR 1=1; DROP TABLE loupe.users; --",
    "9" * 40,
    "-1",
    "1e309",
    "2026-13-45",
    "0000-00-00T00:00",
    "\u202egnp.exe",
    "😀" * 500,
    "line1\r\nBcc: victim@example.org",
    "../../../etc/passwd",
    '=HYPERLINK("http://evil.example")',
]
FIELD = re.compile(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"', re.I)
SKIP_ENDPOINTS = {"auth.logout"}  # signing out is not a form with fields


def form_routes(app):
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        kind = getattr(view, "loupe_access", {}).get("kind")
        if "POST" in rule.methods and kind in {"store", "account"} and rule.endpoint not in SKIP_ENDPOINTS:
            yield rule


def build(rule, store):
    args = {name: (store.slug if name == "store_slug" else 1) for name in rule.arguments}
    return rule.build(args, append_unknown=False)[1]


@pytest.fixture
def owner_client(app, make_world, make_store, make_user, in_store):
    store = make_store(make_world())
    in_store(store, lambda s: s.add(PoliceContact(agency="City", officer_name="Officer One")))
    owner = make_user(store=store, role=Role.STORE_OWNER)
    client = app.test_client()
    sign_in(client, owner.email)
    return client, store


def _fields(page_html: str) -> list[str]:
    return sorted({n for n in FIELD.findall(page_html) if n != "csrf_token"})


def test_no_form_answers_5xx_to_hostile_input(app, owner_client):
    client, store = owner_client
    failures, tried = [], 0
    for rule in form_routes(app):
        url = build(rule, store)
        page = client.get(url)
        body = page.get_data(as_text=True)
        if page.status_code != 200 or "csrf_token" not in body:
            # A POST-only action: its form lives on another page; post with a token from a page that has one.
            body = client.get("/account/password").get_data(as_text=True)
        token = csrf_token(body)
        fields = _fields(body) or ["field"]
        for value in HOSTILE:
            data = {name: value for name in fields}
            response = client.post(url, data={**data, "csrf_token": token})
            tried += 1
            if response.status_code >= 500:
                failures.append((url, repr(value[:30]), response.status_code))
        # Missing every field, and every field sent twice.
        for data in ({}, {name: ["a", "b"] for name in fields}):
            response = client.post(url, data={**data, "csrf_token": token})
            tried += 1
            if response.status_code >= 500:
                failures.append((url, "missing/duplicated", response.status_code))
    print(f"hostile forms: {tried} posts")
    assert tried > 50
    assert failures == []


def test_text_typed_into_a_refused_form_is_shown_again(app, owner_client):
    client, store = owner_client
    page = client.get(f"/s/{store.slug}/contacts/new")
    typed = "O'Brien <Precinct> & Sons"
    response = client.post(
        f"/s/{store.slug}/contacts/new",
        data={
            "csrf_token": csrf_token(page.get_data(as_text=True)),
            "agency": typed,
            "officer_name": "",
            "preferred_contact": "phone",
        },
    )
    assert response.status_code == 400
    assert str(escape(typed)) in response.get_data(as_text=True)
    assert "<Precinct>" not in response.get_data(as_text=True)


def test_a_nul_byte_is_refused_with_a_message(app, owner_client):
    client, store = owner_client
    page = client.get(f"/s/{store.slug}/contacts/new")
    response = client.post(
        f"/s/{store.slug}/contacts/new",
        data={
            "csrf_token": csrf_token(page.get_data(as_text=True)),
            "agency": "a\x00b",
            "officer_name": "x",
            "preferred_contact": "phone",
        },
    )
    assert response.status_code == 400 and "NUL" in response.get_data(as_text=True)
