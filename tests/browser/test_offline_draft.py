"""Loupe on a phone (issue #19), in a real browser:

- the casing report drafted without a connection is kept on the phone, sent when the phone is back online, and filed
  once however often it is sent;
- the casing report from the store dashboard with the keyboard alone, the focus visible on every control reached;
- the app is installable: a valid manifest, a service worker that registers, caches the shell only and shows the
  offline page when a page cannot be fetched.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import BrowserContext, Page, expect

from models import Incident, IncidentPhoto, PoliceContact, Role
from tenants.binding import store_session
from tests.browser.test_journey import jpeg_bytes, sign_in

pytestmark = pytest.mark.browser

UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
NARRATIVE = "Filmed the cameras from the door, asked when the safe opens"
PHONE = {"width": 390, "height": 844}
SENT = "Your casing report saved on this phone was sent."
# Back online, a draft goes at once; if the network answers a moment after the `online` event, the page tries again
# after 2 s, then 4 s: room for both under a loaded CI machine.
SENDING_MS = 15_000

# What the focused element looks like: a focus ring is an outline (Chromium's own is `auto`) or a box shadow.
FOCUS_STYLE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  return {
    tag: el.tagName.toLowerCase(), name: el.getAttribute("name") || "", type: el.getAttribute("type") || "",
    href: el.getAttribute("href") || "", text: (el.textContent || "").trim().slice(0, 40),
    visible: (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== "none",
    checked: !!el.checked, outline: `${style.outlineStyle} ${style.outlineWidth}`,
  };
}"""


@pytest.fixture
def shop(make_world, make_store, make_user, engines):
    world = make_world("Phone Association")
    store = make_store(world, "Phone Jewels")
    with store_session(engines.app, store.schema_name) as session:
        session.add(PoliceContact(agency="City Police", officer_name="PC Casey", email="pc.casey@example.org"))
        session.commit()
    return store, make_user(store=store, role=Role.STORE_STAFF)


def _incidents(engines, store) -> list[Incident]:
    with store_session(engines.app, store.schema_name) as session:
        return list(session.scalars(sa.select(Incident)))


# The drafts in this browser's IndexedDB, read directly (pages other than the casing form load no draft script).
ALL_DRAFTS = """() => new Promise((resolve, reject) => {
  const opening = indexedDB.open("loupe-drafts", 1);
  opening.onupgradeneeded = () => opening.result.createObjectStore("drafts", {keyPath: "key"});
  opening.onerror = () => reject(opening.error);
  opening.onsuccess = () => {
    const all = opening.result.transaction("drafts").objectStore("drafts").getAll();
    all.onsuccess = () => { opening.result.close(); resolve(all.result); };
  };
})"""


NO_DRAFTS_LEFT = f"async () => (await ({ALL_DRAFTS})()).length === 0"


def _drafts_on_the_phone(page: Page) -> list[dict]:
    return page.evaluate(ALL_DRAFTS)


