"""Choosing the store of a request: from the URL, accepted only with the signed-in person's membership.

`blueprints.guards.store_view` wraps every view under `/s/<store_slug>/` and finds the store with `resolve_store`;
`bind_store_by_id` serves pages reached without a membership, by a server-signed token or a grant row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import abort, g

from database.request_scope import db
from models import Membership, Store, StoreStatus
from tenants.binding import bind_schema

if TYPE_CHECKING:  # the auth package imports views that import this module; billing sits above tenants
    from accounts.accounts import Memberships
    from billing.access import BillingState


def resolve_store(memberships: Memberships, store_slug: str) -> tuple[Store, Membership, BillingState] | None:
    """The store with this slug among the signed-in person's memberships, with its dues state, or None.

    The memberships are read with the person's session once per request (`CurrentUser.memberships`, the same
    rows the navigation lists), so the check costs no query of its own and never trusts the slug alone.
    """
    if not isinstance(store_slug, str) or len(store_slug) > 63:
        return None
    for membership, store in memberships.stores:
        if store.slug == store_slug:
            return store, membership, memberships.billing[store.id]
    return None


def bind_store_by_id(store_id: int) -> Store:
    """Bind the request's Session to a store named by a *server-signed* token or a shared-schema grant row.

    For pages reached without a store membership — an officer's signed link, a liaison's grant — where the
    caller has already verified the signature or the grant. Never call it with an id taken from a form, a
    header or an unsigned URL. Unknown or not-ready stores answer 404 before any store query runs.
    """
    store = db().get(Store, store_id) if isinstance(store_id, int) and not isinstance(store_id, bool) else None
    if store is None or store.status != StoreStatus.READY or not store.schema_name:
        abort(404)
    bind_schema(db(), store.schema_name)
    g.store = store
    return store
