"""Admin portal: billing. The association's Stripe account (keys stored encrypted, never shown back), its dues
plans (create, archive, sync to Stripe) and the dues collected this month and year."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for

from billing import dues as services
from billing.crypto import SecretBox
from billing.plans import INTERVALS, format_amount
from blueprints.admin.billing_forms import PlanForm, StripeKeysForm
from blueprints.admin.forms import ConfirmForm
from blueprints.admin.views import bp
from blueprints.guards import association_admin_view
from blueprints.web import current_actor
from database.request_scope import db
from errors import DomainError
from i18n import _
from mail.links import external_url
from models.base import utcnow


def _page(association, *, keys_form=None, plan_form=None, sync_error=None, status=200):
    session = db()
    return render_template(
        "admin/billing.html",
        association=association,
        account=services.account_summary(session, association, SecretBox.from_config(current_app.config)),
        webhook_url=external_url("webhooks.stripe_events", association_slug=association.slug),
        plans=services.list_plans(session, association),
        intervals=INTERVALS,
        format_amount=format_amount,
        dues=services.dues_collected(session, association, current_app.config, now=utcnow(), fresh=True),
        keys_form=keys_form or StripeKeysForm(),
        plan_form=plan_form or PlanForm(),
        action_form=ConfirmForm(),
        sync_error=sync_error,
    ), status


def _back(association):
    return redirect(url_for("admin.billing", association_slug=association.slug), code=303)


@bp.route("/billing/")
@association_admin_view
def billing(association):
    return _page(association)


@bp.route("/billing/keys", methods=["POST"])
@association_admin_view
def billing_keys(association):
    form = StripeKeysForm()
    if form.validate_on_submit():
        try:
            services.save_keys(
                db(),
                association,
                secret_key=form.secret_key.data,
                webhook_secret=form.webhook_secret.data,
                publishable_key=form.publishable_key.data,
                box=SecretBox.from_config(current_app.config),
                actor=current_actor(),
                config=current_app.config,
            )
        except DomainError as exc:
            target = form.webhook_secret if "whsec_" in str(exc) else form.secret_key
            if "pk_" in str(exc):
                target = form.publishable_key
            target.errors = [*target.errors, str(exc)]
        else:
            services.forget_cached(association.id)
            flash(_("Stripe keys saved (encrypted)."), "success")
            return _back(association)
    return _page(association, keys_form=form, status=400)


@bp.route("/billing/plans", methods=["POST"])
@association_admin_view
def billing_create_plan(association):
    form = PlanForm()
    if form.validate_on_submit():
        try:
            plan = services.add_plan(
                db(),
                association,
                name=form.name.data,
                interval=form.interval.data,
                amount=form.amount.data,
                currency=form.currency.data,
                actor=current_actor(),
            )
        except DomainError as exc:
            message = str(exc)
            target = (
                form.amount
                if "amount" in message or "cents" in message or "decimals" in message
                else form.currency
                if "currency" in message
                else form.interval
                if "yearly or monthly" in message
                else form.name
            )
            target.errors = [*target.errors, message]
        else:
            flash(_("Plan %(plan)s added. Sync to Stripe to offer it to members.", plan=plan.name), "success")
            return _back(association)
    return _page(association, plan_form=form, status=400)


@bp.route("/billing/plans/<int:plan_id>/archive", methods=["POST"])
@association_admin_view
def billing_archive_plan(association, plan_id: int):
    services.get_plan(db(), association, plan_id)  # 404 before anything else for another association's plan
    if not ConfirmForm().validate_on_submit():
        return _page(association, status=400)
    try:
        plan = services.archive_plan(db(), association, plan_id, actor=current_actor())
    except services.BillingSetupError as exc:
        flash(str(exc), "error")
        return _page(association, status=409)
    flash(_("%(plan)s is no longer offered. Sync to Stripe to archive its price there too.", plan=plan.name), "success")
    return _back(association)


@bp.route("/billing/sync", methods=["POST"])
@association_admin_view
def billing_sync(association):
    if not ConfirmForm().validate_on_submit():
        return _page(association, status=400)
    try:
        results = services.sync_to_stripe(db(), association, current_app.config, actor=current_actor())
    except DomainError as exc:
        return _page(association, sync_error=str(exc), status=409 if exc.status_code == 404 else exc.status_code)
    changed = [r for r in results if r.action != "unchanged"]
    flash(
        _(
            "Plans synced to Stripe: %(changed)s changed, %(same)s already up to date.",
            changed=len(changed),
            same=len(results) - len(changed),
        ),
        "success",
    )
    return _back(association)
