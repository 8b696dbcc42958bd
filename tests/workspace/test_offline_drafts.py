"""Casing reports drafted offline (issue #19): one incident per draft key however often the draft is sent; the
installable app's manifest, service worker and offline page. The browser journeys are in
tests/browser/test_offline_draft.py."""

from __future__ import annotations

import io
import json
import re
import threading
import time
import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from PIL import Image
from sqlalchemy.orm import Session

from logbook import drafts
from logbook.drafts import DraftKeyRefused
from models import AuditEntry, Incident, PoliceContact, Role
from security.uploads import check_image
from tenants.binding import store_session
from tests.fixtures.web import post_form, sign_in
from tests.workspace.test_uploads import image_bytes

WHEN = datetime(2026, 11, 27, 10, 5, tzinfo=UTC)


@pytest.fixture
def shop(make_world, make_store, make_user, in_store):
    world = make_world()
    store = make_store(world, "Offline Jewels")
    contact = PoliceContact(agency="City Police", officer_name="PC Casey", email="pc@example.org")
    in_store(store, lambda s: s.add(contact))
    return {"store": store, "staff": make_user(store=store, role=Role.STORE_STAFF)}


def _count(in_store, store) -> int:
    return in_store(store, lambda s: s.scalar(sa.select(sa.func.count()).select_from(Incident)))


def _report(**overrides) -> dict:
    values = {
        "occurred_at": WHEN,
        "narrative": "Asked when the safe opens",
        "person": {"clothing": "Black cap"},
        "vehicle": {"plate": "CS19 NGX"},
        "reported_by_user_id": None,
    }
    values.update(overrides)
    return values


# --- the domain function, without HTTP -------------------------------------------------------------------------


def test_the_same_draft_key_twice_files_one_incident(shop, in_store):
    key = uuid.uuid4()
    photo = check_image(image_bytes("JPEG"))

    def twice(session):
        first = drafts.file_casing_report_once(session, draft_key=key, photos=[photo], **_report())
        again = drafts.file_casing_report_once(session, draft_key=key, photos=[photo], **_report(narrative="Again"))
        return first.created, again.created, first.incident.id, again.incident.id

    created, again_created, first_id, again_id = in_store(shop["store"], twice)
    assert (created, again_created) == (True, False) and first_id == again_id
    stored = in_store(
        shop["store"], lambda s: (lambda i: (i.draft_key, i.narrative, len(i.photos)))(s.get(Incident, first_id))
    )
    assert stored == (key, "Asked when the safe opens", 1)  # the first send's report, its photo once
    assert _count(in_store, shop["store"]) == 1


def test_a_second_send_in_a_later_transaction_finds_the_first(shop, in_store):
    key = uuid.uuid4()
    first = in_store(shop["store"], lambda s: drafts.file_casing_report_once(s, draft_key=key, **_report()).incident.id)
    again = in_store(shop["store"], lambda s: drafts.file_casing_report_once(s, draft_key=key, **_report()))
    assert again.created is False and again.incident.id == first
    assert _count(in_store, shop["store"]) == 1


def test_two_sends_at_the_same_instant_file_one_incident(shop, engines):
    """The second send looks the key up before the first has committed, so it inserts too: the unique key makes it
    wait for the first, then fail, roll back to its savepoint and return the first one's incident."""
    store, key, second = shop["store"], uuid.uuid4(), {}

    def send_again() -> None:
        with store_session(engines.app, store.schema_name) as session:
            filed = drafts.file_casing_report_once(session, draft_key=key, **_report(narrative="The second send"))
            second.update(created=filed.created, id=filed.incident.id)
            session.commit()

    with store_session(engines.app, store.schema_name) as session:
        first = drafts.file_casing_report_once(session, draft_key=key, **_report())
        thread = threading.Thread(target=send_again)
        thread.start()
        with engines.owner.connect() as watcher:  # until the second send waits on the first one's key
            # On Citus the store's tables live on a worker node: its lock waits show in citus_lock_waits.
            on_citus = watcher.scalar(sa.text("SELECT to_regclass('pg_catalog.citus_lock_waits') IS NOT NULL"))
            waits = "citus_lock_waits" if on_citus else "pg_locks WHERE NOT granted"
            for _ in range(200):
                waiting = watcher.scalar(sa.text(f"SELECT count(*) FROM {waits}"))
                if waiting:
                    break
                time.sleep(0.05)
        assert waiting, "the second send never waited for the first"
        session.commit()
        first_id = first.incident.id
    thread.join(timeout=30)
    assert second == {"created": False, "id": first_id}
    with store_session(engines.app, store.schema_name) as session:
        assert session.scalars(sa.select(Incident.narrative)).all() == ["Asked when the safe opens"]


