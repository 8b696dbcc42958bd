"""A person's email preferences: urgent alerts, quiet hours (in the region's time zone), the digest."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from alerts import urgent as services
from blueprints.alerts.forms import AlertPreferenceForm
from blueprints.form_helpers import choices
from blueprints.web import access
from database.request_scope import db
from i18n import _

bp = Blueprint("alerts", __name__, url_prefix="/account/alerts")


@bp.route("/", methods=["GET", "POST"])
@access("account")
@login_required
def preferences():
    session = db()
    pref = services.preference(session, current_user.id)
    regions = services.digest_regions(session, current_user.id)
    form = AlertPreferenceForm(obj=pref if request.method == "GET" else None)
    form.followed_regions.choices = choices((r.id, r.name) for r in regions)
    if request.method == "GET":
        form.digest_frequency.data = pref.digest_frequency or ""
        muted = set(pref.digest_muted_region_ids or [])
        form.followed_regions.data = [r.id for r in regions if r.id not in muted]
        form.incident_types.data = list(pref.digest_incident_types or [])
        form.urgent_alerts.data = {None: "", True: "on", False: "off"}[pref.urgent_alerts]
    status = 200
    if form.validate_on_submit():
        try:
            services.save_preference(
                session,
                current_user.id,
                urgent_alerts=services.urgent_choice(form.urgent_alerts.data),
                quiet_start=form.quiet_start.data,
                quiet_end=form.quiet_end.data,
                digest_frequency=form.digest_frequency.data,
                followed_region_ids=list(form.followed_regions.data or []),
                incident_types=list(form.incident_types.data or []),
            )
        except services.AlertError as exc:
            form.quiet_end.errors = [*form.quiet_end.errors, str(exc)]
        else:
            flash(_("Email preferences saved."), "success")
            return redirect(url_for("alerts.preferences"))
    if form.is_submitted():
        status = 400
    alerted = (
        services.wants_alerts(pref.urgent_alerts, [])
        if pref.urgent_alerts is not None
        else services.default_on(session, current_user.id)
    )
    return render_template("alerts/preferences.html", form=form, regions=regions, alerted=alerted), status
