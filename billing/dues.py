"""The admin portal's billing section: the association's Stripe account, its dues plans and the dues collected.

The Stripe keys are stored encrypted (`billing.stripe_client.save_stripe_account`) and never shown back: the page
says when they were set and how the secret key ends. Dues collected are read from Stripe (it is the record; Loupe
keeps no copy of invoices): the paid invoices of the association's own customers, in the association's time zone.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import stripe
from sqlalchemy.orm import Session

import audit
from audit import Actor
from billing.crypto import SecretBox, SecretUnreadable
from billing.plans import ZERO_DECIMAL, PlanSync, create_plan, format_amount, sync_plans
from billing.stripe_client import StripeUnavailable, check_secret_key, require_stripe, save_stripe_account
from errors import DomainError, NotFound
from i18n import _
from models import Association, DuesPlan, StoreSubscription, StripeAccount

# Reading figures for a page must not hang it: a short timeout and no retries (the next visit tries again).
READ_TIMEOUT_SECONDS = 10
# The dashboard reuses figures this young; the billing page always reads them afresh.
CACHE_SECONDS = 300
# Invoices read per customer and page; a customer pays at most a few a year.
PAGE_SIZE = 100


class BillingSetupError(DomainError):
    """A billing set-up change that cannot be done as asked."""


def _audit(session: Session, action: str, association: Association, actor: Actor, **details) -> None:
    audit.record(
        session,
        action,
        actor=actor,
        association_id=association.id,
        target=association.slug,
        details=details or None,
    )


# --- the Stripe account -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountSummary:
    """What the page may say about the stored keys: never the keys themselves."""

    set_on: datetime
    secret_key_ends: str | None  # None when the stored key cannot be decrypted with the configured keys
    publishable_key_ends: str | None


def account_summary(session: Session, association: Association, box: SecretBox) -> AccountSummary | None:
    account = session.scalar(sa.select(StripeAccount).where(StripeAccount.association_id == association.id))
    if account is None:
        return None
    try:
        ends = box.open(account.secret_key_encrypted)[-4:]
    except SecretUnreadable:
        ends = None
    publishable = account.publishable_key[-4:] if account.publishable_key else None
    return AccountSummary(
        set_on=account.updated_at or account.created_at, secret_key_ends=ends, publishable_key_ends=publishable
    )


def save_keys(
    session: Session,
    association: Association,
    *,
    secret_key: str,
    webhook_secret: str,
    publishable_key: str | None,
    box: SecretBox,
    actor: Actor,
    config: Mapping[str, Any] | None = None,
) -> StripeAccount:
    """Store (or replace) the association's Stripe keys, encrypted, and audit it (without the keys). Flushes.

    With `config`, the secret key is first tried against Stripe (`check_secret_key`): a key Stripe refuses is
    refused here, in words, and nothing is stored."""
    publishable_key = (publishable_key or "").strip() or None
    if publishable_key is not None and not publishable_key.startswith("pk_"):
        raise BillingSetupError(_("The publishable key should start with pk_."))
    for value in (secret_key, webhook_secret, publishable_key or ""):
        if any(not ch.isprintable() or ch.isspace() for ch in value.strip()):
            raise BillingSetupError(_("Keys are single words without spaces: paste them again from Stripe."))
    if not secret_key.strip().startswith(("sk_", "rk_")):
        raise BillingSetupError("The secret key should start with sk_ (or rk_ for a restricted key).")
    if not webhook_secret.strip().startswith("whsec_"):
        raise BillingSetupError("The webhook signing secret should start with whsec_.")
    if config is not None:  # the format is right: now ask Stripe (one call)
        check_secret_key(secret_key, config)
    replaced = (
        session.scalar(sa.select(StripeAccount.id).where(StripeAccount.association_id == association.id)) is not None
    )
    account = save_stripe_account(
        session,
        association.id,
        secret_key=secret_key,
        webhook_secret=webhook_secret,
        publishable_key=publishable_key,
        box=box,
    )
    _audit(
        session,
        "billing.keys_replaced" if replaced else "billing.keys_set",
        association,
        actor,
        secret_key_ends=secret_key.strip()[-4:],
        publishable_key=publishable_key is not None,
    )
    return account


# --- dues plans ---------------------------------------------------------------------------------------------------


def list_plans(session: Session, association: Association) -> list[DuesPlan]:
    return list(
        session.scalars(
            sa.select(DuesPlan)
            .where(DuesPlan.association_id == association.id)
            .order_by(DuesPlan.active.desc(), DuesPlan.name, DuesPlan.id)
        )
    )


def minor_units(amount: Decimal | str | None, currency: str) -> int:
    """`Decimal("120.5"), "eur"` → 12050; refuses fractions a currency does not have."""
    try:
        value = Decimal(str(amount).strip())
    except (InvalidOperation, ValueError):
        raise BillingSetupError(_("Enter the amount as a number, such as 120.00.")) from None
    if not value.is_finite() or value <= 0:
        raise BillingSetupError(_("The amount must be more than zero."))
    factor = 1 if (currency or "").strip().lower() in ZERO_DECIMAL else 100
    minor = value * factor
    if minor != minor.to_integral_value():
        raise BillingSetupError(
            _("This currency has no cents.") if factor == 1 else _("The amount has at most two decimals.")
        )
    if minor > 99_999_999:
        raise BillingSetupError(_("The amount must be below 1,000,000.00."))
    return int(minor)


def add_plan(
    session: Session,
    association: Association,
    *,
    name: str,
    interval: str,
    amount: Decimal | str | None,
    currency: str,
    actor: Actor,
) -> DuesPlan:
    plan = create_plan(
        session,
        association.id,
        name=name,
        interval=interval,
        amount=minor_units(amount, currency),
        currency=currency,
    )
    _audit(
        session,
        "billing.plan_created",
        association,
        actor,
        plan_id=plan.id,
        name=plan.name,
        interval=plan.interval,
        amount=plan.amount,
        currency=plan.currency,
    )
    return plan


def get_plan(session: Session, association: Association, plan_id: int) -> DuesPlan:
    plan = session.scalar(sa.select(DuesPlan).where(DuesPlan.id == plan_id, DuesPlan.association_id == association.id))
    if plan is None:
        raise NotFound(_("No such dues plan."))
    return plan


def archive_plan(session: Session, association: Association, plan_id: int, *, actor: Actor) -> DuesPlan:
    """Stop offering a plan. Its Stripe price is archived at the next sync; subscribers on it stay on it."""
    plan = get_plan(session, association, plan_id)
    if not plan.active:
        raise BillingSetupError(_("%(name)s is already archived.", name=plan.name))
    plan.active = False
    session.flush()
    _audit(session, "billing.plan_archived", association, actor, plan_id=plan.id, name=plan.name)
    return plan


def sync_to_stripe(
    session: Session, association: Association, config: Mapping[str, Any], *, actor: Actor
) -> list[PlanSync]:
    """Push the plans to the association's Stripe account (raises BillingNotConfigured / StripeUnavailable)."""
    results = sync_plans(session, require_stripe(session, association.id, config))
    counts: dict[str, int] = {}
    for result in results:
        counts[result.action] = counts.get(result.action, 0) + 1
    _audit(session, "billing.plans_synced", association, actor, **counts)
    return results


