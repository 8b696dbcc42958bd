"""Regions (create, rename, merge, settings), people (invite, roles, deactivate), and the audit log viewer."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa
from sqlalchemy.orm import Session

import audit
from audit import Actor
from models import Area, Association, AuthSession, Invitation, Membership, Region, Role, Store, User
from regions import effective_settings
from security.csv_cells import formula_safe
from tests.admin.conftest import audit_actions
from tests.fixtures.factories import registry_row
from tests.fixtures.web import post_form, sign_in


def test_create_rename_and_merge_regions(admin_client, admin_world, make_store, make_user, engines):
    url = admin_world.url
    assert (
        post_form(admin_client, f"{url}/regions/new", {"name": "East Side"}, form_url=f"{url}/regions/").status_code
        == 302
    )
    dup = post_form(admin_client, f"{url}/regions/new", {"name": "East Side"}, form_url=f"{url}/regions/")
    assert dup.status_code == 400 and "already a region" in dup.get_data(as_text=True)
    with Session(engines.owner) as session:
        east = session.scalar(
            sa.select(Region).where(Region.association_id == admin_world.association.id, Region.slug == "east-side")
        )
    page = f"{url}/regions/{east.id}"
    assert post_form(admin_client, f"{page}/rename", {"name": "Eastside"}, form_url=page).status_code == 302
    assert post_form(admin_client, f"{page}/areas", {"name": "Docks"}, form_url=page).status_code == 302
    south = admin_world.other_region
    with Session(engines.owner) as session, session.begin():
        session.add(Area(region_id=south.id, slug="docks", name="Docks South"))
    store = make_store(admin_world.world)
    with Session(engines.owner) as session, session.begin():
        docks = session.scalar(sa.select(Area).where(Area.region_id == east.id))
        session.execute(sa.update(Store).where(Store.id == store.id).values(region_id=east.id, area_id=docks.id))
    liaison = make_user(association=admin_world.association, role=Role.POLICE_LIAISON)
    with Session(engines.owner) as session, session.begin():
        session.execute(sa.update(Membership).where(Membership.user_id == liaison.id).values(region_id=east.id))

    merge = {"keep": str(south.id), "merge": str(east.id)}
    # Two steps: the first asks (naming both regions and the stores that move) and changes nothing.
    question = post_form(admin_client, f"{url}/regions/merge", merge, form_url=f"{url}/regions/")
    assert question.status_code == 200
    assert "Merge Eastside into South? Its 1 store moves to South" in question.get_data(as_text=True)
    with Session(engines.owner) as session:
        assert session.get(Region, east.id) is not None
    response = post_form(admin_client, f"{url}/regions/merge", {**merge, "confirmed": "1"}, form_url=f"{url}/regions/")
    assert response.status_code == 302
    row = registry_row(engines, store.id)
    with Session(engines.owner) as session:
        assert session.get(Region, east.id) is None
        assert row.region_id == south.id and session.get(Area, row.area_id).name == "Docks South"
        assert session.scalar(sa.select(Membership.region_id).where(Membership.user_id == liaison.id)) == south.id
    same = post_form(
        admin_client,
        f"{url}/regions/merge",
        {"keep": str(south.id), "merge": str(south.id)},
        form_url=f"{url}/regions/",
    )
    assert same.status_code == 400
    assert {"region.create", "region.rename", "area.create", "region.merge"} <= set(
        audit_actions(engines, admin_world.association.id)
    )


def test_settings_and_region_overrides(admin_client, admin_world, engines):
    url = admin_world.url
    form = {"k_threshold": "7", "frequency": "daily", "weekday": "2", "hour": "0", "timezone": "Europe/Paris"}
    assert post_form(admin_client, f"{url}/regions/settings", form, form_url=f"{url}/regions/").status_code == 302
    bad = post_form(
        admin_client, f"{url}/regions/settings", {**form, "timezone": "Mars/Olympus"}, form_url=f"{url}/regions/"
    )
    assert bad.status_code == 400 and "Mars/Olympus" in bad.get_data(as_text=True)
    bad_k = post_form(admin_client, f"{url}/regions/settings", {**form, "k_threshold": "1"}, form_url=f"{url}/regions/")
    assert bad_k.status_code == 400
    page = f"{url}/regions/{admin_world.other_region.id}"
    override = {"k_threshold": "9", "frequency": "", "weekday": "", "hour": "", "timezone": ""}
    assert post_form(admin_client, f"{page}/settings", override, form_url=page).status_code == 302
    with Session(engines.owner) as session:
        association = session.get(Association, admin_world.association.id)
        own = effective_settings(association, session.get(Region, admin_world.other_region.id))
        inherited = effective_settings(association, session.get(Region, admin_world.world.region.id))
    assert (own.k_threshold, own.frequency, own.hour, own.timezone) == (9, "daily", 0, "Europe/Paris")
    assert inherited.k_threshold == 7


def test_invite_a_liaison_with_agency_and_badge(admin_client, admin_world, engines):
    url = admin_world.url
    data = {
        "email": "liaison.new@example.org",
        "name": "Lee Liaison",
        "role": "liaison",
        "region": str(admin_world.other_region.id),
        "agency": "",
        "badge_unit": "",
    }
    missing = post_form(admin_client, f"{url}/people/invite", data, form_url=f"{url}/people/")
    assert missing.status_code == 400 and 'value="liaison.new@example.org"' in missing.get_data(as_text=True)
    data.update(agency="City Police", badge_unit="Unit 7")
    assert post_form(admin_client, f"{url}/people/invite", data, form_url=f"{url}/people/").status_code == 302
    with Session(engines.owner) as session:
        invitation = session.scalar(sa.select(Invitation).where(Invitation.email == "liaison.new@example.org"))
    assert (invitation.role, invitation.agency, invitation.badge_unit) == ("liaison", "City Police", "Unit 7")
    assert invitation.region_id == admin_world.other_region.id


def test_change_role_and_deactivate_end_sessions(app, admin_client, admin_world, make_store, make_user, engines):
    store = make_store(admin_world.world)
    staff = make_user(store=store, role=Role.STORE_STAFF)
    other = app.test_client()
    sign_in(other, staff.email)
    with Session(engines.owner) as session:
        membership_id = session.scalar(sa.select(Membership.id).where(Membership.user_id == staff.id))
    page = f"{admin_world.url}/people/{staff.id}"
    response = post_form(admin_client, f"{page}/roles/{membership_id}", {"role": "manager"}, form_url=page)
    assert response.status_code == 302
    assert other.get(f"/s/{store.slug}/").status_code == 302  # signed out
    bad = post_form(admin_client, f"{page}/roles/{membership_id}", {"role": "admin"}, form_url=page)
    assert bad.status_code == 400
    sign_in(other, staff.email)
    assert post_form(admin_client, f"{page}/deactivate", {}, form_url=page).status_code == 302
    assert other.get(f"/s/{store.slug}/").status_code == 302
    with Session(engines.owner) as session:
        assert session.get(User, staff.id).is_active is False
        assert (
            session.scalar(
                sa.select(sa.func.count()).where(AuthSession.user_id == staff.id, AuthSession.revoked_at.is_(None))
            )
            == 0
        )
    # The admin cannot deactivate themself, nor an account that also belongs to another association.
    own = f"{admin_world.url}/people/{admin_world.admin.id}"
    assert post_form(admin_client, f"{own}/deactivate", {}, form_url=own).status_code == 400


def test_an_account_of_two_associations_is_not_deactivated_from_one(
    admin_client, admin_world, make_world, make_store, make_user, add_membership, engines
):
    elsewhere = make_store(make_world())
    mine = make_store(admin_world.world)
    person = make_user(store=mine)
    add_membership(person, elsewhere)
    page = f"{admin_world.url}/people/{person.id}"
    response = post_form(admin_client, f"{page}/deactivate", {}, form_url=page)
    assert response.status_code == 400 and "belongs elsewhere" in response.get_data(as_text=True)
    with Session(engines.owner) as session:
        assert session.get(User, person.id).is_active is True


def test_audit_viewer_filters_pages_and_exports_formula_safe(admin_client, admin_world, make_world, engines):
    aid = admin_world.association.id
    other = make_world()
    with Session(engines.owner) as session, session.begin():
        for i in range(60):
            audit.record(
                session,
                "test.bulk",
                actor=Actor.anonymous(email=f"bulk{i}@example.org"),
                association_id=aid,
                target=f"t{i}",
            )
        audit.record(
            session,
            "test.evil",
            actor=Actor.anonymous(email="=cmd|' /C calc'!A0"),
            association_id=aid,
            target="+SUM(1)",
        )
        audit.record(
            session,
            "test.other",
            actor=Actor.anonymous(email="other-assoc@example.org"),
            association_id=other.association.id,
        )
    url = f"{admin_world.url}/audit/"
    first = admin_client.get(url).get_data(as_text=True)
    assert "Older" in first and "other-assoc@example.org" not in first
    assert "bulk1@example.org" in admin_client.get(url + "?page=2").get_data(as_text=True)
    filtered = admin_client.get(url + "?person=bulk7%40example&action=test.bulk").get_data(as_text=True)
    assert "bulk7@example.org" in filtered and "bulk8@example.org" not in filtered
    assert admin_client.get(url + "?since=not-a-date").status_code == 400
    assert "No store with that address" in admin_client.get(url + "?store=no-such-store").get_data(as_text=True)

    export = admin_client.get(f"{admin_world.url}/audit/export.csv?action=test.")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True))))
    assert rows[0][:4] == ["time", "action", "outcome", "person"]
    evil = next(r for r in rows if r[1] == "test.evil")
    assert evil[3].startswith("'=") and evil[5] == "'+SUM(1)"
    assert not any("other-assoc" in c for r in rows for c in r)
    assert "audit.export" in audit_actions(engines, aid)
    assert formula_safe("-1") == "'-1" and formula_safe("@x") == "'@x" and formula_safe("\tx") == "'\tx"
    assert formula_safe("plain") == "plain" and formula_safe(None) == ""
