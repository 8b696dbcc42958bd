"""Choosing the store of a request: from the URL, accepted only with the signed-in person's membership.

`store_view` wraps every view under `/s/<store_slug>/`. It answers 404 for stores the person is not a member of
(without saying whether they exist), refuses stores that are not ready before any store query runs, checks the
role, then binds the request's Session to the store's schema.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from flask import abort, g, render_template
from flask_login import current_user

from billing.access import BillingState, enforce_billing_access
from database.request_scope import db
from extensions import login_manager
from models import STORE_ROLES, Membership, Role, Store, StoreStatus
from tenants.binding import bind_schema

if TYPE_CHECKING:  # the auth package imports views that import this module
    from blueprints.auth.services import Memberships


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


def store_view(roles: Iterable[Role] = STORE_ROLES) -> Callable:
    """Decorator for store views: `store_slug` from the URL → membership check → schema binding.

    The view receives `store` and `membership` instead of `store_slug`; `g.store` holds them too.
    """
    allowed = frozenset(Role(r) for r in roles)

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args: Any, store_slug: str, **kwargs: Any):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            found = resolve_store(current_user.memberships, store_slug)
            if found is None:
                abort(404)
            store, membership, billing = found
            if store.status == StoreStatus.SUSPENDED:
                return render_template("store/unavailable.html", store=store, reason="suspended"), 403
            if store.status != StoreStatus.READY or not store.schema_name:
                return render_template("store/unavailable.html", store=store, reason="provisioning"), 503
            if Role(membership.role) not in allowed:
                abort(403, "Your role in this store does not allow this.")
            enforce_billing_access(billing)  # dues status: read-only or no access (billing.access)
            bind_schema(db(), store.schema_name)
            g.store, g.membership = store, membership
            return view(*args, store=store, membership=membership, **kwargs)

        wrapper.loupe_access = {"kind": "store", "roles": sorted(r.value for r in allowed)}
        return wrapper

    return decorator


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
