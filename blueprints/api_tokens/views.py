"""API token pages: list with last use, make one (its value shown once, on the answer to the form), revoke.

A store's tokens: owners and managers, under the store's settings. An association's: its admins, in the portal. A
police liaison's personal tokens: the liaison, in their workspace (two-step sign-in), reading their regions only.
Making and revoking are audited by the domain functions (`apitokens.tokens`).
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for

from apitokens import tokens as services
from blueprints.api_tokens.forms import NewTokenForm, RevokeForm
from blueprints.guards import association_admin_view, liaison_memberships, liaison_view, require_two_step, store_view
from blueprints.web import current_actor
from database.request_scope import db
from errors import DomainError
from models import MANAGER_ROLES

bp = Blueprint("api_tokens", __name__)


def _page(*, owner, rows, form, revoke_url, new_token=None, status=200, liaison=False):
    return render_template(
        "api_tokens/tokens.html",
        owner=owner,
        tokens=rows,
        form=form,
        revoke_form=RevokeForm(),
        revoke_url=revoke_url,
        new_token=new_token,
        liaison=liaison,
        store=owner if hasattr(owner, "schema_name") else None,
        # A liaison is no admin of the association: the layout must not offer the admin portal's navigation.
        association=None if liaison or hasattr(owner, "schema_name") else owner,
    ), status


# --- a store's tokens ---------------------------------------------------------------------------------------------


def _store_revoke_url(store):
    return lambda token_id: url_for("api_tokens.store_revoke", store_slug=store.slug, token_id=token_id)


@bp.route("/s/<store_slug>/settings/api-tokens", methods=["GET", "POST"])
@store_view(MANAGER_ROLES)
def store_tokens(store, membership):
    session = db()
    form = NewTokenForm(services.STORE_SCOPES)
    new_token = None
    status = 200
    if form.validate_on_submit():
        try:
            made = services.create_store_token(
                session, store, name=form.name.data, scopes=form.scopes.data, actor=current_actor()
            )
        except DomainError as exc:
            form.form_errors.append(str(exc))
            status = 400
        else:
            new_token = made.token
            form = NewTokenForm(services.STORE_SCOPES, formdata=None)
    elif form.is_submitted():
        status = 400
    rows = services.store_tokens(session, store)
    return _page(
        owner=store, rows=rows, form=form, revoke_url=_store_revoke_url(store), new_token=new_token, status=status
    )


@bp.route("/s/<store_slug>/settings/api-tokens/<int:token_id>/revoke", methods=["POST"])
@store_view(MANAGER_ROLES)
def store_revoke(store, membership, token_id: int):
    if not RevokeForm().validate_on_submit():
        flash("This form expired. Try again.")
    else:
        token = services.revoke_store_token(db(), store, token_id, actor=current_actor())
        flash(f"Token “{token.name}” revoked: it no longer works.", "success")
    return redirect(url_for("api_tokens.store_tokens", store_slug=store.slug))


# --- an association's tokens --------------------------------------------------------------------------------------


def _association_revoke_url(association):
    return lambda token_id: url_for(
        "api_tokens.association_revoke", association_slug=association.slug, token_id=token_id
    )


@bp.route("/a/<association_slug>/api-tokens", methods=["GET", "POST"])
@association_admin_view
def association_tokens(association):
    session = db()
    form = NewTokenForm(services.ASSOCIATION_SCOPES)
    new_token = None
    status = 200
    if form.validate_on_submit():
        try:
            made = services.create_association_token(
                session, association, name=form.name.data, scopes=form.scopes.data, actor=current_actor()
            )
        except DomainError as exc:
            form.form_errors.append(str(exc))
            status = 400
        else:
            new_token = made.token
            form = NewTokenForm(services.ASSOCIATION_SCOPES, formdata=None)
    elif form.is_submitted():
        status = 400
    rows = services.association_tokens(session, association)
    return _page(
        owner=association,
        rows=rows,
        form=form,
        revoke_url=_association_revoke_url(association),
        new_token=new_token,
        status=status,
    )


@bp.route("/a/<association_slug>/api-tokens/<int:token_id>/revoke", methods=["POST"])
@association_admin_view
def association_revoke(association, token_id: int):
    if not RevokeForm().validate_on_submit():
        flash("This form expired. Try again.")
    else:
        token = services.revoke_association_token(db(), association, token_id, actor=current_actor())
        flash(f"Token “{token.name}” revoked: it no longer works.", "success")
    return redirect(url_for("api_tokens.association_tokens", association_slug=association.slug))


# --- a police liaison's personal tokens ---------------------------------------------------------------------------


def _liaison_membership():
    """The liaison membership the tokens hang on (the first, as the liaison's webhooks use)."""
    return liaison_memberships()[0]


@bp.route("/liaison/api-tokens", methods=["GET", "POST"])
@liaison_view
def liaison_tokens():
    require_two_step()
    session = db()
    membership = _liaison_membership()
    form = NewTokenForm(services.LIAISON_SCOPES)
    new_token = None
    status = 200
    if form.validate_on_submit():
        try:
            made = services.create_liaison_token(
                session, membership, name=form.name.data, scopes=form.scopes.data, actor=current_actor()
            )
        except DomainError as exc:
            form.form_errors.append(str(exc))
            status = 400
        else:
            new_token = made.token
            form = NewTokenForm(services.LIAISON_SCOPES, formdata=None)
    elif form.is_submitted():
        status = 400
    return _page(
        owner=membership.association,
        rows=services.liaison_tokens(session, membership),
        form=form,
        revoke_url=lambda token_id: url_for("api_tokens.liaison_revoke", token_id=token_id),
        new_token=new_token,
        status=status,
        liaison=True,
    )


@bp.route("/liaison/api-tokens/<int:token_id>/revoke", methods=["POST"])
@liaison_view
def liaison_revoke(token_id: int):
    # Someone else's token is a 404 whatever the person's enrolment (as the liaison's reviews and webhooks answer).
    services.get_liaison_token(db(), _liaison_membership(), token_id)
    require_two_step()
    if not RevokeForm().validate_on_submit():
        flash("This form expired. Try again.")
    else:
        token = services.revoke_liaison_token(db(), _liaison_membership(), token_id, actor=current_actor())
        flash(f"Token “{token.name}” revoked: it no longer works.", "success")
    return redirect(url_for("api_tokens.liaison_tokens"))
