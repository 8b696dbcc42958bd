"""Merging duplicate bulletins in moderation: the duplicate leaves the queue and the feed (status merged), the
survivor keeps its text and gains the duplicate's sightings and "this helped" (a person counted once); same
association and region only, never into itself; audited; a store's later withdrawal still blanks the duplicate."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import AuditEntry, Region, Role
from models.base import utcnow
from models.bulletins import Bulletin, BulletinFeedback
from models.sightings import BulletinSighting
from tests.admin.conftest import enrol, sign_in_with_code
from tests.bulletins.conftest import add_incident, admin_client, page_text, share, signed_in
from tests.bulletins.test_sharing import FACTS
from tests.fixtures.web import post_form


def _bulletin(engines, association_id, region_id, title, *, status="published", expires_in=30) -> int:
    now = utcnow()
    with Session(engines.owner) as session, session.begin():
        bulletin = Bulletin(
            association_id=association_id,
            region_id=region_id,
            region_label="North",
            title=title,
            narrative=f"{title}: narrative.",
            status=status,
            published_at=now if status == "published" else None,
            expires_at=now + timedelta(days=expires_in),
        )
        session.add(bulletin)
        session.flush()
        return bulletin.id


def _get(engines, bulletin_id) -> Bulletin:
    with Session(engines.owner, expire_on_commit=False) as session:
        return session.get(Bulletin, bulletin_id)


def _counts(engines, bulletin_id) -> tuple[int, int]:
    with Session(engines.owner) as session:
        sightings = session.scalar(
            sa.select(sa.func.count()).select_from(BulletinSighting).where(BulletinSighting.bulletin_id == bulletin_id)
        )
        helped = session.scalar(
            sa.select(sa.func.count()).select_from(BulletinFeedback).where(BulletinFeedback.bulletin_id == bulletin_id)
        )
        return sightings, helped


def _merge(client, association_slug, bulletin_id, into):
    base = f"/a/{association_slug}/moderation"
    return post_form(client, f"{base}/{bulletin_id}/merge", {"into": str(into)}, form_url=base)


def test_merge_moves_counts_and_hides_the_duplicate(app, engines, sharing_world):
    world = sharing_world
    association, region = world.home.association, world.home.region
    survivor = _bulletin(engines, association.id, region.id, "Survivor: grey van outside jewellers")
    duplicate = _bulletin(engines, association.id, region.id, "Duplicate: same grey van")
    with Session(engines.owner) as session, session.begin():
        session.add_all(
            [
                BulletinSighting(bulletin_id=survivor, note="Seen Monday."),
                BulletinSighting(bulletin_id=duplicate, note="Seen Tuesday."),
                BulletinSighting(bulletin_id=duplicate, note="Seen Wednesday."),
                # The neighbour said "this helped" on both: counted once on the survivor.
                BulletinFeedback(bulletin_id=survivor, user_id=world.neighbour_user.id),
                BulletinFeedback(bulletin_id=duplicate, user_id=world.neighbour_user.id),
                BulletinFeedback(bulletin_id=duplicate, user_id=world.owner.id),
            ]
        )
    neighbour = signed_in(app, world.neighbour_user)
    feed_url = f"/s/{world.neighbour.slug}/feed/"
    assert "Duplicate: same grey van" in page_text(neighbour.get(feed_url))

    admin = admin_client(app, engines, world)
    queue = admin.get(f"/a/{association.slug}/moderation")
    assert queue.status_code == 200 and "Merge into" in page_text(queue)
    assert _merge(admin, association.slug, duplicate, survivor).status_code == 302

    merged, kept = _get(engines, duplicate), _get(engines, survivor)
    assert merged.status == "merged" and merged.merged_into_id == survivor
    assert merged.decided_by_user_id == world.admin.id and merged.decided_at is not None
    assert kept.status == "published" and kept.title == "Survivor: grey van outside jewellers"
    assert kept.narrative == "Survivor: grey van outside jewellers: narrative."
    assert _counts(engines, survivor) == (3, 2)
    assert _counts(engines, duplicate) == (0, 1)  # the neighbour's second "this helped" stays behind

    feed = page_text(neighbour.get(feed_url))
    assert "Duplicate: same grey van" not in feed and "Survivor: grey van outside jewellers" in feed
    assert neighbour.get(f"/s/{world.neighbour.slug}/feed/{duplicate}/sighting").status_code == 404

    queue = page_text(admin.get(f"/a/{association.slug}/moderation"))
    assert f"merged into bulletin {survivor}" in queue
    with Session(engines.owner) as session:
        entry = session.scalar(
            sa.select(AuditEntry).where(
                AuditEntry.action == "bulletin.merged", AuditEntry.association_id == association.id
            )
        )
        assert entry.target == f"bulletin:{duplicate}" and entry.store_id is None
        assert entry.association_id == association.id
        assert entry.details == {"into": f"bulletin:{survivor}", "sightings_moved": 2, "feedback_moved": 1}

    # The survivor stays editable; the merged bulletin cannot be merged again.
    assert _merge(admin, association.slug, duplicate, survivor).status_code == 400


def test_merge_into_a_pending_bulletin(app, engines, sharing_world):
    world = sharing_world
    association, region = world.home.association, world.home.region
    survivor = _bulletin(engines, association.id, region.id, "Pending survivor", status="pending")
    duplicate = _bulletin(engines, association.id, region.id, "Pending duplicate", status="pending")
    admin = admin_client(app, engines, world)
    assert _merge(admin, association.slug, duplicate, survivor).status_code == 302
    assert _get(engines, duplicate).status == "merged"
    queue = admin.get(f"/a/{association.slug}/moderation").get_data(as_text=True)
    assert f"/moderation/{duplicate}/approve" not in queue and f"/moderation/{survivor}/approve" in queue


def test_cannot_merge_across_regions_into_itself_or_into_a_decided_bulletin(app, engines, sharing_world):
    world = sharing_world
    association = world.home.association
    with Session(engines.owner) as session:
        south = session.scalar(sa.select(Region).where(Region.association_id == association.id, Region.slug == "south"))
        south_id = south.id
    duplicate = _bulletin(engines, association.id, world.home.region.id, "North bulletin")
    elsewhere = _bulletin(engines, association.id, south_id, "South bulletin")
    rejected = _bulletin(engines, association.id, world.home.region.id, "Rejected one", status="rejected")
    expired = _bulletin(engines, association.id, world.home.region.id, "Expired one", expires_in=-1)
    candidate = _bulletin(engines, association.id, world.home.region.id, "Candidate", status="pending")
    admin = admin_client(app, engines, world)
    for into in (elsewhere, duplicate, rejected, expired):
        response = _merge(admin, association.slug, duplicate, into)
        assert response.status_code == 400
    for into in ("", "abc", "9" * 40, "-1"):
        assert _merge(admin, association.slug, duplicate, into).status_code == 400
    assert _get(engines, duplicate).status == "published" and _get(engines, duplicate).merged_into_id is None
    assert _get(engines, elsewhere).status == "published"
    # The South bulletin is not offered as a candidate for the North one.
    queue = admin.get(f"/a/{association.slug}/moderation").get_data(as_text=True)
    form = queue.split(f'id="merge-into-{duplicate}"', 1)[1].split("</select>", 1)[0]
    assert f'value="{candidate}"' in form and f'value="{duplicate}"' not in form
    assert f'value="{elsewhere}"' not in form and f'value="{rejected}"' not in form and f'value="{expired}"' not in form


def test_other_associations_ids_are_not_found(app, engines, sharing_world, make_world, make_user):
    world = sharing_world
    association = world.home.association
    mine = _bulletin(engines, association.id, world.home.region.id, "Mine")
    mine_too = _bulletin(engines, association.id, world.home.region.id, "Mine too")
    elsewhere = make_world()
    theirs = _bulletin(engines, elsewhere.association.id, elsewhere.region.id, "Theirs")
    admin = admin_client(app, engines, world)
    assert _merge(admin, association.slug, mine, theirs).status_code == 404
    assert _merge(admin, association.slug, theirs, mine).status_code == 404
    assert _get(engines, mine).status == "published" and _get(engines, theirs).status == "published"

    other_admin = make_user(association=elsewhere.association, role=Role.ASSOCIATION_ADMIN)
    secret = enrol(engines, other_admin)
    client = app.test_client()
    sign_in_with_code(client, engines, other_admin, secret)
    assert _merge(client, elsewhere.association.slug, mine, mine_too).status_code == 404
    assert _merge(client, association.slug, mine, mine_too).status_code == 404
    assert _merge(client, elsewhere.association.slug, theirs, mine).status_code == 404
    # Store members are not moderators.
    assert _merge(signed_in(app, world.owner), association.slug, mine, mine_too).status_code == 404
    assert _get(engines, mine).status == "published"


def test_withdrawing_a_merged_bulletin_blanks_it(app, engines, sharing_world, in_store):
    world = sharing_world
    association = world.home.association
    incident_id = add_incident(in_store, world.source, FACTS)
    owner = signed_in(app, world.owner)
    assert share(owner, world, incident_id).status_code == 302
    with Session(engines.owner) as session:
        shared = session.scalar(sa.select(Bulletin.id).where(Bulletin.association_id == association.id))
    survivor = _bulletin(engines, association.id, world.home.region.id, "Survivor")
    admin = admin_client(app, engines, world)
    assert _merge(admin, association.slug, shared, survivor).status_code == 302

    url = world.share_url(incident_id)
    assert "Merged by the association into a matching bulletin" in page_text(owner.get(url))
    assert post_form(owner, url + "withdraw", {}, form_url=url).status_code == 302
    after = _get(engines, shared)
    assert after.status == "withdrawn" and after.narrative == "" and after.people == [] and after.vehicles == []
    assert after.title == "Withdrawn bulletin"
    assert _get(engines, survivor).title == "Survivor"
