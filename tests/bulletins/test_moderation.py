"""Moderation in the admin portal: queue, edit, approve, reject with a reason, retire, auto-publish setting; every
decision audited; only the association's own admins; never the source store."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import AuditEntry, Role
from models.bulletins import BulletinSettings
from tests.admin.conftest import enrol, sign_in_with_code
from tests.bulletins.conftest import (
    SOURCE_NAME,
    add_incident,
    admin_client,
    bulletins,
    page_text,
    share,
    signed_in,
)
from tests.bulletins.test_sharing import FACTS
from tests.fixtures.web import post_form


def _shared(app, engines, world, in_store):
    incident_id = add_incident(in_store, world.source, FACTS)
    assert share(signed_in(app, world.owner), world, incident_id).status_code == 302
    [bulletin] = bulletins(engines, world.home.association.id)
    return incident_id, bulletin


def _audit(engines, association_id):
    with Session(engines.owner) as session:
        return [
            (e.action, e.target, e.store_id)
            for e in session.scalars(
                sa.select(AuditEntry)
                .where(AuditEntry.association_id == association_id, AuditEntry.action.like("bulletin.%"))
                .order_by(AuditEntry.id)
            )
        ]


def test_edit_then_approve_publishes_and_audits(app, engines, sharing_world, in_store):
    world = sharing_world
    _, bulletin = _shared(app, engines, world, in_store)
    admin = admin_client(app, engines, world)
    base = f"/a/{world.home.association.slug}/moderation"
    queue = admin.get(base)
    assert queue.status_code == 200 and bulletin.title in page_text(queue)
    assert SOURCE_NAME not in page_text(queue) and world.source.slug not in queue.get_data(as_text=True)

    bad = post_form(admin, f"{base}/{bulletin.id}/edit", {"title": "", "tlp": "AMBER"})
    assert bad.status_code == 400
    edited = post_form(
        admin,
        f"{base}/{bulletin.id}/edit",
        {"title": "Two men casing jewellers", "narrative": "Two men photographed a window.", "tlp": "GREEN"},
    )
    assert edited.status_code == 302
    [after] = bulletins(engines, world.home.association.id)
    assert after.title == "Two men casing jewellers" and after.tlp == "GREEN" and after.edited_by_moderator
    assert after.vehicles[0]["plate"] == ""  # plates do not go out at GREEN
    assert post_form(admin, f"{base}/{bulletin.id}/approve", {}, form_url=base).status_code == 302
    [published] = bulletins(engines, world.home.association.id)
    assert published.status == "published" and published.decided_by_user_id == world.admin.id

    feed = page_text(signed_in(app, world.neighbour_user).get(f"/s/{world.neighbour.slug}/feed/"))
    assert "Two men casing jewellers" in feed and "TLP:GREEN" in feed
    target = f"bulletin:{bulletin.id}"
    assert _audit(engines, world.home.association.id) == [
        ("bulletin.edited", target, None),
        ("bulletin.approved", target, None),
    ]

    assert post_form(admin, f"{base}/{bulletin.id}/retire", {}, form_url=base).status_code == 302
    feed = page_text(signed_in(app, world.neighbour_user).get(f"/s/{world.neighbour.slug}/feed/"))
    assert "Two men casing jewellers" not in feed
    assert _audit(engines, world.home.association.id)[-1] == ("bulletin.retired", target, None)


def test_reject_needs_a_reason_which_the_store_sees(app, engines, sharing_world, in_store):
    world = sharing_world
    incident_id, bulletin = _shared(app, engines, world, in_store)
    admin = admin_client(app, engines, world)
    base = f"/a/{world.home.association.slug}/moderation"
    assert post_form(admin, f"{base}/{bulletin.id}/reject", {"reason": "  "}, form_url=base).status_code == 400
    assert bulletins(engines, world.home.association.id)[0].status == "pending"
    response = post_form(admin, f"{base}/{bulletin.id}/reject", {"reason": "Too vague to act on."}, form_url=base)
    assert response.status_code == 302
    [after] = bulletins(engines, world.home.association.id)
    assert after.status == "rejected" and after.rejection_reason == "Too vague to act on."
    assert ("bulletin.rejected", f"bulletin:{bulletin.id}", None) in _audit(engines, world.home.association.id)
    # A rejected bulletin cannot be approved afterwards.
    post_form(admin, f"{base}/{bulletin.id}/approve", {}, form_url=base)
    assert bulletins(engines, world.home.association.id)[0].status == "rejected"
    store_page = page_text(signed_in(app, world.owner).get(world.share_url(incident_id)))
    assert "Too vague to act on." in store_page


def test_auto_publish_setting_is_audited(app, engines, sharing_world):
    world = sharing_world
    admin = admin_client(app, engines, world)
    base = f"/a/{world.home.association.slug}/moderation"
    assert post_form(admin, f"{base}/settings", {"auto_publish": "y"}, form_url=base).status_code == 302
    with Session(engines.owner) as session:
        assert session.get(BulletinSettings, world.home.association.id).auto_publish is True
    assert ("bulletin.auto_publish_changed", "bulletin_settings", None) in _audit(engines, world.home.association.id)


def test_admins_of_another_association_see_nothing(app, engines, sharing_world, in_store, make_world, make_user):
    world = sharing_world
    _, bulletin = _shared(app, engines, world, in_store)
    elsewhere = make_world()
    other_admin = make_user(association=elsewhere.association, role=Role.ASSOCIATION_ADMIN)
    secret = enrol(engines, other_admin)
    client = app.test_client()
    sign_in_with_code(client, engines, other_admin, secret)
    # Their own moderation page does not list it; this association's pages and this bulletin's are not found.
    assert bulletin.title not in page_text(client.get(f"/a/{elsewhere.association.slug}/moderation"))
    assert client.get(f"/a/{elsewhere.association.slug}/moderation/{bulletin.id}/edit").status_code == 404
    assert client.get(f"/a/{world.home.association.slug}/moderation").status_code == 404
    base = f"/a/{elsewhere.association.slug}/moderation"
    assert post_form(client, f"{base}/{bulletin.id}/approve", {}, form_url=base).status_code == 404
    assert bulletins(engines, world.home.association.id)[0].status == "pending"
    # Store members are not moderators.
    owner = signed_in(app, world.owner)
    assert owner.get(f"/a/{world.home.association.slug}/moderation").status_code == 404
