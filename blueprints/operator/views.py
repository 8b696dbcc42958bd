"""Operator page. Only people flagged as platform operators see it."""

from __future__ import annotations

import functools

import sqlalchemy as sa
from flask import Blueprint, abort, render_template
from flask_login import current_user

from database.request_scope import db
from extensions import login_manager
from models import Association, Store
from tenants.migrations import store_head

bp = Blueprint("operator", __name__, url_prefix="/operator")


def operator_view(view):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.is_operator:
            abort(404)
        return view(*args, **kwargs)

    wrapper.loupe_access = {"kind": "operator"}
    return wrapper


@bp.route("/")
@operator_view
def home():
    head = store_head()
    rows = (
        db()
        .execute(
            sa.select(
                Association.name,
                Store.status,
                sa.func.count(Store.id),
                sa.func.count(Store.id).filter(Store.schema_revision != head),
                sa.func.count(Store.id).filter(Store.last_error.is_not(None)),
            )
            .join(Store, Store.association_id == Association.id, isouter=True)
            .group_by(Association.name, Store.status)
            .order_by(Association.name, Store.status)
        )
        .all()
    )
    return render_template("operator/home.html", rows=rows, head=head)
