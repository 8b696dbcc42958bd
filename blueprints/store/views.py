"""Store workspace views. `store_view` has already checked the membership and bound the schema."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from blueprints.store import services
from blueprints.store.forms import PoliceContactForm
from database.request_scope import db
from models import Role
from tenants.access import store_view

bp = Blueprint("store", __name__, url_prefix="/s/<store_slug>")
MANAGERS = (Role.STORE_OWNER, Role.STORE_MANAGER)


@bp.route("/")
@store_view()
def dashboard(store, membership):
    summary = services.dashboard_summary(db())
    return render_template("store/dashboard.html", store=store, membership=membership, summary=summary)


@bp.route("/contacts/")
@store_view()
def contacts(store, membership):
    return render_template("store/contacts.html", store=store, contacts=services.list_contacts(db()))


@bp.route("/contacts/new", methods=["GET", "POST"])
@store_view(MANAGERS)
def new_contact(store, membership):
    form = PoliceContactForm()
    if form.validate_on_submit():
        contact = services.save_contact(db(), form.data)
        flash("Contact added.", "success")
        return redirect(url_for("store.contact", store_slug=store.slug, contact_id=contact.id))
    status = 400 if request.method == "POST" else 200
    return render_template("store/contact_form.html", store=store, form=form, contact=None), status


@bp.route("/contacts/<int:contact_id>")
@store_view()
def contact(store, membership, contact_id: int):
    return render_template("store/contact.html", store=store, contact=services.get_contact(db(), contact_id))


@bp.route("/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
@store_view(MANAGERS)
def edit_contact(store, membership, contact_id: int):
    contact = services.get_contact(db(), contact_id)
    form = PoliceContactForm(obj=contact)
    if form.validate_on_submit():
        services.save_contact(db(), form.data, contact)
        flash("Contact saved.", "success")
        return redirect(url_for("store.contact", store_slug=store.slug, contact_id=contact.id))
    status = 400 if request.method == "POST" else 200
    return render_template("store/contact_form.html", store=store, form=form, contact=contact), status
