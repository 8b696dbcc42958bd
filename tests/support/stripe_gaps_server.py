"""Test double for the few Stripe endpoints that localstripe lacks.

localstripe (see ``localstripe_server.py``) answers 404 for Prices, Checkout
Sessions and billing portal sessions. :class:`StripeGapsServer` is a small
threaded HTTP server on 127.0.0.1 that answers exactly those, in the shape
Stripe documents, keeping objects in memory:

* ``POST /v1/prices``, ``GET /v1/prices/<id>``, ``POST /v1/prices/<id>``
  (active, nickname, lookup_key, metadata), ``GET /v1/prices`` (filters
  ``lookup_keys[]``, ``product``, ``active``, ``currency``, ``type``; ``limit``,
  ``starting_after``; newest first like Stripe)
* ``POST /v1/checkout/sessions``, ``GET /v1/checkout/sessions/<id>``,
  ``POST /v1/checkout/sessions/<id>/expire``
* ``POST /v1/billing_portal/sessions``
* HTML pages standing in for Stripe's hosted pages: ``GET /checkout/<id>``
  (a "Pay" button ``#pay`` and a "Cancel" link ``#cancel``) and
  ``GET /billing_portal/<id>`` (a "Return" link ``#return``).

It is *not* Stripe: unknown parameters are rejected with a 400 naming the
test double (extend ``_CHECKOUT_PARAMS`` etc. only with parameters Stripe
documents), and only card subscriptions/payments are modelled.

Completing a checkout session (the Pay button, or :meth:`complete_checkout`)
marks it ``complete``/``paid``, sends a signed ``checkout.session.completed``
event to the endpoints registered with :meth:`register_webhook`, then
redirects to ``success_url`` with ``{CHECKOUT_SESSION_ID}`` filled in.

Pointing the stripe library (stripe==16.1.0) at it
---------------------------------------------------
The library has one base URL per *kind* of API (``base_addresses`` keys
``api``, ``files``, ``connect``, ``meter_events``), not per endpoint, and the
per-request options (``RequestOptions``: api_key, stripe_version,
stripe_account, idempotency_key, headers, ...) cannot change the base URL.
So either:

1. **One base URL (recommended).** Start the double with
   ``localstripe_url=ls.url``: every ``/v1/...`` request it does not answer
   itself is forwarded unchanged to localstripe, so the app needs a single
   setting::

       gaps = start_stripe_gaps_server(localstripe_url=ls.url)
       client = stripe.StripeClient("sk_test_x", base_addresses={"api": gaps.url})
       # or, with the global style: stripe.api_key = ...; stripe.api_base = gaps.url

   In this mode a recurring price is also created in localstripe as a
   *plan with the same id* (localstripe has plans, not prices), so
   ``client.v1.subscriptions.create(params={"customer": c, "items":
   [{"plan": price.id}]})`` works — note ``plan``, not ``price``: localstripe
   only accepts ``plan`` in subscription items (real Stripe accepts a recurring
   price id as ``plan`` too). Completing a subscription checkout then also
   creates the customer if needed (from ``customer_email``), attaches
   ``pm_card_visa`` as its default payment method and creates the subscription
   in localstripe (``subscription_data[metadata]`` copied), so localstripe
   sends its own ``customer.subscription.created`` / invoice events.

2. **Two clients.** Without ``localstripe_url`` the double only knows its own
   endpoints: use ``StripeClient(key, base_addresses={"api": ls.url})`` for
   everything else and a second ``StripeClient(key, base_addresses={"api":
   gaps.url})`` for ``v1.prices``, ``v1.checkout.sessions`` and
   ``v1.billing_portal.sessions``. Product ids are then not checked.

Both accept any ``Authorization: Bearer sk_...`` key, like localstripe.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import re
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

#: The API version stripe==16.1.0 pins; stamped on the events we send.
API_VERSION = "2026-10-28.endive"

_HOST = "127.0.0.1"

_PRICE_CREATE_PARAMS = {
    "active",
    "currency",
    "expand",
    "lookup_key",
    "metadata",
    "nickname",
    "product",
    "product_data",
    "recurring",
    "tax_behavior",
    "transfer_lookup_key",
    "unit_amount",
}
_PRICE_UPDATE_PARAMS = {"active", "expand", "lookup_key", "metadata", "nickname", "transfer_lookup_key"}
_PRICE_LIST_PARAMS = {
    "active",
    "currency",
    "ending_before",
    "expand",
    "limit",
    "lookup_keys",
    "product",
    "starting_after",
    "type",
}
_CHECKOUT_PARAMS = {
    "allow_promotion_codes",
    "billing_address_collection",
    "cancel_url",
    "client_reference_id",
    "customer",
    "customer_email",
    "expand",
    "line_items",
    "locale",
    "metadata",
    "mode",
    "payment_method_types",
    "subscription_data",
    "success_url",
}
_PORTAL_PARAMS = {"configuration", "customer", "expand", "locale", "return_url"}


class StripeError(Exception):
    """An error answered in Stripe's JSON shape (``{"error": {...}}``)."""

    def __init__(self, status: int, message: str, param: str | None = None, code: str | None = None):
        super().__init__(message)
        self.status = status
        self.body = {"error": {"type": "invalid_request_error", "message": message, "param": param, "code": code}}


