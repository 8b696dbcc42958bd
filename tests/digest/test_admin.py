"""The admin portal's digest page: preview of a region and period as a member sees it (no store's own part, no
source store), a test sent to oneself, run history; another association's admin and store people get nothing."""

from __future__ import annotations

from sqlalchemy.orm import Session

from digest.periods import in_words
from digest.runs import queue_period
from models import AlertPreference, Association, Role
from tests.admin.conftest import enrol, sign_in_with_code
from tests.bulletins.conftest import FORBIDDEN, admin_client, signed_in
from tests.digest.conftest import POLICE_TITLE, SOUTH_TITLE, XSS
from tests.fixtures.web import post_form

# The sharing world at the default k = 5 (it shares nothing here; trend cells are checked at k = 5).
SHARING_WORLD_K = 5


def test_preview_shows_the_region_digest_without_any_store_part(app, engines, digest_world):
    dw = digest_world
    admin = admin_client(app, engines, dw.w)
    slug = dw.w.home.association.slug
    args = {"region": dw.w.home.region.id, "period": dw.period.key}
    page = admin.get(f"/a/{slug}/digest", query_string=args)
    assert page.status_code == 200 and "<iframe" in page.get_data(as_text=True)
    preview = admin.get(f"/a/{slug}/digest/preview", query_string=args)
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    assert POLICE_TITLE in html and "&lt;script&gt;" in html and "<script>" not in html
    assert SOUTH_TITLE not in html
    for word in FORBIDDEN:  # no store name, person or contact of the source store
        assert word not in html, word
    csp = preview.headers["Content-Security-Policy"]
    assert "script-src" not in csp and "default-src 'none'" in csp  # inline styles only, never scripts
    text = admin.get(f"/a/{slug}/digest/preview", query_string={**args, "part": "text"})
    assert text.mimetype == "text/plain" and XSS in text.get_data(as_text=True)


def test_preview_as_a_member_applies_their_incident_types(app, engines, digest_world):
    dw = digest_world
    with Session(engines.owner) as session, session.begin():
        session.add(AlertPreference(user_id=dw.w.neighbour_user.id, digest_incident_types=["distraction"]))
    admin = admin_client(app, engines, dw.w)
    slug = dw.w.home.association.slug
    args = {"region": dw.w.home.region.id, "period": dw.period.key, "member": dw.w.neighbour_user.id}
    html = admin.get(f"/a/{slug}/digest/preview", query_string=args).get_data(as_text=True)
    assert POLICE_TITLE in html and "&lt;script&gt;" not in html


def test_bad_period_is_a_clear_400(app, engines, digest_world):
    dw = digest_world
    admin = admin_client(app, engines, dw.w)
    slug = dw.w.home.association.slug
    response = admin.get(f"/a/{slug}/digest/preview", query_string={"region": dw.w.home.region.id, "period": "W99"})
    assert response.status_code == 400 and "not a period" in response.get_data(as_text=True)
    future = admin.get(f"/a/{slug}/digest/preview", query_string={"region": dw.w.home.region.id, "period": "2999-W01"})
    assert future.status_code == 400 and "has not started" in future.get_data(as_text=True)


def test_send_a_test_to_yourself(app, engines, digest_world, smtp):
    dw = digest_world
    admin = admin_client(app, engines, dw.w)
    slug = dw.w.home.association.slug
    form_url = f"/a/{slug}/digest?region={dw.w.home.region.id}&period={dw.period.key}"
    response = post_form(
        admin,
        f"/a/{slug}/digest/test",
        {"region": dw.w.home.region.id, "period": dw.period.key, "member": 0},
        form_url=form_url,
    )
    assert response.status_code == 302
    [mail] = smtp.to(dw.w.admin.email)
    assert mail["Subject"].startswith("[Test] TLP:AMBER North digest")
    assert POLICE_TITLE in mail.get_body(preferencelist=("plain",)).get_content()
    assert len(smtp.messages) == 1  # nobody else


def test_history_lists_runs_of_this_association_only(app, engines, digest_world, make_world, make_user):
    dw = digest_world
    with app.app_context(), Session(engines.owner, expire_on_commit=False) as session, session.begin():
        association = session.get(Association, dw.w.home.association.id)
        [queued] = queue_period(session, association, dw.period, domain="loupe.test", region=association.regions[0])
    admin = admin_client(app, engines, dw.w)
    slug = dw.w.home.association.slug
    page = admin.get(f"/a/{slug}/digest").get_data(as_text=True)
    # The period reads as its dates (digest.periods.in_words), not as the week's key.
    assert in_words(dw.period.key, "en") in page and f"/digest/runs/{queued.run.id}" in page

    # Store people and another association's admin: no digest page, no run, no preview.
    for outsider in (signed_in(app, dw.w.owner), signed_in(app, dw.w.outsider)):
        for url in (f"/a/{slug}/digest", f"/a/{slug}/digest/runs/{queued.run.id}", f"/a/{slug}/digest/preview"):
            assert outsider.get(url).status_code in (403, 404)


def test_another_associations_admin_gets_nothing_of_this_digest(
    app, engines, digest_world, make_world, make_user, smtp
):
    dw = digest_world
    with app.app_context(), Session(engines.owner, expire_on_commit=False) as session, session.begin():
        association = session.get(Association, dw.w.home.association.id)
        [queued] = queue_period(session, association, dw.period, domain="loupe.test", region=association.regions[0])
    other = make_world()
    stranger = make_user(association=other.association, role=Role.ASSOCIATION_ADMIN)
    client = app.test_client()
    sign_in_with_code(client, engines, stranger, enrol(engines, stranger))
    slug, run_id = dw.w.home.association.slug, queued.run.id
    args = f"region={dw.w.home.region.id}&period={dw.period.key}"
    for url in (
        f"/a/{slug}/digest",
        f"/a/{slug}/digest?{args}",
        f"/a/{slug}/digest/preview?{args}",
        f"/a/{slug}/digest/runs/{run_id}",
        f"/a/{slug}/alerts",
    ):
        response = client.get(url)
        assert response.status_code in (403, 404), url
        assert POLICE_TITLE not in response.get_data(as_text=True)
    # Their own portal, with this association's ids, does not reach this run or region either.
    own = other.association.slug
    assert client.get(f"/a/{own}/digest/runs/{run_id}").status_code == 404
    assert POLICE_TITLE not in client.get(f"/a/{own}/digest/preview?{args}").get_data(as_text=True)
    for url in (f"/a/{slug}/digest/test", f"/a/{slug}/digest/runs/{run_id}/retry"):
        response = post_form(
            client, url, {"region": dw.w.home.region.id, "period": dw.period.key}, form_url=f"/a/{own}/digest"
        )
        assert response.status_code in (400, 403, 404), url
    assert smtp.messages == []
