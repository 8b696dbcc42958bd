"""Binding a Session to one store's schema through `schema_translate_map`, never through `SET search_path`.

A `BoundSession` owns one connection for its whole life, so the binding holds across commits and cannot leak:
execution options live on the connection facade, which is discarded when the connection returns to the pool.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, event, exc
from sqlalchemy.orm import Session

from tenants.errors import TenantBindingError
from tenants.naming import is_store_schema

TRANSLATE = "schema_translate_map"
# Key in the pooled DBAPI connection's `info`: the store schemas this database backend has served.
SERVED = "loupe_store_schemas"


class BoundSession(Session):
    """A Session over a single connection that it closes with itself."""

    def close(self) -> None:
        conn = self.bind
        try:
            super().close()
        finally:
            if isinstance(conn, Connection):
                conn.close()


def open_session(engine: Engine, schema: str | None = None) -> BoundSession:
    """Open a Session on its own connection; with `schema`, store tables resolve to that store's schema.

    Without a schema, store tables resolve through the role's default search_path (an empty schema for the
    app role), so a store query that was never bound fails instead of reading the wrong store.
    """
    conn = engine.connect()
    session = BoundSession(bind=conn, expire_on_commit=False, autoflush=True)
    if schema is not None:
        bind_schema(session, schema)
    return session


def bound_schema(session: Session) -> str | None:
    """The store schema this session is bound to, or None."""
    conn = session.bind
    if not isinstance(conn, Connection):
        return None
    mapping = conn.get_execution_options().get(TRANSLATE) or {}
    return mapping.get(None)


def bind_schema(session: Session, schema: str) -> None:
    """Bind the session's store tables to `schema`. One store per session: rebinding elsewhere is refused."""
    if not is_store_schema(schema):
        raise TenantBindingError(f"not a generated store schema name: {schema!r}")
    conn = session.bind
    if not isinstance(conn, Connection):
        raise TenantBindingError("only a session opened by tenants.binding.open_session can be bound")
    current = bound_schema(session)
    if current is not None and current != schema:
        raise TenantBindingError(f"session already bound to {current}; open a new session for {schema}")
    conn.execution_options(**{TRANSLATE: {None: schema}})
    conn.info.setdefault(SERVED, set()).add(schema)


def limit_stores_per_connection(engine: Engine, max_stores: int) -> None:
    """Retire a pooled connection once its backend has served more than `max_stores` store schemas.

    A PostgreSQL backend keeps the catalog and relation caches of every table it has read until it exits (about
    150 KB per store for a dashboard's tables); with a thousand stores a long-lived backend grows past 150 MB.
    The pool discards such a connection when it is next checked out (never in the middle of a request) and opens
    a fresh one, so each backend's memory stays bounded by `max_stores` whatever the number of stores.
    0 turns the limit off.
    """
    if max_stores <= 0:
        return

    @event.listens_for(engine, "checkout")
    def _retire_when_full(_dbapi_connection, record, _proxy) -> None:
        if len(record.info.get(SERVED, ())) > max_stores:
            # The pool closes this connection and checks out another (SQLAlchemy's documented disconnect path).
            raise exc.DisconnectionError(f"backend served more than {max_stores} stores")


@contextmanager
def store_session(engine: Engine, schema: str) -> Iterator[BoundSession]:
    """A session for background work on one store. The caller commits; an exception rolls back."""
    session = open_session(engine, schema)
    try:
        yield session
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