@dataclass
class WebhookDelivery:
    """One attempt to send an event to a registered endpoint."""

    url: str
    event: dict
    status: int | None = None
    error: str | None = None


@dataclass
class _State:
    prices: dict[str, dict] = field(default_factory=dict)
    checkout_sessions: dict[str, dict] = field(default_factory=dict)
    # Per checkout session, what Stripe keeps but does not return on the
    # session object: line items, subscription_data, the API key used.
    checkout_extras: dict[str, dict] = field(default_factory=dict)
    portal_sessions: dict[str, dict] = field(default_factory=dict)


class StripeGapsServer:
    """Stripe test double for Prices, Checkout and the billing portal.

    Use :func:`start_stripe_gaps_server`. Attributes: ``url`` (base URL),
    ``prices`` / ``checkout_sessions`` / ``portal_sessions`` (id -> object,
    live views), ``deliveries`` (list of :class:`WebhookDelivery`),
    ``requests`` (``(method, path)`` of every request served).
    """

    def __init__(self, localstripe_url: str | None = None):
        self.localstripe_url = localstripe_url.rstrip("/") if localstripe_url else None
        self._lock = threading.RLock()
        self._state = _State()
        self._webhooks: dict[str, tuple[str, str]] = {}
        self.deliveries: list[WebhookDelivery] = []
        self.requests: list[tuple[str, str]] = []
        self._httpd = ThreadingHTTPServer((_HOST, 0), _make_handler(self))
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self.url = f"http://{_HOST}:{self.port}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="stripe-gaps-server", daemon=True)

    # -- lifecycle ----------------------------------------------------------

    def start(self) -> StripeGapsServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket (waits for the server thread)."""
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=10)

    def __enter__(self) -> StripeGapsServer:
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def reset(self) -> None:
        """Forget every object, webhook endpoint, delivery and logged request."""
        with self._lock:
            self._state = _State()
            self._webhooks.clear()
            self.deliveries.clear()
            self.requests.clear()

    # -- test-side helpers ---------------------------------------------------

    @property
    def prices(self) -> dict[str, dict]:
        return self._state.prices

    @property
    def checkout_sessions(self) -> dict[str, dict]:
        return self._state.checkout_sessions

    @property
    def portal_sessions(self) -> dict[str, dict]:
        return self._state.portal_sessions

    def register_webhook(self, url: str, secret: str, id: str = "default") -> None:
        """Send our events (``checkout.session.completed``) to ``url``.

        Signed like Stripe's: ``Stripe-Signature: t=<ts>,v1=<HMAC-SHA256 of
        "<ts>.<payload>" with secret>``.
        """
        with self._lock:
            self._webhooks[id] = (url, secret)

    def complete_checkout(self, session_id: str) -> dict:
        """Do what the hosted page's Pay button does; returns the session."""
        return self._complete_checkout(session_id)

    # -- prices --------------------------------------------------------------

    def _create_price(self, params: dict, api_key: str) -> dict:
        _reject_unknown(params, _PRICE_CREATE_PARAMS)
        currency = params.get("currency")
        if not currency:
            raise StripeError(400, "Missing required param: currency.", "currency")
        product = params.get("product")
        product_data = params.get("product_data")
        if bool(product) == bool(product_data):
            raise StripeError(400, "You must specify exactly one of product or product_data.", "product")
        unit_amount = _int_param(params, "unit_amount", required=True)
        recurring = params.get("recurring")
        if recurring is not None:
            interval = recurring.get("interval")
            if interval not in ("day", "week", "month", "year"):
                raise StripeError(400, "Invalid recurring[interval].", "recurring[interval]")
            recurring = {
                "interval": interval,
                "interval_count": _int_param(recurring, "interval_count") or 1,
                "meter": None,
                "trial_period_days": None,
                "usage_type": "licensed",
            }
        if product_data:
            product = self._create_product(product_data, api_key)
        elif self.localstripe_url:
            # Real Stripe answers 404 for an unknown product; check where it lives.
            self._upstream("GET", f"/v1/products/{urllib.parse.quote(product)}", None, api_key, "product")

        price_id = "price_" + secrets.token_hex(12)
        price = {
            "id": price_id,
            "object": "price",
            "active": _bool_param(params, "active", default=True),
            "billing_scheme": "per_unit",
            "created": int(time.time()),
            "currency": currency.lower(),
            "custom_unit_amount": None,
            "livemode": False,
            "lookup_key": params.get("lookup_key"),
            "metadata": dict(params.get("metadata") or {}),
            "nickname": params.get("nickname"),
            "product": product,
            "recurring": recurring,
            "tax_behavior": params.get("tax_behavior", "unspecified"),
            "tiers_mode": None,
            "transform_quantity": None,
            "type": "recurring" if recurring else "one_time",
            "unit_amount": unit_amount,
            "unit_amount_decimal": str(unit_amount),
        }
        with self._lock:
            self._claim_lookup_key(price, params)
            if recurring and self.localstripe_url:
                # localstripe subscribes to plans only: mirror the price as a
                # plan with the same id, so items=[{"plan": price_id}] works.
                self._upstream(
                    "POST",
                    "/v1/plans",
                    {
                        "id": price_id,
                        "product": product,
                        "amount": unit_amount,
                        "currency": price["currency"],
                        "interval": recurring["interval"],
                        "interval_count": recurring["interval_count"],
                        **({"nickname": price["nickname"]} if price["nickname"] else {}),
                    },
                    api_key,
                )
            self._state.prices[price_id] = price
        return price

    def _create_product(self, product_data: dict, api_key: str) -> str:
        if not product_data.get("name"):
            raise StripeError(400, "Missing required param: product_data[name].", "product_data[name]")
        if self.localstripe_url:
            created = self._upstream("POST", "/v1/products", {"name": product_data["name"]}, api_key)
            return created["id"]
        return "prod_" + secrets.token_hex(7)

    def _claim_lookup_key(self, price: dict, params: dict) -> None:
        key = price["lookup_key"]
        if key is None:
            return
        for other in self._state.prices.values():
            if other["id"] != price["id"] and other["lookup_key"] == key:
                if not _bool_param(params, "transfer_lookup_key", default=False):
                    raise StripeError(400, f"A price (`{other['id']}`) already uses that lookup key.", "lookup_key")
                other["lookup_key"] = None

    def _update_price(self, price_id: str, params: dict) -> dict:
        _reject_unknown(params, _PRICE_UPDATE_PARAMS)
        with self._lock:
            price = self._get(self._state.prices, price_id, "price")
            if "lookup_key" in params:
                candidate = {**price, "lookup_key": params["lookup_key"] or None}
                self._claim_lookup_key(candidate, params)
                price["lookup_key"] = candidate["lookup_key"]
            if "active" in params:
                price["active"] = _bool_param(params, "active")
            if "nickname" in params:
                price["nickname"] = params["nickname"] or None
            for key, value in (params.get("metadata") or {}).items():
                # Stripe: an empty value deletes the key.
                if value == "":
                    price["metadata"].pop(key, None)
                else:
                    price["metadata"][key] = value
            return price

    def _list_prices(self, params: dict, api_key: str) -> dict:
        _reject_unknown(params, _PRICE_LIST_PARAMS)
        lookup_keys = params.get("lookup_keys")
        if isinstance(lookup_keys, str):
            lookup_keys = [lookup_keys]
        with self._lock:
            # Newest first, like Stripe; insertion order breaks same-second ties.
            prices = list(reversed(self._state.prices.values()))
        if lookup_keys is not None:
            prices = [p for p in prices if p["lookup_key"] in lookup_keys]
        if params.get("product"):
            prices = [p for p in prices if p["product"] == params["product"]]
        if "active" in params:
            active = _bool_param(params, "active")
            prices = [p for p in prices if p["active"] == active]
        if params.get("currency"):
            prices = [p for p in prices if p["currency"] == params["currency"].lower()]
        if params.get("type"):
            prices = [p for p in prices if p["type"] == params["type"]]
        ids = [p["id"] for p in prices]
        if params.get("starting_after") in ids:
            prices = prices[ids.index(params["starting_after"]) + 1 :]
        elif params.get("ending_before") in ids:
            prices = prices[: ids.index(params["ending_before"])]
        limit = _int_param(params, "limit") or 10
        page = prices[:limit]
        page = [self._expand(p, params.get("expand"), api_key, prefix="data.") for p in page]
        return {"object": "list", "data": page, "has_more": len(prices) > limit, "url": "/v1/prices"}

    def _expand(self, price: dict, expand: Any, api_key: str, prefix: str = "") -> dict:
        """Support ``expand[]=product`` (``data.product`` on lists) via localstripe."""
        for path in _as_list(expand):
            if path != prefix + "product":
                raise StripeError(400, f"Test double: cannot expand {path!r}.", "expand")
            if not self.localstripe_url:
                raise StripeError(400, "Test double: expanding product needs localstripe_url.", "expand")
            product = self._upstream("GET", f"/v1/products/{price['product']}", None, api_key)
            price = {**price, "product": product}
        return price

    # -- checkout ------------------------------------------------------------

    def _create_checkout_session(self, params: dict, api_key: str) -> dict:
        _reject_unknown(params, _CHECKOUT_PARAMS)
        mode = params.get("mode")
        if mode not in ("subscription", "payment"):
            raise StripeError(400, "Test double: mode must be 'subscription' or 'payment'.", "mode")
        if not params.get("success_url"):
            raise StripeError(400, "Missing required param: success_url.", "success_url")
        if params.get("customer") and params.get("customer_email"):
            raise StripeError(
                400, "You may only specify one of these parameters: customer, customer_email.", "customer"
            )
        if params.get("customer") and self.localstripe_url:
            self._upstream("GET", f"/v1/customers/{urllib.parse.quote(params['customer'])}", None, api_key, "customer")
        line_items = params.get("line_items")
        if not isinstance(line_items, list) or not line_items:
            raise StripeError(400, "Missing required param: line_items.", "line_items")
        if mode == "subscription" and self.localstripe_url and len(line_items) > 1:
            raise StripeError(400, "Test double: localstripe supports one item per subscription.", "line_items")

        items = []
        with self._lock:
            for index, item in enumerate(line_items):
                price = self._get(self._state.prices, item.get("price") or "", "price", f"line_items[{index}][price]")
                if mode == "subscription" and price["type"] != "recurring":
                    raise StripeError(
                        400,
                        "You must provide at least one recurring price in `subscription` mode.",
                        f"line_items[{index}][price]",
                    )
                quantity = _int_param(item, "quantity") or 1
                items.append({"price": price, "quantity": quantity})

        amount = sum(i["price"]["unit_amount"] * i["quantity"] for i in items)
        session_id = "cs_test_" + secrets.token_hex(24)
        now = int(time.time())
        session = {
            "id": session_id,
            "object": "checkout.session",
            "allow_promotion_codes": _bool_param(params, "allow_promotion_codes", default=None),
            "amount_subtotal": amount,
            "amount_total": amount,
            "billing_address_collection": params.get("billing_address_collection"),
            "cancel_url": params.get("cancel_url"),
            "client_reference_id": params.get("client_reference_id"),
            "created": now,
            "currency": items[0]["price"]["currency"],
            "customer": params.get("customer"),
            "customer_details": None,
            "customer_email": params.get("customer_email"),
            "expires_at": now + 24 * 3600,
            "livemode": False,
            "locale": params.get("locale"),
            "metadata": dict(params.get("metadata") or {}),
            "mode": mode,
            "payment_intent": None,
            "payment_method_types": _as_list(params.get("payment_method_types")) or ["card"],
            "payment_status": "unpaid",
            "status": "open",
            "subscription": None,
            "success_url": params["success_url"],
            "ui_mode": "hosted",
            "url": f"{self.url}/checkout/{session_id}",
        }
        with self._lock:
            self._state.checkout_sessions[session_id] = session
            self._state.checkout_extras[session_id] = {
                "line_items": items,
                "subscription_data": dict(params.get("subscription_data") or {}),
                # The hosted page has no API key of its own: completing the
                # session calls localstripe with the key that created it.
                "api_key": api_key,
            }
        return session

    def _expand_session(self, session: dict, expand: Any, api_key: str) -> dict:
        """Support ``expand[]=subscription`` / ``customer`` via localstripe."""
        session = dict(session)
        for path in _as_list(expand):
            if path not in ("subscription", "customer"):
                raise StripeError(400, f"Test double: cannot expand {path!r}.", "expand")
            if not self.localstripe_url:
                raise StripeError(400, f"Test double: expanding {path} needs localstripe_url.", "expand")
            if session[path]:
                session[path] = self._upstream("GET", f"/v1/{path}s/{session[path]}", None, api_key)
        return session

    def _expire_checkout_session(self, session_id: str) -> dict:
        with self._lock:
            session = self._get(self._state.checkout_sessions, session_id, "checkout.session")
            if session["status"] != "open":
                raise StripeError(400, f"Only open sessions can be expired; this one is {session['status']}.")
            session.update(status="expired", url=None)
            return session

    def _complete_checkout(self, session_id: str) -> dict:
        with self._lock:
            session = self._get(self._state.checkout_sessions, session_id, "checkout.session")
            if session["status"] != "open":
                raise StripeError(400, f"This Checkout Session is {session['status']}, not open.")
            extras = self._state.checkout_extras[session_id]
            if self.localstripe_url and session["mode"] == "subscription":
                session["customer"] = self._checkout_in_localstripe(session, extras)
            session.update(
                status="complete",
                payment_status="paid",
                url=None,
                customer_details={"email": session["customer_email"]},
            )
            event = _event("checkout.session.completed", session)
            webhooks = list(self._webhooks.values())
        # Sent before the browser is redirected to success_url, so tests need
        # not wait for it (real Stripe sends it asynchronously).
        for url, secret in webhooks:
            self._deliver(url, secret, event)
        return session

    def _checkout_in_localstripe(self, session: dict, extras: dict) -> str:
        """Create what a paid subscription checkout creates; returns the customer id."""
        items, subscription_data, api_key = (extras["line_items"], extras["subscription_data"], extras["api_key"])
        customer = session["customer"]
        if not customer:
            fields = {"email": session["customer_email"]} if session["customer_email"] else {}
            customer = self._upstream("POST", "/v1/customers", fields, api_key)["id"]
        card = self._upstream("POST", "/v1/payment_methods/pm_card_visa/attach", {"customer": customer}, api_key)
        # localstripe charges only the customer's *default* payment method.
        self._upstream(
            "POST", f"/v1/customers/{customer}", {"invoice_settings[default_payment_method]": card["id"]}, api_key
        )
        fields = {
            "customer": customer,
            # localstripe supports a single item per subscription.
            "items[0][plan]": items[0]["price"]["id"],
            "items[0][quantity]": items[0]["quantity"],
        }
        for key, value in (subscription_data.get("metadata") or {}).items():
            fields[f"metadata[{key}]"] = value
        if subscription_data.get("trial_period_days"):
            fields["trial_period_days"] = subscription_data["trial_period_days"]
        session["subscription"] = self._upstream("POST", "/v1/subscriptions", fields, api_key)["id"]
        return customer

    # -- billing portal -------------------------------------------------------

    def _create_portal_session(self, params: dict) -> dict:
        _reject_unknown(params, _PORTAL_PARAMS)
        if not params.get("customer"):
            raise StripeError(400, "Missing required param: customer.", "customer")
        session_id = "bps_" + secrets.token_hex(12)
        session = {
            "id": session_id,
            "object": "billing_portal.session",
            "configuration": params.get("configuration") or "bpc_test_default",
            "created": int(time.time()),
            "customer": params["customer"],
            "flow": None,
            "livemode": False,
            "locale": params.get("locale"),
            "on_behalf_of": None,
            "return_url": params.get("return_url"),
            "url": f"{self.url}/billing_portal/{session_id}",
        }
        with self._lock:
            self._state.portal_sessions[session_id] = session
        return session

    # -- plumbing -------------------------------------------------------------

    @staticmethod
    def _get(table: dict, object_id: str, kind: str, param: str = "id") -> dict:
        try:
            return table[object_id]
        except KeyError:
            raise StripeError(404, f"No such {kind}: '{object_id}'", param, "resource_missing") from None

    def _upstream(self, method: str, path: str, fields: dict | None, api_key: str, param: str | None = None) -> dict:
        """Call localstripe; its errors come back to our caller as Stripe errors."""
        status, _, body = self._forward(
            method,
            path,
            urllib.parse.urlencode(fields or {}).encode() if method != "GET" else None,
            {"Authorization": f"Bearer {api_key}", "Content-Type": "application/x-www-form-urlencoded"},
        )
        if status >= 400:
            reply = body.decode(errors="replace")
            message = f"localstripe {method} {path} -> {status}: {reply}"
            raise StripeError(404 if status == 404 else 400, message, param)
        return json.loads(body)

    def _forward(self, method: str, path: str, body: bytes | None, headers: dict) -> tuple[int, str, bytes]:
        request = urllib.request.Request(self.localstripe_url + path, data=body, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return (response.status, response.headers.get("Content-Type", ""), response.read())
        except urllib.error.HTTPError as exc:
            # "with": an unclosed HTTPError warns (ResourceWarning) when collected.
            with exc:
                return exc.code, exc.headers.get("Content-Type", ""), exc.read()

    def _deliver(self, url: str, secret: str, event: dict) -> None:
        payload = json.dumps(event, indent=2).encode()
        timestamp = int(time.time())
        signature = hmac.new(secret.encode(), b"%d.%s" % (timestamp, payload), hashlib.sha256).hexdigest()
        request = urllib.request.Request(
            url,
            data=payload,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Stripe-Signature": f"t={timestamp},v1={signature}",
                "User-Agent": "Stripe/1.0 (test double)",
            },
        )
        delivery = WebhookDelivery(url=url, event=event)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                delivery.status = response.status
        except urllib.error.HTTPError as exc:
            exc.close()
            delivery.status = exc.code
        except OSError as exc:
            delivery.error = repr(exc)
        with self._lock:
            self.deliveries.append(delivery)


