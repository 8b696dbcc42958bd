"""Member stores: list, invite (schema built after commit), suspend / reactivate, move, export, removal, purge."""

from __future__ import annotations

import html
import json
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import Invitation, OutboundEmail, Store, StoreStatus
from models.base import utcnow
from tests.admin.conftest import audit_actions, text_of, token_of
from tests.fixtures.factories import registry_row
from tests.fixtures.web import post_form, sign_in


def test_invite_a_store_builds_its_schema_and_invites_the_owner(admin_client, admin_world, engines, run_jobs):
    url = admin_world.url
    response = post_form(
        admin_client,
        f"{url}/members/invite",
        {
            "name": "Opal & Onyx",
            "slug": "",
            "region": str(admin_world.other_region.id),
            "area": "",
            "owner_email": "Owner.Opal@example.org",
            "owner_name": "Olive Opal",
        },
        form_url=f"{url}/members/",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    with Session(engines.owner) as session:
        # The request registered the store and wrote the build job; the worker builds the schema.
        assert session.scalar(sa.select(Store.status).where(Store.slug == "opal-onyx")) == StoreStatus.PROVISIONING
    run_jobs()
    with Session(engines.owner) as session:
        store = session.scalar(sa.select(Store).where(Store.slug == "opal-onyx"))
        assert store.status == StoreStatus.READY and store.region_id == admin_world.other_region.id
        invitation = session.scalar(sa.select(Invitation).where(Invitation.store_id == store.id))
        assert invitation.email == "owner.opal@example.org" and invitation.role == "owner"
        assert session.scalar(sa.select(OutboundEmail.id).where(OutboundEmail.to_address == invitation.email))
        schema = session.scalar(sa.text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": store.schema_name})
        assert schema == 1
    listing = admin_client.get(f"{url}/members/").get_data(as_text=True)
    assert "Opal &amp; Onyx" in listing and "invited" in listing
    assert "store.create" in audit_actions(engines, admin_world.association.id)


def test_an_invalid_invitation_keeps_what_was_typed(admin_client, admin_world, make_store):
    existing = make_store(admin_world.world, "Taken Jewels")
    url = admin_world.url
    response = post_form(
        admin_client,
        f"{url}/members/invite",
        {
            "name": "Brand New Gems",
            "slug": existing.slug,
            "region": str(admin_world.world.region.id),
            "owner_email": "someone@example.org",
            "owner_name": "Sam Someone",
        },
        form_url=f"{url}/members/",
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "is not available" in body and 'value="Brand New Gems"' in body and 'value="someone@example.org"' in body
    response = post_form(admin_client, f"{url}/members/invite", {"name": ""}, form_url=f"{url}/members/")
    assert response.status_code == 400


def answer_to_slug(response, slug: str) -> tuple[int, str]:
    """The status and the page's visible text with the typed address blanked, to compare answers across slugs."""
    return response.status_code, html.unescape(text_of(response)).replace(f"'{slug}'", "'<address>'")


def test_another_associations_store_address_gets_the_answer_a_reserved_word_gets(
    admin_client, admin_world, make_world, make_store, engines
):
    """Store addresses are unique across associations: the invite form must not tell an admin that another
    association has a store at the address typed. Its answer is the reserved word's, and their own store's."""
    theirs = make_store(make_world())
    mine = make_store(admin_world.world)
    url = admin_world.url

    def invite(slug: str):
        data = {
            "name": "Brand New Gems",
            "slug": slug,
            "region": str(admin_world.world.region.id),
            "owner_email": "someone@example.org",
            "owner_name": "Sam Someone",
        }
        return answer_to_slug(post_form(admin_client, f"{url}/members/invite", data, form_url=f"{url}/members/"), slug)

    other_association, reserved, own = invite(theirs.slug), invite("admin"), invite(mine.slug)
    assert other_association == reserved == own
    assert other_association[0] == 400
    assert "The store address '<address>' is not available; choose another." in other_association[1]
    with Session(engines.owner) as session:
        assert session.scalar(sa.select(Store.id).where(Store.name == "Brand New Gems")) is None


def test_suspend_reactivate_and_move_are_audited(admin_client, admin_world, make_store, engines):
    store = make_store(admin_world.world)
    url = f"{admin_world.url}/members/{store.id}"
    assert post_form(admin_client, f"{url}/suspend", {}, form_url=url).status_code == 302
    assert registry_row(engines, store.id).status == StoreStatus.SUSPENDED
    assert post_form(admin_client, f"{url}/suspend", {}, form_url=url).status_code == 400  # already suspended
    assert post_form(admin_client, f"{url}/reactivate", {}, form_url=url).status_code == 302
    assert registry_row(engines, store.id).status == StoreStatus.READY
    response = post_form(admin_client, f"{url}/move", {"region": str(admin_world.other_region.id)}, form_url=url)
    assert response.status_code == 302
    assert registry_row(engines, store.id).region_id == admin_world.other_region.id
    actions = audit_actions(engines, admin_world.association.id)
    assert {"store.suspend", "store.reactivate", "store.move"} <= set(actions)


def test_removal_needs_an_export_and_a_confirmation_then_purge_drops_after_grace(
    app, admin_client, admin_world, make_store, make_user, engines
):
    store = make_store(admin_world.world, "Going Away Gems")
    make_user(store=store, email="leaving-owner@example.org")
    url = f"{admin_world.url}/members/{store.id}"
    response = post_form(admin_client, f"{url}/remove", {"confirm_slug": store.slug, "understood": "y"}, form_url=url)
    assert response.status_code == 400 and "export first" in response.get_data(as_text=True)

    export = post_form(admin_client, f"{url}/export", {}, form_url=url)
    assert export.status_code == 200 and "attachment" in export.headers["Content-Disposition"]
    data = json.loads(export.get_data(as_text=True))
    assert data["store"]["slug"] == store.slug
    assert [p["email"] for p in data["people"]] == ["leaving-owner@example.org"]

    wrong = post_form(admin_client, f"{url}/remove", {"confirm_slug": "nope", "understood": "y"}, form_url=url)
    assert wrong.status_code == 400 and 'value="nope"' in wrong.get_data(as_text=True)
    unticked = post_form(admin_client, f"{url}/remove", {"confirm_slug": store.slug}, form_url=url)
    assert unticked.status_code == 400
    done = post_form(admin_client, f"{url}/remove", {"confirm_slug": store.slug, "understood": "y"}, form_url=url)
    assert done.status_code == 302
    row = registry_row(engines, store.id)
    assert row.removal_requested_at is not None and row.status == StoreStatus.SUSPENDED

    runner = app.test_cli_runner()
    result = runner.invoke(args=["tenants", "purge-removed"])
    assert result.exit_code == 0 and store.slug not in result.output  # still in its grace period
    with Session(engines.owner) as session, session.begin():
        session.execute(
            sa.update(Store).where(Store.id == store.id).values(removal_requested_at=utcnow() - timedelta(days=31))
        )
    result = runner.invoke(args=["tenants", "purge-removed"])
    assert result.exit_code == 0 and f"dropped {store.slug}" in result.output
    assert registry_row(engines, store.id) is None
    with engines.owner.connect() as conn:
        assert conn.scalar(sa.text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": store.schema_name}) is None
    assert {"store.export", "store.removal_requested", "store.drop"} <= set(
        audit_actions(engines, admin_world.association.id)
    )


def test_a_removal_can_be_cancelled(admin_client, admin_world, make_store, engines):
    store = make_store(admin_world.world)
    url = f"{admin_world.url}/members/{store.id}"
    post_form(admin_client, f"{url}/export", {}, form_url=url)
    post_form(admin_client, f"{url}/remove", {"confirm_slug": store.slug, "understood": "y"}, form_url=url)
    assert post_form(admin_client, f"{url}/reactivate", {}, form_url=url).status_code == 400
    assert post_form(admin_client, f"{url}/cancel-removal", {}, form_url=url).status_code == 302
    assert registry_row(engines, store.id).removal_requested_at is None
    assert post_form(admin_client, f"{url}/reactivate", {}, form_url=url).status_code == 302


def test_the_member_page_shows_registry_rows_only(admin_client, admin_world, make_store, in_store):
    from models import PoliceContact

    store = make_store(admin_world.world, "Private Vault Jewels")
    in_store(store, lambda s: s.add(PoliceContact(agency="Secret Agency", officer_name="Officer Hidden")))
    body = admin_client.get(f"{admin_world.url}/members/{store.id}").get_data(as_text=True)
    assert "Private Vault Jewels" in body and "Officer Hidden" not in body
    # The portal admin still cannot open the store's workspace.
    assert admin_client.get(f"/s/{store.slug}/").status_code == 404


def test_status_filters_and_suspended_store_refuses_its_members(app, admin_client, admin_world, make_store, make_user):
    store = make_store(admin_world.world)
    owner = make_user(store=store)
    url = f"{admin_world.url}/members/{store.id}"
    post_form(admin_client, f"{url}/suspend", {}, form_url=url)
    listing = admin_client.get(f"{admin_world.url}/members/?status=suspended").get_data(as_text=True)
    assert store.name in listing
    assert store.name not in admin_client.get(f"{admin_world.url}/members/?status=active").get_data(as_text=True)
    member = app.test_client()
    sign_in(member, owner.email)
    assert member.get(f"/s/{store.slug}/").status_code == 403
    assert token_of(admin_client, f"{admin_world.url}/members/")
