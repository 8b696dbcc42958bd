"""Closing a week (issue #17 items 4 and 6): the counts come from the stores' own records when the week has closed,
and the shared schema keeps nothing that links a bulletin to a store or two bulletins to one store.

The attacks hold a copy of every table of the shared schema and the app's configuration (SECRET_KEY included):
- by key: any value derived from a store and the secret (the old HMAC contributor key) or naming a store;
- by order: rows a share writes beside its bulletin, paired with it by id order or transaction;
- by time: share times that line up with sessions or jobs.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import replace
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from anonymize import TLP
from audit import Actor
from bulletins.merging import merge
from bulletins.moderation import reject
from models import Association, Bulletin, BulletinPhoto, PublishedTrendWeek, Role, Store
from models.store.logbook import Incident
from sharing.shares import share_incident, withdraw
from tests.bulletins.conftest import add_incident
from tests.bulletins.test_sharing import FACTS
from tests.trends.conftest import add_member_stores
from trends.closing import close_weeks

WEEK = "2026-W10"  # FACTS happened on 5 March 2026
AFTER = datetime(2026, 3, 18, 12, tzinfo=UTC)  # a Wednesday of W12: W10 has closed


def _share(app, in_store, store: Store, user, **changes) -> int:
    """Share an incident of `store` as its owner would (the share step's domain function); returns the bulletin."""
    incident_id = add_incident(in_store, store, replace(FACTS, **changes))

    def run(session):
        bound = session.get(Store, store.id)
        incident = session.get(Incident, incident_id)
        result = share_incident(session, bound, incident, TLP.AMBER, user_id=user.id, user_name=user.name)
        return result.bulletin.id

    with app.app_context():
        return in_store(store, run)


def _close(app, engines, association_id: int) -> int:
    with app.app_context(), Session(engines.owner) as session, session.begin():
        association = session.get(Association, association_id)
        return close_weeks(session, engines.app, association, now=AFTER)


def _cells(engines, region_id: int) -> dict[str, int]:
    with Session(engines.owner) as session:
        cells = session.scalar(
            sa.select(PublishedTrendWeek.cells).where(
                PublishedTrendWeek.region_id == region_id, PublishedTrendWeek.iso_week == WEEK
            )
        )
    return {incident_type: n for area, incident_type, n in cells or [] if area is None}


def _moderate(engines, world, action, bulletin_id: int, *others: int) -> None:
    with Session(engines.owner) as session, session.begin():
        association = session.get(Association, world.home.association.id)
        bulletin = session.get(Bulletin, bulletin_id)
        actor = Actor.for_user(world.admin)
        if action == "reject":
            reject(session, association, bulletin, reason="Not an incident", actor=actor)
        else:
            merge(session, association, bulletin, session.get(Bulletin, others[0]), actor=actor)


@pytest.fixture
def two_sharing_stores(engines, sharing_world, make_user):
    """The home region: the source and the neighbour (both real stores) plus two registry-only members, so at
    k = 2 a cell of both stores is publishable (2 ≤ n ≤ 4 − 2)."""
    world = sharing_world
    add_member_stores(engines, association_id=world.home.association.id, region_id=world.home.region.id, count=2)
    neighbour_owner = make_user(store=world.neighbour, role=Role.STORE_OWNER)
    return world, neighbour_owner


def test_a_closed_week_counts_each_store_once_and_leaves_out_rejected_withdrawn_and_merged_shares(
    app, engines, in_store, two_sharing_stores
):
    world, neighbour_owner = two_sharing_stores
    src, nb = (world.source, world.owner), (world.neighbour, neighbour_owner)
    # Casing: the source twice, the neighbour once → 2 stores.
    for store, user in (src, src, nb):
        _share(app, in_store, store, user)
    # Distraction by both; the neighbour's is rejected → 1 store (withheld). Counted as shared, it would be 2.
    _share(app, in_store, *src, incident_type="distraction")
    rejected = _share(app, in_store, *nb, incident_type="distraction")
    _moderate(engines, world, "reject", rejected)
    # Grab-and-run by both; the source withdraws its own → 1 store.
    withdrawn_incident = add_incident(in_store, world.source, replace(FACTS, incident_type="grab_and_run_attempt"))

    def share_then_withdraw(session):
        store, incident = session.get(Store, world.source.id), session.get(Incident, withdrawn_incident)
        share_incident(session, store, incident, TLP.AMBER, user_id=world.owner.id, user_name=world.owner.name)
        withdraw(session, store, incident, user_name=world.owner.name)

    with app.app_context():
        in_store(world.source, share_then_withdraw)
    _share(app, in_store, *nb, incident_type="grab_and_run_attempt")
    # Follow-home by both; the source's merged into the neighbour's → 1 store.
    duplicate = _share(app, in_store, *src, incident_type="follow_home")
    survivor = _share(app, in_store, *nb, incident_type="follow_home")
    _moderate(engines, world, "merge", duplicate, survivor)

    assert _close(app, engines, world.home.association.id) >= 1
    assert _cells(engines, world.home.region.id) == {"casing": 2}

    # Published once: a share of that week made afterwards (an incident logged late) changes nothing.
    _share(app, in_store, *nb, incident_type="distraction")
    assert _close(app, engines, world.home.association.id) == 0
    assert _cells(engines, world.home.region.id) == {"casing": 2}


def _shared_schema_rows(engines) -> dict[str, list[tuple]]:
    """Every row of every table of the shared schema, as text: what a copy of it gives an attacker."""
    with engines.owner.connect() as conn:
        tables = conn.scalars(
            sa.text("SELECT table_name FROM information_schema.tables WHERE table_schema = 'loupe' ORDER BY 1")
        ).all()
        return {t: [tuple(r) for r in conn.execute(sa.text(f'SELECT t::text FROM loupe."{t}" t'))] for t in tables}


def _old_contributor_key(secret: str, store_id: int, week: str) -> str:
    """The contributor key of revision 0006–0021, as an attacker holding SECRET_KEY recomputes it."""
    key = hmac.new(secret.encode(), b"loupe.trend-contributor", hashlib.sha256).digest()
    return hmac.new(key, f"{store_id}:{week}".encode(), hashlib.sha256).hexdigest()


def test_with_the_shared_schema_and_the_secret_key_no_value_names_the_store_behind_a_share(
    app, engines, in_store, two_sharing_stores
):
    world, neighbour_owner = two_sharing_stores
    for store, user in ((world.source, world.owner), (world.neighbour, neighbour_owner)):
        _share(app, in_store, store, user)
        _share(app, in_store, store, user, incident_type="distraction")
    _close(app, engines, world.home.association.id)
    secret = app.config["SECRET_KEY"]
    derived = set()
    for store in (world.source, world.neighbour):
        for week in (WEEK, "2026-W11", "2026-W09"):
            derived.add(_old_contributor_key(secret, store.id, week))
            derived.add(hmac.new(secret.encode(), f"{store.id}:{week}".encode(), hashlib.sha256).hexdigest())
    rows = _shared_schema_rows(engines)
    assert "incident_facts" not in rows  # no per-share fact at all
    found = [t for t, table_rows in rows.items() for (row,) in table_rows if any(d in row for d in derived)]
    assert found == []
    # The bulletins and the published counts carry nothing per store: no store id, schema, slug or name.
    for table in ("bulletins", "published_trend_weeks", "bulletin_photos"):
        for (row,) in rows[table]:
            for store in (world.source, world.neighbour):
                assert store.schema_name not in row and store.slug not in row and store.name not in row


def _fingerprint(engines) -> dict[str, set[str]]:
    """Per shared table, the md5 of each row: what changed between two copies."""
    with engines.owner.connect() as conn:
        tables = conn.scalars(
            sa.text("SELECT table_name FROM information_schema.tables WHERE table_schema = 'loupe' ORDER BY 1")
        ).all()
        return {t: set(conn.scalars(sa.text(f'SELECT md5(t::text) FROM loupe."{t}" t'))) for t in tables}


def test_a_share_writes_nothing_in_the_shared_schema_to_pair_with_its_bulletin(
    app, engines, in_store, two_sharing_stores
):
    """By order: the old fact was inserted in the bulletin's transaction, so the n-th fact paired with the n-th
    bulletin (39/39 in the outside test). Now a share adds its bulletin (and its photos) and nothing else."""
    world, _ = two_sharing_stores
    before = _fingerprint(engines)
    _share(app, in_store, world.source, world.owner)
    after = _fingerprint(engines)
    changed = {t for t in after if after[t] != before.get(t, set())}
    assert changed == {"bulletins"}
    # And closing the week adds published counts only (no row per store or per share).
    before = after
    _close(app, engines, world.home.association.id)
    after = _fingerprint(engines)
    assert {t for t in after if after[t] != before.get(t, set())} <= {"published_trend_weeks"}


def test_the_times_a_share_and_a_withdrawal_write_in_the_shared_schema_are_whole_hours(
    app, engines, in_store, two_sharing_stores
):
    """By time: a bulletin's second-precision times lined up with sessions' last-seen times."""
    world, _ = two_sharing_stores
    from tests.bulletins.test_photos import _incident_with_gps_photo  # a real JPEG in the store's logbook

    with_photo = _incident_with_gps_photo(in_store, world.source)

    def share_and_withdraw(session):
        store = session.get(Store, world.source.id)
        incident = session.get(Incident, with_photo)
        result = share_incident(
            session, store, incident, TLP.AMBER, user_id=world.owner.id, user_name=world.owner.name, share_photos=True
        )
        photos = session.scalars(
            sa.select(BulletinPhoto.created_at).where(BulletinPhoto.bulletin_id == result.bulletin.id)
        )
        return result.bulletin.id, list(photos)

    with app.app_context():
        bulletin_id, photo_times = in_store(world.source, share_and_withdraw)
    assert photo_times and all(_whole_hour(t) for t in photo_times)
    with Session(engines.owner) as session:
        row = session.get(Bulletin, bulletin_id)
        times = [row.created_at, row.updated_at, row.expires_at] + ([row.published_at] if row.published_at else [])
    assert all(_whole_hour(t) for t in times), times

    def take_back(session):
        store, incident = session.get(Store, world.source.id), session.get(Incident, with_photo)
        withdraw(session, store, incident, user_name=world.owner.name)

    in_store(world.source, take_back)
    with Session(engines.owner) as session:
        row = session.get(Bulletin, bulletin_id)
        assert row.status == "withdrawn" and _whole_hour(row.withdrawn_at) and _whole_hour(row.updated_at)


def _whole_hour(moment: datetime) -> bool:
    return (moment.minute, moment.second, moment.microsecond) == (0, 0, 0)
