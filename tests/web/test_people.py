"""A store's people page: invitations by owners/managers, role changes and removal by owners, scoped to the store."""

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import AuthSession, Invitation, Membership, Role
from tests.fixtures.web import post_form, sign_in


def test_owner_invites_staff_and_the_email_is_sent(client, smtp, make_world, make_store, make_user, engines):
    store = make_store(make_world())
    owner = make_user(store=store)
    sign_in(client, owner.email)
    response = post_form(
        client,
        f"/s/{store.slug}/people/invite",
        {"email": "New.Staff@example.org", "name": "Sam <b>Staff</b>", "role": "staff"},
        form_url=f"/s/{store.slug}/people/",
    )
    assert response.status_code == 302
    [message] = smtp.to("new.staff@example.org")
    assert store.name in message.get_body(preferencelist=("plain",)).get_content()
    assert "<b>Staff</b>" not in message.get_body(preferencelist=("html",)).get_content()
    with Session(engines.owner) as session:
        invitation = session.scalar(sa.select(Invitation).where(Invitation.email == "new.staff@example.org"))
    assert invitation.store_id == store.id and invitation.role == "staff"


def test_an_invalid_invitation_keeps_what_was_typed(client, make_world, make_store, make_user):
    store = make_store(make_world())
    owner = make_user(store=store)
    sign_in(client, owner.email)
    response = post_form(
        client,
        f"/s/{store.slug}/people/invite",
        {"email": "not-an-email", "name": "Kept Name", "role": "staff"},
        form_url=f"/s/{store.slug}/people/",
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and 'value="Kept Name"' in body and 'value="not-an-email"' in body


def test_a_manager_cannot_invite_an_owner_and_staff_cannot_see_the_page(client, make_world, make_store, make_user):
    store = make_store(make_world())
    manager = make_user(store=store, role=Role.STORE_MANAGER)
    sign_in(client, manager.email)
    response = post_form(
        client,
        f"/s/{store.slug}/people/invite",
        {"email": "boss@example.org", "name": "", "role": "owner"},
        form_url=f"/s/{store.slug}/people/",
    )
    assert response.status_code == 400 and "cannot invite" in response.get_data(as_text=True)
    staff_client = client.application.test_client()
    staff = make_user(store=store, role=Role.STORE_STAFF)
    sign_in(staff_client, staff.email)
    assert staff_client.get(f"/s/{store.slug}/people/").status_code == 403


def test_role_change_and_removal_are_scoped_to_the_store(client, make_world, make_store, make_user, engines):
    world = make_world()
    store, other = make_store(world), make_store(world)
    owner = make_user(store=store)
    staff = make_user(store=store, role=Role.STORE_STAFF)
    outsider = make_user(store=other, role=Role.STORE_STAFF)
    staff_client = client.application.test_client()
    sign_in(staff_client, staff.email)
    sign_in(client, owner.email)
    with Session(engines.owner) as session:
        ids = dict(session.execute(sa.select(Membership.user_id, Membership.id)).all())
    page = f"/s/{store.slug}/people/"
    # Another store's membership id through this store's URL: not found, nothing changed.
    response = post_form(client, f"/s/{store.slug}/people/{ids[outsider.id]}/role", {"role": "owner"}, form_url=page)
    assert response.status_code == 404
    response = post_form(client, f"/s/{store.slug}/people/{ids[staff.id]}/role", {"role": "manager"}, form_url=page)
    assert response.status_code == 302
    with Session(engines.owner) as session:
        assert session.get(Membership, ids[staff.id]).role == "manager"
        assert session.get(Membership, ids[outsider.id]).role == "staff"
        live = session.scalars(
            sa.select(AuthSession).where(AuthSession.user_id == staff.id, AuthSession.revoked_at.is_(None))
        ).all()
    assert live == []  # the role change signed them out
    assert staff_client.get(f"/s/{store.slug}/").status_code == 302
    response = post_form(client, f"/s/{store.slug}/people/{ids[staff.id]}/remove", {}, form_url=page)
    assert response.status_code == 302
    with Session(engines.owner) as session:
        assert session.get(Membership, ids[staff.id]) is None


def test_the_last_owner_cannot_be_demoted(client, make_world, make_store, make_user, engines):
    store = make_store(make_world())
    owner = make_user(store=store)
    sign_in(client, owner.email)
    with Session(engines.owner) as session:
        mid = session.scalar(sa.select(Membership.id).where(Membership.user_id == owner.id))
    # The page hides the controls for oneself; the server refuses anyway.
    response = post_form(
        client, f"/s/{store.slug}/people/{mid}/role", {"role": "staff"}, form_url=f"/s/{store.slug}/people/"
    )
    assert response.status_code == 400 and "at least one owner" in response.get_data(as_text=True)
