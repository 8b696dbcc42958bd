"""Operator page. Only people flagged as platform operators see it."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, render_template

from blueprints.guards import operator_view
from database.request_scope import db
from models import Association, Store
from tenants.migrations import store_head

bp = Blueprint("operator", __name__, url_prefix="/operator")


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