def test_a_casing_report_saved_offline_is_sent_once_back_online(page: Page, context: BrowserContext, shop, engines):
    store, staff = shop
    page.set_viewport_size(PHONE)
    sign_in(page, staff.email)
    page.goto(f"/s/{store.slug}/logbook/casing")
    expect(page.locator("input[name=draft_key]")).to_have_value(UUID4)  # the script gave the form its key

    context.set_offline(True)
    narrative = page.locator("textarea[name=narrative]")
    narrative.fill(NARRATIVE)
    page.locator("input[type=file][name=photos]").set_input_files(
        files=[{"name": "door.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}]
    )
    page.locator("form[data-offline-draft] button[type=submit]").click()
    status = page.locator("#offline-draft-status")
    expect(status).to_have_text("Saved on this phone — it will be sent when you’re back online.")
    expect(narrative).to_have_value("")  # ready for the next report
    (draft,) = _drafts_on_the_phone(page)
    assert UUID4.match(draft["key"]) and ["narrative", NARRATIVE] in draft["fields"]
    assert [name for name, _blob, filename in draft["files"]] == ["photos"]  # the photo waits on the phone too
    draft.pop("files")  # a Blob does not come back out of the page; the copy sent again below is text only
    assert all(name != "csrf_token" for name, _ in draft["fields"])  # a fresh token is fetched to send it
    assert _incidents(engines, store) == []

    context.set_offline(False)  # the `online` event: the draft is sent
    expect(status).to_contain_text(SENT, timeout=SENDING_MS)
    (incident,) = _incidents(engines, store)
    assert incident.narrative == NARRATIVE and str(incident.draft_key) == draft["key"]
    with store_session(engines.app, store.schema_name) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(IncidentPhoto)) == 1
    assert _drafts_on_the_phone(page) == []
    status.get_by_role("link", name="Open it").click()
    expect(page).to_have_url(re.compile(rf"/logbook/{incident.id}$"))

    # The same draft again (as if the first answer had been lost on the way), then the page opened again: sent
    # again, it finds the incident already filed. Still one incident. A draft someone else wrote on this phone is
    # left for them: never sent under this person's name.
    someone_else = {**draft, "key": "0b7c6a1e-5f1d-4c3b-9a2e-8d4f6b1c2a3e", "scope": f"{store.slug}:999999"}
    page.goto(f"/s/{store.slug}/logbook/casing")
    page.evaluate("drafts => Promise.all(drafts.map(d => LoupeDrafts.put(d)))", [draft, someone_else])
    page.reload()
    expect(page.locator("#offline-draft-status")).to_contain_text(SENT, timeout=SENDING_MS)
    assert [d["key"] for d in _drafts_on_the_phone(page)] == [someone_else["key"]]
    assert [i.id for i in _incidents(engines, store)] == [incident.id]


def test_the_casing_report_with_the_keyboard_alone(page: Page, shop, engines, smtp):
    store, staff = shop
    sign_in(page, staff.email)
    expect(page).to_have_url(re.compile(rf"/s/{store.slug}/$"))
    reached: list[dict] = []

    def tab_to(matches, limit: int = 60) -> dict:
        """Tab forward until the focused control matches; every control passed on the way shows its focus."""
        for _ in range(limit):
            page.keyboard.press("Tab")
            focused = page.evaluate(FOCUS_STYLE)
            if focused is None:
                continue
            reached.append(focused)
            assert focused["visible"], f"no visible focus on {focused}"
            if matches(focused):
                return focused
        raise AssertionError(f"not reached with Tab: {reached[-5:]}")

    tab_to(lambda f: f["href"].endswith("/logbook/casing"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/logbook/casing$"))

    # Through the form in its own order (whatever the layout): type what they did, tick the first red-flag chip
    # when the form has chips, switch the police alert on, and send with Enter on the submit button.
    typed = flagged = False
    for _ in range(40):
        focused = tab_to(
            lambda f: (
                f["name"] in ("narrative", "notify_police")
                or (f["type"] == "checkbox" and "flag" in f["name"])
                or (f["tag"] == "button" and f["type"] == "submit")
            )
        )
        if focused["name"] == "narrative" and not typed:
            page.keyboard.type(NARRATIVE)
            typed = True
        elif focused["name"] == "notify_police" and not focused["checked"]:
            page.keyboard.press("Space")
        elif "flag" in focused["name"] and not flagged:
            page.keyboard.press("Space")
            flagged = True
        elif focused["tag"] == "button" and typed:
            expect(page.locator("input[name=notify_police]")).to_be_checked()
            page.keyboard.press("Enter")
            break
    else:
        raise AssertionError(f"the casing report was not sent with the keyboard: {reached[-5:]}")

    expect(page).to_have_url(re.compile(r"/logbook/\d+$"))
    expect(page.get_by_text(NARRATIVE).first).to_be_visible()
    (incident,) = _incidents(engines, store)
    assert incident.narrative == NARRATIVE and incident.contacts_notified_at is not None
    assert len(reached) > 3


def test_the_app_is_installable_and_caches_no_page(page: Page, context: BrowserContext, shop, engines):
    store, staff = shop
    manifest = page.request.get("/manifest.webmanifest")
    assert manifest.ok and manifest.headers["content-type"].startswith("application/manifest+json")
    body = manifest.json()
    for member in ("name", "short_name", "start_url", "scope", "display", "theme_color", "icons"):
        assert body[member], member
    assert body["display"] == "standalone" and {"192x192", "512x512"} <= {i["sizes"] for i in body["icons"]}

    sign_in(page, staff.email)
    expect(page).to_have_url(re.compile(rf"/s/{store.slug}/$"))
    scope = page.evaluate("navigator.serviceWorker.ready.then(registration => registration.scope)")
    assert scope == page.url.split("/s/")[0] + "/"
    page.reload()  # now the worker is in charge of the page
    assert page.evaluate("!!navigator.serviceWorker.controller")

    # Online, with the worker in charge: the report is kept as a draft while it travels, and the worker drops the
    # draft as soon as the server has answered.
    page.goto(f"/s/{store.slug}/logbook/casing")
    page.locator("textarea[name=narrative]").fill(NARRATIVE)
    page.locator("form[data-offline-draft] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/logbook/\d+$"))
    expect(page.get_by_text("Casing report saved").first).to_be_visible()
    assert len(_incidents(engines, store)) == 1
    page.wait_for_function(NO_DRAFTS_LEFT)  # the worker settles the draft as the report's page loads

    # What it keeps: the shell (static files, the offline page, the manifest), never a page of the store.
    cached = page.evaluate(
        """() => caches.keys().then(names => Promise.all(names.map(name => caches.open(name)
             .then(cache => cache.keys()).then(requests => requests.map(r => new URL(r.url).pathname)))))
             .then(lists => lists.flat())"""
    )
    assert "/offline" in cached and "/static/loupe.css" in cached
    assert all(path in ("/offline", "/manifest.webmanifest") or path.startswith("/static/") for path in cached)

    # Without a connection, a store page is not shown from any cache: the offline page is.
    context.set_offline(True)
    page.goto(f"/s/{store.slug}/logbook/")
    expect(page.get_by_role("heading", name="No connection")).to_be_visible()
    assert store.name not in page.content() and staff.name not in page.content()
    context.set_offline(False)


def test_a_connection_lost_on_the_way_keeps_the_report_for_later(page: Page, context: BrowserContext, shop, engines):
    """The phone believes it is online, but the report never reaches the server: the service worker keeps the draft
    and shows the offline page, which opens the form again once the phone is back online, and the form sends it."""
    store, staff = shop
    sign_in(page, staff.email)
    page.evaluate("navigator.serviceWorker.ready")
    page.goto(f"/s/{store.slug}/logbook/casing")
    assert page.evaluate("!!navigator.serviceWorker.controller")
    page.locator("textarea[name=narrative]").fill(NARRATIVE)

    context.set_offline(True)
    page.evaluate("Object.defineProperty(navigator, 'onLine', {get: () => true})")  # a connection that lies
    page.locator("form[data-offline-draft] button[type=submit]").click()
    expect(page.get_by_role("heading", name="No connection")).to_be_visible()
    expect(page.locator("#offline-draft-status")).to_have_text(
        "Saved on this phone — it will be sent when you’re back online."
    )
    (draft,) = _drafts_on_the_phone(page)
    assert draft["state"] == "pending" and ["narrative", NARRATIVE] in draft["fields"]
    assert _incidents(engines, store) == []

    context.set_offline(False)
    expect(page.locator("#offline-draft-status")).to_contain_text(SENT, timeout=SENDING_MS)
    expect(page).to_have_url(re.compile(r"/logbook/casing$"))
    (incident,) = _incidents(engines, store)
    assert incident.narrative == NARRATIVE and str(incident.draft_key) == draft["key"]
    assert _drafts_on_the_phone(page) == []


def test_a_draft_the_server_refuses_comes_back_into_the_form(page: Page, shop, engines):
    store, staff = shop
    sign_in(page, staff.email)
    page.goto(f"/s/{store.slug}/logbook/casing")
    refused = {
        "key": "5d0c1f9e-2b7a-4c1d-8e3f-9a6b4c2d1e0f",
        "scope": page.locator("form[data-offline-draft]").get_attribute("data-offline-draft"),
        "action": f"/s/{store.slug}/logbook/casing",
        "fields": [["narrative", NARRATIVE], ["occurred_at", "2026-13-45T99:99"]],
        "files": [],
        "savedAt": "2026-12-04T10:00:00Z",
        "state": "pending",
    }
    page.evaluate("draft => LoupeDrafts.put(draft)", refused)
    page.reload()
    expect(page.locator("#offline-draft-status")).to_contain_text("could not be sent as it was")
    expect(page.locator("textarea[name=narrative]")).to_have_value(NARRATIVE)
    assert _drafts_on_the_phone(page) == [] and _incidents(engines, store) == []


def test_a_report_sent_after_its_form_expired_is_kept_and_sent_later(page: Page, shop, engines):
    """A form left open too long (its CSRF token no longer valid) is refused without showing the report again: the
    worker keeps the draft, and the casing form sends it with a fresh token the next time it opens."""
    store, staff = shop
    sign_in(page, staff.email)
    page.evaluate("navigator.serviceWorker.ready")
    page.goto(f"/s/{store.slug}/logbook/casing")
    assert page.evaluate("!!navigator.serviceWorker.controller")
    page.locator("textarea[name=narrative]").fill(NARRATIVE)
    page.evaluate("document.querySelector('form[data-offline-draft] input[name=csrf_token]').value = 'expired'")
    page.locator("form[data-offline-draft] button[type=submit]").click()
    expect(page.get_by_text("This form expired")).to_be_visible()
    (draft,) = _drafts_on_the_phone(page)
    assert draft["state"] == "pending" and _incidents(engines, store) == []

    page.goto(f"/s/{store.slug}/logbook/casing")
    expect(page.locator("#offline-draft-status")).to_contain_text(SENT, timeout=SENDING_MS)
    (incident,) = _incidents(engines, store)
    assert incident.narrative == NARRATIVE and str(incident.draft_key) == draft["key"]
    assert _drafts_on_the_phone(page) == []
