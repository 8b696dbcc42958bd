"""Logbook views: the list, incidents, photos, the CSV export and the casing report fast path.

Staff file and read incidents; owners and managers also delete and export. `store_view` has already checked the
membership and bound the store's schema, so every lookup below is inside this store.
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from blueprints.form_helpers import page_arg
from blueprints.guards import open_when_dues_unpaid, store_view
from blueprints.logbook.forms import (
    MAX_PEOPLE,
    MAX_VEHICLES,
    CasingReportForm,
    ConfirmForm,
    IncidentForm,
    LogbookFilterForm,
    PhotoUploadForm,
)
from blueprints.web import current_actor
from database.request_scope import db
from errors import DomainError
from i18n import _, ngettext
from logbook import drafts
from logbook import incidents as services
from models import MANAGER_ROLES, Incident, Store
from security.uploads import MAX_UPLOAD_BYTES, CheckedImage, SentFile, UploadRejected
from workspace.times import local_now, local_to_utc, local_today, store_zone, utc_to_local

bp = Blueprint("logbook", __name__, url_prefix="/s/<store_slug>/logbook")
PHOTO_NAME = re.compile(r"[0-9a-f]{32}\.(jpg|png)")


def _sent(form_field) -> list[SentFile]:
    sent: list[SentFile] = []
    for upload in request.files.getlist(form_field.name):
        raw = upload.read(MAX_UPLOAD_BYTES + 1)
        if not upload.filename and not raw:
            continue  # an empty file input: nothing was chosen
        sent.append(SentFile(raw, upload.filename, upload.mimetype))
    return sent


def _uploads(form_field, incident: Incident | None = None) -> list[CheckedImage] | None:
    """Check the files sent in this field (for `incident`, when it exists already); on a refusal, put the reasons
    at the field and return None."""
    try:
        return services.check_photos(_sent(form_field), incident)
    except UploadRejected as exc:
        form_field.errors = [*form_field.errors, *exc.reasons]
        return None


def _screen_uploads(form_field, incident: Incident | None = None) -> None:
    """When the rest of the form is refused, say what is wrong with the photos too, from the cheap checks alone:
    a request that will be refused anyway decodes nothing."""
    try:
        services.screen_photos(_sent(form_field), incident)
    except UploadRejected as exc:
        form_field.errors = [*form_field.errors, *exc.reasons]


def _filters() -> tuple[LogbookFilterForm, services.LogbookQuery | None]:
    form = LogbookFilterForm(formdata=request.args)
    if not form.validate():
        return form, None
    query = services.LogbookQuery(
        types=(form.incident_type.data,) if form.incident_type.data else (),
        since=form.since.data,
        until=form.until.data,
        text=(form.q.data or "").strip(),
    )
    return form, query


def _add_row_requested(form: IncidentForm) -> bool:
    """The no-JavaScript "add another person/vehicle" buttons re-show the form with one more blank row."""
    if "add_person" in request.form and len(form.people) < MAX_PEOPLE:
        form.people.append_entry()
        return True
    if "add_vehicle" in request.form and len(form.vehicles) < MAX_VEHICLES:
        form.vehicles.append_entry()
        return True
    return "add_person" in request.form or "add_vehicle" in request.form


def _described(form: IncidentForm, store: Store) -> services.DescribedIncident:
    return services.DescribedIncident(
        occurred_at=local_to_utc(form.occurred_at.data, store_zone(store)),
        incident_type=form.incident_type.data,
        title=form.title.data or "",
        narrative=form.narrative.data or "",
        location_note=form.location_note.data or "",
        staff_involved=form.staff_involved.data or "",
        police_notified=form.police_notified.data,
        police_report_number=form.police_report_number.data or "",
        people=[entry.data for entry in form.people],
        vehicles=[entry.data for entry in form.vehicles],
        red_flags=form.red_flags.data or [],
    )


def _incident_url(store: Store, incident_id: int) -> str:
    return url_for("logbook.incident", store_slug=store.slug, incident_id=incident_id)


@bp.route("/")
@store_view()
def index(store, membership):
    form, query = _filters()
    if query is None:
        return render_template("logbook/index.html", store=store, form=form, page=None, args={}), 400
    page = services.search_incidents(db(), query, zone=store_zone(store), page=page_arg())
    args = {k: v for k, v in request.args.items() if k in ("q", "incident_type", "since", "until") and v}
    return render_template("logbook/index.html", store=store, form=form, page=page, args=args)


@bp.route("/export.csv")
@store_view(MANAGER_ROLES)
@open_when_dues_unpaid
def export(store, membership):
    form, query = _filters()
    if query is None:
        return render_template("logbook/index.html", store=store, form=form, page=None, args={}), 400
    zone = store_zone(store)
    body = services.export_csv(db(), store, query, zone=zone, actor=current_actor())
    filename = f"logbook-{store.slug}-{local_today(zone):%Y%m%d}.csv"
    # A byte-order mark so spreadsheet programs read the UTF-8 correctly.
    response = Response("\ufeff" + body, content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.route("/new", methods=["GET", "POST"])
@store_view()
def new_incident(store, membership):
    zone = store_zone(store)
    form = IncidentForm(occurred_at=local_now(zone))
    if request.method == "POST" and _add_row_requested(form):
        return render_template("logbook/incident_form.html", store=store, form=form, incident=None)
    if form.validate_on_submit():
        images = _uploads(form.new_photos)
        if images is not None:
            try:
                incident = services.save_incident(db(), _described(form, store), reported_by_user_id=current_user.id)
                services.add_photos(db(), incident, images)
            except DomainError as exc:
                form.form_errors.append(str(exc))
            else:
                flash("Incident added to the logbook.", "success")
                return redirect(_incident_url(store, incident.id))
    elif request.method == "POST":
        _screen_uploads(form.new_photos)  # say what is wrong with the photos too, in the same answer
    status = 400 if request.method == "POST" else 200
    return render_template("logbook/incident_form.html", store=store, form=form, incident=None), status


@bp.route("/casing", methods=["GET", "POST"])
@store_view()
def casing_report(store, membership):
    zone = store_zone(store)
    session = db()
    contacts = services.police_contacts_with_email(session)
    # "When" starts at now on the store's clock; the alert switch starts on when someone can receive it.
    form = CasingReportForm(occurred_at=local_now(zone), notify_police=bool(contacts))
    if form.validate_on_submit():
        images = _uploads(form.photos)
        if images is not None:
            try:
                filed = drafts.file_casing_report_once(
                    session,
                    draft_key=drafts.parse_draft_key(form.draft_key.data),
                    photos=images,
                    occurred_at=local_to_utc(form.occurred_at.data, zone),
                    narrative=form.narrative.data,
                    person=form.person.data,
                    vehicle=form.vehicle.data,
                    reported_by_user_id=current_user.id,
                    red_flags=form.red_flags.data or [],
                )
            except DomainError as exc:
                form.form_errors.append(str(exc))
            else:
                incident = filed.incident
                if not filed.created:
                    # The same draft sent again (a phone back online, a lost answer): the report it filed already.
                    flash(_("This casing report was already saved."), "success")
                    return redirect(_incident_url(store, incident.id), code=303)
                if form.notify_police.data:
                    rows = services.alert_police_of_casing(
                        session,
                        store,
                        incident,
                        zone=zone,
                        actor=current_actor(),
                    )
                    if rows:
                        flash(
                            ngettext(
                                "Casing report saved. %(num)d police contact was asked for a heightened response.",
                                "Casing report saved. %(num)d police contacts were asked for a heightened response.",
                                len(rows),
                            ),
                            "success",
                        )
                    else:
                        flash(_("Casing report saved, but no police contact has an email address: call them now."))
                else:
                    flash(_("Casing report saved."), "success")
                return redirect(_incident_url(store, incident.id))
    elif request.method == "POST":
        _screen_uploads(form.photos)
    status = 400 if request.method == "POST" else 200
    return render_template("logbook/casing.html", store=store, form=form, contacts=contacts, zone_name=zone.key), status


@bp.route("/<int:incident_id>")
@store_view()
def incident(store, membership, incident_id: int):
    found = services.get_incident(db(), incident_id)
    return render_template(
        "logbook/incident.html",
        store=store,
        incident=found,
        upload_form=PhotoUploadForm(),
        confirm_form=ConfirmForm(),
        can_manage=membership.role in MANAGER_ROLES,
    )


@bp.route("/<int:incident_id>/edit", methods=["GET", "POST"])
@store_view()
def edit_incident(store, membership, incident_id: int):
    session = db()
    found = services.get_incident(session, incident_id)
    form = IncidentForm(obj=found)
    if not form.is_submitted():
        # WTForms takes `obj`'s attribute over a keyword, so the stored (UTC) time would show and be saved back
        # shifted by the zone's offset: show the store's wall-clock time instead.
        form.occurred_at.data = utc_to_local(found.occurred_at, store_zone(store))
    if request.method == "POST" and _add_row_requested(form):
        return render_template("logbook/incident_form.html", store=store, form=form, incident=found)
    if form.validate_on_submit():
        images = _uploads(form.new_photos, found)
        if images is not None:
            try:
                services.save_incident(session, _described(form, store), incident=found)
                services.add_photos(session, found, images)
            except DomainError as exc:
                form.form_errors.append(str(exc))
            else:
                flash("Incident saved.", "success")
                return redirect(_incident_url(store, found.id))
    elif request.method == "POST":
        _screen_uploads(form.new_photos, found)
    status = 400 if request.method == "POST" else 200
    return render_template("logbook/incident_form.html", store=store, form=form, incident=found), status


@bp.route("/<int:incident_id>/delete", methods=["POST"])
@store_view(MANAGER_ROLES)
def delete_incident(store, membership, incident_id: int):
    session = db()
    found = services.get_incident(session, incident_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.delete_incident(session, found, store=store, actor=current_actor())
    flash(_("Incident deleted. You can restore it from “Recently deleted” for 30 days."), "success")
    return redirect(url_for("logbook.index", store_slug=store.slug))


@bp.route("/deleted")
@store_view(MANAGER_ROLES)
def recently_deleted(store, membership):
    """Deleted incidents still recoverable, with when each leaves for good."""
    return render_template(
        "logbook/deleted.html",
        store=store,
        incidents=services.recently_deleted(db()),
        purge_date=services.purge_date,
        confirm_form=ConfirmForm(),
    )


@bp.route("/deleted/<int:incident_id>/restore", methods=["POST"])
@store_view(MANAGER_ROLES)
def restore_incident(store, membership, incident_id: int):
    session = db()
    found = services.get_deleted_incident(session, incident_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.restore_incident(session, found, store=store, actor=current_actor())
    flash(_("Incident restored to the logbook."), "success")
    return redirect(_incident_url(store, found.id))


@bp.route("/<int:incident_id>/photos", methods=["POST"])
@store_view()
def upload_photos(store, membership, incident_id: int):
    session = db()
    found = services.get_incident(session, incident_id)
    form = PhotoUploadForm()
    if form.validate_on_submit():
        images = _uploads(form.photos, found)
        if images:
            try:
                services.add_photos(session, found, images)
            except DomainError as exc:
                form.photos.errors = [*form.photos.errors, str(exc)]
            else:
                flash(ngettext("%(num)d photo added.", "%(num)d photos added.", len(images)), "success")
                return redirect(_incident_url(store, found.id))
        elif images == []:
            form.photos.errors = [*form.photos.errors, "Choose at least one photo."]
    return (
        render_template(
            "logbook/incident.html",
            store=store,
            incident=found,
            upload_form=form,
            confirm_form=ConfirmForm(),
            can_manage=membership.role in MANAGER_ROLES,
        ),
        400,
    )


@bp.route("/<int:incident_id>/photos/<int:photo_id>/delete", methods=["POST"])
@store_view(MANAGER_ROLES)
def delete_photo(store, membership, incident_id: int, photo_id: int):
    session = db()
    found = services.get_incident(session, incident_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.delete_photo(session, found, photo_id, store=store, actor=current_actor())
    flash("Photo deleted.", "success")
    return redirect(_incident_url(store, found.id))


@bp.route("/photos/<stored_name>")
@store_view()
def photo(store, membership, stored_name: str):
    """A photo's bytes, only to members of this store, never sniffed or rendered as anything but an image."""
    if not PHOTO_NAME.fullmatch(stored_name):
        abort(404)
    found = services.get_photo(db(), stored_name)
    response = Response(found.data, content_type=found.content_type)
    response.headers["Content-Disposition"] = f"inline; filename={found.stored_name}"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response
