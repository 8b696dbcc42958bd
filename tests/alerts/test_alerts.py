"""Urgent alerts: one email per opted-in member of the region, none to others; quiet hours; no re-alert; SMTP
refusing then recovering delivers everything once. Casing patterns: drafted once for a plate seen by two stores."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from alerts.urgent import quiet_until
from mail.outbox import deliver_pending
from mail.smtp import SmtpSettings
from models import Membership, OutboundEmail, Role
from models.alerts import AlertDelivery, AlertPreference, BulletinPattern, UrgentAlert
from models.base import utcnow
from models.bulletins import Bulletin
from tests.bulletins.conftest import SOURCE_NAME, add_incident, admin_client, share, signed_in
from tests.bulletins.test_sharing import FACTS
from tests.fixtures.web import post_form


def _published(engines, world, title="Two men casing jewellers <b>now</b>") -> Bulletin:
    with Session(engines.owner, expire_on_commit=False) as session, session.begin():
        bulletin = Bulletin(
            association_id=world.home.association.id,
            region_id=world.home.region.id,
            region_label="North",
            tlp="AMBER",
            title=title,
            narrative="Seen photographing windows.",
            status="published",
            published_at=utcnow(),
        )
        session.add(bulletin)
    return bulletin


def _opt_in(engines, user, *, on=True, quiet=None):
    with Session(engines.owner) as session, session.begin():
        session.merge(
            AlertPreference(
                user_id=user.id,
                urgent_alerts=on,
                quiet_start=quiet[0] if quiet else None,
                quiet_end=quiet[1] if quiet else None,
            )
        )


def _alert(admin, world, bulletin):
    base = f"/a/{world.home.association.slug}/moderation"
    return post_form(admin, f"{base}/{bulletin.id}/alert", {}, form_url=base)


def _deliveries(engines, bulletin_id):
    with Session(engines.owner) as session:
        return session.scalar(
            sa.select(sa.func.count(AlertDelivery.id)).where(
                AlertDelivery.alert_id.in_(
                    sa.text(f"(SELECT id FROM loupe.urgent_alerts WHERE bulletin_id={bulletin_id})")
                )
            )
        )


def test_alert_goes_once_to_each_opted_in_member_of_the_region_only(app, engines, sharing_world, make_user, smtp):
    world = sharing_world
    quiet_user = make_user(store=world.neighbour, role=Role.STORE_STAFF)
    for user in (world.neighbour_user, world.other_region_user, world.outsider, world.staff):
        _opt_in(engines, user)
    _opt_in(engines, world.owner, on=False)
    now = datetime.now(UTC)
    _opt_in(engines, quiet_user, quiet=((now - timedelta(hours=1)).time(), (now + timedelta(hours=2)).time()))
    bulletin = _published(engines, world)

    admin = admin_client(app, engines, world)
    assert _alert(admin, world, bulletin).status_code == 302
    got = {m["To"]: m for m in smtp.messages}
    assert set(got) == {world.neighbour_user.email, world.staff.email}
    message = got[world.neighbour_user.email]
    assert message["Subject"].startswith("TLP:AMBER Urgent: Two men casing jewellers")
    html = message.get_body(("html",)).get_content()
    assert "&lt;b&gt;now&lt;/b&gt;" in html and "<b>now</b>" not in html
    assert SOURCE_NAME not in message.as_string() and world.source.slug not in message.as_string()

    # The quiet member's email waits until the end of the quiet hours.
    with Session(engines.owner) as session:
        row = session.scalar(sa.select(OutboundEmail).where(OutboundEmail.to_address == quiet_user.email))
        assert row.status == "pending" and row.next_attempt_at > utcnow() + timedelta(minutes=110)
        session.execute(sa.delete(OutboundEmail).where(OutboundEmail.id == row.id))
        session.commit()
    assert _deliveries(engines, bulletin.id) == 3

    # Re-alert ban: refused with a clear message, no second email.
    smtp.clear()
    again = _alert(admin, world, bulletin)
    assert again.status_code == 302
    page = admin.get(f"/a/{world.home.association.slug}/moderation")
    assert "already sent as an urgent alert" in page.get_data(as_text=True)
    assert smtp.messages == [] and _deliveries(engines, bulletin.id) == 3


def test_smtp_refusing_then_recovering_delivers_everything_once(app, engines, sharing_world, smtp):
    world = sharing_world
    for user in (world.neighbour_user, world.staff, world.owner):
        _opt_in(engines, user)
    bulletin = _published(engines, world, title="Van circling the square")
    smtp.refuse = True
    assert _alert(admin_client(app, engines, world), world, bulletin).status_code == 302
    assert smtp.messages == []
    smtp.refuse = False
    with Session(engines.owner) as session, session.begin():
        # This alert's deliveries only: the database is shared by the session's tests.
        ids = list(
            session.scalars(
                sa.select(AlertDelivery.outbox_id)
                .join(UrgentAlert, UrgentAlert.id == AlertDelivery.alert_id)
                .where(UrgentAlert.bulletin_id == bulletin.id)
            )
        )
        session.execute(sa.update(OutboundEmail).where(OutboundEmail.id.in_(ids)).values(next_attempt_at=sa.func.now()))
    settings = SmtpSettings.from_config(app.config)
    deliver_pending(engines.app, settings, ids=ids)
    deliver_pending(engines.app, settings, ids=ids)
    assert sorted(m["To"] for m in smtp.messages) == sorted(
        u.email for u in (world.neighbour_user, world.staff, world.owner)
    )


def test_quiet_hours_over_midnight():
    tz = UTC
    start, end = time(22), time(7)
    assert quiet_until(datetime(2026, 3, 5, 23, 0, tzinfo=UTC), start, end, tz) == datetime(2026, 3, 6, 7, tzinfo=UTC)
    assert quiet_until(datetime(2026, 3, 6, 6, 0, tzinfo=UTC), start, end, tz) == datetime(2026, 3, 6, 7, tzinfo=UTC)
    assert quiet_until(datetime(2026, 3, 6, 12, 0, tzinfo=UTC), start, end, tz) is None


def test_preferences_page_saves_opt_in_and_quiet_hours(app, engines, sharing_world):
    world = sharing_world
    client = signed_in(app, world.neighbour_user)
    assert client.get("/account/alerts/").status_code == 200
    bad = post_form(client, "/account/alerts/", {"urgent_alerts": "on", "quiet_start": "22:00"})
    assert bad.status_code == 400
    ok = post_form(client, "/account/alerts/", {"urgent_alerts": "on", "quiet_start": "22:00", "quiet_end": "07:00"})
    assert ok.status_code == 302
    with Session(engines.owner) as session:
        pref = session.get(AlertPreference, world.neighbour_user.id)
        assert pref.urgent_alerts and pref.quiet_start == time(22) and pref.quiet_end == time(7)
    assert app.test_client().get("/account/alerts/").status_code in (302, 401)


def _patterns(engines, association_id, run_jobs):
    run_jobs()  # pattern detection is a job written by each share
    with Session(engines.owner) as session:
        return list(session.scalars(sa.select(BulletinPattern).where(BulletinPattern.association_id == association_id)))


def test_pattern_drafted_once_for_a_plate_across_two_stores_not_for_one(
    run_jobs, app, engines, sharing_world, in_store, make_user, smtp
):
    world = sharing_world
    liaison = make_user(association=world.home.association, role=Role.POLICE_LIAISON)
    with Session(engines.owner) as session, session.begin():
        session.execute(
            sa.update(Membership).where(Membership.user_id == liaison.id).values(region_id=world.home.region.id)
        )
    neighbour_owner = make_user(store=world.neighbour, role=Role.STORE_OWNER)
    source = signed_in(app, world.owner)

    # One store sharing the plate twice is not a pattern.
    for _ in range(2):
        assert share(source, world, add_incident(in_store, world.source, FACTS)).status_code == 302
    assert _patterns(engines, world.home.association.id, run_jobs) == []

    # A second store with the same plate is.
    neighbour = signed_in(app, neighbour_owner)
    incident_id = add_incident(in_store, world.neighbour, FACTS)
    assert (
        post_form(neighbour, f"/s/{world.neighbour.slug}/logbook/{incident_id}/share/", {"tlp": "AMBER"}).status_code
        == 302
    )
    [pattern] = _patterns(engines, world.home.association.id, run_jobs)
    assert pattern.signature == "plate:AB12CDE" and len(pattern.matched_bulletin_ids) == 3
    with Session(engines.owner) as session:
        draft = session.get(Bulletin, pattern.bulletin_id)
        assert draft.kind == "pattern" and draft.status == "pending"
        assert SOURCE_NAME not in draft.narrative and "Quayside" not in draft.title
    [mail] = smtp.to(liaison.email)
    assert mail["Subject"].startswith("TLP:AMBER")

    # Idempotent: running again (the CLI) drafts nothing new.
    result = app.test_cli_runner().invoke(args=["bulletins", "detect-patterns"])
    assert result.exit_code == 0, result.output
    assert len(_patterns(engines, world.home.association.id, run_jobs)) == 1
    assert len(smtp.to(liaison.email)) == 1


def test_the_admin_alerts_page_lists_sent_alerts_with_delivery_counts(app, engines, sharing_world, smtp):
    world = sharing_world
    bulletin = _published(engines, world, title="Crew seen <i>near</i> the harbour")
    _opt_in(engines, world.owner)
    _opt_in(engines, world.neighbour_user)
    admin = admin_client(app, engines, world)
    assert _alert(admin, world, bulletin).status_code == 302
    assert len(smtp.messages) == 2  # the worker delivered them
    page = admin.get(f"/a/{world.home.association.slug}/alerts")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Crew seen &lt;i&gt;near&lt;/i&gt; the harbour" in html
    assert world.admin.email in html
    assert re.search(r'data-label="Delivered">2<', html), html  # both emails accepted by the SMTP server
    # A store's owner cannot open the association's alert history.
    assert signed_in(app, world.owner).get(f"/a/{world.home.association.slug}/alerts").status_code in (403, 404)
