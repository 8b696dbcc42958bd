"""Place labels below k, end to end (issue 17 item 1): what a store's share is labelled with, from the registry's
counts of ready member stores. The world (`sharing_world`, k = 2): the home region holds the source (in the
1-store area Harbourside) and the neighbour (outside any area); the South region holds one store."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from anonymize import IncidentFacts
from models import Area, Region, Role, Store
from tests.bulletins.conftest import add_incident, bulletins, page_text, signed_in
from tests.fixtures.factories import World
from tests.fixtures.web import post_form

FACTS_FOR_LABELS = IncidentFacts(
    incident_type="casing",
    title="Two men watching the window",
    narrative="Two men photographed the window display from a silver car.",
    occurred_at=datetime(2026, 3, 5, 14, 32, tzinfo=UTC),
)
HELD = "it will be shared when more stores join"


def _share_from(app, store, user, incident_id):
    client = signed_in(app, user)
    url = f"/s/{store.slug}/logbook/{incident_id}/share/"
    return client, url, post_form(client, url, {"tlp": "AMBER"})


def test_a_one_store_region_is_held_and_told_why_nothing_stored(app, engines, sharing_world, in_store):
    world = sharing_world
    store = world.other_region_store  # the only store of South; the association's remainder is that one store
    incident_id = add_incident(in_store, store, FACTS_FOR_LABELS)
    client, url, response = _share_from(app, store, world.other_region_user, incident_id)
    assert response.status_code == 400 and HELD in page_text(response)
    assert bulletins(engines, world.home.association.id) == []
    preview = client.get(url)
    assert preview.status_code == 200 and HELD in page_text(preview)


def test_one_store_regions_roll_up_to_the_association_name(app, engines, sharing_world, in_store, make_store):
    world = sharing_world
    with Session(engines.owner, expire_on_commit=False) as session, session.begin():
        east = Region(association_id=world.home.association.id, slug="east", name="East")
        session.add(east)
    make_store(World(world.home.association, east))  # South (1) + East (1): the association's remainder is 2 = k
    store = world.other_region_store
    incident_id = add_incident(in_store, store, FACTS_FOR_LABELS)
    _client, _url, response = _share_from(app, store, world.other_region_user, incident_id)
    assert response.status_code == 302
    [bulletin] = bulletins(engines, world.home.association.id)
    assert bulletin.region_label == world.home.association.name and bulletin.area_label is None
    assert "South" not in bulletin.place_label


def test_the_only_store_outside_named_areas_is_labelled_like_the_others(
    app, engines, sharing_world, in_store, make_store, make_user
):
    world = sharing_world
    second = make_store(world.home)  # Harbourside now holds 2 = k stores; the neighbour is alone outside any area
    with Session(engines.owner) as session, session.begin():
        area_id = session.scalar(sa.select(Store.area_id).where(Store.id == world.source.id))
        session.execute(sa.update(Store).where(Store.id == second.id).values(area_id=area_id))
        assert session.get(Area, area_id).name == "Harbourside"
    neighbour_owner = make_user(store=world.neighbour, role=Role.STORE_OWNER)
    for store, user in ((world.source, world.owner), (world.neighbour, neighbour_owner)):
        incident_id = add_incident(in_store, store, FACTS_FOR_LABELS)
        assert _share_from(app, store, user, incident_id)[2].status_code == 302
    labels = {b.place_label for b in bulletins(engines, world.home.association.id)}
    # Before: {"Harbourside, <region>", "<region>"}, and "<region>" alone named the neighbour.
    assert labels == {world.home.region.name}
