"""Sharing views: the preview of exactly what will be published, the confirmation, and the withdrawal.

Owners and managers decide what leaves the store. `store_view` has bound the store's schema; the bulletin itself
is written to the shared schema with no store id (see services).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from anonymize import NotPublishable
from blueprints.guards import store_view
from blueprints.images import inert_image
from blueprints.sharing.forms import ShareForm, TlpPreviewForm, WithdrawForm
from database.request_scope import db
from errors import DomainError
from i18n import _
from logbook import incidents as logbook_services
from models import MANAGER_ROLES
from sharing import photos as shared_photos
from sharing import shares as services

bp = Blueprint("sharing", __name__, url_prefix="/s/<store_slug>/logbook/<int:incident_id>/share")


def _kept_names(values) -> list[str]:
    """The flagged words the store chose to keep: "keep" radios of the preview ("name:<word>"), or the confirm's
    hidden "keep_name" fields carrying the choices previewed. Anything else is removed (the safe default)."""
    pairs = values.items(multi=True)
    kept = [key.removeprefix("name:") for key, value in pairs if key.startswith("name:") and value == "keep"]
    return list(dict.fromkeys([*kept, *values.getlist("keep_name")]))


def _page(store, incident, tlp, form, *, share_photos=False, keep_names=(), status=200):
    session = db()
    share = services.current_share(session, incident)
    bulletin = services.bulletin_of(session, store, share) if share else None
    held = None if share else services.held_reason(session, store)
    draft = (
        None
        if share or held
        else services.draft_for(session, store, incident, tlp, share_photos=share_photos, keep_names=keep_names)
    )
    preview_form = TlpPreviewForm(formdata=None, tlp=tlp.value, share_photos=share_photos)
    return render_template(
        "sharing/share.html",
        store=store,
        incident=incident,
        draft=draft,
        held=held,
        tlp=tlp,
        form=form,
        preview_form=preview_form,
        share=share,
        bulletin=bulletin,
        withdraw_form=WithdrawForm(),
    ), status


@bp.route("/", methods=["GET"])
@store_view(MANAGER_ROLES)
def preview(store, membership, incident_id: int):
    incident = logbook_services.get_incident(db(), incident_id)
    tlp = services.parse_tlp(request.args.get("tlp"))
    share_photos = request.args.get("share_photos", "") not in ("", "false")  # as a BooleanField reads it
    form = ShareForm(formdata=None, tlp=tlp.value)
    return _page(store, incident, tlp, form, share_photos=share_photos, keep_names=_kept_names(request.args))


@bp.route("/photos/<int:photo_id>", methods=["GET"])
@store_view(MANAGER_ROLES)
def preview_photo(store, membership, incident_id: int, photo_id: int):
    """One of the incident's photos exactly as it would be published: re-encoded, without its metadata."""
    session = db()
    incident = logbook_services.get_incident(session, incident_id)
    image = shared_photos.preview_photo(session, incident, photo_id)
    return inert_image(image.data, image.content_type, f"preview-{photo_id}.{image.extension}")


@bp.route("/", methods=["POST"])
@store_view(MANAGER_ROLES)
def confirm(store, membership, incident_id: int):
    session = db()
    incident = logbook_services.get_incident(session, incident_id)
    form = ShareForm()
    keep_names = _kept_names(request.form)
    if not form.validate_on_submit():
        tlp = services.parse_tlp(form.tlp.data)
        return _page(
            store, incident, tlp, form, share_photos=bool(form.share_photos.data), keep_names=keep_names, status=400
        )
    tlp = services.parse_tlp(form.tlp.data)
    try:
        result = services.share_incident(
            session,
            store,
            incident,
            tlp,
            user_id=current_user.id,
            user_name=current_user.name,
            share_photos=form.share_photos.data,
            keep_names=keep_names,
        )
    except (DomainError, NotPublishable) as exc:
        form.form_errors.append(str(exc))
        return _page(
            store, incident, tlp, form, share_photos=bool(form.share_photos.data), keep_names=keep_names, status=400
        )
    if result.bulletin.status == "published":
        flash(_("Shared with the region: the bulletin is in the feed now."), "success")
    else:
        flash(_("Shared with the region: the association will review the bulletin before it is published."), "success")
    return redirect(url_for("sharing.preview", store_slug=store.slug, incident_id=incident.id))


@bp.route("/withdraw", methods=["POST"])
@store_view(MANAGER_ROLES)
def withdraw(store, membership, incident_id: int):
    session = db()
    incident = logbook_services.get_incident(session, incident_id)
    if not WithdrawForm().validate_on_submit():
        abort(400)
    try:
        services.withdraw(session, store, incident, user_name=current_user.name)
    except DomainError as exc:
        flash(str(exc))
    else:
        flash(_("Bulletin withdrawn: it is no longer shown to anyone."), "success")
    return redirect(url_for("logbook.incident", store_slug=store.slug, incident_id=incident.id))
