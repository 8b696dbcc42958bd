"""Who may open a view: the access guards, in one place.

Each guard is a decorator that answers before the view runs and declares its kind in `loupe_access`, so that the
isolation matrix (tests/security/test_isolation_matrix.py) can classify every route:

- `store_view(roles)`: `/s/<store_slug>/…`, the signed-in person's membership of that store with one of `roles`
  (role groups: `models.accounts`), the dues rule (`billing.access`), then the Session bound to the store's schema.
- `association_admin_view`: `/a/<association_slug>/…`, an admin membership of that association, two-step sign-in.
- `liaison_view` (+ `require_two_step`): a police liaison membership; grants are checked by each view.
- `operator_view`: platform operators only (404 for everyone else).
- `api_view(scope)`: `/api/v1/…`, an API token (never the session cookie) holding `scope`; a store token binds the
  Session to its store's schema, after the same store status and dues rules as `store_view`; a police liaison's
  personal token reads their regions (reading scopes only). 401 JSON without a live token, 403 without the scope or
  for the other kind of token.

An association the platform operator suspended (`associations.onboarding.suspend`) answers every one of these with
the page saying so (`suspended_page`, 423; the API: 423 in the JSON shape), before anything of it is read: nothing is
deleted, nothing opens. Loupe's own subscription (`enforce_platform_billing`) rules the store, admin and liaison
pages and the API alike: reading only when unpaid, then only what `open_when_dues_unpaid` marks.

`open_when_dues_unpaid` marks the store views that the dues rule leaves open (tests/billing/test_access.py lists
them, so a new one cannot appear unnoticed).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy as sa
from flask import abort, current_app, flash, g, render_template, request, session
from flask_login import current_user
from sqlalchemy.orm import contains_eager

from apitokens import tokens as api_tokens
from billing.access import AccessLevel, WhenUnpaid, billing_state_for, enforce_billing_access
from billing.platform import PlatformAccess, access_state, grace_of
from database.request_scope import db
from extensions import login_manager
from models import STORE_ROLES, Association, AssociationSubscription, Membership, Role, Store, StoreStatus
from models.base import utcnow
from tenants.access import resolve_store
from tenants.activity import touch_store
from tenants.binding import bind_schema


def enrolment_redirect():
    """The redirect to two-step enrolment for a person who must use it and has not enrolled, else None."""
    # Imported on use: the auth package imports views, and views import this module.
    from blueprints.auth.mfa_views import enrolment_redirect as redirect_if_not_enrolled

    return redirect_if_not_enrolled()


# The attribute `open_when_dues_unpaid` sets on a view; `store_view` reads it (functools.wraps copies it over).
WHEN_UNPAID = "loupe_when_unpaid"


def open_when_dues_unpaid(view: Callable | None = None, *, writes: bool = False) -> Callable:
    """Mark a store view that stays open whatever the dues status (`billing.access`).

    Plain `@open_when_dues_unpaid`: reading (GET) stays open even when the store's membership has ended, so that its
    data can always be exported. `@open_when_dues_unpaid(writes=True)`: everything stays open, for the billing pages,
    which are how a store gets out of it. Put it under `store_view` (or above: the mark is read at request time).
    """

    def mark(view: Callable) -> Callable:
        setattr(view, WHEN_UNPAID, WhenUnpaid.ALL if writes else WhenUnpaid.READ)
        return view

    return mark if view is None else mark(view)


_READING = frozenset({"GET", "HEAD", "OPTIONS"})


def enforce_platform_billing(association: Association, open_when: WhenUnpaid | None) -> None:
    """Loupe's own subscription (`billing.platform.access_state`), for every store and admin-portal request of the
    association: read-only once it is not paid, export-only after the grace period. What stays open is the same
    mark as for dues (`open_when_dues_unpaid`): READ keeps exports, ALL keeps the billing pages. Sets
    `g.platform_billing`; refuses with 403 and the reason, and shows the banner on pages."""
    state = access_state(association.platform_subscription, now=utcnow(), grace=grace_of(current_app.config))
    g.platform_billing = state
    if state.level is PlatformAccess.FULL or open_when is WhenUnpaid.ALL:
        return
    reading = request.method in _READING
    if state.level is PlatformAccess.EXPORT_ONLY and not (reading and open_when is WhenUnpaid.READ):
        abort(403, state.banner)
    if not reading:
        abort(403, state.banner)
    if request.method == "GET" and ("warning", state.banner) not in session.get("_flashes", []):
        flash(state.banner, "warning")


SUSPENDED_STATUS = 423  # Locked: the page explains; a refusal, so the request stores nothing


def suspended_page(association: Association):
    """The clear page people of a suspended association see instead of any of its pages."""
    return render_template("associations/suspended.html", association=association), SUSPENDED_STATUS


def store_view(roles: Iterable[Role] = STORE_ROLES) -> Callable:
    """Decorator for store views: `store_slug` from the URL → membership check → schema binding.

    It answers 404 for stores the person is not a member of (without saying whether they exist), refuses stores
    that are not ready before any store query runs, checks the role and the dues status, then binds the request's
    Session to the store's schema. The view receives `store` and `membership` instead of `store_slug`; `g.store`
    and `g.membership` hold them too.
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
            if store.association.suspended_at is not None:
                return suspended_page(store.association)
            if store.status == StoreStatus.SUSPENDED:
                return render_template("store/unavailable.html", store=store, reason="suspended"), 403
            if store.status != StoreStatus.READY or not store.schema_name:
                return render_template("store/unavailable.html", store=store, reason="provisioning"), 503
            if Role(membership.role) not in allowed:
                abort(403, "Your role in this store does not allow this.")
            # Loupe's subscription, then the dues: read-only or less, except what the view is marked to keep open.
            enforce_platform_billing(store.association, getattr(wrapper, WHEN_UNPAID, None))
            enforce_billing_access(billing, getattr(wrapper, WHEN_UNPAID, None))
            bind_schema(db(), store.schema_name)
            g.store, g.membership = store, membership
            if request.method not in ("GET", "HEAD"):  # saving something: the store's "last activity" (hourly)
                touch_store(db(), store)
            return view(*args, store=store, membership=membership, **kwargs)

        wrapper.loupe_access = {"kind": "store", "roles": sorted(r.value for r in allowed)}
        return wrapper

    return decorator


