"""The store's people page: members, invitations, roles."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from accounts.mailers import queue_invitation_email
from blueprints.guards import store_view
from blueprints.people.forms import InviteForm, RemoveForm, RoleForm
from blueprints.web import current_actor
from database.request_scope import db
from errors import DomainError
from i18n import _
from models import MANAGER_ROLES, OWNER_ROLES, Role
from people import store as services

bp = Blueprint("people", __name__, url_prefix="/s/<store_slug>/people")


def _page(store, membership, invite_form, status=200):
    return render_template(
        "people/index.html",
        store=store,
        membership=membership,
        people=services.list_people(db(), store),
        invitations=services.pending_invitations(db(), store),
        invite_form=invite_form,
        role_form=RoleForm(),
        remove_form=RemoveForm(),
    ), status


@bp.route("/")
@store_view(MANAGER_ROLES)
def index(store, membership):
    return _page(store, membership, InviteForm())


@bp.route("/invite", methods=["POST"])
@store_view(MANAGER_ROLES)
def invite(store, membership):
    form = InviteForm()
    if form.validate_on_submit():
        try:
            invitation = services.invite_to_store(
                db(),
                store,
                email=form.email.data,
                name=form.name.data or "",
                role=Role(form.role.data),
                actor=current_actor(),
                actor_role=Role(membership.role),
                max_age=current_app.config["INVITATION_MAX_AGE"],
            )
        except DomainError as exc:
            form.email.errors.append(str(exc))
        else:
            queue_invitation_email(db(), invitation, inviter=current_user.name)
            flash(_("Invitation sent to %(email)s.", email=invitation.email), "success")
            return redirect(url_for("people.index", store_slug=store.slug))
    return _page(store, membership, form, 400)


@bp.route("/<int:membership_id>/role", methods=["POST"])
@store_view(OWNER_ROLES)
def change_role(store, membership, membership_id: int):
    form = RoleForm()
    if not form.validate_on_submit():
        return _page(store, membership, InviteForm(), 400)
    services.change_store_role(db(), store, membership_id, Role(form.role.data), actor=current_actor())
    flash(_("Role changed; that person's sessions were signed out."), "success")
    return redirect(url_for("people.index", store_slug=store.slug))


@bp.route("/<int:membership_id>/remove", methods=["POST"])
@store_view(OWNER_ROLES)
def remove(store, membership, membership_id: int):
    if not RemoveForm().validate_on_submit():
        return _page(store, membership, InviteForm(), 400)
    services.remove_member(db(), store, membership_id, actor=current_actor())
    flash(_("Member removed."), "success")
    if request.form.get("self") == "1":
        return redirect(url_for("auth.home"))
    return redirect(url_for("people.index", store_slug=store.slug))
