"""Security briefing views: owners and managers only (see `services` for why), every read audited."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for

from blueprints.briefing.forms import BriefingForm, ConfirmForm, KeyholderForm, SafeForm
from blueprints.guards import store_view
from blueprints.web import current_actor
from briefing import briefing as services
from database.request_scope import db
from i18n import _
from models import MANAGER_ROLES
from security.ranges import id_value
from workspace.times import store_zone

bp = Blueprint("briefing", __name__, url_prefix="/s/<store_slug>/briefing")


def _status() -> int:
    return 400 if request.method == "POST" else 200


def _to_briefing(store):
    return redirect(url_for("briefing.show", store_slug=store.slug))


@bp.route("/")
@store_view(MANAGER_ROLES)
def show(store, membership):
    briefing = services.load_briefing(db())
    services.record_access(db(), store, current_actor(), "briefing.view", page="show")
    return render_template("briefing/show.html", store=store, briefing=briefing, delete_form=ConfirmForm())


@bp.route("/print")
@store_view(MANAGER_ROLES)
def print_view(store, membership):
    briefing = services.load_briefing(db())
    recipient = services.find_recipient(db(), request.args.get("recipient", type=id_value))
    recipient_name = f"{recipient.officer_name} ({recipient.agency})" if recipient else None
    services.record_access(db(), store, current_actor(), "briefing.print", page="print", recipient=recipient_name)
    printed_at = datetime.now(store_zone(store))
    return render_template(
        "briefing/print.html",
        store=store,
        briefing=briefing,
        recipient=recipient,
        recipients=services.list_recipients(db()),
        printed_at=printed_at,
    )


@bp.route("/edit", methods=["GET", "POST"])
@store_view(MANAGER_ROLES)
def edit(store, membership):
    profile = services.get_profile(db())
    form = BriefingForm(obj=profile)
    if form.validate_on_submit():
        services.save_profile(db(), store, current_actor(), form.data)
        flash(_("Briefing saved."), "success")
        return _to_briefing(store)
    if request.method == "GET":
        services.record_access(db(), store, current_actor(), "briefing.view", page="edit")
    return render_template("briefing/edit.html", store=store, form=form), _status()


@bp.route("/keyholders/new", methods=["GET", "POST"])
@store_view(MANAGER_ROLES)
def new_keyholder(store, membership):
    form = KeyholderForm()
    if form.validate_on_submit():
        services.save_keyholder(db(), store, current_actor(), form.data)
        flash(_("Keyholder added."), "success")
        return _to_briefing(store)
    return render_template("briefing/keyholder_form.html", store=store, form=form, keyholder=None), _status()


@bp.route("/keyholders/<int:keyholder_id>/edit", methods=["GET", "POST"])
@store_view(MANAGER_ROLES)
def edit_keyholder(store, membership, keyholder_id: int):
    keyholder = services.get_keyholder(db(), keyholder_id)
    form = KeyholderForm(obj=keyholder)
    if form.validate_on_submit():
        services.save_keyholder(db(), store, current_actor(), form.data, keyholder)
        flash(_("Keyholder saved."), "success")
        return _to_briefing(store)
    if request.method == "GET":
        services.record_access(db(), store, current_actor(), "briefing.view", page="keyholder")
    return render_template("briefing/keyholder_form.html", store=store, form=form, keyholder=keyholder), _status()


@bp.route("/keyholders/<int:keyholder_id>/delete", methods=["POST"])
@store_view(MANAGER_ROLES)
def delete_keyholder(store, membership, keyholder_id: int):
    # CSRFProtect has checked the token of the delete button's ConfirmForm.
    services.delete_keyholder(db(), store, current_actor(), keyholder_id)
    flash(_("Keyholder removed."), "success")
    return _to_briefing(store)


@bp.route("/safes/new", methods=["GET", "POST"])
@store_view(MANAGER_ROLES)
def new_safe(store, membership):
    form = SafeForm()
    if form.validate_on_submit():
        services.save_safe(db(), store, current_actor(), form.data)
        flash(_("Safe or vault added."), "success")
        return _to_briefing(store)
    return render_template("briefing/safe_form.html", store=store, form=form, safe=None), _status()


@bp.route("/safes/<int:safe_id>/edit", methods=["GET", "POST"])
@store_view(MANAGER_ROLES)
def edit_safe(store, membership, safe_id: int):
    safe = services.get_safe(db(), safe_id)
    form = SafeForm(obj=safe)
    if form.validate_on_submit():
        services.save_safe(db(), store, current_actor(), form.data, safe)
        flash(_("Safe or vault saved."), "success")
        return _to_briefing(store)
    if request.method == "GET":
        services.record_access(db(), store, current_actor(), "briefing.view", page="safe")
    return render_template("briefing/safe_form.html", store=store, form=form, safe=safe), _status()


@bp.route("/safes/<int:safe_id>/delete", methods=["POST"])
@store_view(MANAGER_ROLES)
def delete_safe(store, membership, safe_id: int):
    services.delete_safe(db(), store, current_actor(), safe_id)
    flash(_("Safe or vault removed."), "success")
    return _to_briefing(store)
