"""Meetings views. `store_view` has already checked the membership and bound the schema."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from blueprints.guards import store_view
from blueprints.meetings.forms import STATUS_CHOICES, ActionDoneForm, ActionForm, InviteForm, MeetingForm, OutcomeForm
from blueprints.web import current_actor
from database.request_scope import db
from errors import DomainError
from i18n import _
from meetings import invitations
from meetings import meetings as services
from meetings.agendas import AGENDA_TEMPLATES
from models import MANAGER_ROLES
from workspace.contacts import list_contacts
from workspace.times import local_to_utc, store_zone, utc_to_local

bp = Blueprint("meetings", __name__, url_prefix="/s/<store_slug>/meetings")


@bp.route("/")
@store_view()
def index(store, membership):
    return render_template("meetings/index.html", store=store, overview=services.overview(db(), now=datetime.now(UTC)))


def _form_page(store, form: MeetingForm, meeting, status: int):
    return render_template(
        "meetings/form.html", store=store, form=form, meeting=meeting, templates=AGENDA_TEMPLATES
    ), status


def _save_fields(store, form: MeetingForm) -> dict:
    return {
        "contact_id": form.contact_id.data,
        "title": form.title.data,
        "starts_at": local_to_utc(form.starts_at.data, store_zone(store)),
        "duration_minutes": form.duration_minutes.data,
        "location": form.location.data,
        "agenda_key": form.agenda_template.data,
        "agenda": form.agenda.data,
    }


@bp.route("/new", methods=["GET", "POST"])
@store_view(MANAGER_ROLES)
def new(store, membership):
    contacts = list_contacts(db())
    form = MeetingForm()
    form.set_contacts(contacts)
    if request.method == "GET":
        wanted = request.args.get("contact_id", type=int)
        if wanted in {c.id for c in contacts}:
            form.contact_id.data = wanted
    if contacts and form.validate_on_submit():
        try:
            meeting = services.schedule_meeting(db(), **_save_fields(store, form))
        except DomainError as exc:
            form.form_errors.append(str(exc))
        else:
            flash(_("Meeting scheduled. Download the calendar file to add it to your calendar."), "success")
            return redirect(url_for("meetings.meeting", store_slug=store.slug, meeting_id=meeting.id))
    status = 400 if request.method == "POST" else 200
    return _form_page(store, form, None, status)


@bp.route("/<int:meeting_id>/edit", methods=["GET", "POST"])
@store_view(MANAGER_ROLES)
def edit(store, membership, meeting_id: int):
    meeting = services.get_meeting(db(), meeting_id)
    form = MeetingForm(
        data={
            "contact_id": meeting.contact_id,
            "title": meeting.title,
            "starts_at": utc_to_local(meeting.starts_at, store_zone(store)),
            "duration_minutes": meeting.duration_minutes,
            "location": meeting.location,
            "agenda_template": meeting.agenda_template,
            "agenda": meeting.agenda,
        }
    )
    form.set_contacts(list_contacts(db()))
    if form.validate_on_submit():
        try:
            services.update_meeting(db(), meeting, **_save_fields(store, form))
        except DomainError as exc:
            form.form_errors.append(str(exc))
        else:
            flash(_("Meeting saved."), "success")
            return redirect(url_for("meetings.meeting", store_slug=store.slug, meeting_id=meeting.id))
    status = 400 if request.method == "POST" else 200
    return _form_page(store, form, meeting, status)


def _meeting_page(store, membership, meeting, *, outcome_form=None, action_form=None, status: int = 200):
    outcome_form = outcome_form or OutcomeForm(data={"status": meeting.status, "minutes": meeting.minutes})
    return render_template(
        "meetings/meeting.html",
        store=store,
        meeting=meeting,
        contact=services.contact_of(db(), meeting),
        outcome_form=outcome_form,
        action_form=action_form or ActionForm(),
        done_form=ActionDoneForm(),
        can_manage=membership.role in MANAGER_ROLES,
        invite_form=InviteForm(),
        status_labels=dict(STATUS_CHOICES),
    ), status


@bp.route("/<int:meeting_id>")
@store_view()
def meeting(store, membership, meeting_id: int):
    return _meeting_page(store, membership, services.get_meeting(db(), meeting_id))


@bp.route("/<int:meeting_id>/outcome", methods=["POST"])
@store_view(MANAGER_ROLES)
def outcome(store, membership, meeting_id: int):
    meeting = services.get_meeting(db(), meeting_id)
    form = OutcomeForm()
    if form.validate_on_submit():
        services.record_outcome(
            db(), meeting, status=form.status.data, minutes=form.minutes.data, user_id=current_user.id
        )
        flash(_("Meeting updated."), "success")
        return redirect(url_for("meetings.meeting", store_slug=store.slug, meeting_id=meeting.id))
    return _meeting_page(store, membership, meeting, outcome_form=form, status=400)


@bp.route("/<int:meeting_id>/actions", methods=["POST"])
@store_view(MANAGER_ROLES)
def add_action(store, membership, meeting_id: int):
    meeting = services.get_meeting(db(), meeting_id)
    form = ActionForm()
    if form.validate_on_submit():
        services.add_action(
            db(), meeting, description=form.description.data, owner=form.owner.data, due_on=form.due_on.data
        )
        flash(_("Follow-up added."), "success")
        return redirect(url_for("meetings.meeting", store_slug=store.slug, meeting_id=meeting.id) + "#actions")
    return _meeting_page(store, membership, meeting, action_form=form, status=400)


@bp.route("/<int:meeting_id>/actions/<int:action_id>/done", methods=["POST"])
@store_view()
def action_done(store, membership, meeting_id: int, action_id: int):
    meeting = services.get_meeting(db(), meeting_id)
    action = services.get_action(db(), meeting, action_id)
    form = ActionDoneForm()
    if not form.validate_on_submit():
        return _meeting_page(store, membership, meeting, status=400)
    services.set_action_done(db(), action, form.done.data)
    flash(_("Follow-up marked done.") if form.done.data else _("Follow-up reopened."), "success")
    return redirect(url_for("meetings.meeting", store_slug=store.slug, meeting_id=meeting.id) + "#actions")


@bp.route("/<int:meeting_id>/invite", methods=["POST"])
@store_view(MANAGER_ROLES)
def invite(store, membership, meeting_id: int):
    meeting = services.get_meeting(db(), meeting_id)
    if not InviteForm().validate_on_submit():
        return _meeting_page(store, membership, meeting, status=400)
    try:
        invitations.send_invitation(
            db(), store, meeting, organizer=(current_user.name, current_user.email), actor=current_actor()
        )
    except invitations.InvitationRefused as exc:
        flash(str(exc), "error")
        return _meeting_page(store, membership, meeting, status=400)
    flash(_("The invitation is on its way to the officer, with the calendar file."), "success")
    return redirect(url_for("meetings.meeting", store_slug=store.slug, meeting_id=meeting.id))


@bp.route("/<int:meeting_id>.ics")
@store_view()
def ics(store, membership, meeting_id: int):
    meeting = services.get_meeting(db(), meeting_id)
    body = services.meeting_ics(
        meeting, services.contact_of(db(), meeting), organizer=(current_user.name, current_user.email)
    )
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{services.ics_filename(meeting)}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
