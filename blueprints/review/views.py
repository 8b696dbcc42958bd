"""The store's side of police review: grant a slice of the logbook, see what the officer did, revoke.

`store_view` has already checked the membership and bound the schema. Everyone in the store can see the grants;
only owners and managers grant or revoke.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from blueprints.form_helpers import choices
from blueprints.guards import store_view
from blueprints.review.display import STATE_LABELS, local_time_formatter, slice_summary
from blueprints.review.forms import GrantForm, RevokeForm
from blueprints.web import current_actor
from database.request_scope import db
from i18n import _
from models import MANAGER_ROLES
from review import grants as services
from review.mailers import queue_review_email
from workspace.times import local_now, local_to_utc, local_today, store_zone

bp = Blueprint("review", __name__, url_prefix="/s/<store_slug>/review")


@bp.route("/")
@store_view()
def grants(store, membership):
    now = services.utcnow()
    return render_template(
        "review/grants.html",
        store=store,
        grants=services.list_grants(db()),
        now=now,
        when=local_time_formatter(store_zone(store)),
        slice_summary=slice_summary,
        state_labels=STATE_LABELS,
        can_manage=membership.role in MANAGER_ROLES,
    )


@bp.route("/new", methods=["GET", "POST"])
@store_view(MANAGER_ROLES)
def new_grant(store, membership):
    zone = store_zone(store)
    form = GrantForm()
    form.recipient.choices = choices([("", _("Choose…")), *services.recipient_choices(db(), store)])
    if request.method == "GET":
        today = local_today(zone)
        form.since.data = today - timedelta(days=90)
        form.until.data = today
        form.expires_at.data = local_now(zone) + timedelta(days=14)
    if form.validate_on_submit():
        try:
            grant, share = services.create_grant(
                db(),
                store=store,
                granted_by=current_actor(),
                recipient=form.recipient.data,
                incident_types=form.incident_types.data,
                since=form.since.data,
                until=form.until.data,
                expires_at=local_to_utc(form.expires_at.data, zone),
                message=form.message.data or "",
            )
        except services.GrantRefused as exc:
            target = getattr(form, exc.field, None) if exc.field else None
            (target.errors if target is not None else form.form_errors).append(str(exc))
        else:
            queue_review_email(db(), store, grant, share)
            flash(_("Review shared with %(name)s; they have been emailed.", name=grant.recipient_name), "success")
            return redirect(url_for("review.grant", store_slug=store.slug, grant_id=grant.id))
    status = 400 if request.method == "POST" else 200
    return render_template("review/grant_form.html", store=store, form=form), status


@bp.route("/<int:grant_id>")
@store_view()
def grant(store, membership, grant_id: int):
    grant = services.get_grant(db(), grant_id)
    zone = store_zone(store)
    return render_template(
        "review/grant.html",
        store=store,
        grant=grant,
        state=grant.state(services.utcnow()),
        state_labels=STATE_LABELS,
        incidents=services.slice_incidents(db(), grant, zone),
        when=local_time_formatter(zone),
        slice_summary=slice_summary,
        revoke_form=RevokeForm(),
        can_manage=membership.role in MANAGER_ROLES,
    )


@bp.route("/<int:grant_id>/revoke", methods=["POST"])
@store_view(MANAGER_ROLES)
def revoke(store, membership, grant_id: int):
    grant = services.get_grant(db(), grant_id)
    if not RevokeForm().validate_on_submit():
        abort(400, _("This form expired; reload the page and revoke again."))
    services.revoke_grant(db(), grant, store=store, actor=current_actor())
    flash(_("Access for %(name)s is revoked.", name=grant.recipient_name), "success")
    return redirect(url_for("review.grant", store_slug=store.slug, grant_id=grant.id))
