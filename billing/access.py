"""What a store may do, given its dues subscription's status (SECURITY.md, "Stripe").

| Stripe status                  | level       | the store's workspace                                         |
| ------------------------------ | ----------- | ------------------------------------------------------------- |
| (no subscription record)       | full        | as usual: an association need not bill every member          |
| trialing, active               | full        | as usual                                                      |
| past_due                       | grace       | as usual, with a banner; owners get a dunning email           |
| incomplete                     | pending     | read-only with a banner until the first payment goes through  |
| unpaid, paused                 | read-only   | pages open; POST/PUT/PATCH/DELETE refused with 403            |
| canceled, incomplete_expired   | none        | 403 everywhere except billing and exports; data is kept       |

What stays open is marked on the view (`blueprints.guards.open_when_dues_unpaid`, read here as a `WhenUnpaid`),
never guessed from its name or blueprint.

An unknown (future) status is read-only: nothing is lost, nothing is written until someone looks.
`access_level` is the rule; `enforce_billing_access` applies it inside `blueprints.guards.store_view`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import abort, flash, g, request, session
from sqlalchemy.orm import Session

from i18n import _l
from models import StoreSubscription


class AccessLevel(enum.StrEnum):
    FULL = "full"
    GRACE = "grace"
    PENDING = "pending"
    READ_ONLY = "read_only"
    NONE = "none"


_LEVELS = {
    "trialing": AccessLevel.FULL,
    "active": AccessLevel.FULL,
    "past_due": AccessLevel.GRACE,
    "incomplete": AccessLevel.PENDING,
    "unpaid": AccessLevel.READ_ONLY,
    "paused": AccessLevel.READ_ONLY,
    "canceled": AccessLevel.NONE,
    "incomplete_expired": AccessLevel.NONE,
}
# Statuses whose store has no access at all: its people get no regional digest either.
NO_ACCESS_STATUSES = tuple(status for status, level in _LEVELS.items() if level is AccessLevel.NONE)


def access_level(status: str | None) -> AccessLevel:
    """The access a subscription status gives; None (no subscription) gives full access."""
    if status is None:
        return AccessLevel.FULL
    return _LEVELS.get(status, AccessLevel.READ_ONLY)


_BANNERS = {
    AccessLevel.GRACE: _l(
        "Your dues payment did not go through. Update your card on the Billing page to keep full access."
    ),
    AccessLevel.PENDING: _l(
        "Your first dues payment has not gone through yet. The workspace is read-only until it does."
    ),
    AccessLevel.READ_ONLY: _l(
        "Your dues are unpaid: the workspace is read-only until they are settled on the Billing page."
    ),
    AccessLevel.NONE: _l(
        "Your store's membership has ended. Your data is kept; the owner can export it or renew the membership"
        " on the Billing page."
    ),
}


@dataclass(frozen=True)
class BillingState:
    status: str | None
    level: AccessLevel
    current_period_end: datetime | None = None

    @property
    def can_write(self) -> bool:
        return self.level in (AccessLevel.FULL, AccessLevel.GRACE)

    @property
    def can_read(self) -> bool:
        return self.level is not AccessLevel.NONE

    @property
    def banner(self) -> str | None:
        banner = _BANNERS.get(self.level)
        return str(banner) if banner is not None else None  # in the reader's language, flashable


def state_from(status: str | None, current_period_end: datetime | None = None) -> BillingState:
    """The billing state of a stored subscription status (None: no subscription record, full access)."""
    return BillingState(status, access_level(status), current_period_end)


def state_of(subscription: StoreSubscription | None) -> BillingState:
    if subscription is None:
        return state_from(None)
    return state_from(subscription.status, subscription.current_period_end)


def billing_state_for(session: Session, store_id: int) -> BillingState:
    """The store's billing state from the last status read from Stripe (one shared-schema query)."""
    row = session.execute(
        sa.select(StoreSubscription.status, StoreSubscription.current_period_end).where(
            StoreSubscription.store_id == store_id
        )
    ).first()
    return state_from(None) if row is None else state_from(row.status, row.current_period_end)


def billing_states_for(session: Session, store_ids: Iterable[int]) -> dict[int, BillingState]:
    """Billing states of many stores at once (the admin portal's member list); missing ones are full access."""
    ids = list(store_ids)
    found = {
        row.store_id: state_from(row.status, row.current_period_end)
        for row in session.execute(
            sa.select(StoreSubscription.store_id, StoreSubscription.status, StoreSubscription.current_period_end).where(
                StoreSubscription.store_id.in_(ids)
            )
        )
    }
    return {i: found.get(i) or state_from(None) for i in ids}


class WhenUnpaid(enum.StrEnum):
    """What of a store view stays open whatever the dues status (set by `blueprints.guards.open_when_dues_unpaid`)."""

    READ = "read"  # reading, even once the membership has ended: the store's data stays exportable
    ALL = "all"  # everything, writes included: the billing pages, since paying is how a store gets out of it


_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def enforce_billing_access(state: BillingState, open_when_unpaid: WhenUnpaid | None = None) -> None:
    """Called by `store_view` for every store request, after the membership check, with the store's state (read
    with the person's memberships) and what the view is marked to keep open: refuse what the status does not allow
    (403 with a message for people) and show the banner. Sets `g.billing`."""
    g.billing = state
    if open_when_unpaid is WhenUnpaid.ALL:
        return
    reading = request.method in _SAFE_METHODS
    if state.level is AccessLevel.NONE and not (reading and open_when_unpaid is WhenUnpaid.READ):
        abort(403, state.banner)
    if not state.can_write and not reading:
        abort(403, state.banner)
    if state.banner and request.method == "GET":
        _flash_once(state.banner)


def _flash_once(message: str) -> None:
    if ("warning", message) not in session.get("_flashes", []):
        flash(message, "warning")
