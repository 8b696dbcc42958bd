"""Sending several statements in one round trip, one statement per query.

Store DDL (a cold build, a pool schema, a replayed migration) used to go to the server as one `;`-joined text in a
simple query. Citus forwards a `CREATE INDEX` or `ADD FOREIGN KEY` on a distributed schema to its worker with the
query's raw text, and the worker refuses a text holding several commands ("cannot insert multiple commands into a
prepared statement"); a `DO` block is no way out either (tables created inside one stay on the coordinator). So
every statement is its own query, and all of them are queued in one psycopg pipeline: still one round trip, and
each statement reaches the server (and any worker) alone. A pipeline uses the extended protocol, which refuses a
text with several commands outright, so a `;`-joined text can no longer slip through these paths.
"""

from __future__ import annotations

from collections.abc import Iterable

import psycopg


def run_statements(conn: psycopg.Connection, statements: Iterable[str]) -> psycopg.Cursor | None:
    """Run each statement as its own query, all in one pipeline, in `conn`'s current transaction.

    Returns the cursor of the last statement (to read a final SELECT), or None when there was none. The first
    failing statement raises when the pipeline syncs; the ones after it are not run and the transaction is aborted.
    """
    last = None
    with conn.pipeline():
        for statement in statements:
            last = conn.cursor()
            # Each text runs once: never prepared (also safe behind a transaction-pooling PgBouncer).
            last.execute(statement.encode(), prepare=False)
    return last
