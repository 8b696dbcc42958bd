"""database.bundle: several SELECTs in one round trip, with the same rows (types, order) as running each alone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from database.bundle import Query, fetch, fetch_one
from meetings import meetings
from models import ContactLogEntry, MeetingAction, PoliceContact
from workspace import attention, contacts


def _seed(session):
    first = PoliceContact(agency="Zeta Police", officer_name="Cst. Ann Zed", email="ann@police.example")
    second = PoliceContact(agency="Alpha Police", officer_name="Sgt. Bo Alpha")
    session.add_all([first, second])
    session.flush()
    session.add(
        ContactLogEntry(
            contact_id=first.id,
            channel="visit",
            summary="Walk-through",
            occurred_at=datetime(2026, 5, 1, 9, tzinfo=UTC),
        )
    )
    session.flush()
    return first.id, second.id


def test_bundled_rows_equal_the_orm_rows_in_type_and_order(make_world, make_store, in_store):
    store = make_store(make_world())

    def run(session):
        first_id, second_id = _seed(session)
        ordered = sa.select(PoliceContact).order_by(PoliceContact.agency)
        since = sa.select(PoliceContact.id, PoliceContact.created_at).where(
            PoliceContact.created_at > sa.bindparam("since")
        )
        later = sa.select(PoliceContact.id).where(PoliceContact.created_at > sa.bindparam("since"))
        statements = []
        sa.event.listen(session.bind, "before_cursor_execute", lambda *a: statements.append(a[2]))
        got = fetch(
            session,
            [
                Query(ordered),
                # The same parameter name in two queries, with different values: each keeps its own.
                Query(since, {"since": datetime.now(UTC) - timedelta(days=1)}),
                Query(later, {"since": datetime.now(UTC) + timedelta(days=1)}),
                Query(sa.select(sa.literal(Decimal("1.10"), sa.Numeric(5, 2)), sa.literal(date(2026, 1, 2)))),
            ],
        )
        assert len(statements) == 1  # one round trip
        orm = session.scalars(ordered).all()
        assert [r[0].id for r in got[0]] == [c.id for c in orm] == [second_id, first_id]
        for (record,), entity in zip(got[0], orm, strict=True):
            for attr in sa.inspect(PoliceContact).column_attrs:
                assert getattr(record, attr.key) == getattr(entity, attr.key), attr.key
                assert type(getattr(record, attr.key)) is type(getattr(entity, attr.key)), attr.key
        assert sorted(r[0] for r in got[1]) == sorted([first_id, second_id])
        assert all(isinstance(r[1], datetime) and r[1].tzinfo is not None for r in got[1])
        assert got[2] == []
        assert got[3] == [(Decimal("1.10"), date(2026, 1, 2))]

    in_store(store, run)


def test_attention_items_are_one_statement_and_the_same_as_each_part_alone(app, make_world, make_store, in_store):
    store = make_store(make_world())
    today = date(2026, 6, 15)

    def run(session):
        first_id, _ = _seed(session)
        meeting = meetings.schedule_meeting(
            session, contact_id=first_id, title="Old walk", starts_at=datetime(2026, 6, 1, tzinfo=UTC)
        )
        session.add(MeetingAction(meeting_id=meeting.id, description="Fix the gate", due_on=date(2026, 6, 2)))
        session.flush()
        providers = app.extensions["attention_providers"]
        statements = []
        sa.event.listen(session.bind, "before_cursor_execute", lambda *a: statements.append(a[2]))
        together = attention.collect(providers, session, today=today)
        assert len(statements) == 1
        alone = [item for p in providers for item in p.attention_items(session, today=today)]
        assert sorted(together, key=repr) == sorted(alone, key=repr)
        kinds = {item.kind for item in together}
        assert {"contact_quiet", "meeting_action_overdue", "meeting_minutes_due", "plan_missing"} <= kinds
        assert fetch_one(session, Query(sa.select(PoliceContact.id).where(sa.false()))) == []
        return contacts

    in_store(store, run)


def test_the_dashboard_builds_its_statement_once(client, make_world, make_store, make_user):
    # A query built anew on each request would make a new bundle each time (and fill the plan cache).
    from database.bundle import _plan
    from models import Role
    from tests.fixtures.web import sign_in

    store = make_store(make_world())
    owner = make_user(store=store, role=Role.STORE_OWNER)
    sign_in(client, owner.email)
    assert client.get(f"/s/{store.slug}/").status_code == 200
    misses = _plan.cache_info().misses
    for _ in range(3):
        assert client.get(f"/s/{store.slug}/").status_code == 200
    assert _plan.cache_info().misses == misses