def test_different_keys_and_no_key_file_separate_incidents(shop, in_store):
    def three(session):
        for key in (uuid.uuid4(), uuid.uuid4(), None):
            assert drafts.file_casing_report_once(session, draft_key=key, **_report()).created

    in_store(shop["store"], three)
    assert _count(in_store, shop["store"]) == 3
    keys = in_store(shop["store"], lambda s: s.scalars(sa.select(Incident.draft_key)).all())
    assert sum(k is None for k in keys) == 1 and len({k for k in keys if k}) == 2


@pytest.mark.parametrize(
    "raw",
    [
        "garbage",
        "1",
        # Fixed values: test ids must be the same in every pytest-xdist worker.
        "50ED1003-330C-4BB1-90C3-5C55C9C0C0FA",  # not how the page writes it
        "bebea218-f034-11f1-8a1d-02fc00000001",  # not a version-4 key
        "8f3cf89c8d194a78854aa2f86c00fdfb",
        "{c8647a7a-e51b-4885-afb3-c67652a13570}",
        "a9552221-365a-473a-b219-7778ede57f53\n",
        "x" * 10_000,
    ],
    ids=["garbage", "digit", "upper-case", "version-1", "no-hyphens", "braces", "newline", "too-long"],
)
def test_a_malformed_draft_key_is_refused(raw):
    with pytest.raises(DraftKeyRefused):
        drafts.parse_draft_key(raw)


def test_no_key_is_no_key_and_a_good_one_is_read():
    key = uuid.uuid4()
    assert drafts.parse_draft_key("") is None and drafts.parse_draft_key(None) is None
    assert drafts.parse_draft_key(str(key)) == key


def test_a_key_of_the_wrong_kind_stores_nothing(shop, in_store):
    with pytest.raises(DraftKeyRefused):
        in_store(shop["store"], lambda s: drafts.file_casing_report_once(s, draft_key=uuid.uuid1(), **_report()))
    assert _count(in_store, shop["store"]) == 0


# --- the casing report view ------------------------------------------------------------------------------------


def _url(store, path: str = "casing") -> str:
    return f"/s/{store.slug}/logbook/{path}"


def _casing(key: str, **overrides) -> dict:
    data = {
        "narrative": "Looked at every camera, asked when the safe opens.",
        "occurred_at": "2026-11-27T10:05",
        "person-clothing": "Black cap, green jacket",
        "notify_police": "y",
        "draft_key": key,
    }
    data.update(overrides)
    return data


def _audits(engines, store_id: int, action: str) -> list[AuditEntry]:
    with Session(engines.owner) as session:
        return list(
            session.scalars(sa.select(AuditEntry).where(AuditEntry.store_id == store_id, AuditEntry.action == action))
        )


def test_the_casing_form_carries_an_empty_draft_key_and_the_draft_script(client, shop):
    sign_in(client, shop["staff"].email)
    page = client.get(_url(shop["store"])).get_data(as_text=True)
    assert re.search(r'<input id="draft_key" name="draft_key" type="hidden" value="">', page)
    assert f'data-offline-draft="{shop["store"].slug}:{shop["staff"].id}"' in page
    assert "/static/offline-draft.js" in page and "Saved on this phone" in page


