"""Admin portal: member stores (list, invite, suspend, reactivate, move, export, remove) and the CSV import."""

from __future__ import annotations

import base64
import json

import sqlalchemy as sa
from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from accounts.mailers import queue_invitation_email
from blueprints.admin.forms import (
    CHECKED_CSV_MAX,
    ConfirmForm,
    ImportConfirmForm,
    ImportForm,
    InviteStoreForm,
    MoveStoreForm,
    RemoveStoreForm,
    with_blank,
)
from blueprints.admin.views import bp
from blueprints.form_helpers import choices
from blueprints.guards import association_admin_view
from blueprints.web import current_actor
from database.request_scope import db
from errors import DomainError
from i18n import _, ngettext
from members import imports
from members import stores as services
from members.setup import STEPS, setup_progress
from models import Area, Region
from security.ranges import id_value
from tenants.pending import enqueue_builds


def _region_choices(association, blank: str | None = None):
    regions = db().scalars(sa.select(Region).where(Region.association_id == association.id).order_by(Region.name))
    pairs = [(r.id, r.name) for r in regions]
    return with_blank(pairs, blank) if blank else choices([(str(v), label) for v, label in pairs])


def _area_choices(association):
    rows = db().execute(
        sa.select(Area.id, Region.name, Area.name)
        .join(Region, Region.id == Area.region_id)
        .where(Region.association_id == association.id)
        .order_by(Region.name, Area.name)
    )
    return with_blank([(area_id, f"{region} — {area}") for area_id, region, area in rows], "No area")


def _invite_form(association) -> InviteStoreForm:
    form = InviteStoreForm()
    form.region.choices = _region_choices(association, "Choose a region")
    form.area.choices = _area_choices(association)
    return form


def _list_page(association, form: InviteStoreForm, status: int = 200):
    region_filter = request.args.get("region", type=id_value)
    status_filter = request.args.get("status") or None
    first, last = request.args.get("first", type=id_value), request.args.get("last", type=id_value)
    imported = None
    if first is not None and last is not None:  # the stores of one import, where "Import these N stores" lands
        if not 0 <= last - first < imports.MAX_ROWS * 2:
            abort(400, _("That is not the range of one import."))
        imported = list(range(first, last + 1))
    members = services.list_members(
        db(), association, region_id=region_filter, status=status_filter, store_ids=imported
    )
    building = sum(1 for m in members if m.status == services.MemberStatus.PROVISIONING)
    return render_template(
        "admin/members.html",
        association=association,
        members=members,
        building=building,
        progress=setup_progress(db(), [m.store for m in members]),
        steps=STEPS,
        imported=imported is not None,
        form=form,
        statuses=[s.value for s in services.MemberStatus],
        regions=_region_choices(association),
        region_filter=region_filter,
        status_filter=status_filter,
    ), status


@bp.route("/members/")
@association_admin_view
def members(association):
    return _list_page(association, _invite_form(association))


@bp.route("/members/invite", methods=["POST"])
@association_admin_view
def invite_store(association):
    form = _invite_form(association)
    if form.validate_on_submit():
        try:
            store, invitation = services.invite_store(
                db(),
                association,
                name=form.name.data,
                slug=(form.slug.data or "").strip() or None,
                region_id=form.region.data,
                area_id=form.area.data,
                owner_email=form.owner_email.data,
                owner_name=form.owner_name.data,
                actor=current_actor(),
                invitation_max_age=current_app.config["INVITATION_MAX_AGE"],
            )
        except DomainError as exc:
            target = form.slug if "address" in str(exc) else form.area if "area" in str(exc) else form.name
            target.errors.append(str(exc))
        else:
            queue_invitation_email(db(), invitation, inviter=current_user.name)
            enqueue_builds(db(), [store.id])
            flash(
                _(
                    "%(store)s is being set up; %(email)s is invited as its owner.",
                    store=store.name,
                    email=invitation.email,
                ),
                "success",
            )
            return redirect(url_for("admin.member", association_slug=association.slug, store_id=store.id))
    return _list_page(association, form, 400)


def _member_page(association, store_id: int, *, move_form=None, remove_form=None, status: int = 200):
    member = services.get_member(db(), association, store_id)
    if move_form is None:
        move_form = MoveStoreForm(region=member.region.id, area=member.area.id if member.area else None)
    move_form.region.choices = _region_choices(association, "Choose a region")
    move_form.area.choices = _area_choices(association)
    return render_template(
        "admin/member.html",
        association=association,
        member=member,
        progress=setup_progress(db(), [member.store])[member.store.id],
        move_form=move_form,
        remove_form=remove_form or RemoveStoreForm(),
        confirm_form=ConfirmForm(),
    ), status


@bp.route("/members/<int:store_id>")
@association_admin_view
def member(association, store_id: int):
    return _member_page(association, store_id)


def _lifecycle(association, store_id: int, action, done: str, *, then=None):
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _member_page(association, store_id, status=400)
    try:
        action(db(), association, store_id, actor=current_actor())
    except services.MemberError as exc:
        flash(str(exc), "error")
        return _member_page(association, store_id, status=400)
    if then is not None:
        then()
    flash(done, "success")
    return redirect(url_for("admin.member", association_slug=association.slug, store_id=store_id))