def start_stripe_gaps_server(localstripe_url: str | None = None) -> StripeGapsServer:
    """Start the test double on 127.0.0.1 (free port) in a daemon thread.

    With ``localstripe_url``, requests it does not answer are forwarded there
    (one base URL for the app) and checkout completion creates the
    subscription in localstripe; see the module docstring. Call ``.stop()``.
    """
    return StripeGapsServer(localstripe_url).start()


# -- HTTP layer -----------------------------------------------------------------

_ROUTES: list[tuple[str, re.Pattern, str]] = [
    (method, re.compile(pattern + r"\Z"), name)
    for method, pattern, name in [
        ("POST", r"/v1/prices", "price_create"),
        ("GET", r"/v1/prices", "price_list"),
        ("GET", r"/v1/prices/(?P<id>[\w-]+)", "price_retrieve"),
        ("POST", r"/v1/prices/(?P<id>[\w-]+)", "price_update"),
        ("POST", r"/v1/checkout/sessions", "checkout_create"),
        ("GET", r"/v1/checkout/sessions/(?P<id>[\w-]+)", "checkout_retrieve"),
        ("POST", r"/v1/checkout/sessions/(?P<id>[\w-]+)/expire", "checkout_expire"),
        ("POST", r"/v1/billing_portal/sessions", "portal_create"),
        ("GET", r"/checkout/(?P<id>[\w-]+)", "checkout_page"),
        ("POST", r"/checkout/(?P<id>[\w-]+)/pay", "checkout_pay"),
        ("GET", r"/billing_portal/(?P<id>[\w-]+)", "portal_page"),
    ]
]


