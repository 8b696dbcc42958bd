"""Admin portal: the audit log of this association, filtered and paged, and its CSV export (itself audited)."""

from __future__ import annotations

from flask import Response, render_template, request

from audit import log as services
from audit.wording import describe
from blueprints.admin.forms import AuditFilterForm
from blueprints.admin.views import bp
from blueprints.form_helpers import choices, page_arg
from blueprints.guards import association_admin_view
from blueprints.web import current_actor
from database.request_scope import db
from i18n import _


def _filters(association) -> tuple[AuditFilterForm, services.AuditFilter | None]:
    form = AuditFilterForm(request.args)
    form.action.choices = choices(
        [("", _("Any action")), *[(a, describe(a, _("Someone"))) for a in services.action_names(db(), association)]]
    )
    form.action.validate_choice = False  # an action typed in the URL simply matches nothing
    if request.args and not form.validate():
        return form, None
    return form, services.AuditFilter(
        person=form.person.data or None,
        store_slug=form.store.data or None,
        action=form.action.data or None,
        since=form.since.data,
        until=form.until.data,
    )


@bp.route("/audit/")
@association_admin_view
def audit_log(association):
    form, filters = _filters(association)
    if filters is None:
        return render_template("admin/audit.html", association=association, form=form, page=None), 400
    page = services.audit_page(db(), association, filters, page_arg())
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "admin/audit.html", association=association, form=form, page=page, args=args, zone=association.timezone
    )


@bp.route("/audit/export.csv")
@association_admin_view
def audit_export(association):
    form, filters = _filters(association)
    if filters is None:
        return render_template("admin/audit.html", association=association, form=form, page=None), 400
    text = services.export_csv(db(), association, filters, actor=current_actor())
    return Response(
        text,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="loupe-{association.slug}-audit.csv"',
            "Cache-Control": "no-store",
        },
    )
