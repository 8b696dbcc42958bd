"""The digest end to end against a real SMTP server (aiosmtpd): who gets it, headers, both parts, escaping, the
reader's own store only in their own email, re-runs sending nothing twice, preferences, unsubscribe, SMTP down."""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.orm import Session

from digest.runs import queue_period
from digest.send import deliver
from mail.outbox import MAX_ATTEMPTS
from mail.smtp import SmtpSettings
from models import AlertPreference, Association, AuditEntry, DigestDelivery, DigestRun, Region
from tests.bulletins.conftest import FORBIDDEN, OFFICER, SOURCE_NAME, sharing_world, signed_in  # noqa: F401
from tests.digest.conftest import POLICE_TITLE, RECOMMENDATION, SOUTH_TITLE, WATCH_FOR, XSS, deliveries, run_ids
from tests.fixtures.outbound import expect_outbound
from tests.fixtures.web import post_form

# The sharing world at the default k = 5 (it shares nothing here; trend cells are checked at k = 5).
SHARING_WORLD_K = 5


def queue(app, engines, dw, *, region=None, period=None):
    with app.app_context(), Session(engines.owner, expire_on_commit=False) as session, session.begin():
        association = session.get(Association, dw.w.home.association.id)
        region_row = session.get(Region, region.id) if region is not None else None
        return queue_period(session, association, period or dw.period, domain="loupe.test", region=region_row)


def send(app, engines, dw):
    with app.app_context():
        return deliver(engines.app, SmtpSettings.from_config(app.config), run_ids=run_ids(engines, dw))


def parts(message) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def test_each_member_of_the_region_gets_one_digest_with_the_right_headers_and_parts(app, engines, digest_world, smtp):
    dw = digest_world
    w = dw.w
    queued = queue(app, engines, dw)
    assert {q.run.region_id for q in queued} == {w.home.region.id, w.other_region_store.region_id}
    counts = send(app, engines, dw)
    assert counts.failed == 0 and counts.retry == 0

    region_people = {w.owner.email, w.staff.email, w.neighbour_user.email}
    north = [m for m in smtp.messages if m["To"] in region_people]
    assert sorted(m["To"] for m in north) == sorted(region_people)  # one each
    assert smtp.to(w.outsider.email) == []  # another association
    assert smtp.to(w.admin.email) == []  # association staff are not store members
    [south] = smtp.to(w.other_region_user.email)  # its own region's digest, not the north one

    rows = {d.user_id: d for d in deliveries(engines, dw)}
    for message in north:
        assert message["From"] == app.config["MAIL_FROM"]
        assert message["Subject"].startswith("TLP:AMBER North digest")  # AMBER beats GREEN; RED never included
        assert re.fullmatch(r"<digest\.\d+\.\d+\.[0-9a-f]{32}@loupe\.test>", message["Message-ID"])
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert re.fullmatch(r"<http://[^>]+/digest/unsubscribe/[\w.-]+>", message["List-Unsubscribe"])
        text, html = parts(message)
        for body in (text, html):
            assert POLICE_TITLE in body and WATCH_FOR in body
            assert "AB12 CDE" in body  # the AMBER bulletin keeps its plate
            assert "TLP:RED" not in body and SOUTH_TITLE not in body
        assert XSS in text  # plain text carries the title as typed
        assert "<script>" not in html and "&lt;script&gt;" in html  # the HTML part escapes it
        assert "Show one tray at a time &amp; keep cases locked" in html and RECOMMENDATION in text
        assert "<img" not in html  # no tracking pixel
        assert "Casing" in text and "withheld" in text  # 6 stores this week; last week's 2 are under k
    assert {m["Message-ID"] for m in north} == {rows[u.id].message_id for u in (w.owner, w.staff, w.neighbour_user)}

    # The reader's own store: the owner sees the source store's quiet police contact; the neighbour never does.
    [owner_mail] = smtp.to(w.owner.email)
    assert OFFICER in parts(owner_mail)[0] and SOURCE_NAME in parts(owner_mail)[1]
    [neighbour_mail] = smtp.to(w.neighbour_user.email)
    for body in parts(neighbour_mail):
        assert w.neighbour.name in body
        for word in FORBIDDEN:
            assert word not in body, word
    assert SOUTH_TITLE in parts(south)[0] and XSS not in parts(south)[0]


def test_running_a_period_again_sends_nobody_a_second_copy(app, engines, digest_world, smtp):
    dw = digest_world
    queue(app, engines, dw, region=dw.w.home.region)
    send(app, engines, dw)
    first = len(smtp.messages)
    assert first == 3
    again = queue(app, engines, dw, region=dw.w.home.region)
    assert [q.created for q in again] == [False] and [q.added for q in again] == [0]
    send(app, engines, dw)
    assert len(smtp.messages) == first
    with Session(engines.owner) as session:
        assert session.scalar(sa.select(sa.func.count()).where(DigestRun.region_id == dw.w.home.region.id)) == 1


