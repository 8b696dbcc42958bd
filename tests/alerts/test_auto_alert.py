"""The system's own urgent alert for casing seen by several stores: at three stores the pattern bulletin is published
and alerted once to the opted-in members of the region (real SMTP); re-running detection sends nothing more; at two
stores it stays a draft; a draft a moderator rejected is never alerted; other incident types are not auto-alerted."""

from __future__ import annotations

from dataclasses import replace

import sqlalchemy as sa
from sqlalchemy.orm import Session

from alerts.auto import DEFAULT_AUTO_ALERT_MIN_STORES
from models import AuditEntry, Role
from models.alerts import AlertDelivery, BulletinPattern, UrgentAlert
from models.bulletins import Bulletin
from tests.alerts.test_alerts import _opt_in
from tests.bulletins.conftest import SOURCE_NAME, add_incident, signed_in
from tests.bulletins.test_sharing import FACTS
from tests.fixtures.web import post_form


def _share_from(app, in_store, store, user, facts=FACTS):
    incident_id = add_incident(in_store, store, facts)
    client = signed_in(app, user)
    response = post_form(client, f"/s/{store.slug}/logbook/{incident_id}/share/", {"tlp": "AMBER"})
    assert response.status_code == 302


def _stores(world, make_store, make_user, count):
    """`count` stores of the home region, each with an owner who can share."""
    third = make_store(world.home)
    pairs = [
        (world.source, world.owner),
        (world.neighbour, make_user(store=world.neighbour, role=Role.STORE_OWNER)),
        (third, make_user(store=third, role=Role.STORE_OWNER)),
    ]
    return pairs[:count], third


def _pattern(engines, association_id, run_jobs):
    run_jobs()  # pattern detection is a job written by each share
    with Session(engines.owner, expire_on_commit=False) as session:
        [pattern] = session.scalars(sa.select(BulletinPattern).where(BulletinPattern.association_id == association_id))
        return pattern, session.get(Bulletin, pattern.bulletin_id)


def _alerts(engines, bulletin_id):
    with Session(engines.owner) as session:
        return list(session.scalars(sa.select(UrgentAlert).where(UrgentAlert.bulletin_id == bulletin_id)))


def _audit(engines, world, action="bulletin.auto_alerted"):
    with Session(engines.owner) as session:
        return list(
            session.scalars(
                sa.select(AuditEntry).where(
                    AuditEntry.action == action, AuditEntry.association_id == world.home.association.id
                )
            )
        )


