"""Where the header says the person is: the current section (for `aria-current`) and the store whose menu shows.

One helper from `request.endpoint` and `request.blueprint` (never set per template), and one rule for the store menu
outside the store's own pages (account pages, the notifications inbox): the store the person last chose, kept in
the session and re-checked against this request's memberships (`guards.remembered_store`), else their only store.
"""

from __future__ import annotations

from flask import g, request, session

# Endpoint first (a few pages live in another blueprint than their section), then blueprint.
_ENDPOINT_SECTIONS = {
    "store.dashboard": "dashboard",
    "store.settings": "dashboard",
    "store.profile": "dashboard",
    "api_tokens.store_tokens": "dashboard",
    "api_tokens.store_revoke": "dashboard",
    "notifications.settings": "account",
    "auth.change_password": "account",
    "auth.language": "account",
    "auth.switch_store": "stores",
    "liaison.home": "reviews",
    "liaison.review": "reviews",
    "liaison.photo": "reviews",
    "liaison.feed": "feed",
    "liaison.bulletin": "feed",
    "liaison.patterns": "patterns",
    "liaison.trends_page": "trends",
    "liaison.new_trend_bulletin": "post",
    "api_tokens.liaison_tokens": "api-tokens",
    "api_tokens.association_tokens": "api-tokens",
    "api_tokens.association_revoke": "api-tokens",
    "platform_billing.index": "subscription",
}
_BLUEPRINT_SECTIONS = {
    "store": "contacts",  # the store blueprint's other pages are the police contacts
    "logbook": "logbook",
    "sharing": "logbook",
    "feed": "feed",
    "meetings": "meetings",
    "patrols": "patrols",
    "plans": "plans",
    "briefing": "briefing",
    "review": "review",
    "people": "people",
    "billing": "billing",
    "notifications": "notifications",
    "alerts": "account",
    "mfa": "account",
    "outgoing_webhooks": "webhooks",
}
# Admin pages by the start of their endpoint name, first match wins (e.g. `reactivate_person` before `reactivate`).
_ADMIN_PREFIXES = (
    ("moderation", "moderation"),
    ("reactivate_person", "people"),
    ("deactivate_person", "people"),
    ("remove_role", "people"),
    ("change_role", "people"),
    ("invite_person", "people"),
    ("reset_two_step", "people"),
    ("update_liaison", "people"),
    ("person", "people"),
    ("people", "people"),
    ("member", "members"),
    ("invite_store", "members"),
    ("import", "members"),
    ("export", "members"),
    ("move", "members"),
    ("suspend", "members"),
    ("reactivate", "members"),
    ("remove", "members"),
    ("retry_setup", "members"),
    ("cancel_removal", "members"),
    ("region", "regions"),
    ("rename", "regions"),
    ("merge", "regions"),
    ("create_", "regions"),
    ("trends", "trends"),
    ("alerts", "alerts"),
    ("digest", "digest"),
    ("billing", "billing"),
    ("audit", "audit"),
    ("association_settings", "home"),
    ("home", "home"),
)

LAST_STORE_KEY = "nav_store_id"


def current_section(endpoint: str | None = None) -> str | None:
    """The header section of `endpoint` (the request's by default): "logbook", "contacts", "account", ..."""
    endpoint = endpoint if endpoint is not None else (request.endpoint or "")
    if endpoint in _ENDPOINT_SECTIONS:
        return _ENDPOINT_SECTIONS[endpoint]
    blueprint, _, name = endpoint.partition(".")
    if blueprint == "admin":
        return next((section for prefix, section in _ADMIN_PREFIXES if name.startswith(prefix)), None)
    return _BLUEPRINT_SECTIONS.get(blueprint)


def remember_store(response):
    """After a store page (membership checked by `store_view`): the store whose menu later pages outside it keep."""
    store, membership = g.get("store"), g.get("membership")
    if store is not None and membership is not None and session.get(LAST_STORE_KEY) != store.id:
        session[LAST_STORE_KEY] = store.id
    return response


def menu_store(memberships):
    """(store, membership) whose menu the header shows, or None.

    Inside a store: that store. On a page of no store and no association (account pages, the inbox): the store
    the person last chose, or their only store, if they are still a member of it and it is ready. Never on the
    pages of an association, a liaison, the operator or an officer's link, nor on a page that bound a store
    without a membership (a liaison's review)."""
    from blueprints.guards import remembered_store

    store, membership = g.get("store"), g.get("membership")
    if store is not None:
        return (store, membership) if membership is not None else None
    if g.get("association") is not None or request.blueprint in ("liaison", "operator", "officer", "admin"):
        return None
    return remembered_store(memberships, session.get(LAST_STORE_KEY))