def test_preferences_off_muted_region_other_frequency_and_incident_types(app, engines, digest_world, smtp):
    dw = digest_world
    w = dw.w
    with Session(engines.owner) as session, session.begin():
        session.add(AlertPreference(user_id=w.staff.id, digest_frequency="off"))
        session.add(AlertPreference(user_id=w.neighbour_user.id, digest_incident_types=["distraction"]))
        session.add(AlertPreference(user_id=w.owner.id, digest_frequency="daily"))
    queue(app, engines, dw, region=w.home.region)  # a weekly period
    send(app, engines, dw)
    assert smtp.to(w.staff.email) == [] and smtp.to(w.owner.email) == []
    [mail] = smtp.to(w.neighbour_user.email)
    text, _html = parts(mail)
    assert POLICE_TITLE in text and XSS not in text and "Casing" not in text  # only distraction
    assert mail["Subject"].startswith("TLP:GREEN")  # the highest mark actually included

    with Session(engines.owner) as session, session.begin():
        session.execute(
            sa.update(AlertPreference)
            .where(AlertPreference.user_id == w.owner.id)
            .values(digest_frequency="weekly", digest_muted_region_ids=[w.home.region.id])
        )
    queue(app, engines, dw, region=w.home.region)
    send(app, engines, dw)
    assert smtp.to(w.owner.email) == []  # follows the region no more


def test_preferences_page_saves_digest_choices(app, engines, digest_world):
    w = digest_world.w
    client = signed_in(app, w.owner)
    page = client.get("/account/alerts/")
    assert page.status_code == 200 and "Regions I follow" in page.get_data(as_text=True)
    response = post_form(
        client,
        "/account/alerts/",
        {"digest_frequency": "daily", "incident_types": ["casing", "follow_home"], "followed_regions": []},
    )
    assert response.status_code == 302
    with Session(engines.owner) as session:
        pref = session.get(AlertPreference, w.owner.id)
        assert pref.digest_frequency == "daily"
        assert pref.digest_incident_types == ["casing", "follow_home"]
        assert pref.digest_muted_region_ids == [w.home.region.id]
    bad = post_form(client, "/account/alerts/", {"digest_frequency": "hourly", "incident_types": ["casing"]})
    assert bad.status_code == 400
    assert "Not a valid choice" in bad.get_data(as_text=True)


def _unsubscribe_url(smtp, email) -> str:
    [mail] = smtp.to(email)
    return mail["List-Unsubscribe"].strip("<>").replace("http://127.0.0.1:5000", "")


