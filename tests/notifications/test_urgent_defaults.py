"""Urgent alerts reach people (issue 18 part 2): on by default for owners, managers and the region's liaisons, off
for staff unless they turn them on; a person's own choice wins; the admin's Alerts page shows sent, failed, held
for quiet hours and opted out; the alert is in each recipient's inbox too."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from alerts.urgent import wants_alerts
from models import Membership, Notification, Role
from models.alerts import AlertPreference, UrgentAlert
from tests.alerts.test_alerts import _alert, _published
from tests.bulletins import conftest as bulletin_fixtures
from tests.bulletins.conftest import admin_client, page_text, signed_in
from tests.fixtures.web import post_form

sharing_world = bulletin_fixtures.sharing_world


def test_the_rule_a_choice_wins_else_the_role():
    assert wants_alerts(None, {"owner"}) and wants_alerts(None, {"manager"}) and wants_alerts(None, {"liaison"})
    assert not wants_alerts(None, {"staff"}) and not wants_alerts(None, set())
    assert not wants_alerts(False, {"owner"}) and wants_alerts(True, {"staff"})


def test_owners_managers_and_the_regions_liaison_get_it_by_default_with_figures_for_the_admin(
    app, engines, smtp, run_jobs, sharing_world, make_user
):
    world = sharing_world
    manager = make_user(store=world.neighbour, role=Role.STORE_MANAGER)
    quiet_manager = make_user(store=world.neighbour, role=Role.STORE_MANAGER)
    out_owner = make_user(store=world.neighbour, role=Role.STORE_OWNER)
    liaison = make_user(association=world.home.association, role=Role.POLICE_LIAISON)
    other_liaison = make_user(association=world.home.association, role=Role.POLICE_LIAISON)
    now = datetime.now(UTC)
    with Session(engines.owner) as session, session.begin():
        session.execute(
            sa.update(Membership).where(Membership.user_id == liaison.id).values(region_id=world.home.region.id)
        )
        south = world.other_region_store.region_id
        session.execute(sa.update(Membership).where(Membership.user_id == other_liaison.id).values(region_id=south))
        session.add(AlertPreference(user_id=out_owner.id, urgent_alerts=False))
        session.add(
            AlertPreference(
                user_id=quiet_manager.id,
                quiet_start=(now - timedelta(hours=1)).time().replace(tzinfo=None),
                quiet_end=(now + timedelta(hours=2)).time().replace(tzinfo=None),
            )
        )
    bulletin = _published(engines, world, title="Grey van watching the arcade")
    admin = admin_client(app, engines, world)
    assert _alert(admin, world, bulletin).status_code == 302

    got = sorted(m["To"] for m in smtp.messages if "Urgent:" in m["Subject"])
    # The source's owner, the neighbour's manager and the region's liaison by default; not staff (no choice), not
    # the owner who turned them off, not another region's people; the quiet manager's email waits.
    assert got == sorted([world.owner.email, manager.email, liaison.email])
    with Session(engines.owner) as session:
        alert = session.scalar(sa.select(UrgentAlert).where(UrgentAlert.bulletin_id == bulletin.id))
        assert alert.opted_out_count == 1 and alert.quiet_held_count == 1
    run_jobs()
    with Session(engines.owner) as session:
        key = f"alert.urgent:{alert.id}"  # this test's alert: the database is shared by the session's tests
        inboxed = set(session.scalars(sa.select(Notification.user_id).where(Notification.key == key)))
    assert inboxed == {world.owner.id, manager.id, liaison.id, quiet_manager.id}

    html = admin.get(f"/a/{world.home.association.slug}/alerts").get_data(as_text=True)
    row = html.split("Grey van watching the arcade")[1].split("</tr>")[0]
    cells = dict(re.findall(r'<td data-label="([^"]+)">(?:<strong class="error">)?(\d+)', row))
    assert cells == {"Delivered": "3", "Waiting": "1", "Failed": "0", "Held for quiet hours": "1", "Opted out": "1"}


def test_the_setting_says_what_applies_and_saves_a_choice(app, engines, sharing_world):
    world = sharing_world
    owner = signed_in(app, world.owner)
    page = page_text(owner.get("/account/alerts/"))
    assert "You get urgent alerts by email." in page and "As my role says" in page
    assert post_form(owner, "/account/alerts/", {"urgent_alerts": "off"}).status_code == 302
    assert "You do not get urgent alerts by email." in page_text(owner.get("/account/alerts/"))
    staff = signed_in(app, world.staff)
    assert "You do not get urgent alerts by email." in page_text(staff.get("/account/alerts/"))
    assert post_form(staff, "/account/alerts/", {"urgent_alerts": "maybe"}).status_code == 400
    with Session(engines.owner) as session:
        assert session.get(AlertPreference, world.owner.id).urgent_alerts is False
        assert session.get(AlertPreference, world.staff.id) is None