def test_a_draft_sent_twice_files_one_incident_and_alerts_once(client, shop, in_store, engines, smtp):
    store = shop["store"]
    sign_in(client, shop["staff"].email)
    key = str(uuid.uuid4())
    first = post_form(client, _url(store), _casing(key))
    assert first.status_code == 302
    again = post_form(client, _url(store), _casing(key, narrative="Sent again from the phone"))
    assert again.status_code == 303 and again.headers["Location"] == first.headers["Location"]

    (incident,) = in_store(store, lambda s: s.scalars(sa.select(Incident)).all())
    assert incident.draft_key == uuid.UUID(key) and incident.narrative.startswith("Looked at every camera")
    assert first.headers["Location"].endswith(f"/logbook/{incident.id}")
    assert len(_audits(engines, store.id, "logbook.casing_alert")) == 1
    assert len(smtp.messages) == 1  # the police were alerted once
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "This casing report was already saved." in page

    # A new key is a new report.
    assert post_form(client, _url(store), _casing(str(uuid.uuid4()))).status_code == 302
    assert _count(in_store, store) == 2


def test_a_garbage_draft_key_is_refused_and_keeps_what_was_typed(client, shop, in_store, engines, smtp):
    store = shop["store"]
    sign_in(client, shop["staff"].email)
    response = post_form(client, _url(store), _casing("'; DROP TABLE incidents; --"))
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "draft key is not one this page makes" in body and "Black cap, green jacket" in body
    assert _count(in_store, store) == 0
    assert _audits(engines, store.id, "logbook.casing_alert") == [] and smtp.messages == []


# --- the installable app ---------------------------------------------------------------------------------------


def test_the_manifest_names_the_app_and_its_icons(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200 and response.mimetype == "application/manifest+json"
    manifest = json.loads(response.get_data(as_text=True))
    assert manifest["name"] == manifest["short_name"] == "Loupe"
    assert manifest["start_url"] == "/" and manifest["scope"] == "/" and manifest["display"] == "standalone"
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["theme_color"])
    icons = {(i["sizes"], i["purpose"]): i["src"] for i in manifest["icons"]}
    assert set(icons) == {("192x192", "any"), ("512x512", "any"), ("192x192", "maskable"), ("512x512", "maskable")}
    for (sizes, _purpose), src in icons.items():
        with client.get(src) as icon:
            assert icon.status_code == 200 and icon.mimetype == "image/png"
            data = icon.data
        with Image.open(io.BytesIO(data)) as image:
            assert f"{image.width}x{image.height}" == sizes


def test_the_service_worker_is_served_from_the_root_with_its_shell(client):
    response = client.get("/sw.js")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/" and response.headers["Cache-Control"] == "no-cache"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "__VERSION__" not in body and "__SHELL__" not in body
    shell = json.loads(re.search(r"var SHELL = (\[.*?\]);", body).group(1))
    assert "/offline" in shell and "/static/loupe.css" in shell and "/static/offline-draft.js" in shell
    # The shell is static files and the offline page: no page of a store, nothing under /s/.
    assert all(url in ("/offline", "/manifest.webmanifest") or url.startswith("/static/") for url in shell)
    for url in shell:
        with client.get(url) as shell_file:
            assert shell_file.status_code == 200, url


def test_the_offline_page_shows_nothing_of_whoever_is_signed_in(client, shop):
    anonymous = client.get("/offline").get_data(as_text=True)
    sign_in(client, shop["staff"].email)
    signed_in = client.get("/offline")
    body = signed_in.get_data(as_text=True)
    assert signed_in.status_code == 200 and "No connection" in body
    assert shop["staff"].name not in body and shop["store"].name not in body and shop["store"].slug not in body
    assert body == anonymous  # the same page for everyone: it is cached on the phone
    assert "<script>" not in body  # the CSP allows no inline script


def test_every_page_links_the_manifest_and_registers_the_worker(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page and 'name="theme-color"' in page
    assert 'data-worker="/sw.js"' in page