def test_one_click_unsubscribe_needs_no_login_and_a_get_never_unsubscribes(app, engines, digest_world, smtp):
    dw = digest_world
    queue(app, engines, dw, region=dw.w.home.region)
    send(app, engines, dw)
    url = _unsubscribe_url(smtp, dw.w.staff.email)
    client = app.test_client()
    page = client.get(url)
    assert page.status_code == 200 and "Unsubscribe" in page.get_data(as_text=True)
    with Session(engines.owner) as session:
        pref = session.get(AlertPreference, dw.w.staff.id)
        assert pref is None or pref.digest_frequency != "off"
    # What a mail client sends (RFC 8058): no cookie, no CSRF token.
    done = client.post(url, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "You are unsubscribed" in done.get_data(as_text=True)
    with Session(engines.owner) as session:
        assert session.get(AlertPreference, dw.w.staff.id).digest_frequency == "off"
        assert session.scalar(
            sa.select(sa.func.count()).where(
                AuditEntry.action == "digest.unsubscribed", AuditEntry.actor_user_id == dw.w.staff.id
            )
        )
    tampered = url[:-3] + ("AAA" if not url.endswith("AAA") else "BBB")
    assert client.post(tampered, data={"List-Unsubscribe": "One-Click"}).status_code == 400
    assert client.get("/digest/unsubscribe/not-a-token").status_code == 400


def test_smtp_refusing_then_down_loses_nothing_and_everything_arrives_once_after(
    app, engines, digest_world, smtp, smtp_server
):
    dw = digest_world
    queue(app, engines, dw, region=dw.w.home.region)
    smtp.refuse = True  # 451 for every message
    counts = send(app, engines, dw)
    assert counts.sent == 0 and counts.retry == 3
    assert all(d.status == "pending" and d.attempts == 1 and "451" in d.last_error for d in deliveries(engines, dw))
    assert send(app, engines, dw).handled == 0  # backing off: nothing is due yet

    old_port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = 1  # nothing listens there: connection refused
    _due_now(engines, dw)
    with expect_outbound("127.0.0.1", 1):
        assert send(app, engines, dw).retry == 3
    app.config["MAIL_PORT"] = old_port
    smtp.refuse = False
    _due_now(engines, dw)
    assert send(app, engines, dw).sent == 3
    assert sorted(m["To"] for m in smtp.messages) == sorted(
        [dw.w.owner.email, dw.w.staff.email, dw.w.neighbour_user.email]
    )
    assert all(d.status == "sent" and d.attempts == 3 for d in deliveries(engines, dw))


def _due_now(engines, dw):
    """Time passes: every pending delivery's backoff is over."""
    with Session(engines.owner) as session, session.begin():
        session.execute(
            sa.update(DigestDelivery).where(DigestDelivery.status == "pending").values(next_attempt_at=sa.func.now())
        )


def test_a_delivery_refused_every_time_ends_failed_with_its_reason_and_can_be_retried(app, engines, digest_world, smtp):
    dw = digest_world
    queue(app, engines, dw, region=dw.w.home.region)
    smtp.refuse = True
    for _ in range(MAX_ATTEMPTS):
        _due_now(engines, dw)
        send(app, engines, dw)
    failed = deliveries(engines, dw, status="failed")
    assert len(failed) == 3 and all("451" in d.last_error for d in failed)
    smtp.refuse = False
    assert send(app, engines, dw).handled == 0
    from tests.bulletins.conftest import admin_client

    admin = admin_client(app, engines, dw.w)
    slug = dw.w.home.association.slug
    run_id = failed[0].run_id
    page = admin.get(f"/a/{slug}/digest")
    assert page.status_code == 200 and re.search(r"<strong class=\"error\">3</strong>", page.get_data(as_text=True))
    detail = admin.get(f"/a/{slug}/digest/runs/{run_id}").get_data(as_text=True)
    assert "451" in detail and dw.w.owner.email in detail
    assert (
        post_form(
            admin, f"/a/{slug}/digest/runs/{run_id}/retry", {}, form_url=f"/a/{slug}/digest/runs/{run_id}"
        ).status_code
        == 302
    )
    assert send(app, engines, dw).sent == 3
    ids = {d.message_id for d in deliveries(engines, dw)}
    assert {m["Message-ID"] for m in smtp.messages} == ids  # the same rows, the same Message-IDs


def test_quiet_hours_hold_a_delivery_until_they_end(app, engines, digest_world, smtp):
    from datetime import time

    dw = digest_world
    with Session(engines.owner) as session, session.begin():
        # Quiet all day but one minute: whatever the time now, the delivery waits.
        session.add(AlertPreference(user_id=dw.w.owner.id, quiet_start=time(0, 0), quiet_end=time(23, 59)))
        session.add(AlertPreference(user_id=dw.w.staff.id, quiet_start=time(23, 59), quiet_end=time(0, 0)))
    queue(app, engines, dw, region=dw.w.home.region)
    send(app, engines, dw)
    sent_to = {m["To"] for m in smtp.messages}
    held = {d.user_id for d in deliveries(engines, dw, status="pending")}
    # One of the two windows covers now; that person's delivery waits, the other goes out.
    assert len(held & {dw.w.owner.id, dw.w.staff.id}) == 1
    assert dw.w.neighbour_user.email in sent_to


def test_the_digest_withholds_a_count_covering_a_whole_region_of_k(engines, sharing_world):  # noqa: F811
    """Group disclosure (issue #17 item 2): a region of exactly k = 5 stores where all 5 shared casing this week;
    "casing: 5" would tell each store's week, so the digest content withholds it like a small count."""
    from datetime import date
    from zoneinfo import ZoneInfo

    from digest.content import region_content
    from digest.periods import last_complete_week
    from tests.trends.conftest import add_facts, add_member_stores, publish_weeks

    w = sharing_world
    # Last week: a digest shows closed weeks only (issue #17 item 3), never the current one.
    period = last_complete_week(date.today())
    a, r = w.home.association.id, w.home.region.id
    add_member_stores(engines, association_id=a, region_id=r, count=3)  # + the source and the neighbour = 5
    add_facts(engines, association_id=a, region_id=r, stores=5, week=period.key, tag="all")
    # The same count in the South region of 11 stores (its one store + 10; 5 reporting leaves 6 out): published.
    south = w.other_region_store.region_id
    add_member_stores(engines, association_id=a, region_id=south, count=10)
    add_facts(engines, association_id=a, region_id=south, stores=5, week=period.key, tag="south")
    publish_weeks(engines, a)
    with Session(engines.owner) as session:
        association, region = session.get(Association, a), session.get(Region, r)
        content = region_content(session, association, region, period, ZoneInfo("UTC"))
    assert content["trend"]["k"] == 5
    assert all(row["this"] is None for row in content["trend"]["rows"] if row["type"] == "casing")
    assert 5 not in [row["this"] for row in content["trend"]["rows"]]
    with Session(engines.owner) as session:
        association, region = session.get(Association, a), session.get(Region, south)
        content = region_content(session, association, region, period, ZoneInfo("UTC"))
    assert [(row["type"], row["this"]) for row in content["trend"]["rows"]] == [("casing", 5)]
