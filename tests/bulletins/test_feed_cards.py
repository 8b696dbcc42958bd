"""Feed cards (issue #19): the photo first, the full title, the vehicle and its plate as the witness wrote it,
what they asked about, merged duplicates shown once, filters folded away."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from sqlalchemy.orm import Session

from models.base import utcnow
from models.bulletin_photos import BulletinPhoto
from models.bulletins import Bulletin
from tests.bulletins.conftest import page_text, signed_in

LONG_TITLE = (
    "Couple photographed the door hinges and the lock of the window display for ten minutes, then came in and "
    "asked whether the shop has a back entrance for deliveries"
)


def _bulletin(engines, world, title, **extra) -> Bulletin:
    now = utcnow()
    values = {
        "association_id": world.home.association.id,
        "region_id": world.home.region.id,
        "region_label": "North",
        "kind": "incident",
        "tlp": "AMBER",
        "incident_type": "casing",
        "title": title,
        "narrative": "They left towards the car park.",
        "status": "published",
        "published_at": now,
        "expires_at": now + timedelta(days=90),
    }
    with Session(engines.owner, expire_on_commit=False) as session, session.begin():
        bulletin = Bulletin(**{**values, **extra})
        session.add(bulletin)
    return bulletin


def _article(html: str, bulletin_id: int) -> str:
    start = html.index(f'id="bulletin-{bulletin_id}"')
    return html[start : html.index("</article>", start)]


def test_the_card_leads_with_photo_title_vehicle_plate_as_written_and_what_they_asked(app, engines, sharing_world):
    world = sharing_world
    bulletin = _bulletin(
        engines,
        world,
        LONG_TITLE,
        vehicles=[{"make": "BMW", "model": "3 Series", "colour": "Dark grey", "plate": "partial: ..19 FK."}],
        people=[{"clothing": "Red raincoat", "asked_about": "Back entrance, delivery times"}],
        photos_allowed=True,
    )
    name = secrets.token_hex(16) + ".jpg"
    with Session(engines.owner) as session, session.begin():
        session.add(
            BulletinPhoto(
                bulletin_id=bulletin.id, stored_name=name, content_type="image/jpeg", byte_size=3, data=b"abc"
            )
        )
    html = signed_in(app, world.neighbour_user).get(f"/s/{world.neighbour.slug}/feed/").get_data(as_text=True)
    card = _article(html, bulletin.id)
    # The photo is the card's first element, before the title.
    assert re.match(r'[^>]*>\s*<a class="bulletin-thumb"[^>]*><img src="[^"]*' + name, card)
    text = page_text_of(card)
    assert LONG_TITLE in text  # the whole title, not cut
    assert "..19 FK." in text and "partial plate" in text
    assert "PARTIAL19FK" not in text.replace(" ", "").upper().replace("PARTIALPLATE", "")
    assert "Asked about Back entrance, delivery times" in " ".join(text.split())
    # What a jeweler scans for comes before where, when and the narrative.
    assert card.index("..19 FK.") < card.index("They left towards the car park.")
    assert card.index("bulletin-thumb") < card.index(LONG_TITLE) < card.index("..19 FK.")


def page_text_of(fragment: str) -> str:
    class _Response:
        def get_data(self, as_text=True):
            return fragment

    return page_text(_Response())


def test_merged_duplicates_show_once_with_how_many_reports_and_other_places(app, engines, sharing_world):
    world = sharing_world
    survivor = _bulletin(engines, world, "Silver hatchback circled the block three times")
    for label in ("Old Town", None):
        _bulletin(
            engines,
            world,
            "Same silver hatchback, seen again",
            status="merged",
            merged_into_id=survivor.id,
            area_label=label,
        )
    _bulletin(engines, world, "Withdrawn duplicate", status="withdrawn", merged_into_id=survivor.id)
    client = signed_in(app, world.neighbour_user)
    text = " ".join(page_text(client.get(f"/s/{world.neighbour.slug}/feed/")).split())
    assert text.count("Silver hatchback circled the block three times") == 1
    assert "Same silver hatchback, seen again" not in text
    assert "Reported 3 times" in text  # itself and two merged duplicates; the withdrawn one no longer counts
    assert "also seen in Old Town, North" in text


def test_filters_are_folded_away_unless_in_use(app, engines, sharing_world):
    world = sharing_world
    client = signed_in(app, world.neighbour_user)
    folded = client.get(f"/s/{world.neighbour.slug}/feed/").get_data(as_text=True)
    assert re.search(r'<details class="feed-filters">\s*<summary>Filters</summary>', folded)
    unfolded = client.get(f"/s/{world.neighbour.slug}/feed/?tlp=GREEN").get_data(as_text=True)
    assert '<details class="feed-filters" open>' in unfolded
