"""The store's billing page, for its owners. Stripe does the paying; these views only start it and show it."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from billing.access import billing_state_for
from billing.checkout import LIVE_STATUSES, portal_url, recent_invoices, start_checkout, subscription_of
from billing.hosted_pages import csp_allowing_stripe_forms
from billing.plans import INTERVALS, format_amount, payable_plans
from billing.reconcile import refresh_store
from billing.stripe_client import StripeUnavailable, require_stripe, stripe_for
from blueprints.billing.forms import ActionForm, PayDuesForm
from blueprints.form_helpers import choices
from blueprints.guards import open_when_dues_unpaid, store_view
from blueprints.web import current_actor
from database.request_scope import db, engines
from errors import DomainError
from i18n import _
from mail.links import external_url
from models import OWNER_ROLES
from models.base import utcnow

bp = Blueprint("billing", __name__, url_prefix="/s/<store_slug>/billing")


@bp.after_request
def _allow_stripe_hosted_pages(response):
    """Pay dues and Manage card and invoices redirect to Stripe: the page's form-action must allow that."""
    response.headers["Content-Security-Policy"] = csp_allowing_stripe_forms(current_app.config)
    return response


def _plan_label(plan) -> str:
    return _(
        "%(name)s — %(amount)s %(interval)s",
        name=plan.name,
        amount=format_amount(plan.amount, plan.currency),
        interval=str(INTERVALS[plan.interval]).lower(),
    )


def _pay_form(store, formdata=None) -> PayDuesForm:
    form = PayDuesForm(formdata=formdata) if formdata is not None else PayDuesForm()
    form.plan.choices = choices((p.id, _plan_label(p)) for p in payable_plans(db(), store.association_id))
    return form


def _page(store, membership, pay_form: PayDuesForm, status: int = 200):
    session = db()
    account = stripe_for(session, store.association_id, current_app.config)
    row = subscription_of(session, store.id)
    invoices, invoices_error = [], None
    if account is not None and row is not None and row.stripe_customer_id:
        try:
            invoices = recent_invoices(account, row.stripe_customer_id)
        except StripeUnavailable as exc:
            invoices_error = str(exc)
    return render_template(
        "billing/index.html",
        store=store,
        membership=membership,
        configured=account is not None,
        row=row,
        state=billing_state_for(session, store.id),
        subscribed=row is not None and row.status in LIVE_STATUSES,
        plan=row.plan if row is not None else None,
        plan_label=_plan_label,
        invoices=invoices,
        invoices_error=invoices_error,
        format_amount=format_amount,
        pay_form=pay_form,
        action_form=ActionForm(),
        returned=request.args.get("checkout"),
    ), status


@bp.route("/")
@store_view(OWNER_ROLES)
@open_when_dues_unpaid(writes=True)
def index(store, membership):
    return _page(store, membership, _pay_form(store))


@bp.route("/checkout", methods=["POST"])
@store_view(OWNER_ROLES)
@open_when_dues_unpaid(writes=True)
def checkout(store, membership):
    form = _pay_form(store, request.form)
    if not form.validate_on_submit():
        return _page(store, membership, form, 400)
    account = require_stripe(db(), store.association_id, current_app.config)
    try:
        started = start_checkout(
            db(),
            engines().app,
            account,
            store=store,
            plan_id=form.plan.data,
            actor=current_actor(),
            success_url=external_url("billing.index", store_slug=store.slug) + "?checkout=success",
            cancel_url=external_url("billing.index", store_slug=store.slug) + "?checkout=cancelled",
        )
    except DomainError as exc:
        form.plan.errors = [*form.plan.errors, str(exc)]
        return _page(store, membership, form, exc.status_code if exc.status_code != 404 else 400)
    return redirect(started.url, code=303)


@bp.route("/portal", methods=["POST"])
@store_view(OWNER_ROLES)
@open_when_dues_unpaid(writes=True)
def portal(store, membership):
    if not ActionForm().validate_on_submit():
        return _page(store, membership, _pay_form(store), 400)
    account = require_stripe(db(), store.association_id, current_app.config)
    url = portal_url(
        db(),
        account,
        store=store,
        return_url=external_url("billing.index", store_slug=store.slug),
        actor=current_actor(),
    )
    return redirect(url, code=303)


@bp.route("/refresh", methods=["POST"])
@store_view(OWNER_ROLES)
@open_when_dues_unpaid(writes=True)
def refresh(store, membership):
    """Re-read the subscription from Stripe now (after paying, before the webhook has arrived)."""
    if not ActionForm().validate_on_submit():
        return _page(store, membership, _pay_form(store), 400)
    account = require_stripe(db(), store.association_id, current_app.config)
    refresh_store(db(), store, account, now=utcnow())
    flash(_("Status brought up to date with Stripe."), "success")
    return redirect(url_for("billing.index", store_slug=store.slug))
