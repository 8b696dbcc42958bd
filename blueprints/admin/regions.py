"""Admin portal: regions and areas (create, rename, merge), the k threshold and the digest schedule."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from blueprints.admin.forms import (
    AreaForm,
    MergeForm,
    RegionForm,
    RegionSettingsForm,
    RenameForm,
    SettingsForm,
    timezone_choices,
    with_blank,
)
from blueprints.admin.views import bp
from blueprints.guards import association_admin_view
from blueprints.web import current_actor
from database.request_scope import db
from errors import DomainError
from i18n import _
from regions import effective_settings
from regions import regions as services


def _merge_form(association, regions, form: MergeForm | None = None) -> MergeForm:
    form = form or MergeForm()
    pairs = [(r.id, r.name) for r, _count in regions]
    form.keep.choices = with_blank(pairs, "Choose")
    form.merge.choices = with_blank(pairs, "Choose")
    return form


def _page(association, *, region_form=None, merge_form=None, settings_form=None, merge_confirm=None, status=200):
    regions = services.list_regions(db(), association)
    if settings_form is None:
        settings_form = SettingsForm(
            k_threshold=association.k_threshold,
            frequency=association.digest_frequency,
            weekday=association.digest_weekday,
            hour=association.digest_hour,
            timezone=association.timezone,
        )
    settings_form.timezone.choices = timezone_choices(settings_form.timezone.data)
    return render_template(
        "admin/regions.html",
        association=association,
        regions=[(r, n, effective_settings(association, r)) for r, n in regions],
        region_form=region_form or RegionForm(),
        merge_form=_merge_form(association, regions, merge_form),
        settings_form=settings_form,
        schedule=effective_settings(association),
        merge_confirm=merge_confirm,
    ), status


@bp.route("/regions/")
@association_admin_view
def regions(association):
    return _page(association)


def _back(association):
    return redirect(url_for("admin.regions", association_slug=association.slug))


@bp.route("/regions/new", methods=["POST"])
@association_admin_view
def create_region(association):
    form = RegionForm()
    if form.validate_on_submit():
        try:
            region = services.create_region(
                db(), association, name=form.name.data, slug=form.slug.data, actor=current_actor()
            )
        except DomainError as exc:
            form.name.errors.append(str(exc))
        else:
            flash(_("Region %(region)s created.", region=region.name), "success")
            return _back(association)
    return _page(association, region_form=form, status=400)


@bp.route("/regions/merge", methods=["POST"])
@association_admin_view
def merge_regions(association):
    regions = services.list_regions(db(), association)
    form = _merge_form(association, regions)
    if form.validate_on_submit() and form.keep.data != form.merge.data and request.form.get("confirmed") != "1":
        # First step: the question, naming both regions and what moves; the second step posts `confirmed`.
        by_id = {r.id: (r, n) for r, n in regions}
        return _page(association, merge_form=form, merge_confirm=(by_id[form.keep.data], by_id[form.merge.data]))
    if form.validate_on_submit():
        try:
            keep = services.merge_regions(
                db(), association, keep_id=form.keep.data, merge_id=form.merge.data, actor=current_actor()
            )
        except services.RegionError as exc:
            form.merge.errors.append(str(exc))
        else:
            flash(_("Merged into %(region)s; its stores and people moved with it.", region=keep.name), "success")
            return _back(association)
    return _page(association, merge_form=form, status=400)


@bp.route("/regions/settings", methods=["POST"])
@association_admin_view
def association_settings(association):
    form = SettingsForm()
    if form.validate_on_submit():
        try:
            services.update_association_settings(
                db(),
                association,
                k_threshold=form.k_threshold.data,
                frequency=form.frequency.data,
                weekday=form.weekday.data,
                hour=form.hour.data,
                timezone=form.timezone.data,
                actor=current_actor(),
            )
        except services.RegionError as exc:
            form.timezone.errors.append(str(exc))
        else:
            flash(_("Settings saved."), "success")
            return _back(association)
    return _page(association, settings_form=form, status=400)


def _region_page(association, region_id: int, *, rename_form=None, area_form=None, settings_form=None, status=200):
    region = services.get_region(db(), association, region_id)
    if settings_form is None:
        settings_form = RegionSettingsForm(
            k_threshold=region.k_threshold,
            frequency=region.digest_frequency or "",
            weekday=region.digest_weekday,
            hour=region.digest_hour,
            timezone=region.timezone or "",
        )
    settings_form.timezone.choices = timezone_choices(settings_form.timezone.data, blank=_("As the association"))
    return render_template(
        "admin/region.html",
        association=association,
        region=region,
        rename_form=rename_form or RenameForm(name=region.name),
        area_form=area_form or AreaForm(),
        area_rename_form=RenameForm(),
        settings_form=settings_form,
        effective=effective_settings(association, region),
    ), status


@bp.route("/regions/<int:region_id>")
@association_admin_view
def region(association, region_id: int):
    return _region_page(association, region_id)


def _back_to_region(association, region_id: int):
    return redirect(url_for("admin.region", association_slug=association.slug, region_id=region_id))


@bp.route("/regions/<int:region_id>/rename", methods=["POST"])
@association_admin_view
def rename_region(association, region_id: int):
    form = RenameForm()
    if form.validate_on_submit():
        try:
            services.rename_region(db(), association, region_id, name=form.name.data, actor=current_actor())
        except services.RegionError as exc:
            form.name.errors.append(str(exc))
        else:
            flash(_("Region renamed."), "success")
            return _back_to_region(association, region_id)
    return _region_page(association, region_id, rename_form=form, status=400)


@bp.route("/regions/<int:region_id>/settings", methods=["POST"])
@association_admin_view
def region_settings(association, region_id: int):
    form = RegionSettingsForm()
    if form.validate_on_submit():
        try:
            services.update_region_overrides(
                db(),
                association,
                region_id,
                k_threshold=form.k_threshold.data,
                frequency=form.frequency.data or None,
                weekday=form.weekday.data,
                hour=form.hour.data,
                timezone=(form.timezone.data or "").strip() or None,
                actor=current_actor(),
            )
        except services.RegionError as exc:
            form.timezone.errors.append(str(exc))
        else:
            flash(_("Region settings saved."), "success")
            return _back_to_region(association, region_id)
    return _region_page(association, region_id, settings_form=form, status=400)


@bp.route("/regions/<int:region_id>/areas", methods=["POST"])
@association_admin_view
def create_area(association, region_id: int):
    form = AreaForm()
    if form.validate_on_submit():
        try:
            services.create_area(
                db(), association, region_id, name=form.name.data, slug=form.slug.data, actor=current_actor()
            )
        except services.RegionError as exc:
            form.name.errors.append(str(exc))
        else:
            flash(_("Area added."), "success")
            return _back_to_region(association, region_id)
    return _region_page(association, region_id, area_form=form, status=400)


@bp.route("/areas/<int:area_id>/rename", methods=["POST"])
@association_admin_view
def rename_area(association, area_id: int):
    area = services.get_area(db(), association, area_id)
    form = RenameForm()
    if form.validate_on_submit():
        try:
            services.rename_area(db(), association, area_id, name=form.name.data, actor=current_actor())
        except services.RegionError as exc:
            flash(str(exc), "error")
        else:
            flash(_("Area renamed."), "success")
            return _back_to_region(association, area.region_id)
    else:
        for errors in form.errors.values():
            for message in errors:
                flash(_("Area not renamed: %(message)s", message=message), "error")
    return _region_page(association, area.region_id, status=400)
