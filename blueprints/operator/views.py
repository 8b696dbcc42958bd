"""Operator console. Only people flagged as platform operators see it (two-step sign-in required: the guard):
the associations with their figures (searchable), creating, suspending and unsuspending them, the public sign-ups
waiting for approval, the store schemas' migration state and the warm pool, the job queue and its failed jobs.
Every action is audited by the domain function it calls."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from associations import console, onboarding, signups
from blueprints.admin.forms import timezone_choices
from blueprints.guards import operator_view
from blueprints.operator.forms import ActionForm, CreateAssociationForm, RetryJobForm, SignupSettingsForm
from blueprints.web import current_actor
from database.request_scope import db
from errors import DomainError
from i18n import _
from jobs.status import failed_jobs, queue_depth, retry_failed_job
from tenants.migrations import store_head

bp = Blueprint("operator", __name__, url_prefix="/operator")


@bp.route("/")
@operator_view
def home():
    search = (request.args.get("q") or "").strip()[:100]
    settings = signups.platform_settings(db())
    return render_template(
        "operator/home.html",
        search=search,
        rows=console.console_rows(db(), onboarding.list_associations(db(), search=search)),
        schemas=console.schema_state(db(), head=store_head()),
        awaiting=signups.awaiting_signups(db()),
        settings_form=SignupSettingsForm(requires_approval=settings.signup_requires_approval),
        depth=queue_depth(db()),
        failed=failed_jobs(db()),
        retry_form=RetryJobForm(),
        action_form=ActionForm(),
    )


@bp.route("/associations/new", methods=["GET", "POST"])
@operator_view
def new_association():
    form = CreateAssociationForm()
    form.timezone.choices = timezone_choices(form.timezone.data)
    status = 200
    if form.validate_on_submit():
        try:
            association, invitation = onboarding.create_association(
                db(),
                name=form.name.data,
                slug=form.slug.data,
                timezone=form.timezone.data,
                k_threshold=form.k_threshold.data,
                admin_email=form.admin_email.data,
                admin_name=form.admin_name.data or "",
                actor=current_actor(),
                invitation_max_age=current_app.config["INVITATION_MAX_AGE"],
            )
        except DomainError as exc:
            form.form_errors.append(str(exc))
            status = 400
        else:
            flash(
                _(
                    "%(association)s is created; %(email)s is invited as its first admin.",
                    association=association.name,
                    email=invitation.email,
                ),
                "success",
            )
            return redirect(url_for("operator.home", q=association.slug))
    elif request.method == "POST":
        status = 400
    return render_template("operator/new_association.html", form=form), status


@bp.route("/associations/<slug>/suspend", methods=["POST"])
@operator_view
def suspend(slug: str):
    association = onboarding.suspend(db(), slug, actor=current_actor())
    flash(
        _(
            "%(association)s is suspended: its people see a page saying so. Nothing was deleted.",
            association=association.name,
        ),
        "success",
    )
    return redirect(url_for("operator.home", q=request.args.get("q") or None))


@bp.route("/associations/<slug>/unsuspend", methods=["POST"])
@operator_view
def unsuspend(slug: str):
    association = onboarding.unsuspend(db(), slug, actor=current_actor())
    flash(_("%(association)s is active again.", association=association.name), "success")
    return redirect(url_for("operator.home", q=request.args.get("q") or None))


@bp.route("/signups/<int:signup_id>/approve", methods=["POST"])
@operator_view
def approve_signup(signup_id: int):
    signup = signups.approve_signup(db(), signup_id, actor=current_actor())
    flash(
        _(
            "%(association)s is created; %(contact_email)s is told by email.",
            association=signup.name,
            contact_email=signup.contact_email,
        ),
        "success",
    )
    return redirect(url_for("operator.home"))


@bp.route("/signups/<int:signup_id>/reject", methods=["POST"])
@operator_view
def reject_signup(signup_id: int):
    signup = signups.reject_signup(db(), signup_id, actor=current_actor())
    flash(
        _(
            "The sign-up of %(association)s is turned down; %(contact_email)s is told by email.",
            association=signup.name,
            contact_email=signup.contact_email,
        ),
        "info",
    )
    return redirect(url_for("operator.home"))


@bp.route("/settings/signups", methods=["POST"])
@operator_view
def signup_settings():
    form = SignupSettingsForm()
    required = bool(form.requires_approval.data)
    signups.set_signup_approval(db(), required=required, actor=current_actor())
    flash(
        _("New sign-ups now wait for your approval.") if required else _("New sign-ups now start at once."), "success"
    )
    return redirect(url_for("operator.home"))


@bp.route("/jobs/<int:job_id>/retry", methods=["POST"])
@operator_view
def retry_job(job_id: int):
    """Put a failed job back in the queue (audited). The app-wide CSRF check refuses a form without its token."""
    retry_failed_job(db(), job_id, actor=current_actor())
    flash(_("Job %(job_id)s is queued again.", job_id=job_id), "success")
    return redirect(url_for("operator.home"))
