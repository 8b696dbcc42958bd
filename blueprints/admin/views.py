"""Admin portal views (the home page now; members, people, billing and the rest arrive with their issues)."""

from __future__ import annotations

from flask import Blueprint, render_template

from blueprints.admin import services
from blueprints.admin.access import association_admin_view
from database.request_scope import db

bp = Blueprint("admin", __name__, url_prefix="/a/<association_slug>")


@bp.route("/")
@association_admin_view
def home(association):
    overview = services.association_overview(db(), association)
    return render_template("admin/home.html", association=association, overview=overview)
