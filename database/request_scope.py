"""One Session per request (or job), one commit point, side effects after the commit.

Views and domain functions use `db()`; they flush but never commit. `LoupeFlask.dispatch_request` commits once
after the view returned, then runs the callbacks registered with `after_commit` (sending queued email). An
exception anywhere rolls the whole request back.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, g

from tenants.binding import BoundSession, open_session


def engines():
    """The application's engines (created lazily by the factory's database extension)."""
    return current_app.extensions["loupe_db"].engines


def db() -> BoundSession:
    """This request's Session, opened on first use on the app engine (not yet bound to a store)."""
    session = g.get("_loupe_session")
    if session is None:
        session = open_session(engines().app)
        g._loupe_session = session
    return session


def after_commit(callback: Callable[[], None]) -> None:
    """Run `callback` once this request's transaction has committed (never if it rolls back)."""
    g.setdefault("_loupe_after_commit", []).append(callback)


def commit_request() -> None:
    """Commit this request's Session, then run the after-commit callbacks."""
    session = g.get("_loupe_session")
    if session is not None:
        session.commit()
    callbacks = g.pop("_loupe_after_commit", [])
    for callback in callbacks:
        callback()


def close_request(_exc: BaseException | None = None) -> None:
    """Teardown: roll back anything uncommitted and return the connection to the pool."""
    g.pop("_loupe_after_commit", None)
    session = g.pop("_loupe_session", None)
    if session is not None:
        session.close()
