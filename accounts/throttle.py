"""The failure throttle of sign-in and of the second factor: one fixed-window counter per key, in PostgreSQL.

The rule (issue #16 will redesign it; until then it lives here and only here): failures are counted per key in
fixed windows of one clock hour (`window_start`); a key is throttled while its count in the current window has
reached its limit. The limits are the callers' policy (sign-in: `LOGIN_MAX_FAILURES_PER_ACCOUNT` and
`_PER_ADDRESS` from the config; the second factor: `accounts.mfa.MAX_FAILURES_PER_HOUR`). Keys say what is
counted: an account (`account_key`), a client address (`address_key`), a person's second factor
(`second_factor_key`). Counters live in `login_throttle`, so every worker on every machine sees the same counts.

A failure must outlive the refusal it causes: a refused request rolls back everything it wrote
(`database.request_scope`). So the domain functions that refuse (`authenticate`, `verify_second_factor`,
`enable_mfa`) take `independent`, a factory of short transactions of their own (an `Independent`), and write the
counter and the audit of the refusal in one of those, just before they raise. In a request that factory is
`database.request_scope.independent_transaction`; a test or a job passes one over its own engine. We pass the
factory rather than let the view record the failure after catching the error because the domain function is
then the only place that decides what a failure is and what is written for it: the argument is required, so no
caller can forget to count (a forgotten count is a throttle that never throttles), and no Flask reaches the
domain (the factory is a plain callable returning a context manager that yields a Session and commits on exit).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from models import LoginThrottle

WINDOW = timedelta(hours=1)

# Opens a short transaction of its own and commits it on leaving the block (see the module docstring).
Independent = Callable[[], AbstractContextManager[Session]]


def window_start(now: datetime) -> datetime:
    """The start of the fixed window `now` falls in: the top of its clock hour."""
    return now.replace(minute=0, second=0, microsecond=0)


def account_key(email: str) -> str:
    """The key of an account's failures (the normalised email; cut to fit the column)."""
    return f"account:{email[:254]}"


def address_key(ip: str) -> str:
    """The key of one client address's failures, whatever accounts it tries."""
    return f"address:{ip[:64]}"


def second_factor_key(user_id: int) -> str:
    """The key of a person's wrong two-step codes."""
    return f"mfa:{user_id}"


def failures(session: Session, key: str, now: datetime) -> int:
    """How many failures `key` has in the window `now` falls in."""
    count = session.scalar(
        sa.select(LoginThrottle.failures).where(
            LoginThrottle.key == key, LoginThrottle.window_start == window_start(now)
        )
    )
    return count or 0


def is_throttled(session: Session, limits: Mapping[str, int], now: datetime) -> bool:
    """True when any key has reached its limit (`limits`: key → failures allowed per window)."""
    return any(failures(session, key, now) >= limit for key, limit in limits.items())


def record_failure(session: Session, keys: Iterable[str], now: datetime) -> None:
    """Count one failure against each key in the current window (one statement per key, safe under concurrency)."""
    for key in keys:
        stmt = pg_insert(LoginThrottle).values(key=key, window_start=window_start(now), failures=1)
        session.execute(
            stmt.on_conflict_do_update(
                index_elements=[LoginThrottle.key, LoginThrottle.window_start],
                set_={"failures": LoginThrottle.failures + 1},
            )
        )


def clear(session: Session, key: str) -> None:
    """Forget every failure of `key` (after a success: the account's owner proved who they are)."""
    session.execute(sa.delete(LoginThrottle).where(LoginThrottle.key == key))
