"""Read without a transaction until the first write (issue #22: BEGIN and COMMIT were two of a page's round trips).

A page that only reads needs no transaction: under READ COMMITTED every statement sees its own snapshot either
way. For a connection marked with `begin_on_first_write`, PostgreSQL is left in autocommit while the statements
are plain SELECTs; the first statement that may write or lock (anything that is not a SELECT, and SELECTs with
FOR UPDATE/SHARE or functions with effects: sequences, settings, advisory locks, the job queue's functions)
switches the connection back, and psycopg opens the transaction right before it. From there on the unit of work
is exactly as before: its writes are committed together, or rolled back together when the request is refused.
A request that only read ends with nothing to commit, and psycopg sends no COMMIT for an idle connection.

Only requests use it (`database.request_scope`, GET and HEAD); jobs and the CLI keep a transaction from their
first statement. The connection leaves autocommit again when it returns to the pool.
"""

from __future__ import annotations

from psycopg.pq import TransactionStatus
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

OPTION = "loupe_begin_on_first_write"

# Inside a SELECT, what may write, lock or leave state behind: such a statement gets its transaction first.
_EFFECTS_IN_SELECT = (
    "FOR UPDATE",
    "FOR NO KEY UPDATE",
    "FOR SHARE",
    "FOR KEY SHARE",
    "NEXTVAL(",
    "SETVAL(",
    "SET_CONFIG(",
    "PG_ADVISORY",
    "PROCRASTINATE",
    "PG_NOTIFY(",
    "CITUS",
    "DISTRIBUTE",
    "REFERENCE_TABLE",
)


def needs_transaction(statement: str) -> bool:
    """True unless the statement is a plain SELECT (then it may run outside a transaction)."""
    if statement.lstrip()[:6].upper() != "SELECT":
        return True
    upper = statement.upper()
    return any(marker in upper for marker in _EFFECTS_IN_SELECT)


def begin_on_first_write(connection: Connection) -> None:
    """Mark a checked-out connection: read in autocommit until its first statement that may write."""
    connection.execution_options(**{OPTION: True})


def install(engine: Engine) -> None:
    """The engine's listeners: autocommit while only reading on marked connections, restored at check-in."""

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn, _cursor, statement, _parameters, _context, _executemany) -> None:
        if not conn.get_execution_options().get(OPTION):
            return
        dbapi = conn.connection.dbapi_connection
        wants_transaction = needs_transaction(statement)
        if dbapi.autocommit and wants_transaction:
            dbapi.autocommit = False  # idle here: psycopg sends BEGIN before this statement
        elif not dbapi.autocommit and not wants_transaction and _idle(dbapi):
            dbapi.autocommit = True  # nothing written yet in this unit of work: read without a transaction

    @event.listens_for(engine, "checkin")
    def _restore(dbapi_connection, _record) -> None:
        if dbapi_connection is not None and getattr(dbapi_connection, "autocommit", False) and _idle(dbapi_connection):
            dbapi_connection.autocommit = False


def _idle(dbapi_connection) -> bool:
    return dbapi_connection.info.transaction_status == TransactionStatus.IDLE
