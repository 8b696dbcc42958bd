"""Control characters in names people type (issue #16 item 8): refused in every name that reaches an email, with
the store names' rule (`security.readable_text`, one home), and a NUL byte in a header answers 400, not 500.

Each refusal is checked over HTTP: 400, the reason shown next to the field with what was typed kept, and nothing
stored (no invitation, no account, no email job: the fingerprint of `tests.security.refusals`).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from markupsafe import escape
from sqlalchemy.orm import Session

from accounts.accounts import create_invitation
from models import Association, AuthSession, Membership, Role, Store
from security.readable_text import UnreadableText, clean_name
from tests.fixtures.factories import PASSWORD, unique
from tests.security.refusals import Ctx, changed_tables
from tests.security.test_refused_requests_store_nothing import _invitation

FORGED = "Eve\r\nBcc: victim@example.org"
REFUSED = "contains a line break or another control or invisible character"


@pytest.fixture
def ctx(app, engines, make_world, make_store, make_user, in_store, monkeypatch):
    return Ctx(app, engines, make_world, make_store, make_user, in_store, app.test_client(), monkeypatch)


def _refused(ctx: Ctx, response, typed: str = FORGED) -> None:
    body = response.get_data(as_text=True)
    assert response.status_code == 400, body[:3000]
    assert REFUSED in body
    assert str(escape(typed)).split("\r\n")[0] in body  # what was typed is shown again
    assert changed_tables(ctx.before, ctx.after) == {}


def test_accepting_an_invitation_with_a_forged_name_is_refused(ctx):
    path = _invitation(ctx, email=f"{unique('invitee')}@example.org")
    response = ctx.post(path, {"name": FORGED, "password": PASSWORD, "confirm": PASSWORD})
    _refused(ctx, response)


def test_an_admin_inviting_a_store_with_a_forged_owner_name_is_refused(ctx):
    world = ctx.world()
    ctx.admin(world)
    base = f"/a/{world.association.slug}/members/"
    data = {
        "name": "Second Jewels",
        "slug": "",
        "region": str(world.region.id),
        "area": "",
        "owner_email": f"{unique('owner')}@example.org",
        "owner_name": FORGED,
    }
    _refused(ctx, ctx.post(f"{base}invite", data, form_url=base))


@pytest.mark.parametrize("field", ["name", "agency", "badge_unit"])
def test_an_admin_inviting_a_person_with_a_forged_name_or_liaison_detail_is_refused(ctx, field):
    world = ctx.world()
    ctx.admin(world)
    base = f"/a/{world.association.slug}/people/"
    data = {
        "email": f"{unique('liaison')}@example.org",
        "name": "Pat Liaison",
        "role": "police_liaison",
        "store": "",
        "region": "",
        "agency": "City Police",
        "badge_unit": "PC 123",
        field: FORGED,
    }
    _refused(ctx, ctx.post(f"{base}invite", data, form_url=base))


def test_liaison_details_with_a_control_character_are_refused(ctx):
    world = ctx.world()
    liaison = ctx.make_user(association=world.association, role=Role.POLICE_LIAISON)
    with Session(ctx.engines.owner) as session:
        membership_id = session.scalar(sa.select(Membership.id).where(Membership.user_id == liaison.id))
    ctx.admin(world)
    page = f"/a/{world.association.slug}/people/{liaison.id}"
    response = ctx.post(f"{page}/liaison/{membership_id}", {"agency": FORGED, "region": ""}, form_url=page)
    _refused(ctx, response)


def test_a_store_owner_inviting_a_person_with_a_forged_name_is_refused(ctx):
    store = ctx.store(ctx.world())
    ctx.owner(store)
    base = f"/s/{store.slug}/people/"
    data = {"email": f"{unique('staff')}@example.org", "name": FORGED, "role": "staff"}
    _refused(ctx, ctx.post(f"{base}invite", data, form_url=base))


@pytest.mark.parametrize("typed", ["Eve\x00", "Eve\x1b[31m", "\u202eevE", "Eve\u200b"])
def test_the_rule_is_the_store_names_rule(ctx, typed):
    """Invisible and control characters alike, refused by the form (shown next to the field)."""
    store = ctx.store(ctx.world())
    ctx.owner(store)
    base = f"/s/{store.slug}/people/"
    data = {"email": f"{unique('staff')}@example.org", "name": typed, "role": "staff"}
    response = ctx.post(f"{base}invite", data, form_url=base)
    assert response.status_code == 400
    assert changed_tables(ctx.before, ctx.after) == {}


def test_the_services_refuse_it_too(app, engines, make_world, make_store):
    """Not only the forms: an invitation made by other code (CLI, imports) refuses the name as well."""
    world = make_world()
    store = make_store(world)
    with app.test_request_context(), Session(engines.owner) as session, session.begin():
        with pytest.raises(UnreadableText, match=REFUSED):
            create_invitation(
                session,
                email=f"{unique('invitee')}@example.org",
                name=FORGED,
                association=session.get(Association, world.association.id),
                role=Role.STORE_STAFF,
                store=session.get(Store, store.id),
                max_age=timedelta(days=3),
            )
        session.rollback()
    assert clean_name("  Zoë   Ünal ") == "Zoë Ünal"
    assert clean_name("") == ""


def test_a_nul_byte_in_the_user_agent_answers_400_not_500(ctx):
    user = ctx.make_user()
    token = ctx.token("/login")
    ctx.before = ctx.snapshot()
    response = ctx.client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "csrf_token": token},
        headers={"User-Agent": "Mozilla/5.0\x00evil"},
    )
    ctx.after = ctx.snapshot()
    assert response.status_code == 400, response.get_data(as_text=True)[:2000]
    assert "cannot be used" in response.get_data(as_text=True)
    with Session(ctx.engines.owner) as session:
        assert session.scalar(sa.select(sa.func.count()).where(AuthSession.user_id == user.id)) == 0


def test_a_nul_byte_in_any_header_of_a_page_request_answers_400(client):
    assert client.get("/login", headers={"X-Anything": "a\x00b"}).status_code == 400
    assert client.get("/login", headers={"User-Agent": "ordinary browser"}).status_code == 200


def test_a_police_contact_with_a_forged_officer_name_is_refused(ctx):
    """The officer's name opens the patrol request and casing alert emails."""
    store = ctx.store(ctx.world())
    ctx.owner(store)
    url = f"/s/{store.slug}/contacts/new"
    data = {"agency": "City Police", "officer_name": FORGED, "preferred_contact": "email", "email": "pc@example.org"}
    _refused(ctx, ctx.post(url, data))
