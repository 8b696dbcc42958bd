"""Admin portal: the digest — runs with sent / pending / failed counts, one run's deliveries (failures with their
reason, retry), a preview of any region and period as a member would see it, and a test sent to oneself."""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, request, url_for

from blueprints.admin.digest_forms import DigestPreviewForm, DigestTestForm
from blueprints.admin.forms import ConfirmForm
from blueprints.admin.views import bp
from blueprints.form_helpers import choices
from blueprints.guards import association_admin_view
from blueprints.web import current_actor
from database.request_scope import db
from digest import admin as digest_admin
from digest.periods import PeriodError, in_words, last_complete_week, parse_period
from i18n import _, ngettext
from models import Region
from regions import effective_settings
from workspace.times import association_zone, local_today

# The preview is the email's own HTML, framed by the digest page: its inline styles need 'unsafe-inline'; no
# script, no form, and only our own pages may frame it.
PREVIEW_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'self'; "
    "base-uri 'none'; form-action 'none'"
)


def _form(form_class, association, data):
    session = db()
    form = form_class(data)
    regions = list(association.regions)
    form.region.choices = choices((r.id, r.name) for r in regions)
    region = next((r for r in regions if r.id == form.region.data), regions[0] if regions else None)
    members = digest_admin.region_members(session, association, region) if region else []
    form.member.choices = choices([(0, "Any member (all incident types)")] + [(u.id, u.email) for u in members])
    if not form.period.data:
        form.period.data = last_complete_week(local_today(association_zone(association))).key
    return form, region, members


def _parse(form, association, region, members):
    """The period and member of a valid form, or errors put on the form."""
    if region is None:
        form.region.errors = ["Create a region first."]
        return None
    try:
        period = parse_period(form.period.data, local_today(association_zone(association)))
    except PeriodError as exc:
        form.period.errors = [str(exc)]
        return None
    member = next((u for u in members if u.id == form.member.data), None)
    return period, member


@bp.route("/digest")
@association_admin_view
def digest(association):
    form, region, members = _form(DigestPreviewForm, association, request.args or None)
    # With a region and period asked for, the page frames the preview and offers to send that as a test.
    previewing = bool(request.args) and form.validate() and _parse(form, association, region, members) is not None
    schedules = [(r, effective_settings(association, r).describe()) for r in association.regions]
    return render_template(
        "admin/digest.html",
        association=association,
        runs=digest_admin.runs(db(), association),
        form=form,
        test_form=DigestTestForm(formdata=None, data=_args(form)) if previewing else None,
        preview_args=_args(form) if previewing else None,
        schedules=schedules,
    )


@bp.route("/digest/preview")
@association_admin_view
def digest_preview(association):
    form, region, members = _form(DigestPreviewForm, association, request.args)
    parsed = _parse(form, association, region, members) if form.validate() else None
    if parsed is None:
        errors = [e for f in (form.region, form.period, form.member) for e in f.errors]
        return render_template("admin/digest_error.html", association=association, errors=errors), 400
    email = digest_admin.preview(db(), association, region, parsed[0], member=parsed[1])
    if request.args.get("part") == "text":
        response = make_response(email.text)
        response.mimetype = "text/plain"
    else:
        response = make_response(email.html)
        response.headers["Content-Security-Policy"] = PREVIEW_CSP
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@bp.route("/digest/test", methods=["POST"])
@association_admin_view
def digest_test(association):
    form, region, members = _form(DigestTestForm, association, request.form)
    parsed = _parse(form, association, region, members) if form.validate_on_submit() else None
    if parsed is None:
        for error in [e for f in (form.region, form.period, form.member, form.csrf_token) for e in f.errors]:
            flash(error)
        return redirect(url_for("admin.digest", association_slug=association.slug, **_args(form))), 303
    actor = current_actor()
    digest_admin.send_test(db(), association, region, parsed[0], actor=actor, member=parsed[1])
    flash(_("Test digest queued to %(email)s.", email=actor.email), "success")
    return redirect(url_for("admin.digest", association_slug=association.slug, **_args(form)))


def _args(form) -> dict:
    return {"region": form.region.data or "", "period": (form.period.data or "")[:40], "member": form.member.data or 0}


@bp.route("/digest/runs/<int:run_id>")
@association_admin_view
def digest_run(association, run_id: int):
    session = db()
    run = digest_admin.get_run(session, association, run_id)
    region = session.get(Region, run.region_id)
    return render_template(
        "admin/digest_run.html",
        association=association,
        run=run,
        region=region,
        deliveries=digest_admin.deliveries(session, run),
        form=ConfirmForm(),
    )


@bp.route("/digest/runs/<int:run_id>/retry", methods=["POST"])
@association_admin_view
def digest_retry(association, run_id: int):
    session = db()
    run = digest_admin.get_run(session, association, run_id)
    back = redirect(url_for("admin.digest_run", association_slug=association.slug, run_id=run.id))
    if not ConfirmForm().validate_on_submit():
        flash(_("The form expired; try again."))
        return back, 400
    count = digest_admin.retry_failed(session, association, run, actor=current_actor())
    flash(
        ngettext(
            "%(num)d failed delivery queued again; the job worker sends it.",
            "%(num)d failed deliveries queued again; the job worker sends them.",
            count,
        ),
        "success",
    )
    return back


@bp.app_template_filter("digest_period")
def digest_period(key: str) -> str:
    """A digest period key ("2026-W48") as the dates it covers, in the reader's language."""
    return in_words(key)
