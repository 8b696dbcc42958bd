"""Emergency plan views: every member reads the plans, owners and managers write them."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from blueprints.guards import store_view
from blueprints.plans.forms import AcknowledgeForm, PlanForm
from database.request_scope import db
from i18n import _
from models import MANAGER_ROLES
from models.accounts import is_manager
from plans import emergency as services
from workspace.contacts import list_contacts

bp = Blueprint("plans", __name__, url_prefix="/s/<store_slug>/plans")


@bp.route("/")
@store_view()
def index(store, membership):
    overview = services.plan_overview(db(), today=services.store_today(store))
    return render_template("plans/index.html", store=store, overview=overview)


@bp.route("/<kind>")
@store_view()
def show(store, membership, kind: str):
    services.check_kind(kind)
    plan = services.find_plan(db(), kind)
    mine = services.my_acknowledgement(db(), plan, current_user.id) if plan else None
    return render_template(
        "plans/show.html",
        store=store,
        kind=kind,
        label=services.PLAN_KIND_LABELS[kind],
        plan=plan,
        overdue=plan is not None and plan.review_due_on < services.store_today(store),
        lines=services.lines,
        mine=mine,
        read_current=mine is not None and mine.plan_version >= plan.updated_at,
        ack_form=AcknowledgeForm(),
        readers=services.readers(db(), store, plan) if plan and is_manager(membership) else None,
    )


@bp.route("/<kind>/acknowledge", methods=["POST"])
@store_view()
def acknowledge(store, membership, kind: str):
    if not AcknowledgeForm().validate_on_submit():
        abort(400)
    plan = services.get_plan(db(), kind)
    services.acknowledge(db(), plan, user_id=current_user.id, user_name=current_user.name)
    flash(_("Thank you: the owner can see that you have read this plan."), "success")
    return redirect(url_for("plans.show", store_slug=store.slug, kind=kind))


@bp.route("/<kind>/edit", methods=["GET", "POST"])
@store_view(MANAGER_ROLES)
def edit(store, membership, kind: str):
    services.check_kind(kind)
    plan = services.find_plan(db(), kind)
    form = PlanForm(obj=plan, contacts=list_contacts(db()))
    if plan is None and request.method == "GET":  # every kind starts from careful starter text to adapt
        start = services.starter(kind)
        form.steps.data, form.call_tree.data = start.steps, start.call_tree
    if form.validate_on_submit():
        services.save_plan(db(), kind, form.data)
        flash(_("Plan saved."), "success")
        return redirect(url_for("plans.show", store_slug=store.slug, kind=kind))
    status = 400 if request.method == "POST" else 200
    label = services.PLAN_KIND_LABELS[kind]
    return render_template("plans/form.html", store=store, form=form, plan=plan, kind=kind, label=label), status