def test_casing_seen_by_three_stores_is_published_and_alerted_once(
    run_jobs, app, engines, sharing_world, in_store, make_store, make_user, smtp
):
    world = sharing_world
    assert DEFAULT_AUTO_ALERT_MIN_STORES == 3
    pairs, third = _stores(world, make_store, make_user, 3)
    third_member = make_user(store=third, role=Role.STORE_STAFF)
    for user in (world.neighbour_user, world.staff, third_member, world.other_region_user, world.outsider):
        _opt_in(engines, user)
    _opt_in(engines, world.owner, on=False)

    # Two stores: a draft for the moderators, no alert.
    for store, user in pairs[:2]:
        _share_from(app, in_store, store, user)
    pattern, draft = _pattern(engines, world.home.association.id, run_jobs)
    assert draft.status == "pending" and _alerts(engines, draft.id) == []
    assert not [m for m in smtp.messages if "Urgent:" in m["Subject"]]

    # The third store: the system publishes the draft and alerts the region's members who want alerts, at once:
    # those who opted in, and the owners who did not turn them off (on by default since issue 18; the source's
    # owner turned them off).
    _share_from(app, in_store, *pairs[2])
    pattern, draft = _pattern(engines, world.home.association.id, run_jobs)
    assert draft.status == "published" and draft.published_at is not None and draft.decided_by_user_id is None
    [alert] = _alerts(engines, draft.id)
    assert alert.sent_by_user_id is None and alert.region_id == world.home.region.id
    urgent = [m for m in smtp.messages if "Urgent:" in m["Subject"]]
    owners = [user for _store, user in pairs[1:]]
    wanted = (world.neighbour_user, world.staff, third_member, *owners)
    assert sorted(m["To"] for m in urgent) == sorted(u.email for u in wanted)
    for message in urgent:
        assert message["Subject"].startswith("TLP:AMBER Urgent: Heightened response")
        text = message.as_string()
        assert SOURCE_NAME not in text and world.source.slug not in text and third.slug not in text
    [entry] = _audit(engines, world)
    assert entry.actor_email == "system" and entry.actor_user_id is None
    # No store count in the audit log either (an admin reads it; ANONYMIZATION.md rule 4): only the threshold met.
    assert entry.target == f"bulletin:{draft.id}" and "stores" not in entry.details and entry.details["threshold"]
    assert (
        entry.details["recipients"] == 5
        and entry.details["opted_out"] == 1
        and entry.details["published_by_system"] is True
    )

    # Detection again (the CLI, and another share): nothing more is sent.
    smtp.clear()
    result = app.test_cli_runner().invoke(args=["bulletins", "detect-patterns"])
    assert result.exit_code == 0, result.output
    _share_from(app, in_store, *pairs[2])
    assert [m for m in smtp.messages if "Urgent:" in m["Subject"]] == []
    assert len(_alerts(engines, draft.id)) == 1 and len(_audit(engines, world)) == 1
    with Session(engines.owner) as session:
        count = sa.select(sa.func.count(AlertDelivery.id)).where(AlertDelivery.alert_id == alert.id)
        assert session.scalar(count) == 5


def test_casing_seen_by_two_stores_stays_a_draft(
    run_jobs, app, engines, sharing_world, in_store, make_store, make_user, smtp
):
    world = sharing_world
    pairs, _ = _stores(world, make_store, make_user, 2)
    for user in (world.neighbour_user, world.staff):
        _opt_in(engines, user)
    for store, user in pairs:
        _share_from(app, in_store, store, user)
    result = app.test_cli_runner().invoke(args=["bulletins", "detect-patterns"])
    assert result.exit_code == 0, result.output
    _, draft = _pattern(engines, world.home.association.id, run_jobs)
    assert draft.status == "pending" and _alerts(engines, draft.id) == []
    assert [m for m in smtp.messages if "Urgent:" in m["Subject"]] == []
    assert _audit(engines, world) == []


def test_a_rejected_draft_is_never_alerted_by_the_system(
    run_jobs, app, engines, sharing_world, in_store, make_store, make_user, smtp
):
    world = sharing_world
    pairs, _ = _stores(world, make_store, make_user, 3)
    _opt_in(engines, world.neighbour_user)
    for store, user in pairs[:2]:
        _share_from(app, in_store, store, user)
    _, draft = _pattern(engines, world.home.association.id, run_jobs)
    with Session(engines.owner) as session, session.begin():
        session.execute(
            sa.update(Bulletin).where(Bulletin.id == draft.id).values(status="rejected", rejection_reason="Known van")
        )
    _share_from(app, in_store, *pairs[2])
    _, draft = _pattern(engines, world.home.association.id, run_jobs)
    assert draft.status == "rejected" and _alerts(engines, draft.id) == []
    assert smtp.to(world.neighbour_user.email) == []


def test_other_incident_types_seen_by_three_stores_stay_a_draft(
    run_jobs, app, engines, sharing_world, in_store, make_store, make_user, smtp
):
    world = sharing_world
    pairs, _ = _stores(world, make_store, make_user, 3)
    _opt_in(engines, world.neighbour_user)
    for store, user in pairs:
        _share_from(app, in_store, store, user, replace(FACTS, incident_type="suspicious_vehicle"))
    _, draft = _pattern(engines, world.home.association.id, run_jobs)
    assert draft.status == "pending" and _alerts(engines, draft.id) == []
    assert smtp.to(world.neighbour_user.email) == []