# --- dues collected -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DuesCollected:
    """Paid invoices of the association's members, summed per currency (minor units)."""

    month: dict[str, int] = field(default_factory=dict)
    year: dict[str, int] = field(default_factory=dict)
    paid_invoices_this_year: int = 0
    read_at: datetime | None = None
    error: str | None = None

    @staticmethod
    def _format(totals: dict[str, int]) -> str:
        if not totals:
            return "0"
        return " + ".join(format_amount(amount, currency) for currency, amount in sorted(totals.items()))

    @property
    def this_month(self) -> str:
        return self._format(self.month)

    @property
    def this_year(self) -> str:
        return self._format(self.year)


_cache: dict[int, tuple[float, DuesCollected]] = {}
_cache_lock = threading.Lock()


def _read_client(session: Session, association_id: int, config: Mapping[str, Any]) -> stripe.StripeClient | None:
    account = session.scalar(sa.select(StripeAccount).where(StripeAccount.association_id == association_id))
    if account is None:
        return None
    key = SecretBox.from_config(config).open(account.secret_key_encrypted)
    options: dict[str, Any] = {
        "max_network_retries": 0,
        "http_client": stripe.new_default_http_client(timeout=READ_TIMEOUT_SECONDS),
    }
    if config.get("STRIPE_API_BASE"):
        options["base_addresses"] = {"api": config["STRIPE_API_BASE"]}
    return stripe.StripeClient(key, **options)