def _make_handler(server: StripeGapsServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "StripeGapsTestDouble/1.0"

        def log_message(self, format: str, *args) -> None:
            # Quiet: tests read server.requests instead of stderr noise.
            pass

        def do_GET(self) -> None:
            self._handle("GET")

        def do_POST(self) -> None:
            self._handle("POST")

        def do_DELETE(self) -> None:
            self._handle("DELETE")

        def _handle(self, method: str) -> None:
            parsed = urllib.parse.urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw_body = self.rfile.read(length) if length else b""
            with server._lock:
                server.requests.append((method, parsed.path))
            try:
                for route_method, pattern, name in _ROUTES:
                    match = pattern.match(parsed.path)
                    if match and route_method == method:
                        getattr(self, "_" + name)(match.groupdict(), parsed.query, raw_body)
                        return
                if server.localstripe_url and parsed.path.startswith("/v1/"):
                    self._proxy(method, raw_body)
                    return
                raise StripeError(404, f"Unrecognized request URL ({method}: {parsed.path}).")
            except StripeError as exc:
                self._json(exc.status, exc.body)
            except Exception as exc:  # a bug in the double: say so loudly
                self._json(500, StripeError(500, f"Test double crashed: {exc!r}").body)
                raise

        # -- API --------------------------------------------------------------

        def _api_key(self) -> str:
            auth = self.headers.get("Authorization", "")
            scheme, _, key = auth.partition(" ")
            if scheme != "Bearer" or not key.startswith("sk_") or len(key) <= 5:
                raise StripeError(401, "You did not provide an API key (test double).")
            return key

        def _form(self, raw_body: bytes) -> dict:
            self._api_key()
            return parse_stripe_form(raw_body.decode())

        def _price_create(self, _, query, body):
            self._json(200, server._create_price(self._form(body), self._api_key()))

        def _price_list(self, _, query, body):
            self._api_key()
            self._json(200, server._list_prices(parse_stripe_form(query), self._api_key()))

        def _price_retrieve(self, match, query, body):
            key = self._api_key()
            price = server._get(server._state.prices, match["id"], "price")
            self._json(200, server._expand(price, parse_stripe_form(query).get("expand"), key))

        def _price_update(self, match, query, body):
            self._json(200, server._update_price(match["id"], self._form(body)))

        def _checkout_create(self, _, query, body):
            self._json(200, server._create_checkout_session(self._form(body), self._api_key()))

        def _checkout_retrieve(self, match, query, body):
            key = self._api_key()
            session = server._get(server._state.checkout_sessions, match["id"], "checkout.session")
            self._json(200, server._expand_session(session, parse_stripe_form(query).get("expand"), key))

        def _checkout_expire(self, match, query, body):
            self._form(body)
            self._json(200, server._expire_checkout_session(match["id"]))

        def _portal_create(self, _, query, body):
            self._json(200, server._create_portal_session(self._form(body)))

        def _proxy(self, method: str, raw_body: bytes) -> None:
            headers = {
                name: self.headers[name]
                for name in ("Authorization", "Content-Type", "Stripe-Version", "Idempotency-Key", "Stripe-Account")
                if self.headers.get(name)
            }
            status, content_type, body = server._forward(
                method, self.path, raw_body if method != "GET" else None, headers
            )
            self._send(status, content_type or "application/json", body)

        # -- hosted pages -------------------------------------------------------

        def _checkout_page(self, match, query, body):
            session = server.checkout_sessions.get(match["id"])
            if session is None:
                self._page(404, "Checkout session not found", "<p>No such session.</p>")
                return
            items = server._state.checkout_extras[session["id"]]["line_items"]
            rows = "".join(_line_item_html(i["price"], i["quantity"]) for i in items)
            if session["status"] == "open":
                cancel = session["cancel_url"]
                actions = (
                    f'<form method="post" action="/checkout/{session["id"]}/pay">'
                    '<button id="pay" type="submit">Pay</button></form>'
                    + (f'<p><a id="cancel" href="{html.escape(cancel)}">Cancel</a></p>' if cancel else "")
                )
            else:
                status = html.escape(session["status"])
                actions = f'<p id="status">This session is {status}.</p>'
            self._page(200, "Checkout (Stripe test double)", f"<ul>{rows}</ul>{actions}")

        def _checkout_pay(self, match, query, body):
            try:
                session = server._complete_checkout(match["id"])
            except StripeError as exc:
                self._page(exc.status, "Checkout failed", f"<p>{html.escape(str(exc))}</p>")
                return
            location = session["success_url"].replace("{CHECKOUT_SESSION_ID}", session["id"])
            self.send_response(303)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _portal_page(self, match, query, body):
            session = server.portal_sessions.get(match["id"])
            if session is None:
                self._page(404, "Portal session not found", "<p>No such session.</p>")
                return
            back = session["return_url"]
            content = f"<p>Customer {html.escape(session['customer'])}</p>" + (
                f'<p><a id="return" href="{html.escape(back)}">Return</a></p>' if back else ""
            )
            self._page(200, "Billing portal (Stripe test double)", content)

        # -- responses ------------------------------------------------------------

        def _page(self, status: int, title: str, content: str) -> None:
            title = html.escape(title)
            page = (
                "<!doctype html><html><head><meta charset='utf-8'>"
                f"<title>{title}</title></head>"
                f"<body><h1>{title}</h1>{content}</body></html>"
            )
            self._send(status, "text/html; charset=utf-8", page.encode())

        def _json(self, status: int, obj: dict) -> None:
            self._send(status, "application/json", json.dumps(obj).encode())

        def _send(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


# -- parameters -----------------------------------------------------------------


def parse_stripe_form(text: str) -> dict:
    """Decode Stripe's form encoding into nested dicts and lists.

    ``line_items[0][price]=p&metadata[k]=v&lookup_keys[]=a`` becomes
    ``{"line_items": [{"price": "p"}], "metadata": {"k": "v"}, "lookup_keys": ["a"]}``.
    The stripe library always writes list indexes (``a[0]``); ``a[]`` is what
    curl users and Stripe's docs write.
    """
    root: dict = {}
    for key, value in urllib.parse.parse_qsl(text, keep_blank_values=True):
        # "a[b][0][]" -> ["a", "b", "0", "[]"]
        parts = re.findall(r"\[\]|[^\[\]]+", key)
        appending = parts[-1] == "[]"
        if appending:
            parts.pop()
        node = root
        try:
            for part in parts[:-1]:
                node = node.setdefault(part, {})
            if appending:
                node.setdefault(parts[-1], []).append(value)
            else:
                node[parts[-1]] = value
        except (AttributeError, IndexError, TypeError):
            raise StripeError(400, f"Invalid parameter: {key}", key) from None
    return _lists(root)


def _lists(node: Any, name: str = "") -> Any:
    """``{"0": a, "1": b}`` -> ``[a, b]``, except under ``metadata`` (free keys)."""
    if not isinstance(node, dict):
        return node
    node = {k: _lists(v, k) for k, v in node.items()}
    if name != "metadata" and node and all(k.isdigit() for k in node):
        return [node[k] for k in sorted(node, key=int)]
    return node


def _reject_unknown(params: dict, allowed: set[str]) -> None:
    for name in params:
        if name not in allowed:
            raise StripeError(
                400,
                f"Received unknown parameter: {name} (Stripe test double: add it "
                "to the allowed set in tests/support/stripe_gaps_server.py only "
                "if Stripe documents it)",
                name,
            )


def _int_param(params: dict, name: str, required: bool = False) -> int | None:
    value = params.get(name)
    if value is None or value == "":
        if required:
            raise StripeError(400, f"Missing required param: {name}.", name)
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise StripeError(400, f"Invalid integer: {value}", name) from None


def _bool_param(params: dict, name: str, default: bool | None = None) -> bool | None:
    value = params.get(name)
    if value is None:
        return default
    if value in ("true", "false"):
        return value == "true"
    raise StripeError(400, f"Invalid boolean: {value}", name)


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _line_item_html(price: dict, quantity: int) -> str:
    name = html.escape(price.get("nickname") or price["id"])
    amount = f"{price['unit_amount'] / 100:.2f} {price['currency'].upper()}"
    return f"<li>{name} × {quantity}: {html.escape(amount)}</li>"


def _event(event_type: str, obj: dict) -> dict:
    return {
        "id": "evt_" + secrets.token_hex(12),
        "object": "event",
        "api_version": API_VERSION,
        "created": int(time.time()),
        "data": {"object": json.loads(json.dumps(obj))},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
    }
