"""The store profile (issue #17 item 7): what the scrubber was never told — trade names, street, city, phone,
website, shop email — is now on record, and a share removes every spelling of it. Entered through the real forms
(the profile page, the logbook's incident as the store wrote it, the share page), checked on the bulletin."""

from __future__ import annotations

from dataclasses import replace

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import AuditEntry, Bulletin
from tests.bulletins.conftest import add_incident, bulletins, share, signed_in
from tests.bulletins.test_sharing import FACTS
from tests.fixtures.web import post_form

PROFILE = {
    "trade_names": "Bellamy & Sons Fine Jewellery\nKessler's",
    "street_address": "1428 Elm Street, Suite 4",
    "city": "Springfield",
    "postcode": "SP1 2AB",
    "phone": "+1 555 0142 7788",
    "website": "www.bellamys.example",
    "shop_email": "hello@bellamys.example",
    "opening_hours": "Mon–Sat 10:00–18:00",
}
# Every spelling the outside test saw survive, and a few more.
NARRATIVE = (
    "Two men came into Bellamys and asked whether B&S keeps the safe open at lunch. One said he had seen the "
    "Kesslers window from across the road at 1428 Elm, and asked if Suite 4 has a back door. The other asked for "
    "Bellamy's opening hours and said he found us on bellamys.example. Ofc. Grady took the call; Springfield "
    "police have the CCTV. Call 555 0142 7788 or hello@bellamys.example."
)
FORBIDDEN = (
    "Bellamys", "Bellamy's", "B&S", "Kesslers", "1428 Elm", "Suite 4", "bellamys.example", "Grady", "Springfield",
    "0142 7788", "hello@",
)  # fmt: skip
# What other stores need must survive the scrub.
KEPT = ("asked whether", "safe open at lunch", "back door", "opening hours", "CCTV")


def _save_profile(client, store, data=PROFILE):
    return post_form(client, f"/s/{store.slug}/profile", data)


def test_a_share_removes_every_part_of_the_store_profile(app, engines, sharing_world, in_store):
    world = sharing_world
    owner = signed_in(app, world.owner)
    assert _save_profile(owner, world.source).status_code == 302
    incident_id = add_incident(in_store, world.source, replace(FACTS, title="Two men at Bellamys", narrative=NARRATIVE))
    preview = owner.get(world.share_url(incident_id)).get_data(as_text=True)
    assert "[address]" in preview and "[place]" in preview
    assert share(owner, world, incident_id).status_code == 302
    [bulletin] = bulletins(engines, world.home.association.id)
    published = " ".join([bulletin.title, bulletin.narrative, bulletin.location_note])
    left = [word for word in FORBIDDEN if word.lower() in published.lower()]
    assert left == [], published
    assert all(phrase in published for phrase in KEPT), published


def test_without_the_profile_the_city_and_the_trade_names_were_published(app, engines, sharing_world, in_store):
    """The same incident shared by a store that never filled in its profile: what only the profile tells the
    scrubber is published (so the test above proves the profile, not the patterns, does the work)."""
    world = sharing_world
    owner = signed_in(app, world.owner)
    incident_id = add_incident(in_store, world.source, replace(FACTS, title="Two men", narrative=NARRATIVE))
    assert share(owner, world, incident_id).status_code == 302
    [bulletin] = bulletins(engines, world.home.association.id)
    assert "Springfield" in bulletin.narrative and "B&S" in bulletin.narrative
    # The patterns alone still catch the rank, the unit and the unknown domain.
    assert "Grady" not in bulletin.narrative and "Suite 4" not in bulletin.narrative
    assert "bellamys.example" not in bulletin.narrative


def test_the_profile_is_for_owners_and_managers_and_its_audit_names_fields_not_values(app, engines, sharing_world):
    world = sharing_world
    owner = signed_in(app, world.owner)
    assert _save_profile(owner, world.source).status_code == 302
    page = owner.get(f"/s/{world.source.slug}/profile").get_data(as_text=True)
    assert "1428 Elm Street, Suite 4" in page and "openstreetmap.org/search?query=1428+Elm+Street" in page
    with Session(engines.owner) as session:
        [entry] = session.scalars(
            sa.select(AuditEntry).where(
                AuditEntry.action == "store.profile_updated", AuditEntry.store_id == world.source.id
            )
        ).all()
    assert "street_address" in entry.details["fields"] and "Elm" not in str(entry.details)
    staff = signed_in(app, world.staff)
    assert staff.get(f"/s/{world.source.slug}/profile").status_code in (403, 404)
    outsider = signed_in(app, world.neighbour_user)
    assert outsider.get(f"/s/{world.source.slug}/profile").status_code in (403, 404)


def test_a_refused_profile_keeps_what_was_typed_and_stores_nothing(app, engines, sharing_world):
    world = sharing_world
    owner = signed_in(app, world.owner)
    response = _save_profile(owner, world.source, PROFILE | {"phone": "ring the bell"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "phone number with digits" in html
    assert "1428 Elm Street, Suite 4" in html and "Springfield" in html  # what was typed is still there
    page = owner.get(f"/s/{world.source.slug}/profile").get_data(as_text=True)
    assert "Springfield" not in page
    too_long = _save_profile(owner, world.source, PROFILE | {"city": "x" * 121})
    assert too_long.status_code == 400
    with Session(engines.owner) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Bulletin)) is not None