@bp.route("/members/<int:store_id>/suspend", methods=["POST"])
@association_admin_view
def suspend(association, store_id: int):
    return _lifecycle(association, store_id, services.suspend_store, _("The store is suspended; its data is kept."))


@bp.route("/members/<int:store_id>/reactivate", methods=["POST"])
@association_admin_view
def reactivate(association, store_id: int):
    return _lifecycle(association, store_id, services.reactivate_store, _("The store is active again."))


@bp.route("/members/<int:store_id>/cancel-removal", methods=["POST"])
@association_admin_view
def cancel_removal(association, store_id: int):
    return _lifecycle(
        association, store_id, services.cancel_removal, _("The removal is cancelled; the store stays suspended.")
    )


@bp.route("/members/<int:store_id>/retry", methods=["POST"])
@association_admin_view
def retry_setup(association, store_id: int):
    return _lifecycle(
        association,
        store_id,
        services.retry_setup,
        _("Setting the store up again."),
        then=lambda: enqueue_builds(db(), [store_id]),
    )


@bp.route("/members/<int:store_id>/move", methods=["POST"])
@association_admin_view
def move(association, store_id: int):
    form = MoveStoreForm()
    form.region.choices = _region_choices(association, "Choose a region")
    form.area.choices = _area_choices(association)
    if form.validate_on_submit():
        try:
            services.move_store(
                db(),
                association,
                store_id,
                region_id=form.region.data,
                area_id=form.area.data,
                actor=current_actor(),
            )
        except services.MemberError as exc:
            form.area.errors.append(str(exc))
        else:
            flash(_("The store has moved."), "success")
            return redirect(url_for("admin.member", association_slug=association.slug, store_id=store_id))
    return _member_page(association, store_id, move_form=form, status=400)


@bp.route("/members/<int:store_id>/export", methods=["POST"])
@association_admin_view
def export(association, store_id: int):
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _member_page(association, store_id, status=400)
    data = services.export_registry(db(), association, store_id, actor=current_actor())
    filename = f"loupe-{data['store']['slug']}-registry.json"
    return Response(
        json.dumps(data, indent=2, ensure_ascii=False),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


@bp.route("/members/<int:store_id>/remove", methods=["POST"])
@association_admin_view
def remove(association, store_id: int):
    form = RemoveStoreForm()
    if form.validate_on_submit():
        try:
            store = services.request_removal(
                db(),
                association,
                store_id,
                confirm_slug=form.confirm_slug.data,
                actor=current_actor(),
            )
        except services.MemberError as exc:
            form.confirm_slug.errors.append(str(exc))
        else:
            flash(_("%(store)s is suspended and will be deleted after the grace period.", store=store.name), "success")
            return redirect(url_for("admin.member", association_slug=association.slug, store_id=store_id))
    return _member_page(association, store_id, remove_form=form, status=400)


def _import_done(association, report):
    enqueue_builds(db(), report.created_store_ids)
    count = len(report.created_store_ids)
    flash(
        ngettext(
            "%(num)d store registered and its owner invited; its workspace is being set up.",
            "%(num)d stores registered and their owners invited; their workspaces are being set up.",
            count,
        ),
        "success",
    )
    ids = report.created_store_ids
    return redirect(url_for("admin.members", association_slug=association.slug, first=min(ids), last=max(ids)))


@bp.route("/members/import", methods=["GET", "POST"])
@association_admin_view
def import_stores(association):
    form = ImportForm()
    report = None
    checked = None
    status = 200
    if form.validate_on_submit():
        data = form.file.data.read(imports.MAX_BYTES + 1)
        report = imports.import_stores(
            db(),
            association,
            data,
            actor=current_actor(),
            dry_run=form.dry_run.data,
            invitation_max_age=current_app.config["INVITATION_MAX_AGE"],
        )
        if not report.ok:
            status = 400
        elif not form.dry_run.data:
            return _import_done(association, report)
        else:
            encoded = base64.b64encode(data).decode("ascii")
            if len(encoded) <= CHECKED_CSV_MAX:  # else: send the file again with "Dry run" unticked
                checked = ImportConfirmForm(formdata=None, checked_csv=encoded)
    elif request.method == "POST":
        status = 400
    return render_template(
        "admin/import.html",
        association=association,
        form=form,
        report=report,
        dry_run=form.dry_run.data,
        checked=checked,
    ), status


@bp.route("/members/import/confirm", methods=["POST"])
@association_admin_view
def import_checked(association):
    """ "Import these N stores": the file of a clean dry run, checked again and imported."""
    checked = ImportConfirmForm()
    report = None
    if checked.validate_on_submit():
        try:
            data = base64.b64decode(checked.checked_csv.data, validate=True)
        except ValueError:
            data = None
        if data is not None:
            report = imports.import_stores(
                db(),
                association,
                data,
                actor=current_actor(),
                dry_run=False,
                invitation_max_age=current_app.config["INVITATION_MAX_AGE"],
            )
            if report.ok:
                return _import_done(association, report)
    if report is None:
        flash(_("The checked file did not come back whole; choose it and check it again."), "error")
    return render_template(
        "admin/import.html", association=association, form=ImportForm(formdata=None), report=report, dry_run=True
    ), 400
