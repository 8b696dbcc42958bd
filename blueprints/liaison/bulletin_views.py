"""A police liaison posts a crime-trend bulletin for a region of their association, under /liaison/bulletins/.

The text is anonymized with the identities of every store of the region before anything is shown or stored, and
the bulletin waits for the association's moderators (kind police_trend).
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from anonymize import NotPublishable
from blueprints.form_helpers import choices, in_date_range
from blueprints.guards import liaison_memberships, liaison_view, require_two_step
from blueprints.liaison.views import bp
from blueprints.sharing.forms import TLP_CHOICES
from blueprints.web import current_actor
from database.request_scope import db, engines
from errors import DomainError
from i18n import _, _l
from models import Region
from sharing import notes


class TrendBulletinForm(FlaskForm):
    region = SelectField(_l("Region"))
    title = StringField(_l("Title"), validators=[DataRequired(_l("Give the bulletin a title.")), Length(max=200)])
    modus_operandi = TextAreaField(
        _l("Modus operandi"), validators=[DataRequired(_l("Describe how they operate.")), Length(max=5000)]
    )
    watch_for = TextAreaField(_l("What to watch for"), validators=[Optional(), Length(max=5000)])
    recommendation = TextAreaField(_l("Recommendation"), validators=[Optional(), Length(max=5000)])
    valid_until = DateField(
        _l("Valid until"), validators=[Optional(), in_date_range], description=_l("Leave empty for 90 days.")
    )
    tlp = SelectField(_l("Handling mark (TLP)"), choices=choices(TLP_CHOICES), default="AMBER")


def _regions() -> list[Region]:
    return notes.liaison_regions(db(), [(m.association_id, m.region_id) for m in liaison_memberships()])


def _form() -> TrendBulletinForm:
    form = TrendBulletinForm()
    form.region.choices = choices((str(r.id), f"{r.name} ({r.association.name})") for r in _regions())
    return form


@bp.route("/bulletins/new", methods=["GET", "POST"])
@liaison_view
def new_trend_bulletin():
    require_two_step()
    form = _form()
    if not form.region.choices:
        abort(403, _("Your association has no regions yet."))
    draft = None
    status = 200
    if form.is_submitted():
        status = 400
        if form.validate():
            region = next(r for r in _regions() if str(r.id) == form.region.data)
            tlp = notes.parse_tlp(form.tlp.data)
            values = {name: getattr(form, name).data or "" for name in notes.TREND_FIELDS}
            try:
                if request.form.get("action") == "post":
                    notes.post_trend(
                        db(),
                        engines().app,
                        region,
                        values,
                        tlp,
                        valid_until=form.valid_until.data,
                        actor=current_actor(),
                    )
                    flash(_("Posted: the association will review the bulletin before it is published."), "success")
                    return redirect(url_for("liaison.home"))
                draft = notes.trend_draft(db(), engines().app, region, values, tlp)
                status = 200
            except (DomainError, NotPublishable) as exc:
                form.form_errors.append(str(exc))
    return render_template("liaison/bulletin.html", form=form, draft=draft), status
