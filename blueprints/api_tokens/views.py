"""API token pages: list with last use, make one (its value shown once, on the answer to the form), revoke.

A store's tokens: owners and managers, under the store's settings. An association's: its admins, in the portal. A
police liaison's personal tokens: the liaison, in their workspace (two-step sign-in), reading their regions only.
Making and revoking are audited by the domain functions (`apitokens.tokens`).
"""

from __future__ import annotations

from functools import partial

from flask import Blueprint, flash, redirect, render_template, url_for

from apitokens import tokens as services
from blueprints.api_tokens.forms import NewTokenForm, RevokeForm
from blueprints.guards import association_admin_view, liaison_memberships, liaison_view, require_two_step, store_view
from blueprints.web import current_actor
from database.request_scope import db
from errors import DomainError
from i18n import _
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


def _make_token(scopes, create):
    """The "make a token" form of every kind: on a valid POST, `create(name=, scopes=)` (a domain function that
    refuses with DomainError); returns the form to show, the new token's value (shown once) and the status."""
    form = NewTokenForm(scopes)
    if form.validate_on_submit():
        try:
            made = create(name=form.name.data, scopes=form.scopes.data)
        except DomainError as exc:
            form.form_errors.append(str(exc))
            return form, None, 400
        return NewTokenForm(scopes, formdata=None), made.token, 200
    return form, None, 400 if form.is_submitted() else 200


def _revoke(revoke, token_id: int) -> None:
    """The Revoke button of every kind: `revoke(token_id)` once the form's token checks out."""
    if not RevokeForm().validate_on_submit():
        flash(_("This form expired. Try again."))
        return
    token = revoke(token_id)
    flash(_("Token “%(name)s” revoked: it no longer works.", name=token.name), "success")


# --- a store's tokens ---------------------------------------------------------------------------------------------


def _store_revoke_url(store):
    return lambda token_id: url_for("api_tokens.store_revoke", store_slug=store.slug, token_id=token_id)


@bp.route("/s/<store_slug>/settings/api-tokens", methods=["GET", "POST"])
@store_view(MANAGER_ROLES)
def store_tokens(store, membership):
    session = db()
    form, new_token, status = _make_token(
        services.STORE_SCOPES, partial(services.create_store_token, session, store, actor=current_actor())
    )
    rows = services.store_tokens(session, store)
    return _page(
        owner=store, rows=rows, form=form, revoke_url=_store_revoke_url(store), new_token=new_token, status=status
    )


@bp.route("/s/<store_slug>/settings/api-tokens/<int:token_id>/revoke", methods=["POST"])
@store_view(MANAGER_ROLES)
def store_revoke(store, membership, token_id: int):
    _revoke(partial(services.revoke_store_token, db(), store, actor=current_actor()), token_id)
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
    form, new_token, status = _make_token(
        services.ASSOCIATION_SCOPES,
        partial(services.create_association_token, session, association, actor=current_actor()),
    )
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
    _revoke(partial(services.revoke_association_token, db(), association, actor=current_actor()), token_id)
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
    form, new_token, status = _make_token(
        services.LIAISON_SCOPES, partial(services.create_liaison_token, session, membership, actor=current_actor())
    )
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
    _revoke(partial(services.revoke_liaison_token, db(), _liaison_membership(), actor=current_actor()), token_id)
    return redirect(url_for("api_tokens.liaison_tokens"))
