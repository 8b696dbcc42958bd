"""Pages that only read run without a transaction; the first write opens one (database.lazy_begin, issue #22)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from psycopg.pq import TransactionStatus

from database.lazy_begin import begin_on_first_write, needs_transaction
from models import PoliceContact, Role
from tenants.binding import open_session
from tests.fixtures.web import sign_in


@pytest.mark.parametrize(
    ("statement", "needed"),
    [
        ("SELECT loupe.users.id FROM loupe.users", False),
        ("  select 1", False),
        ("SELECT store_1.incidents.id FROM store_1.incidents FOR UPDATE", True),
        ("SELECT x FROM t FOR NO KEY UPDATE SKIP LOCKED", True),
        ("SELECT loupe_jobs.procrastinate_defer_jobs_v1(ARRAY[ROW('q', 't')])", True),
        ("SELECT nextval('loupe.stores_id_seq')", True),
        ("SELECT set_config('statement_timeout', '5000', true)", True),
        ("SELECT pg_advisory_xact_lock(1, 2)", True),
        ("INSERT INTO loupe.audit_log (action) VALUES ('x')", True),
        ("UPDATE loupe.auth_sessions SET last_seen_at = now()", True),
        ("WITH x AS (DELETE FROM t RETURNING id) SELECT * FROM x", True),
        ("SAVEPOINT sa_savepoint_1", True),
    ],
)
def test_which_statements_need_a_transaction(statement, needed):
    assert needs_transaction(statement) is needed


def _statuses(engine):
    seen: list[tuple[str, TransactionStatus]] = []

    def after(conn, _cursor, statement, *_args):
        seen.append((statement.split()[0].upper(), conn.connection.dbapi_connection.info.transaction_status))

    sa.event.listen(engine, "after_cursor_execute", after)
    return seen, lambda: sa.event.remove(engine, "after_cursor_execute", after)


def test_reads_run_outside_a_transaction_and_a_write_is_still_all_or_nothing(engines, make_world, make_store):
    store = make_store(make_world())
    session = open_session(engines.app, store.schema_name)
    begin_on_first_write(session.bind)
    seen, stop = _statuses(engines.app)
    try:
        assert session.scalars(sa.select(PoliceContact)).all() == []
        session.add(PoliceContact(agency="City Police", officer_name="PC Kept Nowhere"))
        session.flush()
        assert session.scalar(sa.select(sa.func.count()).select_from(PoliceContact)) == 1
        session.rollback()  # the refused request: its write is gone
        session.scalar(sa.select(PoliceContact.id).with_for_update())
    finally:
        stop()
        session.close()
    assert [status for _, status in seen] == [
        TransactionStatus.IDLE,  # the first read: no transaction
        TransactionStatus.INTRANS,  # the INSERT opened one
        TransactionStatus.INTRANS,  # reads after a write stay in it (they see the write)
        TransactionStatus.INTRANS,  # FOR UPDATE locks: in a transaction
    ]
    check = open_session(engines.app, store.schema_name)
    try:
        assert check.scalar(sa.select(sa.func.count()).select_from(PoliceContact)) == 0
    finally:
        check.close()


def test_a_signed_in_page_that_only_reads_runs_no_transaction_and_returns_its_connection_as_it_came(
    client, engines, make_world, make_store, make_user
):
    store = make_store(make_world())
    owner = make_user(store=store, role=Role.STORE_OWNER)
    sign_in(client, owner.email)
    client.get(f"/s/{store.slug}/")  # the session's last-seen time is written on a first visit
    seen, stop = _statuses(engines.app)
    try:
        assert client.get(f"/s/{store.slug}/").status_code == 200
    finally:
        stop()
    assert seen and all(status == TransactionStatus.IDLE for _, status in seen), seen
    # A connection goes back to the pool as it came: the next user (a job, say) gets a transaction as before.
    with engines.app.connect() as conn:
        assert conn.connection.dbapi_connection.autocommit is False
