"""Patrol and extra-watch requests and away mode. `store_view` has already checked the membership and bound
the schema. Staff see the store's requests; the owner's home watches and trips are for owners and managers."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from blueprints.form_helpers import choices
from blueprints.guards import store_view
from blueprints.patrols.forms import ActionForm, PatrolRequestForm, TripForm
from blueprints.web import current_actor
from database.request_scope import db
from i18n import _, ngettext
from models import MANAGER_ROLES
from patrols import requests as services
from workspace.contacts import list_contacts
from workspace.times import store_zone

bp = Blueprint("patrols", __name__, url_prefix="/s/<store_slug>/patrols")


def _is_manager(membership) -> bool:
    return membership.role in MANAGER_ROLES


def _contact_choices(form) -> None:
    contacts = list_contacts(db())
    form.contact_id.choices = choices(
        [("", _("Choose a contact"))]
        + [
            (
                str(c.id),
                f"{c.officer_name} — {c.agency}"
                if c.email
                else _("%(name)s — %(agency)s (no email yet)", name=c.officer_name, agency=c.agency),
            )
            for c in contacts
        ]
    )


def _status() -> int:
    return 400 if request.method == "POST" else 200


@bp.route("/")
@store_view()
def index(store, membership):
    manager = _is_manager(membership)
    return render_template(
        "patrols/index.html",
        store=store,
        requests=services.list_requests(db(), include_home=manager),
        trips=services.list_trips(db()) if manager else [],
        manager=manager,
        zone=store_zone(store),
        labels=services,
    )


@bp.route("/new", methods=["GET", "POST"])
@store_view(MANAGER_ROLES)
def new_request(store, membership):
    form = PatrolRequestForm()
    _contact_choices(form)
    if form.validate_on_submit():
        try:
            patrol = services.save_request(db(), form.data, zone=store_zone(store))
        except services.PatrolError as exc:
            form.form_errors.append(str(exc))
        else:
            flash(_("Request saved as a draft. Check it, then send it to the police."), "success")
            return redirect(url_for("patrols.request", store_slug=store.slug, request_id=patrol.id))
    return render_template("patrols/request_form.html", store=store, form=form, patrol=None), _status()


@bp.route("/<int:request_id>", endpoint="request")
@store_view()
def show_request(store, membership, request_id: int):
    manager = _is_manager(membership)
    patrol = services.get_request(db(), request_id, include_home=manager)
    return render_template(
        "patrols/request.html",
        store=store,
        patrol=patrol,
        manager=manager,
        action_form=ActionForm(),
        zone=store_zone(store),
        labels=services,
    )


@bp.route("/<int:request_id>/edit", methods=["GET", "POST"])
@store_view(MANAGER_ROLES)
def edit_request(store, membership, request_id: int):
    patrol = services.get_request(db(), request_id)
    if patrol.status != services.PatrolStatus.DRAFT:
        flash(_("Only a draft can be changed; this request was already sent."), "error")
        return redirect(url_for("patrols.request", store_slug=store.slug, request_id=patrol.id))
    zone = store_zone(store)
    form = PatrolRequestForm(data=None if request.method == "POST" else services.request_form_data(patrol, zone=zone))
    _contact_choices(form)
    if form.validate_on_submit():
        try:
            services.save_request(db(), form.data, zone=zone, request=patrol)
        except services.PatrolError as exc:
            form.form_errors.append(str(exc))
        else:
            flash(_("Draft saved."), "success")
            return redirect(url_for("patrols.request", store_slug=store.slug, request_id=patrol.id))
    return render_template("patrols/request_form.html", store=store, form=form, patrol=patrol), _status()


@bp.route("/<int:request_id>/send", methods=["POST"])
@store_view(MANAGER_ROLES)
def send_request(store, membership, request_id: int):
    patrol = services.get_request(db(), request_id)
    resend = patrol.status != services.PatrolStatus.DRAFT
    try:
        services.send_request(
            db(),
            patrol,
            store=store,
            actor=current_actor(),
        )
    except services.PatrolError as exc:
        flash(str(exc), "error")
    else:
        flash(
            _("Sent again to %(email)s; the earlier link no longer works.", email=patrol.sent_to_email)
            if resend
            else _("Sent to %(email)s.", email=patrol.sent_to_email),
            "success",
        )
    return redirect(url_for("patrols.request", store_slug=store.slug, request_id=patrol.id))


@bp.route("/<int:request_id>/complete", methods=["POST"])
@store_view(MANAGER_ROLES)
def complete_request(store, membership, request_id: int):
    patrol = services.get_request(db(), request_id)
    services.mark_completed(db(), patrol)
    flash(_("Marked completed."), "success")
    return redirect(url_for("patrols.request", store_slug=store.slug, request_id=patrol.id))


@bp.route("/<int:request_id>/delete", methods=["POST"])
@store_view(MANAGER_ROLES)
def delete_request(store, membership, request_id: int):
    services.delete_draft(db(), services.get_request(db(), request_id))
    flash(_("Draft deleted."), "success")
    return redirect(url_for("patrols.index", store_slug=store.slug))


@bp.route("/trips/new", methods=["GET", "POST"])
@store_view(MANAGER_ROLES)
def new_trip(store, membership):
    form = TripForm()
    _contact_choices(form)
    if form.validate_on_submit():
        try:
            trip = services.create_trip(db(), form.data, zone=store_zone(store))
        except services.PatrolError as exc:
            form.form_errors.append(str(exc))
        else:
            flash(
                ngettext(
                    "Trip saved with %(num)d draft request. Check it, then send it.",
                    "Trip saved with %(num)d draft requests. Check them, then send.",
                    len(trip.requests),
                ),
                "success",
            )
            return redirect(url_for("patrols.trip", store_slug=store.slug, trip_id=trip.id))
    return render_template("patrols/trip_form.html", store=store, form=form), _status()


@bp.route("/trips/<int:trip_id>")
@store_view(MANAGER_ROLES)
def trip(store, membership, trip_id: int):
    return render_template(
        "patrols/trip.html",
        store=store,
        trip=services.get_trip(db(), trip_id),
        action_form=ActionForm(),
        zone=store_zone(store),
        labels=services,
    )
