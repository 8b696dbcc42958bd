"""Admin portal: "Merge into…" on a bulletin in the moderation queue (a duplicate of another bulletin of the same
region). The queue page renders the form (`templates/admin/_merge_form.html`); this view takes the decision."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange

from blueprints.admin.moderation_views import _queue_page
from blueprints.admin.views import bp
from blueprints.guards import association_admin_view
from blueprints.web import current_actor
from bulletins import merging
from bulletins import moderation as services
from database.request_scope import db
from errors import DomainError
from i18n import _

MAX_ID = 2**63 - 1


class MergeForm(FlaskForm):
    into = IntegerField(
        "Merge into…", validators=[InputRequired("Choose the bulletin to merge into."), NumberRange(1, MAX_ID)]
    )


@bp.route("/moderation/<int:bulletin_id>/merge", methods=["POST"])
@association_admin_view
def moderation_merge(association, bulletin_id: int):
    session = db()
    duplicate = services.get_bulletin(session, association, bulletin_id)
    form = MergeForm()
    if not form.validate_on_submit():
        flash(_("Choose the bulletin to merge into."))
        return _queue_page(association, status=400)
    # Another association's bulletin (or none) is not found, as everywhere in the portal.
    survivor = services.get_bulletin(session, association, form.into.data)
    try:
        result = merging.merge(session, association, duplicate, survivor, actor=current_actor())
    except DomainError as exc:
        flash(str(exc))
        return _queue_page(association, status=400)
    flash(
        _(
            "Bulletin %(duplicate)s merged into bulletin %(survivor)s (%(sightings)s sightings and %(helped)s"
            " “this helped” moved).",
            duplicate=duplicate.id,
            survivor=survivor.id,
            sightings=result.sightings_moved,
            helped=result.feedback_moved,
        ),
        "success",
    )
    return redirect(url_for("admin.moderation", association_slug=association.slug))
