"""One Session per request, one commit point, and only when the request succeeded.

Views and domain functions use `db()`; they flush but never commit. `LoupeFlask.finalize_request` ends the unit
of work once the response is known (`end_request`): it commits when the response is a success (below 400) and no
domain error was raised during the request, and rolls back otherwise — so a refused request stores nothing, even
when a service flushed rows before it raised and the view caught the error to render a friendly page.

Work that must outlive a refusal (login throttle counters, the audit of a failed sign-in) goes through
`independent_transaction()`: its own short transaction, committed at once, whatever the request does next.
Side effects after the commit are jobs written in the same transaction (`jobs.queue.enqueue`), not callbacks.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app, g, has_request_context, request

from database.lazy_begin import begin_on_first_write
from errors import domain_error_raised, reset_domain_error_mark
from tenants.binding import BoundSession, open_session


def engines():
    """The application's engines (created lazily by the factory's database extension)."""
    return current_app.extensions["loupe_db"].engines


def begin_request() -> None:
    """Start this request's unit of work (before any view code runs)."""
    reset_domain_error_mark()


def db() -> BoundSession:
    """This request's Session, opened on first use on the app engine (not yet bound to a store).

    A GET or HEAD reads without a transaction until its first write (`database.lazy_begin`): a page that only
    reads costs no BEGIN and no COMMIT.
    """
    session = g.get("_loupe_session")
    if session is None:
        session = open_session(engines().app)
        if has_request_context() and request.method in ("GET", "HEAD"):
            begin_on_first_write(session.bind)
        g._loupe_session = session
    return session


def request_succeeded(status_code: int) -> bool:
    """The commit rule: a success status and no domain error raised while the request ran."""
    return status_code < 400 and not domain_error_raised()


def end_request(status_code: int) -> None:
    """Commit this request's Session if the request succeeded, else roll it back."""
    session = g.get("_loupe_session")
    if session is None:
        return
    if request_succeeded(status_code):
        session.commit()
    else:
        session.rollback()


@contextmanager
def independent_transaction() -> Iterator[BoundSession]:
    """A short transaction of its own, committed on leaving the block, whatever the request's outcome.

    For the few writes a refusal must keep (throttle counters, the audit of a refused sign-in). It uses its own
    connection, so it neither sees nor commits the request's pending work.
    """
    session = open_session(engines().app)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def close_request(_exc: BaseException | None = None) -> None:
    """Teardown: roll back anything uncommitted and return the connection to the pool."""
    session = g.pop("_loupe_session", None)
    if session is not None:
        session.close()
