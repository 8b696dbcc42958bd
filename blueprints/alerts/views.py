"""A person's urgent-alert preferences: opt in or out, quiet hours (in the association's time zone)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from blueprints.alerts import services
from blueprints.alerts.forms import AlertPreferenceForm
from blueprints.web import access
from database.request_scope import db

bp = Blueprint("alerts", __name__, url_prefix="/account/alerts")


@bp.route("/", methods=["GET", "POST"])
@access("account")
@login_required
def preferences():
    session = db()
    pref = services.preference(session, current_user.id)
    form = AlertPreferenceForm(obj=pref)
    status = 200
    if form.validate_on_submit():
        try:
            services.save_preference(
                session,
                current_user.id,
                urgent_alerts=bool(form.urgent_alerts.data),
                quiet_start=form.quiet_start.data,
                quiet_end=form.quiet_end.data,
            )
        except services.AlertError as exc:
            form.quiet_end.errors = [*form.quiet_end.errors, str(exc)]
        else:
            flash("Alert preferences saved.", "success")
            return redirect(url_for("alerts.preferences"))
    if form.is_submitted():
        status = 400
    return render_template("alerts/preferences.html", form=form), status
