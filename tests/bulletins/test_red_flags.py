"""Red flags (issue #19) beyond the store: the anonymizer passes codes through and nothing else, a share carries the
known codes into the shared bulletin (a withdrawal clears them), the feed card and the moderation queue show them in
words, and a pattern bulletin lists the flags seen at two or more of its distinct sources."""

from __future__ import annotations

from dataclasses import replace

import sqlalchemy as sa
from sqlalchemy.orm import Session

from anonymize import anonymize_incident, red_flag_codes
from models import Incident, Role
from models.alerts import BulletinPattern
from models.bulletins import Bulletin
from tests.anonymize.test_incident import PLACE, STORE, facts
from tests.bulletins.conftest import (
    add_incident,
    admin_client,
    bulletins,
    page_text,
    set_auto_publish,
    share,
    signed_in,
)
from tests.bulletins.test_sharing import FACTS
from tests.fixtures.web import post_form

# --- the anonymizer: codes pass, nothing else ---------------------------------------------------------------------


def test_the_anonymizer_passes_red_flag_codes_through_and_drops_anything_else():
    typed = ("sunglasses", "Call Sam on 01632 960123", "wandering", "sunglasses", "Quayside", "", "x" * 40)
    draft = anonymize_incident(facts(red_flags=typed), STORE, PLACE)
    assert draft.red_flags == ("sunglasses", "wandering")
    assert draft.shared_payload()["red_flags"] == ["sunglasses", "wandering"]
    assert red_flag_codes([None, 3, "hand_signals"]) == ("hand_signals",)


# --- sharing, the feed card, moderation, withdrawal ---------------------------------------------------------------


def test_a_share_carries_the_known_red_flags_to_the_feed_and_the_moderation_queue(
    app, engines, sharing_world, in_store
):
    world = sharing_world
    incident_id = add_incident(in_store, world.source, replace(FACTS, red_flags=("group_of_three", "hand_signals")))
    # A code no longer on the list (say, an old row) stays in the store: only known codes are shared.
    in_store(
        world.source,
        lambda s: s.execute(
            sa.update(Incident).where(Incident.id == incident_id).values(red_flags=["retired_code", "hand_signals"])
        ),
    )
    owner = signed_in(app, world.owner)
    preview = page_text(owner.get(world.share_url(incident_id)))
    assert "Red flags noticed" in preview and "Hand signals" in preview
    assert share(owner, world, incident_id).status_code == 302
    [bulletin] = bulletins(engines, world.home.association.id)
    assert bulletin.red_flags == ["hand_signals"]

    # Moderators see the words, not the codes.
    queue = page_text(admin_client(app, engines, world).get(f"/a/{world.home.association.slug}/moderation"))
    assert "Red flags noticed" in queue and "Hand signals" in queue and "hand_signals" not in queue


def test_the_feed_card_shows_the_red_flags_and_a_withdrawal_clears_them(app, engines, sharing_world, in_store):
    world = sharing_world
    set_auto_publish(engines, world.home.association.id)
    incident_id = add_incident(in_store, world.source, replace(FACTS, red_flags=("sunglasses", "most_expensive")))
    owner = signed_in(app, world.owner)
    assert share(owner, world, incident_id).status_code == 302
    feed = page_text(signed_in(app, world.neighbour_user).get(f"/s/{world.neighbour.slug}/feed/"))
    assert "Sunglasses" in feed and "Asked for the most expensive piece" in feed

    response = post_form(owner, world.share_url(incident_id) + "withdraw", {}, form_url=world.share_url(incident_id))
    assert response.status_code == 302
    [after] = bulletins(engines, world.home.association.id)
    assert after.status == "withdrawn" and after.red_flags == []


# --- patterns -----------------------------------------------------------------------------------------------------


def test_a_pattern_lists_the_red_flags_seen_at_two_or_more_of_its_sources(
    run_jobs, app, engines, sharing_world, in_store, make_user
):
    """The same plate at two stores is a pattern. "Sunglasses" was noted at both stores: listed. "Hand signals"
    was noted twice, but by one store only, and "wandering" once: a store counts once, so neither is listed."""
    world = sharing_world
    neighbour_owner = make_user(store=world.neighbour, role=Role.STORE_OWNER)
    source = signed_in(app, world.owner)
    for flags in (("hand_signals", "sunglasses"), ("hand_signals",)):
        incident_id = add_incident(in_store, world.source, replace(FACTS, red_flags=flags))
        assert share(source, world, incident_id).status_code == 302
    neighbour = signed_in(app, neighbour_owner)
    incident_id = add_incident(in_store, world.neighbour, replace(FACTS, red_flags=("sunglasses", "wandering")))
    url = f"/s/{world.neighbour.slug}/logbook/{incident_id}/share/"
    assert post_form(neighbour, url, {"tlp": "AMBER"}).status_code == 302
    run_jobs()
    with Session(engines.owner) as session:
        [pattern] = session.scalars(
            sa.select(BulletinPattern).where(BulletinPattern.association_id == world.home.association.id)
        ).all()
        draft = session.get(Bulletin, pattern.bulletin_id)
        assert draft.kind == "pattern" and draft.red_flags == ["sunglasses"]
    queue = page_text(admin_client(app, engines, world).get(f"/a/{world.home.association.slug}/moderation"))
    assert "Red flags seen at more than one of these stores" in queue


def test_the_cached_feed_card_follows_a_change_of_red_flags(app):
    """A pattern's flags grow as matches are added, within the hour `updated_at` is cut to: the card's cache key
    holds the flags, so the card shows the new ones at once."""
    from datetime import UTC, datetime

    from blueprints.feed.cards import bulletin_card

    bulletin = Bulletin(
        id=987654,
        kind="pattern",
        tlp="AMBER",
        incident_type="casing",
        title="Heightened response",
        narrative="",
        region_label="North",
        people=[],
        vehicles=[],
        photos_allowed=False,
        status="published",
        red_flags=["sunglasses"],
        created_at=datetime(2026, 12, 4, 10, tzinfo=UTC),
        updated_at=datetime(2026, 12, 4, 10, tzinfo=UTC),
    )
    with app.test_request_context():
        assert "Sunglasses" in bulletin_card(bulletin) and "Hand signals" not in bulletin_card(bulletin)
        bulletin.red_flags = ["sunglasses", "hand_signals"]
        assert "Hand signals" in bulletin_card(bulletin)
