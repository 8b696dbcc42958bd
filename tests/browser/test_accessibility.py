"""The accessibility sweep: every HTML page of every role, in Chromium at 1366×900 and 390×844, checked by axe-core
for the WCAG 2.1 A and AA rules, with 0 violations allowed (docs/accessibility.md).

The pages come from the app's URL map (as the isolation matrix's routes do), so a new page is swept without anyone
remembering: each GET route is visited by the role its access kind names, its URL filled from the demo association
(`tests/support/demo_world.py`) by a recipe per URL parameter. A GET route that is not an HTML page, or that the
sweep cannot reach, is listed below with the reason; a test keeps those lists to routes that exist.

Besides each page as it loads, the sweep checks the states a person meets: every closed <details> opened (the
confirmations of destructive actions, folded filters, "add details"), a form sent empty (its errors shown), an empty
store (empty states), a wrong password on the sign-in page.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from models.store.plans import PLAN_KINDS
from tests.support.demo_world import DemoWorld, build_demo_world, sign_in

pytestmark = pytest.mark.browser

if os.environ.get("CI"):
    from axe_playwright_python.base import AXE_SCRIPT  # CI must run the sweep (requirements-dev.txt pins it)
else:
    AXE_SCRIPT = pytest.importorskip("axe_playwright_python.base", reason="needs axe-playwright-python").AXE_SCRIPT

VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
    "resultTypes": ["violations"],
}

# GET routes that answer something other than an HTML page (files, feeds, JSON, redirects): nothing for axe to read.
NOT_PAGES = {
    "pwa.manifest": "the web app manifest (JSON)",
    "pwa.service_worker": "the service worker (JavaScript)",
    "admin.audit_export": "CSV download",
    "admin.trends_export_csv": "CSV download",
    "admin.trends_export_json": "JSON download",
    "admin.moderation_photo": "an image",
    "api-docs.openapi_json": "JSON (the API's OpenAPI document)",
    "feed.photo": "an image",
    "health.healthz": "JSON health check for the load balancer",
    "liaison.export": "CSV/JSON download",
    "liaison.photo": "an image",
    "logbook.export": "CSV download",
    "logbook.photo": "an image",
    "meetings.ics": "a calendar file",
    "officer.casing_photo": "an image",
    "officer.review_photo": "an image",
    "sharing.preview_photo": "an image",
    "admin.digest_preview": "the digest email's own HTML, shown in a sandboxed frame of the digest page",
    "auth.home": "redirects to the person's home page or to sign-in (both swept)",
    "auth.switch_store": "redirects a person with one store to it (swept as the manager, who has two)",
}

# HTML pages the sweep cannot reach, and why. Keep this short: each entry is a page nobody checks automatically.
SKIPPED = {
    "admin.digest_run": "needs a digest run (a sent digest): the demo sends none",
    "outgoing_webhooks.detail": "needs a webhook subscription, whose URL is checked by resolving it (no network)",
    "liaison_webhooks.detail": "needs a webhook subscription, whose URL is checked by resolving it (no network)",
    "signup.confirm": "needs a sign-up confirmation token from an emailed link (public sign-ups are off by default)",
    "patrols.edit_request": "the demo's first request is sent, and a sent request cannot be edited (answers 409)",
}

# Which role visits the routes of each access kind (the store's routes also as the other store roles, below).
KIND_ROLES = {
    "store": ("owner", "manager", "staff", "new-owner"),
    "association": ("admin",),
    "liaison": ("liaison",),
    "operator": ("operator",),
    "account": ("owner", "admin"),
    "public": ("signed-out",),
    "signed_link": ("signed-out",),
}
STORE_ROLE_NAMES = {"owner": "owner", "manager": "manager", "staff": "staff", "new-owner": "owner"}

# Forms sent empty, to see their errors (GET+POST pages that store nothing when refused). The rest are swept as
# they load; their error rendering comes from the same form macros.
FORM_ERRORS = (
    "logbook.new_incident",
    "logbook.casing_report",
    "store.new_contact",
    "meetings.new",
    "patrols.new_request",
    "patrols.new_trip",
    "briefing.new_keyholder",
    "review.new_grant",
    "auth.change_password",
    "auth.forgot_password",
    "liaison.new_trend_bulletin",
    "operator.new_association",
    "signup.start",
    "api_tokens.store_tokens",
    "api_tokens.association_tokens",
    "api_tokens.liaison_tokens",
    "admin.import_stores",
    "store.edit_contact",
    "logbook.edit_incident",
    "meetings.edit",
    "briefing.edit_keyholder",
    "feed.sighting",
    "mfa.enrol",
    "auth.accept_invitation",
    "auth.reset_password",
    "outgoing_webhooks.index",
    "liaison_webhooks.index",
)

OPEN_DETAILS = "() => { const d = [...document.querySelectorAll('details:not([open])')]; d.forEach(x => x.open = true);"
OPEN_DETAILS += " return d.length; }"
# The page's main form (the one with the most fields), emptied and sent without the browser's own checks.
SEND_EMPTY = """() => {
  const forms = [...document.querySelectorAll('main form[method=post], main form[method=POST]')];
  if (!forms.length) return false;
  const form = forms.sort((a, b) => b.elements.length - a.elements.length)[0];
  for (const el of form.elements) {
    if ((el.tagName === 'INPUT' && ['text', 'email', 'password', 'number', 'date', 'datetime-local', 'time', 'tel',
         'url', 'search'].includes(el.type)) || el.tagName === 'TEXTAREA') el.value = '';
  }
  form.noValidate = true;
  form.requestSubmit ? form.requestSubmit() : form.submit();
  return true;
}"""


def get_routes(app) -> Iterator[tuple[object, dict]]:
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or "GET" not in rule.methods:
            continue
        yield rule, getattr(app.view_functions[rule.endpoint], "loupe_access", {})


def fill(rule, world: DemoWorld, role: str) -> str | None:
    """The path of `rule` for `role`, or None when a parameter has no value for it (e.g. ids in the empty store)."""
    values = dict(world.values)
    values["kind"] = PLAN_KINDS[0][0]
    if role == "new-owner":
        values = {"store_slug": world.empty_store_slug, "kind": PLAN_KINDS[0][0]}
    if "token" in rule.arguments:
        if rule.endpoint not in world.tokens:
            return None
        values["token"] = world.tokens[rule.endpoint]
    if any(values.get(name) is None for name in rule.arguments):
        return None
    return rule.build({name: values[name] for name in rule.arguments}, append_unknown=False)[1]


def pages_for(app, world: DemoWorld, role: str) -> list[tuple[str, str]]:
    """(endpoint, path) of every page `role` sweeps."""
    pages = []
    for rule, info in get_routes(app):
        if rule.endpoint in NOT_PAGES or rule.endpoint in SKIPPED:
            continue
        kind = info.get("kind")
        if role not in KIND_ROLES.get(kind, ()):
            continue
        if kind == "store" and STORE_ROLE_NAMES[role] not in info.get("roles", ()):
            continue
        path = fill(rule, world, role)
        if path is None:
            assert role == "new-owner", f"no value for a parameter of {rule.rule}: add a recipe to demo_world"
            continue
        pages.append((rule.endpoint, path))
    if role == "manager":
        pages.append(("auth.switch_store", "/stores"))
    return sorted(pages)


@pytest.fixture(scope="module")
def world(app) -> DemoWorld:
    return build_demo_world(app)


def check(page: Page, where: str, found: list[str]) -> None:
    """axe-core (added to every page of the context by an init script) on the page as it is now."""
    results = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    for violation in results["violations"]:
        targets = [" ".join(node["target"]) for node in violation["nodes"]][:4]
        html = violation["nodes"][0]["html"][:160] if violation["nodes"] else ""
        found.append(f"{where}: {violation['id']} ({violation['impact']}) x{len(violation['nodes'])} {targets} {html}")


def sweep(page: Page, endpoint: str, path: str, found: list[str], *, send_empty: bool = True) -> None:
    """One page at both sizes, then its closed <details> opened (at phone size), then its form sent empty."""
    page.set_viewport_size(VIEWPORTS["desktop"])
    response = page.goto(path)
    assert response is not None
    status, kind = response.status, response.headers.get("content-type", "")
    if status >= 400 or "text/html" not in kind:
        found.append(f"{endpoint} {path}: answered {status} {kind} (list it in NOT_PAGES or SKIPPED, or fix a recipe)")
        return
    check(page, f"{endpoint} {path} desktop", found)
    page.set_viewport_size(VIEWPORTS["phone"])
    check(page, f"{endpoint} {path} phone", found)
    if page.evaluate(OPEN_DETAILS):
        check(page, f"{endpoint} {path} phone, details opened", found)
    if send_empty and endpoint in FORM_ERRORS:
        page.set_viewport_size(VIEWPORTS["desktop"])
        with page.expect_navigation() as sent:
            assert page.evaluate(SEND_EMPTY), f"{endpoint}: no form to send"
        if sent.value is None or sent.value.status != 400:
            status = sent.value.status if sent.value else "no response"
            found.append(f"{endpoint} {path}: an empty form was not refused ({status}): take it out of FORM_ERRORS")
        check(page, f"{endpoint} {path} desktop, sent empty", found)


@pytest.fixture
def role_page(browser: Browser, app, world, live_server) -> Iterator:
    contexts = []

    def open_as(role: str) -> Page:
        context = browser.new_context(base_url=live_server, viewport=VIEWPORTS["desktop"])
        context.add_init_script(script=AXE_SCRIPT)
        contexts.append(context)
        page = context.new_page()
        if role != "signed-out":
            sign_in(page, app, world, role)
        return page

    yield open_as
    for context in contexts:
        context.close()


def report(found: list[str]) -> str:
    return f"{len(found)} accessibility findings:\n" + "\n".join(found)


@pytest.mark.parametrize("role", ["owner", "manager", "staff", "new-owner", "admin", "liaison", "operator"])
def test_every_page_of_a_role_has_no_accessibility_violations(role, app, world, role_page):
    page = role_page(role)
    found: list[str] = []
    pages = pages_for(app, world, role)
    assert len(pages) >= 2
    for endpoint, path in pages:
        # The empty store's forms mostly say what to add first: its pages are swept for their empty states.
        sweep(page, endpoint, path, found, send_empty=role != "new-owner")
    print(f"{role}: {len(pages)} pages swept")
    assert found == [], report(found)


def test_signed_out_and_officer_link_pages_have_no_accessibility_violations(app, world, role_page):
    page = role_page("signed-out")
    found: list[str] = []
    pages = pages_for(app, world, "signed-out")
    for endpoint, path in pages:
        sweep(page, endpoint, path, found)
    # A wrong password: the sign-in page with its error.
    page.goto("/login")
    page.locator("input[name=email]").fill("owner1@stores.example")
    page.locator("input[name=password]").fill("not the password")
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state()
    check(page, "auth.login wrong password", found)
    # An invalid signed link: the message page.
    page.goto("/officer/casing/not-a-token")
    check(page, "officer.casing_alert invalid link", found)
    print(f"signed out: {len(pages)} pages swept")
    assert {"officer.casing_alert", "officer.patrol_request", "officer.review"} <= {e for e, _ in pages}
    assert found == [], report(found)


def test_the_lists_of_routes_not_swept_name_existing_routes(app):
    endpoints = {rule.endpoint for rule, _info in get_routes(app)}
    assert set(NOT_PAGES) - endpoints == set(), "NOT_PAGES names routes that no longer exist (or have no GET)"
    assert set(SKIPPED) - endpoints == set(), "SKIPPED names routes that no longer exist (or have no GET)"
    assert set(FORM_ERRORS) - endpoints == set(), "FORM_ERRORS names routes that no longer exist"
    assert not set(NOT_PAGES) & set(SKIPPED)


def test_every_get_route_is_swept_or_listed(app):
    """Each GET route belongs to a role that sweeps it, or is listed with a reason (an API route answers JSON)."""
    unswept = [
        rule.rule
        for rule, info in get_routes(app)
        if rule.endpoint not in NOT_PAGES
        and rule.endpoint not in SKIPPED
        and info.get("kind") != "api"
        and info.get("kind") not in KIND_ROLES
    ]
    assert unswept == []


def test_screens_script_saves_each_page_at_both_sizes_in_each_language_and_indexes_them(
    app, world, browser, live_server, tmp_path
):
    from PIL import Image

    from tests.support.screens import capture, write_index

    # The signed-out pages: no sign-in (the roles' sign-ins are the sweep's; two-step codes work once a step).
    saved = capture(browser, live_server, app, world, tmp_path, langs=("en", "fr"), only={"signed-out"})
    names = {str(p.relative_to(tmp_path)) for p in saved}
    assert len(saved) == 3 * 2 * 2 and len(names) == len(saved)
    assert {"en/signed-out-sign-in-desktop.png", "fr/signed-out-sign-in-phone.png"} <= names
    with Image.open(tmp_path / "fr/signed-out-sign-in-phone.png") as image:
        assert image.format == "PNG" and image.width == 390 and image.height >= 400
    with Image.open(tmp_path / "en/signed-out-sign-in-desktop.png") as image:
        assert image.width == 1366
    index = write_index(tmp_path, saved).read_text()
    assert "| signed-out | sign-in | [desktop](en/signed-out-sign-in-desktop.png) | [phone](en/" in index
    assert "## fr" in index
