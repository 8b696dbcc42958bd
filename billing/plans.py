"""An association's dues plans and their Stripe products and prices.

A plan is ours (name, yearly or monthly, amount, currency); `sync_plans` makes Stripe hold a matching recurring
price. Stripe prices cannot change amount, so a plan whose amount, currency or interval changed gets a new price
and the old one is archived (existing subscribers stay on it until they change plan).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
import stripe
from sqlalchemy.orm import Session

from billing.stripe_client import AssociationStripe, StripeUnavailable
from errors import Conflict, DomainError
from i18n import _, _l, format_number
from models import DuesPlan

INTERVALS = {"year": _l("Yearly"), "month": _l("Monthly")}
# Currencies Stripe counts in whole units (no cents).
ZERO_DECIMAL = {"bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof"}


def format_amount(amount: int, currency: str) -> str:
    """`12000, "eur"` → `120.00 EUR` (« 120,00 EUR » in French: the reader's separators)."""
    if currency.lower() in ZERO_DECIMAL:
        return f"{format_number(amount, digits=0)} {currency.upper()}"
    return f"{format_number(Decimal(amount) / 100, digits=2)} {currency.upper()}"


def create_plan(
    session: Session, association_id: int, *, name: str, interval: str, amount: int, currency: str
) -> DuesPlan:
    """Add a dues plan (not yet in Stripe: `sync_plans` pushes it). Flushes."""
    name = " ".join((name or "").split())
    currency = (currency or "").strip().lower()
    if not name or len(name) > 100:
        raise DomainError(_("Give the plan a name of at most 100 characters."))
    if interval not in INTERVALS:
        raise DomainError(_("A plan is billed either yearly or monthly."))
    if not isinstance(amount, int) or isinstance(amount, bool) or not 0 < amount <= 99_999_999:
        raise DomainError(_("The amount must be positive (in cents) and below 1,000,000.00."))
    if not re.fullmatch(r"[a-z]{3}", currency):
        raise DomainError(_("The currency is a three-letter code such as EUR or USD."))
    exists = session.scalar(
        sa.select(DuesPlan.id).where(DuesPlan.association_id == association_id, DuesPlan.name == name)
    )
    if exists is not None:
        raise Conflict(_("There is already a plan named %(name)s.", name=repr(name)))
    plan = DuesPlan(association_id=association_id, name=name, interval=interval, amount=amount, currency=currency)
    session.add(plan)
    session.flush()
    return plan


def payable_plans(session: Session, association_id: int) -> list[DuesPlan]:
    """Plans a store owner can choose: active and already in Stripe."""
    return list(
        session.scalars(
            sa.select(DuesPlan)
            .where(
                DuesPlan.association_id == association_id,
                DuesPlan.active.is_(True),
                DuesPlan.stripe_price_id.is_not(None),
            )
            .order_by(DuesPlan.amount, DuesPlan.name)
        )
    )


def plan_for_price(session: Session, association_id: int, price_id: str | None) -> DuesPlan | None:
    if not price_id:
        return None
    return session.scalar(
        sa.select(DuesPlan).where(DuesPlan.association_id == association_id, DuesPlan.stripe_price_id == price_id)
    )


@dataclass(frozen=True)
class PlanSync:
    plan: DuesPlan
    action: str  # "created", "replaced", "archived", "unchanged"


def sync_plans(session: Session, stripe_account: AssociationStripe) -> list[PlanSync]:
    """Make the association's Stripe account hold one active recurring price per active plan. Flushes.

    Idempotency keys name the plan and the price's terms, so a run interrupted after Stripe answered and before
    our commit creates nothing twice when run again (within Stripe's 24 h key lifetime).
    """
    client = stripe_account.client
    plans = session.scalars(
        sa.select(DuesPlan).where(DuesPlan.association_id == stripe_account.association_id).order_by(DuesPlan.id)
    ).all()
    results = []
    try:
        for plan in plans:
            results.append(PlanSync(plan, sync_plan(client, plan)))
            session.flush()
    except stripe.StripeError as exc:
        raise StripeUnavailable(
            _("Stripe refused to update the plans: %(reason)s", reason=exc.user_message or exc)
        ) from exc
    return results


def sync_plan(client: stripe.StripeClient, plan: DuesPlan, *, key: str = "loupe-plan") -> str:
    """One plan's product and price (`plan` has name, amount, currency, interval, active and the Stripe ids: a dues
    plan, or a platform plan through `billing.platform`, whose keys start with its own `key`)."""
    if not plan.active:
        if plan.stripe_price_id:
            price = client.v1.prices.retrieve(plan.stripe_price_id)
            if price["active"]:
                client.v1.prices.update(plan.stripe_price_id, params={"active": False})
                return "archived"
        return "unchanged"
    if plan.stripe_product_id is None:
        product = client.v1.products.create(
            params={"name": plan.name, "metadata": {"loupe_plan_id": str(plan.id)}},
            options={"idempotency_key": f"{key}-{plan.id}-product"},
        )
        plan.stripe_product_id = product["id"]
    action = "created"
    previous = plan.stripe_price_id
    if plan.stripe_price_id:
        price = client.v1.prices.retrieve(plan.stripe_price_id)
        recurring = price["recurring"]
        same = (
            price["unit_amount"] == plan.amount
            and price["currency"] == plan.currency
            and recurring is not None
            and recurring["interval"] == plan.interval
        )
        if same and price["active"]:
            return "unchanged"
        if price["active"]:
            client.v1.prices.update(plan.stripe_price_id, params={"active": False})
        action = "replaced"
    price = client.v1.prices.create(
        params={
            "product": plan.stripe_product_id,
            "unit_amount": plan.amount,
            "currency": plan.currency,
            "recurring": {"interval": plan.interval},
            "nickname": plan.name,
            "metadata": {"loupe_plan_id": str(plan.id)},
        },
        # The previous price is part of the key: changing an amount back and forth makes a new price each time.
        options={
            "idempotency_key": f"{key}-{plan.id}-after-{previous or 'none'}-"
            f"{plan.amount}-{plan.currency}-{plan.interval}"
        },
    )
    plan.stripe_price_id = price["id"]
    return action