def _value(obj: Any, key: str) -> Any:
    try:
        return obj[key]
    except (KeyError, TypeError):
        return None


def _paid_at(invoice: Any) -> int:
    transitions = _value(invoice, "status_transitions")
    return _value(transitions, "paid_at") or invoice["created"]


def dues_collected(
    session: Session,
    association: Association,
    config: Mapping[str, Any],
    *,
    now: datetime | None = None,
    fresh: bool = False,
) -> DuesCollected | None:
    """Dues paid this month and this year (association time), or None when it does not bill through Loupe.

    Stripe being unreachable is not an error of the page: the figures say so instead.
    """
    if not fresh:
        with _cache_lock:
            cached = _cache.get(association.id)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
    try:
        client = _read_client(session, association.id, config)
    except SecretUnreadable:
        return DuesCollected(error="The stored Stripe key cannot be decrypted: enter the keys again.")
    if client is None:
        return None
    now = now or datetime.now(UTC)
    local = now.astimezone(ZoneInfo(association.timezone))
    year_start = int(local.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0).timestamp())
    month_start = int(local.replace(day=1, hour=0, minute=0, second=0, microsecond=0).timestamp())
    customers = session.scalars(
        sa.select(StoreSubscription.stripe_customer_id)
        .where(
            StoreSubscription.association_id == association.id,
            StoreSubscription.stripe_customer_id.is_not(None),
        )
        .order_by(StoreSubscription.id)
    ).all()
    month: dict[str, int] = {}
    year: dict[str, int] = {}
    count = 0
    try:
        for customer in customers:
            for invoice in _invoices_since(client, customer, year_start):
                if _value(invoice, "status") != "paid":
                    continue
                paid_at = _paid_at(invoice)
                if paid_at < year_start:
                    continue
                currency = (_value(invoice, "currency") or "").lower()
                amount = _value(invoice, "amount_paid") or 0
                year[currency] = year.get(currency, 0) + amount
                count += 1
                if paid_at >= month_start:
                    month[currency] = month.get(currency, 0) + amount
    except stripe.StripeError:
        return DuesCollected(error="Stripe could not be reached to count the dues; try again in a minute.")
    result = DuesCollected(month=month, year=year, paid_invoices_this_year=count, read_at=now)
    with _cache_lock:
        _cache[association.id] = (time.monotonic() + CACHE_SECONDS, result)
    return result


def _invoices_since(client: stripe.StripeClient, customer: str, since: int):
    """The customer's invoices, newest first, until they are older than `since` (when they were created)."""
    params: dict[str, Any] = {"customer": customer, "limit": PAGE_SIZE}
    while True:
        page = client.v1.invoices.list(params=params)
        data = page["data"]
        yield from data
        if not data or not page["has_more"] or data[-1]["created"] < since:
            return
        params = {**params, "starting_after": data[-1]["id"]}


def forget_cached(association_id: int) -> None:
    with _cache_lock:
        _cache.pop(association_id, None)


__all__ = [
    "AccountSummary",
    "BillingSetupError",
    "DuesCollected",
    "StripeUnavailable",
    "account_summary",
    "add_plan",
    "archive_plan",
    "dues_collected",
    "list_plans",
    "save_keys",
    "sync_to_stripe",
]
