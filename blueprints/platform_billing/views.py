"""The admin portal's "Loupe subscription" page. Always open (marked like the dues pages): paying is how an
association gets out of read-only or export-only. Thin: parse, call `billing.platform`, render or redirect."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request

from billing import platform as platform_billing
from billing.hosted_pages import csp_allowing_stripe_forms
from billing.plans import format_amount
from blueprints.form_helpers import choices
from blueprints.guards import association_admin_view, open_when_dues_unpaid
from blueprints.platform_billing.forms import ChoosePlanForm, PortalForm
from blueprints.web import current_actor
from database.request_scope import db
from i18n import _
from mail.links import external_url
from models.base import utcnow

bp = Blueprint("platform_billing", __name__, url_prefix="/a/<association_slug>/loupe-plan")


@bp.after_request
def _allow_stripe_hosted_pages(response):
    """Subscribe and Manage billing redirect to Stripe: the page's form-action must allow that."""
    response.headers["Content-Security-Policy"] = csp_allowing_stripe_forms(current_app.config)
    return response


def _label(plan) -> str:
    amount = format_amount(plan.amount_per_store, plan.currency)
    if plan.interval == "year":
        return _("%(name)s — %(amount)s per member store per year", name=plan.name, amount=amount)
    return _("%(name)s — %(amount)s per member store per month", name=plan.name, amount=amount)


def _form(formdata=None) -> ChoosePlanForm:
    form = ChoosePlanForm(formdata=formdata) if formdata is not None else ChoosePlanForm()
    form.plan.choices = choices((p.id, _label(p)) for p in platform_billing.offered_plans(db()))
    return form


def _page(association, form: ChoosePlanForm, status: int = 200):
    row = platform_billing.subscription_of(db(), association.id)
    state = platform_billing.access_state(row, now=utcnow(), grace=platform_billing.grace_of(current_app.config))
    return render_template(
        "platform_billing/index.html",
        association=association,
        configured=platform_billing.platform_stripe(current_app.config) is not None,
        row=row,
        state=state,
        live=row is not None and row.status in platform_billing.LIVE,
        stores=platform_billing.member_store_count(db(), association.id),
        form=form,
        portal_form=PortalForm(),
        returned=request.args.get("checkout"),
        welcome=request.args.get("welcome") == "1",
    ), status


@bp.route("/")
@association_admin_view
@open_when_dues_unpaid(writes=True)
def index(association):
    return _page(association, _form())


@bp.route("/checkout", methods=["POST"])
@association_admin_view
@open_when_dues_unpaid(writes=True)
def checkout(association):
    form = _form(request.form)
    if not form.validate_on_submit():
        return _page(association, form, 400)
    platform = platform_billing.require_platform_stripe(current_app.config)
    page = external_url("platform_billing.index", association_slug=association.slug)
    url = platform_billing.start_checkout(
        db(),
        association,
        form.plan.data,
        platform,
        success_url=page + "?checkout=success",
        cancel_url=page + "?checkout=cancelled",
        actor=current_actor(),
    )
    return redirect(url, code=303)


@bp.route("/portal", methods=["POST"])
@association_admin_view
@open_when_dues_unpaid(writes=True)
def portal(association):
    if not PortalForm().validate_on_submit():
        return _page(association, _form(), 400)
    platform = platform_billing.require_platform_stripe(current_app.config)
    url = platform_billing.portal_url(
        db(),
        association,
        platform,
        return_url=external_url("platform_billing.index", association_slug=association.slug),
        actor=current_actor(),
    )
    return redirect(url, code=303)