def remembered_store(memberships, store_id) -> tuple[Store, Membership] | None:
    """The store a page outside any store keeps the menu of: the one last chosen (an id the session remembered),
    else the person's only store, and only while they are a member of it (this request's memberships) and it is
    ready. A removed membership or a suspended store shows no store menu."""
    ready = [(store, membership) for membership, store in memberships.stores if store.status == StoreStatus.READY]
    for store, membership in ready:
        if store.id == store_id:
            return store, membership
    return ready[0] if len(ready) == 1 else None


def association_admin_view(view: Callable) -> Callable:
    """Decorator: `association_slug` from the URL, accepted only with an admin membership of it (else 404) and
    two-step sign-in enrolled (else a redirect to enrolment)."""

    @functools.wraps(view)
    def wrapper(*args: Any, association_slug: str, **kwargs: Any):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        association = db().scalar(
            sa.select(Association)
            .join(Membership, Membership.association_id == Association.id)
            .outerjoin(AssociationSubscription, AssociationSubscription.association_id == Association.id)
            .options(contains_eager(Association.platform_subscription))
            .where(
                Association.slug == association_slug,
                Membership.user_id == current_user.id,
                Membership.role == Role.ASSOCIATION_ADMIN.value,
                Membership.store_id.is_(None),
            )
        )
        if association is None:
            abort(404)
        if association.suspended_at is not None:
            return suspended_page(association)
        enforce_platform_billing(association, getattr(wrapper, WHEN_UNPAID, None))
        # Admins must use two-step sign-in: an admin who has not enrolled is sent to do it first.
        not_enrolled = enrolment_redirect()
        if not_enrolled is not None:
            return not_enrolled
        g.association = association
        return view(*args, association=association, **kwargs)

    wrapper.loupe_access = {"kind": "association", "roles": [Role.ASSOCIATION_ADMIN.value]}
    return wrapper


def liaison_view(view: Callable) -> Callable:
    """Decorator: sign-in required, then a liaison membership (403 without). Grants are checked by each view, which
    then calls `require_two_step` before reading anything of a store.

    A suspended association's liaison memberships are left out (`liaison_memberships()`: every liaison page reads
    them through it); with none left, the suspended page (423). Loupe's own subscription of each remaining
    association then rules as for its admin portal (`enforce_platform_billing`): reading only, then only what is
    marked open (`open_when_dues_unpaid`: the exports).

    The enrolment check comes after a review's own check, so that a review that is not the person's answers 404
    whatever their enrolment; nothing of a store is read before both checks passed.
    """

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        liaison = current_user.liaison_memberships()
        if not liaison:
            abort(403, "These pages are for police liaisons.")
        live = [m for m in liaison if m.association.suspended_at is None]
        if not live:
            return suspended_page(liaison[0].association)
        for association in {m.association_id: m.association for m in live}.values():
            enforce_platform_billing(association, getattr(wrapper, WHEN_UNPAID, None))
        g.liaison_memberships = live
        return view(*args, **kwargs)

    wrapper.loupe_access = {"kind": "liaison", "roles": [Role.POLICE_LIAISON.value]}
    return wrapper


