"""Admin portal: the blueprint, the home dashboard and the urgent alerts sent. Moderation, billing, members,
regions, people, the digest and the audit log have their own modules, imported by the package."""

from __future__ import annotations

from datetime import UTC
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, g, redirect, render_template, session, url_for

from alerts import history as alert_history
from associations.checklist import all_done, getting_started
from billing import dues as dues_services
from billing.platform import platform_stripe
from blueprints.guards import association_admin_view
from blueprints.signup.views import CHOOSE_PLAN
from bulletins import moderation
from database.request_scope import db
from digest import admin as digest_admin
from i18n import _l, format_local
from members import dashboard as dashboard_services
from models.accounts import Role

bp = Blueprint("admin", __name__, url_prefix="/a/<association_slug>")


@bp.route("/")
@association_admin_view
def home(association):
    if session.get(CHOOSE_PLAN) == association.slug:  # just signed up: choose a plan first (once)
        session.pop(CHOOSE_PLAN)
        return redirect(url_for("platform_billing.index", association_slug=association.slug, welcome=1))
    return render_template(
        "admin/home.html",
        association=association,
        dashboard=dashboard_services.dashboard(db(), association),
        waiting=moderation_waiting(),
        digest_runs=digest_admin.runs(db(), association, limit=3),
        dues=dues_services.dues_collected(db(), association, current_app.config),
        checklist=getting_started(db(), association, plans_offered=platform_stripe(current_app.config) is not None),
        checklist_done=all_done,
    )


@bp.route("/alerts")
@association_admin_view
def alerts(association):
    return render_template(
        "admin/alerts.html", association=association, alerts=alert_history.sent_alerts(db(), association)
    )


# A role in the reader's words (admin and operator pages); the codes stay in Python (tests/unit/test_role_groups).
ROLE_WORDS = {
    Role.ASSOCIATION_ADMIN: _l("association staff"),
    Role.POLICE_LIAISON: _l("police liaison"),
    Role.STORE_OWNER: _l("store owner"),
    Role.STORE_MANAGER: _l("store manager"),
    Role.STORE_STAFF: _l("store staff"),
}


@bp.app_template_global("role_words")
def role_words(role: str) -> str:
    """A stored role code in words, in the reader's language (the code itself when unknown)."""
    try:
        return str(ROLE_WORDS[Role(role)])
    except ValueError:
        return role


@bp.app_template_global("moderation_waiting")
def moderation_waiting() -> int:
    """The admin menu's badge: bulletins waiting for review in the portal's association (once per request, and
    only when the menu renders)."""
    association = g.get("association")
    if association is None:
        return 0
    if "moderation_waiting" not in g:
        g.moderation_waiting = moderation.pending_count(db(), association)
    return g.moderation_waiting


@bp.app_template_filter("association_time")
def association_time(value, fmt: str = "%d %b %Y %H:%M") -> str:
    """A timestamp in the time zone of the association whose portal is showing it, in the reader's language."""
    if value is None:
        return "—"
    association = g.get("association")
    zone = ZoneInfo(association.timezone) if association is not None else UTC
    return format_local(value.astimezone(zone), fmt)
