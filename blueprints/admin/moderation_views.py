"""Admin portal: moderation of regional bulletins (queue, edit, approve, reject with a reason, retire) and the
association's trusted auto-publish setting. Moderators see the anonymized bulletin only, never its source store,
with the photos shared with it (served here, to this association's admins only, whatever the bulletin's status)."""

from __future__ import annotations

import re

from flask import abort, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from blueprints.admin.forms import ConfirmForm
from blueprints.admin.views import bp
from blueprints.form_helpers import choices, in_date_range, page_arg
from blueprints.guards import association_admin_view
from blueprints.images import inert_image
from blueprints.web import current_actor
from bulletins import moderation as services
from database.request_scope import db
from errors import DomainError
from i18n import _, _l
from models.bulletins import FEED_TLPS

PHOTO_NAME = re.compile(r"[0-9a-f]{32}\.(jpg|png)")
TLP_CHOICES = [(value, f"TLP:{value}") for value in FEED_TLPS]


class RejectForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason (shown to the store that shared it)"),
        validators=[DataRequired(_l("Say why the bulletin is rejected.")), Length(max=2000)],
    )


class EditBulletinForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Enter a title.")), Length(max=200)])
    narrative = TextAreaField(_l("What happened"), validators=[Optional(), Length(max=20000)])
    location_note = StringField(_l("Where (coarse)"), validators=[Optional(), Length(max=300)])
    tlp = SelectField(_l("Handling mark (TLP)"), choices=choices(TLP_CHOICES))
    expires_on = DateField(
        _l("Expires on"),
        validators=[Optional(), in_date_range],
        description=_l("Leave as it is to keep the current expiry."),
    )


class AutoPublishForm(FlaskForm):
    auto_publish = BooleanField(_l("Trusted auto-publish: bulletins shared by member stores go to the feed at once"))


def _queue_page(association, *, page=1, reject_forms=None, settings_form=None, status=200):
    session = db()
    return render_template(
        "admin/moderation.html",
        association=association,
        queue=services.queue(session, association, page=page),
        reject_forms=reject_forms or {},
        reject_form=RejectForm(formdata=None),
        confirm_form=ConfirmForm(),
        settings_form=settings_form or AutoPublishForm(auto_publish=services.auto_publish(session, association)),
    ), status


def _back(association):
    return redirect(url_for("admin.moderation", association_slug=association.slug))


@bp.route("/moderation")
@association_admin_view
def moderation(association):
    return _queue_page(association, page=page_arg())


@bp.route("/moderation/photos/<stored_name>")
@association_admin_view
def moderation_photo(association, stored_name: str):
    """A photo shared with one of this association's bulletins, as the feed serves it (pending ones too)."""
    if not PHOTO_NAME.fullmatch(stored_name):
        abort(404)
    found = services.get_photo(db(), association, stored_name)
    return inert_image(found.data, found.content_type, found.stored_name)


@bp.route("/moderation/settings", methods=["POST"])
@association_admin_view
def moderation_settings(association):
    form = AutoPublishForm()
    if not form.validate_on_submit():
        return _queue_page(association, settings_form=form, status=400)
    services.set_auto_publish(db(), association, bool(form.auto_publish.data), actor=current_actor())
    flash(_("Trusted auto-publish is on.") if form.auto_publish.data else _("Trusted auto-publish is off."), "success")
    return _back(association)


@bp.route("/moderation/<int:bulletin_id>/edit", methods=["GET", "POST"])
@association_admin_view
def moderation_edit(association, bulletin_id: int):
    session = db()
    bulletin = services.get_bulletin(session, association, bulletin_id)
    form = EditBulletinForm(obj=bulletin)
    if form.validate_on_submit():
        try:
            services.edit(
                session,
                association,
                bulletin,
                title=form.title.data.strip(),
                narrative=form.narrative.data or "",
                location_note=form.location_note.data or "",
                tlp=form.tlp.data,
                expires_on=form.expires_on.data,
                actor=current_actor(),
            )
        except DomainError as exc:
            form.form_errors.append(str(exc))
        else:
            flash(_("Bulletin saved."), "success")
            return _back(association)
    status = 400 if form.is_submitted() else 200
    if not form.is_submitted():
        form.expires_on.data = bulletin.expires_at.date()
    photos = services.bulletin_photos(session, bulletin)
    return render_template(
        "admin/moderation_edit.html",
        association=association,
        bulletin=bulletin,
        photos=photos,
        kept_names=services.kept_names(bulletin),
        form=form,
    ), status


def _decision(association, bulletin_id: int, decide, message: str):
    session = db()
    bulletin = services.get_bulletin(session, association, bulletin_id)
    if not ConfirmForm().validate_on_submit():
        return _queue_page(association, status=400)
    try:
        decide(session, association, bulletin, actor=current_actor())
    except DomainError as exc:
        flash(str(exc))
    else:
        flash(message, "success")
    return _back(association)


@bp.route("/moderation/<int:bulletin_id>/approve", methods=["POST"])
@association_admin_view
def moderation_approve(association, bulletin_id: int):
    return _decision(association, bulletin_id, services.approve, _("Bulletin approved and published to the region."))


@bp.route("/moderation/<int:bulletin_id>/retire", methods=["POST"])
@association_admin_view
def moderation_retire(association, bulletin_id: int):
    return _decision(association, bulletin_id, services.retire, _("Bulletin retired: it is no longer in the feed."))


@bp.route("/moderation/<int:bulletin_id>/reject", methods=["POST"])
@association_admin_view
def moderation_reject(association, bulletin_id: int):
    session = db()
    bulletin = services.get_bulletin(session, association, bulletin_id)
    form = RejectForm()
    if form.validate_on_submit():
        try:
            services.reject(session, association, bulletin, reason=form.reason.data, actor=current_actor())
        except DomainError as exc:
            form.reason.errors = [*form.reason.errors, str(exc)]
            if bulletin.status != "pending":
                flash(str(exc))  # only pending bulletins have a reject form on the page to show it
        else:
            flash(_("Bulletin rejected."), "success")
            return _back(association)
    return _queue_page(association, reject_forms={bulletin.id: form}, status=400)
