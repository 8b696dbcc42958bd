"""The failure throttle of sign-in and of the second factor: counters in PostgreSQL, a lock that backs off and
expires by itself.

The rule (issue #16):

- **Counting.** A failure is counted against one or more keys in one-minute buckets (`bucket_start`; the column is
  still named `window_start`: it is the start of the bucket). A key's failures are those of the last hour, rolling
  (`WINDOW`, not to the top of the clock hour); older buckets are forgotten and deleted as new ones are written.
- **Backoff.** A key with at least `limit` failures in the window is locked after its last failure for
  `FIRST_WAIT` (1 min), doubling with each failure beyond the limit (2, 4, 8 min...), never longer than
  `LONGEST_WAIT` (15 min), counted from the end of the last failure's bucket (`locked_until`). While locked,
  attempts are refused before any check and are not counted, so a lock ends by itself: nobody, the attacker
  included, can stretch it beyond `LONGEST_WAIT` after their last counted failure.
- **Sign-in** (`accounts.accounts.authenticate`) uses three keys per attempt:
  the account (`account_key`, limit `LOGIN_MAX_FAILURES_PER_ACCOUNT`): even the right password is refused while the
  account is locked (else the lock protects nothing), the owner is emailed when it locks (once per `WINDOW`, with a
  link to reset the password) and a password reset or a successful sign-in clears it;
  the address (`address_key`, limit `LOGIN_MAX_FAILURES_PER_ADDRESS`), which locks nobody by itself: it only says
  the address is under suspicion;
  the pair address+account (`pair_key`), which, while its address is over the address limit, backs off from the
  pair's first failure (limit 1). So behind a shared proxy (or an unconfigured `TRUSTED_PROXIES`) an attacker's
  flood slows every account *they* try from that address, one guess per account and then 1, 2, 4... minutes
  apart, while a colleague's right password for an account that has not failed from there goes straight in.
- **Second factor** (`accounts.mfa`): one key per person (`second_factor_key`), limit `mfa.MAX_FAILURES_PER_HOUR`,
  the same backoff.

Why no delay by sleeping: a "progressive delay" served by sleeping in the request would hold a gunicorn worker per
attempt, so the attacker's flood would take every worker and lock everyone out anyway (the very failure this
replaces). The delay is a refusal (429) until `locked_until`, which costs one indexed read.

Counters live in `login_throttle`, so every worker on every machine sees the same counts.

A failure must outlive the refusal it causes: a refused request rolls back everything it wrote
(`database.request_scope`). So the domain functions that refuse (`authenticate`, `verify_second_factor`,
`enable_mfa`) take `independent`, a factory of short transactions of their own (an `Independent`), and write the
counter and the audit of the refusal (and the lock email's job) in one of those, just before they raise. In a
request that factory is `database.request_scope.independent_transaction`; a test or a job passes one over its own
engine. We pass the factory rather than let the view record the failure after catching the error because the
domain function is then the only place that decides what a failure is and what is written for it: the argument is
required, so no caller can forget to count (a forgotten count is a throttle that never throttles), and no Flask
reaches the domain (the factory is a plain callable returning a context manager that yields a Session and commits
on exit).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from models import LoginThrottle

WINDOW = timedelta(hours=1)
BUCKET = timedelta(minutes=1)
FIRST_WAIT = timedelta(minutes=1)
LONGEST_WAIT = timedelta(minutes=15)

# Opens a short transaction of its own and commits it on leaving the block (see the module docstring).
Independent = Callable[[], AbstractContextManager[Session]]


def bucket_start(now: datetime) -> datetime:
    """The start of the one-minute bucket `now` falls in (where its failure is counted)."""
    return now.replace(second=0, microsecond=0)


def account_key(email: str) -> str:
    """The key of an account's failures (the normalised email; cut to fit the column)."""
    return f"account:{email[:254]}"


def address_key(ip: str) -> str:
    """The key of one client address's failures, whatever accounts it tries."""
    return f"address:{ip[:64]}"


def pair_key(ip: str, email: str) -> str:
    """The key of one account's failures from one address."""
    return f"pair:{ip[:45]}:{email[:254]}"[:300]


def notice_key(email: str) -> str:
    """Marks that the account's owner was told of a lock (one email per lock episode, see `notify_once`)."""
    return f"notice:{email[:254]}"


def second_factor_key(user_id: int) -> str:
    """The key of a person's wrong two-step codes."""
    return f"mfa:{user_id}"


@dataclass(frozen=True)
class Standing:
    """A key's failures in the window ending now, and the end of the bucket of its last one (None: no failure)."""

    failures: int
    last: datetime | None


def standing(session: Session, key: str, now: datetime) -> Standing:
    """How many failures `key` has in the window ending at `now`, and when its last bucket ended."""
    count, latest = session.execute(
        sa.select(
            sa.func.coalesce(sa.func.sum(LoginThrottle.failures), 0), sa.func.max(LoginThrottle.window_start)
        ).where(LoginThrottle.key == key, LoginThrottle.window_start > now - WINDOW)
    ).one()
    return Standing(int(count), latest + BUCKET if latest is not None else None)


def failures(session: Session, key: str, now: datetime) -> int:
    """How many failures `key` has in the window (the last hour) ending at `now`."""
    return standing(session, key, now).failures


def wait_after(count: int, limit: int) -> timedelta:
    """How long a key with `count` failures (at least `limit`) stays locked after its last one: 1, 2, 4... minutes."""
    beyond = max(0, count - limit)
    if beyond >= 8:  # 2**8 minutes is past the cap already; keep the power small
        return LONGEST_WAIT
    return min(LONGEST_WAIT, FIRST_WAIT * 2**beyond)


def locked_until(session: Session, key: str, limit: int, now: datetime) -> datetime | None:
    """The moment `key`'s lock ends, or None when it is not locked at `now`."""
    found = standing(session, key, now)
    if found.failures < limit or found.last is None:
        return None
    until = found.last + wait_after(found.failures, limit)
    return until if until > now else None


def is_throttled(session: Session, limits: Mapping[str, int], now: datetime) -> bool:
    """True when any key is locked at `now` (`limits`: key → failures allowed in the window before backoff)."""
    return any(locked_until(session, key, limit, now) is not None for key, limit in limits.items())


def record_failure(session: Session, keys: Iterable[str], now: datetime) -> None:
    """Count one failure against each key in the current bucket (one statement per key, safe under concurrency),
    and drop the key's buckets that left the window (the table holds at most an hour of buckets per key)."""
    for key in keys:
        session.execute(
            sa.delete(LoginThrottle).where(LoginThrottle.key == key, LoginThrottle.window_start <= now - WINDOW)
        )
        stmt = pg_insert(LoginThrottle).values(key=key, window_start=bucket_start(now), failures=1)
        session.execute(
            stmt.on_conflict_do_update(
                index_elements=[LoginThrottle.key, LoginThrottle.window_start],
                set_={"failures": LoginThrottle.failures + 1},
            )
        )


def notify_once(session: Session, email: str, now: datetime) -> bool:
    """True (and remembered) when the owner of the account `email` was not yet told of a lock in the window: a lock
    episode gets one email, not one per attempt, however the attacker spreads their attempts."""
    key = notice_key(email)
    # Two failures locking the account at once would both see no notice: the second waits for the first's commit.
    session.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext(key))))
    if failures(session, key, now):
        return False
    record_failure(session, [key], now)
    return True


def clear(session: Session, key: str) -> None:
    """Forget every failure of `key` (after a success: the account's owner proved who they are)."""
    session.execute(sa.delete(LoginThrottle).where(LoginThrottle.key == key))
