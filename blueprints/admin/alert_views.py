"""Admin portal: "Send as urgent alert" on a published bulletin, or approve and alert in one step.

The alert's rows are written in the same transaction as the approval; the emails go out right after it commits.
"""

from __future__ import annotations

from flask import flash, redirect, url_for

from alerts import urgent as services
from blueprints.admin.forms import ConfirmForm
from blueprints.admin.views import bp
from blueprints.guards import association_admin_view
from blueprints.web import current_actor
from bulletins import moderation
from database.request_scope import db
from errors import DomainError
from i18n import _, ngettext


@bp.route("/moderation/<int:bulletin_id>/alert", methods=["POST"])
@association_admin_view
def moderation_alert(association, bulletin_id: int):
    session = db()
    bulletin = moderation.get_bulletin(session, association, bulletin_id)
    back = redirect(url_for("admin.moderation", association_slug=association.slug))
    if not ConfirmForm().validate_on_submit():
        flash(_("The form expired; try again."))
        return back, 400
    try:
        if bulletin.status == "pending":
            moderation.approve(session, association, bulletin, actor=current_actor())
        _alert, rows = services.send_alert(session, association, bulletin, actor=current_actor())
    except DomainError as exc:
        # The approval flushed above is rolled back with the request: a domain error was raised.
        flash(str(exc))
        return back
    flash(
        ngettext(
            "Urgent alert queued for %(num)d member who opted in.",
            "Urgent alert queued for %(num)d members who opted in.",
            len(rows),
        ),
        "success",
    )
    return back
