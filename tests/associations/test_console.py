"""The operator console: create, suspend and unsuspend associations (audited), the figures, search, schema state."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import AssociationSubscription, AuthSession, Bulletin, DigestDelivery, DigestRun, Invitation, Role
from models.base import utcnow
from tests.admin.conftest import enrol, sign_in_with_code
from tests.associations.conftest import Stored, association, audited
from tests.fixtures.factories import unique
from tests.fixtures.web import csrf_token, post_form, sign_in

NEW = {
    "name": "Northern Jewellers",
    "timezone": "Europe/London",
    "k_threshold": "6",
    "admin_email": "boss@example.org",
    "admin_name": "Bea Boss",
}


def test_the_operator_creates_an_association_and_its_first_admin_is_invited(engines, operator_client, smtp):
    slug = unique("northern")
    response = post_form(operator_client, "/operator/associations/new", {**NEW, "slug": slug})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    created = association(engines, slug)
    assert (created.name, created.k_threshold, created.timezone) == ("Northern Jewellers", 6, "Europe/London")
    (entry,) = audited(engines, "association.create", slug)
    assert entry.actor_user_id == operator_client.operator.id
    with Session(engines.owner) as session:
        invitation = session.scalars(sa.select(Invitation).where(Invitation.association_id == created.id)).one()
        assert (invitation.role, invitation.invited_by_id) == (Role.ASSOCIATION_ADMIN, operator_client.operator.id)
    assert len(smtp.to("boss@example.org")) == 1
    page = operator_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Northern Jewellers" in page and "is invited as its first admin" in page


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"k_threshold": "51"}, "k is between 2 and 50"),
        ({"k_threshold": "1"}, "k is between 2 and 50"),
        ({"k_threshold": "99999999999999999999"}, "k is between 2 and 50"),
        ({"timezone": "Mars/Olympus_Mons"}, "Unknown time zone"),
        ({"slug": "Bad Address"}, "lowercase letters"),
        ({"admin_email": "not-an-email"}, "name@example.org"),
    ],
)
def test_refused_input_keeps_what_was_typed_and_stores_nothing(engines, operator_client, changes, says):
    data = {**NEW, "slug": unique("refused"), **changes}
    token = csrf_token(operator_client.get("/operator/associations/new").get_data(as_text=True))
    stored = Stored(engines)
    response = operator_client.post("/operator/associations/new", data={**data, "csrf_token": token})
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and says in body, body[:3000]
    assert 'value="Northern Jewellers"' in body
    assert stored.changed() == {}


def test_a_suspended_association_shows_its_people_a_clear_page_and_keeps_everything(
    app, engines, operator_client, make_world, make_store, make_user
):
    world = make_world("Paused Guild")
    store = make_store(world)
    owner = make_user(store=store)
    slug = world.association.slug
    page = operator_client.get(f"/operator/?q={slug}").get_data(as_text=True)
    response = operator_client.post(f"/operator/associations/{slug}/suspend", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    assert association(engines, slug).suspended_at is not None
    assert audited(engines, "association.suspend", slug)[0].actor_user_id == operator_client.operator.id

    member = app.test_client()
    sign_in(member, owner.email)
    shown = member.get(f"/s/{store.slug}/")
    body = shown.get_data(as_text=True)
    assert shown.status_code == 423 and "Paused Guild is suspended on Loupe" in body
    assert "Nothing has been deleted" in body
    # Nothing is deleted: the store and its membership are where they were, and unsuspending opens it again.
    page = operator_client.get(f"/operator/?q={slug}").get_data(as_text=True)
    assert "suspended since" in page
    operator_client.post(f"/operator/associations/{slug}/unsuspend", data={"csrf_token": csrf_token(page)})
    assert association(engines, slug).suspended_at is None
    assert member.get(f"/s/{store.slug}/").status_code == 200
    assert len(audited(engines, "association.unsuspend", slug)) == 1


def test_the_admin_portal_and_liaison_pages_of_a_suspended_association_show_the_page(
    app, engines, make_world, make_user
):
    world = make_world("Closed Guild")
    admin = make_user(association=world.association, role=Role.ASSOCIATION_ADMIN)
    liaison = make_user(association=world.association, role=Role.POLICE_LIAISON)
    with Session(engines.owner) as session, session.begin():
        session.execute(
            sa.text("UPDATE loupe.associations SET suspended_at = now() WHERE id = :id"), {"id": world.association.id}
        )
    client = app.test_client()
    sign_in_with_code(client, engines, admin, enrol(engines, admin))
    shown = client.get(f"/a/{world.association.slug}/members/")
    assert shown.status_code == 423 and "Closed Guild is suspended" in shown.get_data(as_text=True)
    police = app.test_client()
    sign_in_with_code(police, engines, liaison, enrol(engines, liaison))
    shown = police.get("/liaison/")
    assert shown.status_code == 423 and "Closed Guild is suspended" in shown.get_data(as_text=True)


def test_the_console_shows_each_associations_figures_and_searches(
    engines, operator_client, make_world, make_store, make_user
):
    world = make_world("Figures Guild")
    other = make_world("Elsewhere Guild")
    store = make_store(world)
    recent, old = make_user(store=store), make_user(store=store)
    now = utcnow()
    with Session(engines.owner) as session, session.begin():
        session.add_all(
            [
                AuthSession(token_hash=unique("t")[:64], user_id=recent.id, last_seen_at=now - timedelta(days=2)),
                AuthSession(token_hash=unique("t")[:64], user_id=old.id, last_seen_at=now - timedelta(days=20)),
            ]
        )
        for status, published in (("pending", None), ("published", now), ("published", now - timedelta(days=9))):
            session.add(_bulletin(world, status, published))
        run = DigestRun(
            association_id=world.association.id,
            region_id=world.region.id,
            period=unique("p"),
            kind="custom",
            starts_on=now.date(),
            ends_on=now.date(),
            content={},
        )
        session.add(run)
        session.flush()
        session.add_all(
            [
                DigestDelivery(run_id=run.id, user_id=recent.id, message_id=unique("m"), status="sent", sent_at=now),
                DigestDelivery(run_id=run.id, user_id=old.id, message_id=unique("m"), status="failed"),
            ]
        )
        session.add(AssociationSubscription(association_id=world.association.id, status="past_due", quantity=1))
    page = operator_client.get(f"/operator/?q={world.association.slug}").get_data(as_text=True)
    assert "Figures Guild" in page and "Elsewhere Guild" not in page
    assert "past due · 1 store billed" in page  # Loupe's own subscription of the association
    row = page.split("Figures Guild", 1)[1].split("</tr>", 1)[0]
    cells = [c.split(">", 1)[1].split("<", 1)[0].strip() for c in row.split("<td")[1:6]]
    # stores, active 7/30, shares this week (3 created now), bulletins published this week, digests sent/failed
    assert cells == ["1", "1 / 2", "3", "1", "1 / 1"], cells
    assert other.association.slug in operator_client.get("/operator/?q=elsewhere").get_data(as_text=True)
    assert "No association matches." in operator_client.get("/operator/?q=zz-nothing-zz").get_data(as_text=True)


def _bulletin(world, status, published):
    return Bulletin(
        association_id=world.association.id,
        region_id=world.region.id,
        region_label="North",
        status=status,
        published_at=published,
        title="Van circling",
    )


def test_the_console_shows_schema_revisions_failed_builds_and_the_pool(
    app, engines, operator_client, make_world, make_store, app_role
):
    from tenants.migrations import store_head
    from tenants.pool import drain_pool, fill_pool

    world = make_world()
    make_store(world)
    broken = make_store(world)
    with Session(engines.owner) as session, session.begin():
        session.execute(
            sa.text("UPDATE loupe.stores SET status = 'failed', last_error = 'disk full' WHERE id = :id"),
            {"id": broken.id},
        )
    head = store_head()
    fill_pool(engines.owner, 2, revision=head, app_role=app_role)
    try:
        page = operator_client.get("/operator/").get_data(as_text=True)
    finally:
        drain_pool(engines.owner)
    assert f"Code head: <code>{head}</code>" in page
    assert broken.slug in page and "disk full" in page
    # The pool's level, read through the owner-run function of revision 0025 (the app role cannot read the pool).
    assert "pre-built schemas ready at head" in page or "pre-built schema ready at head" in page
    assert "Warm pool: 0 pre-built" not in page


@pytest.mark.parametrize("who", ["store_owner", "association_admin"])
def test_people_who_are_not_operators_get_404_and_change_nothing(app, engines, make_world, make_store, make_user, who):
    world = make_world()
    person = (
        make_user(store=make_store(world))
        if who == "store_owner"
        else make_user(association=world.association, role=Role.ASSOCIATION_ADMIN)
    )
    client = app.test_client()
    sign_in(client, person.email)
    token = csrf_token(client.get("/password/forgot").get_data(as_text=True))
    stored = Stored(engines)
    assert client.get("/operator/associations/new").status_code == 404
    for url in (f"/operator/associations/{world.association.slug}/suspend", "/operator/settings/signups"):
        assert client.post(url, data={"csrf_token": token, "requires_approval": ""}).status_code == 404
    created = client.post("/operator/associations/new", data={**NEW, "slug": unique("x"), "csrf_token": token})
    assert created.status_code == 404
    assert {k for k in stored.changed() if not k.endswith(("auth_sessions", "audit_log"))} == set()


def test_an_operator_without_two_step_sign_in_is_sent_to_enrol(app, make_user):
    operator = make_user(operator=True)
    client = app.test_client()
    sign_in(client, operator.email)
    response = client.get("/operator/associations/new")
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/two-step")