def liaison_memberships() -> list[Membership]:
    """The signed-in liaison's memberships a liaison page may use (set by `liaison_view`: no suspended
    association's)."""
    return g.liaison_memberships


def require_two_step() -> None:
    """Send a liaison who has not enrolled in two-step sign-in to enrolment (liaisons must use it)."""
    response = enrolment_redirect()
    if response is not None:
        abort(response)


def operator_view(view: Callable) -> Callable:
    """Decorator: platform operators only; everyone else gets 404 (the console's existence is not advertised). An
    operator who has not enrolled in two-step sign-in is sent to enrolment first: the most privileged account
    must use it."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.is_operator:
            abort(404)
        not_enrolled = enrolment_redirect()
        if not_enrolled is not None:
            return not_enrolled
        return view(*args, **kwargs)

    wrapper.loupe_access = {"kind": "operator"}
    return wrapper


def _api_association_rules(association: Association, open_when: WhenUnpaid | None) -> None:
    """The association's state for an API call, as for its pages: suspended → 423, Loupe's subscription not paid →
    reading only, then nothing but what is marked open (`open_when_dues_unpaid`); refusals in the JSON shape."""
    if association.suspended_at is not None:
        abort(SUSPENDED_STATUS, f"{association.name} is suspended by the platform: its data is kept, nothing opens.")
    state = access_state(association.platform_subscription, now=utcnow(), grace=grace_of(current_app.config))
    if state.level is PlatformAccess.FULL or open_when is WhenUnpaid.ALL:
        return
    reading = request.method in _READING
    if not reading or (state.level is PlatformAccess.EXPORT_ONLY and open_when is not WhenUnpaid.READ):
        abort(403, state.banner)


def api_view(scope: str) -> Callable:
    """Decorator for API operations: the bearer token, its scope, then its store, liaison or association.

    The view receives `token` and, for store scopes, `store` — or, for the reading scopes a police liaison's
    personal token may hold (`apitokens.tokens.LIAISON_SCOPES`), `store` and `liaison` (one of them None: a store
    token or a liaison's live membership); for association scopes `association`. `g.api_token` holds the token.
    The session cookie plays no part: a signed-in browser without a token gets 401 like anyone else. A suspended
    association answers 423, Loupe's own billing state as for the pages (`_api_association_rules`).
    """
    if scope not in api_tokens.ALL_SCOPES:
        raise ValueError(f"unknown API scope {scope!r}")
    for_store = scope in api_tokens.STORE_SCOPES
    for_liaison = scope in api_tokens.LIAISON_SCOPES

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any):
            session = db()
            token = api_tokens.authenticate(session, request.headers.get("Authorization"))
            if token is None:
                abort(401, "Send a valid API token: Authorization: Bearer loupe_…")
            open_when = getattr(wrapper, WHEN_UNPAID, None)
            if token.is_liaison_token:
                liaison = api_tokens.liaison_of(session, token)
                if liaison is None:  # the membership ended or the person was deactivated: the token is dead
                    abort(401, "This token no longer works: its police liaison membership has ended.")
                if not for_liaison:
                    abort(403, "A police liaison's token only reads bulletins, patterns and trends.")
                if scope not in token.scopes:
                    abort(403, f"This token does not have the {scope} permission.")
                g.api_token = token
                _api_association_rules(liaison.association, open_when)
                return view(*args, token=token, store=None, liaison=liaison, **kwargs)
            if token.is_store_token != for_store:
                kind = "a store" if for_store else "an association"
                abort(403, f"This operation needs {kind} token.")
            if scope not in token.scopes:
                abort(403, f"This token does not have the {scope} permission.")
            g.api_token = token
            if not for_store:
                association = session.get(Association, token.association_id)
                _api_association_rules(association, open_when)
                return view(*args, token=token, association=association, **kwargs)
            store = session.get(Store, token.store_id)
            _api_association_rules(store.association, open_when)
            if store.status == StoreStatus.SUSPENDED:
                abort(403, "This store is suspended by its association.")
            if store.status != StoreStatus.READY or not store.schema_name:
                abort(503, "This store is being set up. Try again in a few minutes.")
            dues = billing_state_for(session, store.id)
            reading = request.method in ("GET", "HEAD", "OPTIONS")
            if dues.level is AccessLevel.NONE or (not dues.can_write and not reading):
                abort(403, dues.banner)
            bind_schema(session, store.schema_name)
            g.store = store
            extra = {"liaison": None} if for_liaison else {}
            return view(*args, token=token, store=store, **extra, **kwargs)

        kind = "store" if for_store else "association"
        wrapper.loupe_access = {"kind": "api", "scope": scope, "token": kind, "liaison": for_liaison}
        return wrapper

    return decorator
