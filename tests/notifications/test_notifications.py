"""Notifications (issue 18 part 1): each event reaches the right people once, in their inbox and by email, where it
belongs (a store's own records in its schema), with their choices and quiet hours, and never says which store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from jobs.queue import notify
from models import AlertPreference, Membership, Notification, NotificationPreference, OutboundEmail, Region, Role
from models.store.notifications import StoreNotification
from notifications.fanout import fan_out
from notifications.inbox import unread_count
from patrols import requests as patrols
from tests.bulletins import conftest as bulletin_fixtures
from tests.bulletins.conftest import SOURCE_NAME, add_incident, admin_client, bulletins, share, signed_in
from tests.bulletins.test_sharing import FACTS
from tests.fixtures.web import csrf_token, post_form
from tests.workspace import test_patrols as patrol_fixtures
from tests.workspace.test_patrols import _send, _store

sharing_world = bulletin_fixtures.sharing_world
twin_stores = patrol_fixtures.twin_stores


def _store_rows(in_store, store):
    return in_store(store, lambda s: list(s.scalars(sa.select(StoreNotification).order_by(StoreNotification.id))))


def _shared_rows(engines, user_id=None):
    with Session(engines.owner) as session:
        query = sa.select(Notification).order_by(Notification.id)
        if user_id is not None:
            query = query.where(Notification.user_id == user_id)
        return list(session.scalars(query))


def _acknowledge(app, engines, in_store, store, note="Will pass by at 10"):
    store = _store(engines, store.id)

    def run(s):
        request = s.get(patrols.PatrolRequest, 1)
        patrols.acknowledge(s, request, store=store, officer_name="PC Alpha", note=note)

    in_store(store, run)


# --- a store event: the officer acknowledges ------------------------------------------------------------------


def test_an_acknowledgement_reaches_owners_in_the_store_inbox_and_by_email_once(
    app, engines, smtp, run_jobs, twin_stores, in_store
):
    a, b = twin_stores["a"], twin_stores["b"]
    _send(app, engines, in_store, a)
    smtp.clear()
    _acknowledge(app, engines, in_store, a)
    owner = twin_stores["owner_a"]
    [mail] = [m for m in smtp.to(owner.email) if "acknowledged" in m["Subject"]]
    assert mail["Subject"] == "Loupe: An officer acknowledged your patrol request"
    text = mail.get_body(("plain",)).get_content()
    # The outbox is shared: the officer's words stay in the store's schema.
    assert "Will pass by" not in text and "PC Alpha" not in text
    assert f"/s/{a.slug}/notifications/" in text

    [row] = _store_rows(in_store, a)
    assert row.user_id == owner.id and row.event == "patrol.acknowledged" and row.read_at is None
    assert "PC Alpha acknowledged it. Note: Will pass by at 10" == row.body
    assert row.link == f"/s/{a.slug}/patrols/1"
    assert _store_rows(in_store, b) == []  # another store: nothing
    for user in (owner, twin_stores["staff_a"], twin_stores["owner_b"]):
        assert _shared_rows(engines, user.id) == []
    assert not smtp.to(twin_stores["staff_a"].email)

    # A retried job writes nothing twice.
    with app.app_context():
        assert fan_out(engines.app, "patrol.acknowledged", {"store_id": a.id, "request_id": 1}) == 0
    assert len(_store_rows(in_store, a)) == 1
    assert len([m for m in smtp.to(owner.email) if "acknowledged" in m["Subject"]]) == 1


def test_the_header_counts_unread_and_opening_marks_read_and_follows_the_link(
    app, engines, run_jobs, twin_stores, in_store
):
    a = twin_stores["a"]
    _send(app, engines, in_store, a)
    _acknowledge(app, engines, in_store, a)
    run_jobs()
    owner = signed_in(app, twin_stores["owner_a"])
    dashboard = owner.get(f"/s/{a.slug}/").get_data(as_text=True)
    assert 'aria-label="1 unread"' in dashboard
    inbox = owner.get(f"/s/{a.slug}/notifications/")
    html = inbox.get_data(as_text=True)
    assert inbox.status_code == 200 and "An officer acknowledged your patrol request" in html
    [row] = _store_rows(in_store, a)
    opened = owner.post(f"/s/{a.slug}/notifications/{row.id}/open", data={"csrf_token": csrf_token(html)})
    assert opened.status_code == 302 and opened.headers["Location"] == f"/s/{a.slug}/patrols/1"
    assert _store_rows(in_store, a)[0].read_at is not None
    assert 'unread"' not in owner.get(f"/s/{a.slug}/").get_data(as_text=True)
    # Another store's owner cannot open it (404), even knowing the id.
    other = signed_in(app, twin_stores["owner_b"])
    page = other.get(f"/s/{twin_stores['b'].slug}/notifications/").get_data(as_text=True)
    refused = other.post(
        f"/s/{twin_stores['b'].slug}/notifications/{row.id}/open", data={"csrf_token": csrf_token(page)}
    )
    assert refused.status_code == 404


def test_the_header_count_is_one_query(app, engines, twin_stores, in_store):
    a = twin_stores["a"]
    statements = []
    from tenants.binding import store_session

    with store_session(engines.app, a.schema_name) as session:
        session.connection()
        event.listen(session.bind, "before_cursor_execute", lambda *args: statements.append(args[2]))
        assert unread_count(session, twin_stores["owner_a"].id, in_store=True) == 0
    assert len(statements) == 1


def test_choices_per_event_email_only_inbox_only_or_nothing(app, engines, smtp, twin_stores, in_store):
    a, owner = twin_stores["a"], twin_stores["owner_a"]
    client = signed_in(app, owner)
    page = client.get("/account/notifications/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "An officer acknowledged a patrol request" in html
    assert "A member sighted a flagged vehicle" not in html  # a liaison's event is not offered to a store owner
    # Acknowledged: inbox only; declined: nothing at all (every other box as it was).
    form = {"csrf_token": csrf_token(html), "in_app:patrol.acknowledged": "on"}
    assert client.post("/account/notifications/", data=form).status_code == 302
    with Session(engines.owner) as session:
        prefs = {p.event: (p.in_app, p.email) for p in session.scalars(sa.select(NotificationPreference))}
    assert prefs["patrol.acknowledged"] == (True, False) and prefs["patrol.declined"] == (False, False)

    _send(app, engines, in_store, a)
    smtp.clear()
    _acknowledge(app, engines, in_store, a)
    assert not [m for m in smtp.to(owner.email) if "acknowledged" in m["Subject"]]
    assert [r.event for r in _store_rows(in_store, a)] == ["patrol.acknowledged"]


def test_an_email_inside_quiet_hours_waits_for_their_end(app, engines, run_jobs, twin_stores, in_store):
    a, owner = twin_stores["a"], twin_stores["owner_a"]
    now = datetime.now(UTC)
    start = (now - timedelta(hours=1)).time().replace(second=0, microsecond=0, tzinfo=None)
    end = (now + timedelta(hours=2)).time().replace(second=0, microsecond=0, tzinfo=None)
    with Session(engines.owner) as session, session.begin():
        session.add(AlertPreference(user_id=owner.id, quiet_start=start, quiet_end=end))
    _send(app, engines, in_store, a)
    _acknowledge(app, engines, in_store, a)
    run_jobs()
    with Session(engines.owner) as session:
        row = session.scalar(
            sa.select(OutboundEmail).where(
                OutboundEmail.kind == "notification", OutboundEmail.to_address == owner.email
            )
        )
    assert row.status == "pending" and row.next_attempt_at > now + timedelta(minutes=90)


# --- bulletin events: the source store hears, and nothing shared says it was them --------------------------------


def _publishable(app, engines, world, in_store):
    incident_id = add_incident(in_store, world.source, FACTS)
    assert share(signed_in(app, world.owner), world, incident_id).status_code == 302
    [bulletin] = bulletins(engines, world.home.association.id)
    return incident_id, bulletin


def test_a_rejection_reaches_the_source_store_with_its_reason_and_nowhere_shared(
    app, engines, smtp, run_jobs, sharing_world, in_store
):
    world = sharing_world
    incident_id, bulletin = _publishable(app, engines, world, in_store)
    run_jobs()
    smtp.clear()
    admin = admin_client(app, engines, world)
    base = f"/a/{world.home.association.slug}/moderation"
    reason = "The narrative names a customer; please share it again without the name."
    assert post_form(admin, f"{base}/{bulletin.id}/reject", {"reason": reason}, form_url=base).status_code == 302
    [mail] = [m for m in smtp.to(world.owner.email) if "rejected" in m["Subject"]]
    text = mail.get_body(("plain",)).get_content()
    assert bulletin.title not in text and reason not in text  # the shared outbox never pairs them with the store
    [row] = [r for r in _store_rows(in_store, world.source) if r.event == "share.rejected"]
    assert reason in row.body and row.link == f"/s/{world.source.slug}/logbook/{incident_id}"
    assert _store_rows(in_store, world.neighbour) == []
    for user in (world.owner, world.staff, world.neighbour_user, world.admin):
        assert _shared_rows(engines, user.id) == []
    with Session(engines.owner) as session:
        jobs = (
            session.execute(
                sa.text("SELECT args::text FROM loupe_jobs.procrastinate_jobs WHERE task_name = 'notifications.notify'")
            )
            .scalars()
            .all()
        )
    assert jobs and all(str(world.source.id) not in j.split('"bulletin_id"')[0] or "store_id" not in j for j in jobs)
    assert not any('"share.rejected"' in j and "store_id" in j for j in jobs)

    # The owner reads it in the store's inbox, with the reason.
    page = signed_in(app, world.owner).get(f"/s/{world.source.slug}/notifications/").get_data(as_text=True)
    assert "Your store&#39;s share was rejected" in page and "names a customer" in page


def test_a_sighting_tells_the_regions_liaison_and_the_source_store_a_member_saw_it_but_not_who(
    app, engines, run_jobs, sharing_world, in_store, make_user
):
    world = sharing_world
    _, bulletin = _publishable(app, engines, world, in_store)
    liaison = make_user(association=world.home.association, role=Role.POLICE_LIAISON)
    other_liaison = make_user(association=world.home.association, role=Role.POLICE_LIAISON)
    with Session(engines.owner) as session, session.begin():
        south = session.scalar(sa.select(Region).where(Region.slug == "south"))
        session.execute(
            sa.update(Membership).where(Membership.user_id == liaison.id).values(region_id=world.home.region.id)
        )
        session.execute(sa.update(Membership).where(Membership.user_id == other_liaison.id).values(region_id=south.id))
    admin = admin_client(app, engines, world)
    base = f"/a/{world.home.association.slug}/moderation"
    assert post_form(admin, f"{base}/{bulletin.id}/approve", {}, form_url=base).status_code == 302

    neighbour = signed_in(app, world.neighbour_user)
    url = f"/s/{world.neighbour.slug}/feed/{bulletin.id}/sightings"
    seen = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M")
    assert post_form(neighbour, url, {"note": "Silver Golf parked outside again", "seen_at": seen}).status_code == 302
    run_jobs()

    [told] = _shared_rows(engines, liaison.id)
    assert (
        told.event == "liaison.sighting"
        and "Silver Golf" in told.body
        and told.link == f"/liaison/bulletins/{bulletin.id}"
    )
    assert _shared_rows(engines, other_liaison.id) == []  # another region's liaison
    [saw] = [r for r in _store_rows(in_store, world.source) if r.event == "bulletin.sighted"]
    assert saw.title == "A member saw what your store shared" and "A member of the association" in saw.body
    neighbour_name = world.neighbour.name
    for text in (saw.title, saw.body, told.title, told.body):
        assert neighbour_name not in text and world.neighbour.slug not in text and "Test Person" not in text
    assert _store_rows(in_store, world.neighbour) == []
    # Approval told the source store too, and nobody else.
    assert [r.event for r in _store_rows(in_store, world.source)] == ["share.approved", "bulletin.sighted"]
    assert SOURCE_NAME not in told.body


def test_this_helped_tells_the_source_store_without_who(app, engines, run_jobs, sharing_world, in_store):
    world = sharing_world
    _, bulletin = _publishable(app, engines, world, in_store)
    admin = admin_client(app, engines, world)
    base = f"/a/{world.home.association.slug}/moderation"
    assert post_form(admin, f"{base}/{bulletin.id}/approve", {}, form_url=base).status_code == 302
    neighbour = signed_in(app, world.neighbour_user)
    feed = f"/s/{world.neighbour.slug}/feed/"
    assert post_form(neighbour, f"{feed}{bulletin.id}/helped", {}, form_url=feed).status_code == 302
    run_jobs()
    [helped] = [r for r in _store_rows(in_store, world.source) if r.event == "bulletin.helped"]
    assert "helpful" in helped.title and world.neighbour.name not in helped.body


def test_an_accepted_invitation_tells_who_invited(app, engines, run_jobs, twin_stores, in_store, make_user):
    from accounts.accounts import accept_invitation, create_invitation
    from audit import Actor
    from models import Store, User

    a, owner = twin_stores["a"], twin_stores["owner_a"]
    with Session(engines.app, expire_on_commit=False) as session, session.begin():
        store = session.get(Store, a.id)
        inviter = session.get(User, owner.id)
        invitation = create_invitation(
            session, email="new.manager@example.org", name="New Manager", association=store.association,
            role=Role.STORE_MANAGER, store=store, invited_by=Actor.for_user(inviter), max_age=timedelta(days=7),
        )  # fmt: skip
    with Session(engines.app, expire_on_commit=False) as session, session.begin():
        accept_invitation(
            session, session.merge(invitation), name="New Manager", password="a long enough passphrase 42"
        )
    run_jobs()
    [row] = _shared_rows(engines, owner.id)
    assert row.title == "New Manager accepted your invitation" and row.link == f"/s/{a.slug}/people/"


@pytest.mark.parametrize("event_name", ["patrol.expiring"])
def test_the_hourly_scan_tells_about_unanswered_requests_ending_within_a_day_once(
    app, engines, run_jobs, twin_stores, in_store, event_name
):
    from notifications.fanout import patrols_expiring

    a = twin_stores["a"]
    _send(app, engines, in_store, a)

    def soon(s):
        request = s.get(patrols.PatrolRequest, 1)
        request.starts_at = datetime.now(UTC) - timedelta(hours=2)
        request.ends_at = datetime.now(UTC) + timedelta(hours=5)

    in_store(a, soon)
    with app.app_context():
        assert patrols_expiring(engines.app) == 1
        assert patrols_expiring(engines.app) == 0
    assert [r.event for r in _store_rows(in_store, a)] == [event_name]


def test_notify_writes_the_job_in_the_callers_transaction(engines, twin_stores):
    with Session(engines.app) as session:
        notify(session, "patrol.logged", store_id=twin_stores["a"].id, request_id=1, token="x")
        session.rollback()
    with Session(engines.owner) as session:
        waiting = session.execute(
            sa.text("SELECT count(*) FROM loupe_jobs.procrastinate_jobs WHERE args->>'event' = 'patrol.logged'")
        ).scalar_one()
    assert waiting == 0


def test_a_pattern_tells_each_source_store_its_incident_is_included_once(
    app, engines, run_jobs, sharing_world, in_store, make_user
):
    world = sharing_world
    neighbour_owner = make_user(store=world.neighbour, role=Role.STORE_OWNER)
    assert share(signed_in(app, world.owner), world, add_incident(in_store, world.source, FACTS)).status_code == 302
    neighbour = signed_in(app, neighbour_owner)
    incident_id = add_incident(in_store, world.neighbour, FACTS)
    url = f"/s/{world.neighbour.slug}/logbook/{incident_id}/share/"
    assert post_form(neighbour, url, {"tlp": "AMBER"}).status_code == 302
    run_jobs()
    for store, owner in ((world.source, world.owner), (world.neighbour, neighbour_owner)):
        rows = [r for r in _store_rows(in_store, store) if r.event == "pattern.includes"]
        assert [r.user_id for r in rows] == [owner.id], store.name
        assert rows[0].link.startswith(f"/s/{store.slug}/logbook/")
    # Detection again: nothing new.
    assert app.test_cli_runner().invoke(args=["bulletins", "detect-patterns"]).exit_code == 0
    run_jobs()
    assert len([r for r in _store_rows(in_store, world.source) if r.event == "pattern.includes"]) == 1
    assert _shared_rows(engines, world.owner.id) == [] and _shared_rows(engines, neighbour_owner.id) == []


def test_dues_trouble_reaches_the_owners_inbox_only_and_not_staff(app, engines, twin_stores):
    a = twin_stores["a"]
    with app.app_context():
        assert fan_out(engines.app, "dues.trouble", {"store_id": a.id, "token": "t1"}) == 1
        assert fan_out(engines.app, "dues.trouble", {"store_id": a.id, "token": "t1"}) == 0
    [row] = _shared_rows(engines, twin_stores["owner_a"].id)
    assert _shared_rows(engines, twin_stores["staff_a"].id) == [] and row.link == f"/s/{a.slug}/billing/"
    with Session(engines.owner) as session:
        # The dunning email is the billing part's own: the notification queues none.
        sent = sa.select(OutboundEmail.id).where(
            OutboundEmail.kind == "notification", OutboundEmail.to_address == twin_stores["owner_a"].email
        )
        assert session.scalar(sent) is None
