"""`flask demo seed` (what `make run` runs): a realistic demo, and running it again changes nothing."""

from datetime import UTC, date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from demo.seed import ASSOCIATION, DEMO_PASSWORD, STORES
from digest.content import region_content
from digest.periods import since_period
from models import Association, Bulletin, Incident, Membership, PatrolLogEntry, Region, ReviewGrant, Store, User
from models.alerts import BulletinPattern
from models.store.profile import StoreProfile
from models.store.sharing import SharedBulletin
from tenants.binding import store_session
from tests.fixtures.web import sign_in


def counts(engines):
    with Session(engines.owner) as session:
        association = session.scalar(sa.select(Association).where(Association.slug == ASSOCIATION[0]))
        stores = session.scalars(sa.select(Store).where(Store.association_id == association.id)).all()
        published = session.scalar(
            sa.select(sa.func.count())
            .select_from(Bulletin)
            .where(Bulletin.association_id == association.id, Bulletin.status == "published")
        )
        users = session.scalar(sa.select(sa.func.count()).select_from(User))
    return stores, published, users


def test_demo_seed_is_realistic_and_idempotent(app, engines):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == 0, first.output
    assert "admin@northern-jewelers.example" in first.output
    stores, published, users = counts(engines)
    assert len(stores) == sum(len(names) for names in STORES.values()) >= 12
    assert all(store.status == "ready" for store in stores)
    assert published > 0
    with store_session(engines.app, stores[0].schema_name) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Incident)) > 5
        profile = session.get(StoreProfile, 1)  # the officer's pages show where to go
        assert profile is not None and profile.street_address and profile.phone

    again = runner.invoke(args=["demo", "seed"])
    assert again.exit_code == 0, again.output
    assert counts(engines)[1:] == (published, users)
    assert len(counts(engines)[0]) == len(stores)


def test_the_demo_is_a_believable_association(app, engines):
    """Issue #19: varied incidents per store, each bulletin once in the feed, patterns that emerge from the shares
    of two or three stores (found by the real detection), a merged duplicate, police notes."""
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    assert "Demo sign-in as" in result.output and "two-step" in result.output
    with Session(engines.owner) as session:
        association = session.scalar(sa.select(Association).where(Association.slug == ASSOCIATION[0]))
        published = session.scalars(
            sa.select(Bulletin).where(Bulletin.association_id == association.id, Bulletin.status == "published")
        ).all()
        titles = [b.title for b in published]
        assert len(titles) >= 30 and len(set(titles)) == len(titles), sorted(titles)
        assert not [t for t in titles if "[" in t]  # nothing the scrubber had to cut out of a demo title
        assert {b.kind for b in published} >= {"incident", "pattern", "police_trend"}
        assert len({b.incident_type for b in published if b.kind == "incident"}) >= 5
        patterns = session.scalars(
            sa.select(BulletinPattern).where(BulletinPattern.association_id == association.id)
        ).all()
        stores = session.scalars(sa.select(Store).where(Store.association_id == association.id)).all()
        pattern_titles = [session.get(Bulletin, p.bulletin_id).title for p in patterns]
    # Each pattern rests on the shares of at least two stores (read from the stores' own records).
    sources = {p.id: set() for p in patterns}
    for store in stores:
        with store_session(engines.app, store.schema_name) as session:
            shared = set(session.scalars(sa.select(SharedBulletin.bulletin_id)))
        for p in patterns:
            if shared & set(p.matched_bulletin_ids):
                sources[p.id].add(store.id)
    assert patterns and all(len(found) >= 2 for found in sources.values()), sources
    assert any(len(found) >= 3 for found in sources.values())  # the silver Astra: three harbour stores
    # Plates read as written in the patterns' titles, never as their matching key.
    assert any("KX17 LMV" in t for t in pattern_titles) and any("..19 FK." in t for t in pattern_titles)
    assert not any("PARTIAL" in t.upper() or "KX17LMV" in t for t in pattern_titles), pattern_titles
    # Stores log different things: no two stores have the same logbook.
    logbooks = []
    for store in stores:
        with store_session(engines.app, store.schema_name) as session:
            logbooks.append(frozenset(session.scalars(sa.select(Incident.narrative))))
            assert session.scalar(sa.select(sa.func.count()).select_from(PatrolLogEntry)) >= 1
            notes = session.scalar(sa.select(ReviewGrant.pattern_notes))
            assert notes
    assert len(set(logbooks)) == len(stores)
    # The duplicate two valley stores reported shows once in their feed, "reported 2 times".
    valley = next(s for s in stores if s.name == "Millbrook Goldsmiths")
    with Session(engines.owner) as session:
        owner = session.scalar(
            sa.select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.store_id == valley.id, Membership.role == "owner")
        )
    client = app.test_client()
    sign_in(client, owner.email, DEMO_PASSWORD)
    feed = client.get(f"/s/{valley.slug}/feed/").get_data(as_text=True)
    assert "Reported 2 times" in feed
    # A digest worth reading: the last two weeks of the harbour region hold its pattern, the police trend bulletin
    # and a handful of bulletins.
    with Session(engines.owner) as session:
        association = session.scalar(sa.select(Association).where(Association.slug == ASSOCIATION[0]))
        harbour = session.scalar(
            sa.select(Region).where(Region.association_id == association.id, Region.slug == "harbour")
        )
        today = date.today()
        content = region_content(session, association, harbour, since_period(today - timedelta(days=14), today), UTC)
    assert [p["title"] for p in content["patterns"]] and content["police"]
    assert len(content["bulletins"]) >= 4
