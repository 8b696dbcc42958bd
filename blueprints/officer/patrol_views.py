"""The officer's page for one patrol request, reached through the signed link in the store's email.

No account: the signature proves the store sent the link, `bind_store_by_id` binds that store's schema (the
only way a store is chosen here), the nonce stored on the request proves the link is the latest one, and the link
stops working 7 days after the request's end. GET shows; POST acts (CSRF-protected forms). Every open, action
and refused link is audited; a refused request rolls back, so the audit of a refusal is written in a short
transaction of its own (`independent_transaction`) that stays.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from flask import flash, redirect, render_template, url_for

from blueprints.officer.views import bp
from blueprints.patrols.forms import ActionForm, AnswerForm, PatrolLogForm
from blueprints.web import access, current_actor
from database.request_scope import db, independent_transaction
from errors import DomainError, NotFound
from i18n import _
from patrols import requests as services
from security.tokens import InvalidToken
from tenants.access import bind_store_by_id
from workspace.police_card import police_card
from workspace.times import local_now, local_to_utc, store_zone


def _refused(status: int, message: str, *, why: str, store_id: int | None = None, request_id: int | None = None):
    with independent_transaction() as kept:
        services.record_link_refused(kept, actor=current_actor(), why=why, store_id=store_id, request_id=request_id)
    return render_template("officer/message.html", title=_("Patrol request"), message=message), status


def patrol_link_view(view: Callable) -> Callable:
    """Verify the token, bind its store, find the request; the view receives `store`, `patrol` and `token`."""

    @functools.wraps(view)
    def wrapper(token: str):
        try:
            link = services.read_officer_token(token)
        except InvalidToken:
            return _refused(404, _("This link is not valid."), why="bad_token")
        store = bind_store_by_id(link.store_id)
        try:
            patrol = services.request_for_link(db(), link)
        except services.LinkGone as exc:
            return _refused(410, str(exc), why="gone", store_id=store.id, request_id=link.request_id)
        except NotFound as exc:
            return _refused(404, str(exc), why="not_found", store_id=store.id, request_id=link.request_id)
        response = view(store=store, patrol=patrol, token=token)
        # The page carries a bearer link: keep it out of search engines.
        if isinstance(response, tuple):
            rendered, status = response
            return rendered, status, {"X-Robots-Tag": "noindex, nofollow"}
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return access("signed_link")(wrapper)


def _page(store, patrol, token, *, answer=None, log=None, status=200):
    zone = store_zone(store)
    if log is None:
        # The name given when acknowledging is the likely author of the log: carried over, still editable.
        log = PatrolLogForm(formdata=None, data={"patrolled_at": local_now(zone), "officer_name": patrol.officer_name})
    return render_template(
        "officer/patrol_request.html",
        store=store,
        patrol=patrol,
        token=token,
        answer_form=answer or AnswerForm(formdata=None),
        log_form=log,
        complete_form=ActionForm(),
        zone=zone,
        labels=services,
        card=police_card(db(), store),
    ), status


def _back(token: str):
    return redirect(url_for("officer.patrol_request", token=token), code=303)


@bp.route("/patrol/<token>", endpoint="patrol_request")
@patrol_link_view
def patrol_request(*, store, patrol, token):
    services.record_link_opened(db(), patrol, store=store, actor=current_actor())
    return _page(store, patrol, token)


@bp.route("/patrol/<token>/answer", methods=["POST"], endpoint="patrol_answer")
@patrol_link_view
def patrol_answer(*, store, patrol, token):
    form = AnswerForm()
    if not form.validate_on_submit():
        return _page(store, patrol, token, answer=form, status=400)
    try:
        if form.decision.data == "acknowledge":
            services.acknowledge(
                db(),
                patrol,
                store=store,
                officer_name=form.officer_name.data,
                note=form.note.data,
                actor=current_actor(),
            )
            flash(_("Thank you: the store sees that you acknowledged the request."), "success")
        else:
            services.decline(
                db(),
                patrol,
                store=store,
                officer_name=form.officer_name.data,
                reason=form.note.data,
                actor=current_actor(),
            )
            flash(_("The store sees that you declined, with your reason."), "success")
    except DomainError as exc:
        form.form_errors.append(str(exc))
        return _page(store, patrol, token, answer=form, status=exc.status_code)
    return _back(token)


@bp.route("/patrol/<token>/log", methods=["POST"], endpoint="patrol_log")
@patrol_link_view
def patrol_log(*, store, patrol, token):
    form = PatrolLogForm()
    if not form.validate_on_submit():
        return _page(store, patrol, token, log=form, status=400)
    try:
        services.log_patrol(
            db(),
            patrol,
            store=store,
            patrolled_at=local_to_utc(form.patrolled_at.data, store_zone(store)),
            officer_name=form.officer_name.data,
            observations=form.observations.data,
            actor=current_actor(),
        )
    except DomainError as exc:
        form.form_errors.append(str(exc))
        return _page(store, patrol, token, log=form, status=exc.status_code)
    flash(_("Patrol logged. Thank you."), "success")
    return _back(token)


@bp.route("/patrol/<token>/complete", methods=["POST"], endpoint="patrol_complete")
@patrol_link_view
def patrol_complete(*, store, patrol, token):
    try:
        services.complete_by_officer(db(), patrol, store=store, actor=current_actor())
    except DomainError as exc:
        flash(str(exc), "error")
        return _back(token)
    flash(_("Marked completed. Thank you for the extra watch."), "success")
    return _back(token)
