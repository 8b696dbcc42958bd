"""Relay what the store's own police contact told it, under /s/<store-slug>/relay/: write, preview (scrubbed with
the store's own identity, removed parts marked), confirm. Owners and managers decide what leaves the store."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from anonymize import NotPublishable
from blueprints.form_helpers import choices
from blueprints.guards import store_view
from blueprints.sharing.forms import TLP_CHOICES
from database.request_scope import db
from errors import DomainError
from i18n import _, _l
from models import MANAGER_ROLES
from sharing import notes

bp = Blueprint("relay", __name__, url_prefix="/s/<store_slug>/relay")


class RelayForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Give the note a title.")), Length(max=200)])
    text = TextAreaField(
        _l("What your police contact told you"),
        validators=[DataRequired(_l("Say what your police contact told you.")), Length(max=5000)],
    )
    tlp = SelectField(_l("Handling mark (TLP)"), choices=choices(TLP_CHOICES), default="AMBER")


@bp.route("/", methods=["GET", "POST"])
@store_view(MANAGER_ROLES)
def relay(store, membership):
    form = RelayForm()
    draft = None
    status = 200
    if form.is_submitted():
        status = 400
        if form.validate():
            session = db()
            tlp = notes.parse_tlp(form.tlp.data)
            values = {"title": form.title.data or "", "text": form.text.data or ""}
            try:
                if request.form.get("action") == "post":
                    bulletin = notes.relay_note(
                        session, store, values, tlp, user_id=current_user.id, user_name=current_user.name
                    )
                    if bulletin.status == "published":
                        flash(_("Shared with the region: the note is in the feed now."), "success")
                    else:
                        flash(
                            _("Shared with the region: the association will review it before it is published."),
                            "success",
                        )
                    return redirect(url_for("feed.index", store_slug=store.slug))
                draft = notes.note_draft(session, store, values, tlp)
                status = 200
            except (DomainError, NotPublishable) as exc:
                form.form_errors.append(str(exc))
    return render_template("sharing/relay.html", store=store, form=form, draft=draft), status
