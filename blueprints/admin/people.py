"""Admin portal: people (association staff, police liaisons, store owners and staff)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from accounts.mailers import queue_invitation_email
from blueprints.admin.forms import (
    ASSOCIATION_ROLE_CHOICES,
    STORE_ROLE_CHOICES,
    ConfirmForm,
    InvitePersonForm,
    LiaisonForm,
    RoleForm,
    with_blank,
)
from blueprints.admin.views import bp
from blueprints.form_helpers import choices, page_arg
from blueprints.guards import association_admin_view
from blueprints.web import current_actor
from database.request_scope import db
from errors import DomainError
from i18n import _, _l
from models import Region, Role, Store
from people import association as services

KINDS = {"staff": _l("Association staff"), "liaisons": _l("Police liaisons"), "stores": _l("Store owners and staff")}


def _regions(association):
    return [
        (r.id, r.name)
        for r in db().scalars(sa.select(Region).where(Region.association_id == association.id).order_by(Region.name))
    ]


def _invite_form(association, form: InvitePersonForm | None = None) -> InvitePersonForm:
    form = form or InvitePersonForm()
    stores = db().execute(
        sa.select(Store.id, Store.name).where(Store.association_id == association.id).order_by(Store.name)
    )
    form.store.choices = with_blank(list(stores), "No store")
    form.region.choices = with_blank(_regions(association), "No region")
    return form


def _people_page(association, form: InvitePersonForm | None = None, status: int = 200):
    kind = request.args.get("kind")
    kind = kind if kind in KINDS else None
    search = (request.args.get("q") or "").strip()[: services.SEARCH_MAX]
    return render_template(
        "admin/people.html",
        association=association,
        found=services.people_page(db(), association, kind=kind, search=search, page=page_arg()),
        search=search,
        invitations=services.pending_invitations(db(), association),
        form=_invite_form(association, form),
        kinds=KINDS,
        kind=kind,
    ), status


@bp.route("/people/")
@association_admin_view
def people(association):
    return _people_page(association)


@bp.route("/people/invite", methods=["POST"])
@association_admin_view
def invite_person(association):
    form = _invite_form(association)
    if form.validate_on_submit():
        try:
            invitation = services.invite_person(
                db(),
                association,
                email=form.email.data,
                name=form.name.data or "",
                role=Role(form.role.data),
                store_id=form.store.data,
                region_id=form.region.data,
                agency=form.agency.data,
                badge_unit=form.badge_unit.data,
                actor=current_actor(),
                max_age=current_app.config["INVITATION_MAX_AGE"],
            )
        except DomainError as exc:
            message = str(exc)
            field = form.store if "store" in message else form.agency if "agency" in message else form.email
            field.errors.append(message)
        else:
            queue_invitation_email(db(), invitation, inviter=current_user.name)
            flash(_("Invitation sent to %(email)s.", email=invitation.email), "success")
            return redirect(url_for("admin.people", association_slug=association.slug))
    return _people_page(association, form, 400)


def _person_page(association, user_id: int, *, liaison_form=None, status: int = 200):
    person = services.get_person(db(), association, user_id)
    liaison = next((r.membership for r in person.roles if r.membership.role == Role.POLICE_LIAISON.value), None)
    if liaison_form is not None and liaison is None:
        # Details refused for a role that is not a liaison's: there is no liaison form to show the reason in.
        for message in liaison_form.agency.errors:
            flash(message, "error")
        liaison_form = None
    if liaison_form is None and liaison is not None:
        liaison_form = LiaisonForm(agency=liaison.agency, badge_unit=liaison.badge_unit, region=liaison.region_id)
    if liaison_form is not None:
        liaison_form.region.choices = with_blank(_regions(association), "No region")
    return render_template(
        "admin/person.html",
        association=association,
        person=person,
        liaison=liaison,
        liaison_form=liaison_form,
        confirm_form=ConfirmForm(),
        store_roles=choices(STORE_ROLE_CHOICES),
        association_roles=choices(ASSOCIATION_ROLE_CHOICES),
    ), status


@bp.route("/people/<int:user_id>")
@association_admin_view
def person(association, user_id: int):
    return _person_page(association, user_id)


def _check_role_of(association, user_id: int, membership_id: int) -> None:
    """The membership in the URL must be one of this person's roles in this association (else 404)."""
    person = services.get_person(db(), association, user_id)
    if not any(r.membership.id == membership_id for r in person.roles):
        abort(404)


def _back(association, user_id: int):
    return redirect(url_for("admin.person", association_slug=association.slug, user_id=user_id))


def _person_action(association, user_id: int, form, action, done: str):
    if not form.validate_on_submit():
        return _person_page(association, user_id, status=400)
    try:
        action()
    except services.PeopleError as exc:
        flash(str(exc), "error")
        return _person_page(association, user_id, status=400)
    flash(done, "success")
    return _back(association, user_id)


@bp.route("/people/<int:user_id>/roles/<int:membership_id>", methods=["POST"])
@association_admin_view
def change_role(association, user_id: int, membership_id: int):
    _check_role_of(association, user_id, membership_id)
    form = RoleForm()
    return _person_action(
        association,
        user_id,
        form,
        lambda: services.change_role(db(), association, membership_id, Role(form.role.data), actor=current_actor()),
        _("Role changed; their sessions were signed out."),
    )


@bp.route("/people/<int:user_id>/roles/<int:membership_id>/remove", methods=["POST"])
@association_admin_view
def remove_role(association, user_id: int, membership_id: int):
    _check_role_of(association, user_id, membership_id)
    return _person_action(
        association,
        user_id,
        ConfirmForm(),
        lambda: services.remove_role(db(), association, membership_id, actor=current_actor()),
        _("Role removed; their sessions were signed out."),
    )


@bp.route("/people/<int:user_id>/deactivate", methods=["POST"])
@association_admin_view
def deactivate_person(association, user_id: int):
    return _person_action(
        association,
        user_id,
        ConfirmForm(),
        lambda: services.set_active(db(), association, user_id, active=False, actor=current_actor()),
        _("Account deactivated; every session of it ended."),
    )


@bp.route("/people/<int:user_id>/reactivate", methods=["POST"])
@association_admin_view
def reactivate_person(association, user_id: int):
    return _person_action(
        association,
        user_id,
        ConfirmForm(),
        lambda: services.set_active(db(), association, user_id, active=True, actor=current_actor()),
        _("Account reactivated."),
    )


@bp.route("/people/<int:user_id>/reset-two-step", methods=["POST"])
@association_admin_view
def reset_two_step(association, user_id: int):
    return _person_action(
        association,
        user_id,
        ConfirmForm(),
        lambda: services.reset_two_step(db(), association, user_id, actor=current_actor()),
        _("Two-step sign-in reset; they set it up again at their next sign-in."),
    )


@bp.route("/people/<int:user_id>/liaison/<int:membership_id>", methods=["POST"])
@association_admin_view
def update_liaison(association, user_id: int, membership_id: int):
    _check_role_of(association, user_id, membership_id)
    form = LiaisonForm()
    form.region.choices = with_blank(_regions(association), "No region")
    if form.validate_on_submit():
        try:
            services.update_liaison(
                db(),
                association,
                membership_id,
                agency=form.agency.data,
                badge_unit=form.badge_unit.data,
                region_id=form.region.data,
                actor=current_actor(),
            )
        except services.PeopleError as exc:
            form.agency.errors.append(str(exc))
        else:
            flash(_("Liaison details saved."), "success")
            return _back(association, user_id)
    return _person_page(association, user_id, liaison_form=form, status=400)
