"""A Stripe client per association, built from its own (decrypted) secret key.

Every association has its own Stripe account, so there is no global `stripe.api_key`: each call goes through the
`stripe.StripeClient` of the association whose money it concerns. `STRIPE_API_BASE` (tests: the localstripe
test double) replaces Stripe's API address.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import stripe
from sqlalchemy.orm import Session

from billing.crypto import SecretBox
from errors import DomainError
from i18n import _
from models import StripeAccount


class BillingNotConfigured(DomainError):
    """The association has no Stripe account in Loupe."""

    status_code = 404


class StripeUnavailable(DomainError):
    """Stripe did not answer, or answered with an error we cannot fix here."""

    status_code = 503


@dataclass(frozen=True)
class AssociationStripe:
    """What we need to talk to one association's Stripe account."""

    association_id: int
    client: stripe.StripeClient
    webhook_secret: str


def save_stripe_account(
    session: Session,
    association_id: int,
    *,
    secret_key: str,
    webhook_secret: str,
    publishable_key: str | None,
    box: SecretBox,
) -> StripeAccount:
    """Store (or replace) an association's Stripe keys, encrypted. Flushes."""
    secret_key, webhook_secret = secret_key.strip(), webhook_secret.strip()
    if not secret_key.startswith(("sk_", "rk_")):
        raise DomainError(_("The secret key should start with sk_ (or rk_ for a restricted key)."))
    if not webhook_secret.startswith("whsec_"):
        raise DomainError(_("The webhook signing secret should start with whsec_."))
    account = session.scalar(sa.select(StripeAccount).where(StripeAccount.association_id == association_id))
    if account is None:
        account = StripeAccount(association_id=association_id)
        session.add(account)
    account.secret_key_encrypted = box.seal(secret_key)
    account.webhook_secret_encrypted = box.seal(webhook_secret)
    account.publishable_key = (publishable_key or "").strip() or None
    session.flush()
    return account


def make_client(secret_key: str, config: Mapping[str, Any]) -> stripe.StripeClient:
    retries = config.get("STRIPE_MAX_NETWORK_RETRIES")
    # The library retries network failures with the same idempotency key.
    options: dict[str, Any] = {"max_network_retries": 2 if retries is None else int(retries)}
    api_base = config.get("STRIPE_API_BASE")
    if api_base:
        options["base_addresses"] = {"api": api_base}
    return stripe.StripeClient(secret_key, **options)


class StripeKeyRefused(DomainError):
    """Stripe would not accept the secret key typed (nothing is saved)."""


def check_secret_key(secret_key: str, config: Mapping[str, Any]) -> None:
    """One cheap authenticated call (list at most one customer) with the key, before it is saved: a key Stripe
    refuses raises StripeKeyRefused in words, as does a Stripe that cannot be reached (nothing is saved then)."""
    client = make_client(secret_key.strip(), {**config, "STRIPE_MAX_NETWORK_RETRIES": 0})
    try:
        client.v1.customers.list(params={"limit": 1})
    except stripe.AuthenticationError:
        raise StripeKeyRefused(
            _(
                "Stripe does not accept this secret key. Copy it again from Stripe’s dashboard (Developers → API keys),"
                " all of it, from the account and mode (test or live) you mean."
            )
        ) from None
    except stripe.PermissionError:
        raise StripeKeyRefused(
            _(
                "This restricted key may not read customers. In Stripe, give it read and write access to Customers,"
                " Prices, Products, Checkout and Invoices, or use the account’s secret key."
            )
        ) from None
    except stripe.APIConnectionError:
        raise StripeKeyRefused(
            _("Stripe could not be reached to check this key, so it was not saved. Try again in a minute.")
        ) from None
    except stripe.StripeError as exc:
        raise StripeKeyRefused(
            _("Stripe refused to check this key (%(reason)s); it was not saved.", reason=exc.user_message or exc.code)
        ) from None


def stripe_for(session: Session, association_id: int, config: Mapping[str, Any]) -> AssociationStripe | None:
    """The association's Stripe client and webhook secret, or None when it does not bill through Loupe."""
    account = session.scalar(sa.select(StripeAccount).where(StripeAccount.association_id == association_id))
    if account is None:
        return None
    box = SecretBox.from_config(config)
    return AssociationStripe(
        association_id=association_id,
        client=make_client(box.open(account.secret_key_encrypted), config),
        webhook_secret=box.open(account.webhook_secret_encrypted),
    )


def require_stripe(session: Session, association_id: int, config: Mapping[str, Any]) -> AssociationStripe:
    found = stripe_for(session, association_id, config)
    if found is None:
        raise BillingNotConfigured(_("Your association does not collect dues through Loupe."))
    return found
