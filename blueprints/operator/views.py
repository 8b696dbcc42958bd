"""Operator console. Only people flagged as platform operators see it: stores per association and their schema
state, the job queue's depth and its failed jobs (which the operator can retry)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, url_for

from blueprints.guards import operator_view
from blueprints.operator.forms import RetryJobForm
from blueprints.web import current_actor
from database.request_scope import db
from jobs.status import failed_jobs, queue_depth, retry_failed_job
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
    return render_template(
        "operator/home.html",
        rows=rows,
        head=head,
        depth=queue_depth(db()),
        failed=failed_jobs(db()),
        retry_form=RetryJobForm(),
    )


@bp.route("/jobs/<int:job_id>/retry", methods=["POST"])
@operator_view
def retry_job(job_id: int):
    """Put a failed job back in the queue (audited). The app-wide CSRF check refuses a form without its token."""
    retry_failed_job(db(), job_id, actor=current_actor())
    flash(f"Job {job_id} is queued again.", "success")
    return redirect(url_for("operator.home"))
