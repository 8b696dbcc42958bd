"""Membership dues through Stripe: one Stripe account per association, keys encrypted at rest.

`stripe_client` builds a client for an association, `plans` pushes dues plans to Stripe, `checkout` starts a
Checkout or portal session for a store, `webhooks` applies verified events, `reconcile` repairs local state from
Stripe, and `access` turns a subscription status into what the store may do. See docs/billing.md.
"""
