"""Store workspace views. `store_view` has already checked the membership and bound the schema."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from blueprints.guards import store_view
from blueprints.store.forms import (
    ConfirmForm,
    ContactLogForm,
    PoliceContactForm,
    StoreProfileForm,
    StoreSettingsForm,
)
from blueprints.web import current_actor
from bulletins import feed
from database.request_scope import db
from errors import DomainError
from i18n import _, format_local
from models import MANAGER_ROLES
from notifications import inbox
from workspace import attention, getting_started
from workspace import contacts as services
from workspace import profile as profiles
from workspace.times import local_now, local_to_utc, local_today, store_zone

bp = Blueprint("store", __name__, url_prefix="/s/<store_slug>")


@bp.app_template_filter("store_time")
def store_time(value: datetime | None, fmt: str = "%d %b %Y, %H:%M") -> str:
    """A stored (UTC) time on the wall clock of the current store (its region's zone), e.g. `12 Mar 2026, 14:30`, in
    the reader's language (`i18n.format_local`: « 12 mars 2026, 14 h 30 »)."""
    if value is None:
        return "—"
    store = g.get("store")
    zone = store_zone(store) if store is not None else None
    return format_local(value.astimezone(zone) if zone else value, fmt)


@bp.app_template_filter("store_zone_name")
def store_zone_name(store) -> str:
    """The name of the zone a store's times are shown and typed in (`Europe/London`), for "Times are …" notes."""
    return store_zone(store).key


@bp.route("/")
@store_view()
def dashboard(store, membership):
    """The store's home: counts, what needs doing, the latest regional bulletins — one round trip for all of it."""
    manager = membership.role in MANAGER_ROLES
    items, (summary, latest, unread, *checklist) = attention.collect_with(
        current_app.extensions["attention_providers"],
        db(),
        today=local_today(store_zone(store)),
        manager=manager,
        also=[
            services.summary_query(),
            feed.latest_query(store),
            inbox.unread_query(current_user.id, in_store=True),
            # The getting-started checklist: for those who can do its steps, until every step is done.
            *([getting_started.checklist_query(store)] if manager else []),
        ],
    )
    g.unread_notifications = inbox.unread_from(unread)
    steps = getting_started.checklist_from(checklist[0]) if manager else []
    if all(step.done for step in steps):
        steps = []
    return render_template(
        "store/dashboard.html",
        store=store,
        membership=membership,
        summary=services.summary_from(summary),
        items=items,
        latest=[bulletin for (bulletin,) in latest],
        steps=steps,
    )


@bp.route("/settings", methods=["GET", "POST"])
@store_view(MANAGER_ROLES)
def settings(store, membership):
    form = StoreSettingsForm()
    if request.method == "GET":
        form.contact_quiet_days.data = services.contact_quiet_days(db())
    if form.validate_on_submit():
        services.set_contact_quiet_days(db(), form.contact_quiet_days.data, store=store, actor=current_actor())
        flash(_("Settings saved."), "success")
        return redirect(url_for("store.settings", store_slug=store.slug))
    status = 400 if request.method == "POST" else 200
    return render_template("store/settings.html", store=store, form=form), status


@bp.route("/profile", methods=["GET", "POST"])
@store_view(MANAGER_ROLES)
def profile(store, membership):
    """The store profile: address, phone, website, trade names, opening hours (owners and managers)."""
    current = profiles.get_profile(db())
    form = StoreProfileForm(obj=current if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            values = {name: getattr(form, name).data for name in profiles.PROFILE_FIELDS}
            profiles.save_profile(db(), values, store=store, actor=current_actor())
        except profiles.ProfileError as exc:
            form.form_errors.append(str(exc))
        else:
            flash(_("Profile saved. Sharing now removes these details from what you share."), "success")
            return redirect(url_for("store.profile", store_slug=store.slug))
    status = 400 if request.method == "POST" else 200
    return render_template("store/profile.html", store=store, form=form, map_url=profiles.map_url(current)), status


@bp.route("/contacts/")
@store_view()
def contacts(store, membership):
    return render_template(
        "store/contacts.html",
        store=store,
        contacts=services.contact_summaries(db()),
        quiet_days=services.contact_quiet_days(db()),
        now=datetime.now(store_zone(store)),
    )


@bp.route("/contacts/new", methods=["GET", "POST"])
@store_view(MANAGER_ROLES)
def new_contact(store, membership):
    form = PoliceContactForm()
    if form.validate_on_submit():
        contact = services.save_contact(db(), form.data, store=store)
        flash(_("Contact added."), "success")
        return redirect(url_for("store.contact", store_slug=store.slug, contact_id=contact.id))
    status = 400 if request.method == "POST" else 200
    return render_template("store/contact_form.html", store=store, form=form, contact=None), status


def _contact_page(store, contact_id: int, log_form: ContactLogForm, status: int = 200):
    contact = services.get_contact(db(), contact_id)
    return render_template(
        "store/contact.html",
        store=store,
        contact=contact,
        log=services.contact_log(db(), contact.id),
        meetings=services.meetings_with_contact(db(), contact.id),
        log_form=log_form,
    ), status


@bp.route("/contacts/<int:contact_id>")
@store_view()
def contact(store, membership, contact_id: int):
    form = ContactLogForm(data={"occurred_at": local_now(store_zone(store)), "channel": "call"})
    return _contact_page(store, contact_id, form)


@bp.route("/contacts/<int:contact_id>/log", methods=["POST"])
@store_view()
def log_contact(store, membership, contact_id: int):
    contact = services.get_contact(db(), contact_id)
    form = ContactLogForm()
    if form.validate_on_submit():
        try:
            services.log_contact(
                db(),
                contact,
                occurred_at=local_to_utc(form.occurred_at.data, store_zone(store)),
                channel=form.channel.data,
                summary=form.summary.data,
                outcome=form.outcome.data,
                user_id=current_user.id,
            )
        except DomainError as exc:
            form.occurred_at.errors = [*form.occurred_at.errors, str(exc)]
        else:
            flash(_("Contact logged."), "success")
            return redirect(url_for("store.contact", store_slug=store.slug, contact_id=contact.id) + "#log")
    return _contact_page(store, contact.id, form, 400)


@bp.route("/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
@store_view(MANAGER_ROLES)
def edit_contact(store, membership, contact_id: int):
    contact = services.get_contact(db(), contact_id)
    form = PoliceContactForm(obj=contact)
    if form.validate_on_submit():
        services.save_contact(db(), form.data, contact)
        flash(_("Contact saved."), "success")
        return redirect(url_for("store.contact", store_slug=store.slug, contact_id=contact.id))
    status = 400 if request.method == "POST" else 200
    return render_template("store/contact_form.html", store=store, form=form, contact=contact), status


@bp.route("/contacts/<int:contact_id>/delete", methods=["GET", "POST"])
@store_view(MANAGER_ROLES)
def delete_contact(store, membership, contact_id: int):
    contact = services.get_contact(db(), contact_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        name = services.delete_contact(db(), contact, store=store, actor=current_actor())
        flash(_("%(name)s was deleted, with their contact log.", name=name), "success")
        return redirect(url_for("store.contacts", store_slug=store.slug))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "store/contact_delete.html",
        store=store,
        contact=contact,
        form=form,
        log_count=len(services.contact_log(db(), contact.id)),
    ), status
