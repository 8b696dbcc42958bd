"""Views of the sign-in area. Thin: parse the form, call one domain function, render or redirect."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, logout_user

from accounts import accounts as services
from blueprints.auth import mfa_views
from blueprints.auth.forms import (
    AcceptInvitationForm,
    AcceptWithAccountForm,
    ChangePasswordForm,
    ForgotPasswordForm,
    LanguageForm,
    LoginForm,
    LogoutForm,
    ResetPasswordForm,
)
from blueprints.web import access, client_ip, current_actor, safe_next_url
from database.request_scope import db, independent_transaction
from i18n import _, browser_language, force_locale
from models import User
from people.association import admin_associations, first_admin_association_slug, record_liaison_details
from security.passwords import PasswordRejected
from security.tokens import InvalidToken, unsign

bp = Blueprint("auth", __name__)


def _sign_in(user: User, next_url: str | None = None):
    """After the password: the two-step code first when enrolled, else the session (see blueprints.auth.mfa_views)."""
    return mfa_views.sign_in_after_password(user, next_url)


@bp.route("/")
@access("public")
def home():
    """Send each person where their work is."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    if current_user.is_operator and not current_user.stores and not current_user.association_memberships:
        return redirect(url_for("operator.home"))
    if current_user.admin_association_ids():
        return redirect(url_for("admin.home", association_slug=first_admin_association_slug(db(), current_user.id)))
    if current_user.liaison_memberships():
        return redirect(url_for("liaison.home"))
    if len(current_user.stores) == 1:
        return redirect(url_for("store.dashboard", store_slug=current_user.stores[0][1].slug))
    return redirect(url_for("auth.switch_store"))


@bp.route("/login", methods=["GET", "POST"])
@access("public")
def login():
    if current_user.is_authenticated:
        return redirect(url_for("auth.home"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        cfg = current_app.config
        try:
            user = services.authenticate(
                db(),
                form.email.data,
                form.password.data,
                ip=client_ip(),
                max_account_failures=cfg["LOGIN_MAX_FAILURES_PER_ACCOUNT"],
                max_address_failures=cfg["LOGIN_MAX_FAILURES_PER_ADDRESS"],
                independent=independent_transaction,
            )
        except services.LoginThrottled as exc:
            form.form_errors.append(str(exc))
            status = 429
        except services.LoginRefused as exc:
            form.form_errors.append(str(exc))
            status = 401
        else:
            return _sign_in(user, safe_next_url(request.args.get("next")))
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@access("public")
def logout():
    form = LogoutForm()
    if not form.validate_on_submit():
        abort(400, _("Your session form expired; sign out again."))
    if current_user.is_authenticated:
        services.end_session(db(), current_user.token, actor=current_actor())
        logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/stores")
@access("account")
@login_required
def switch_store():
    """Everywhere the person works: their stores, the association portals they run, the liaison workspace, the
    operator console (never a dead end for someone who is not a store member)."""
    return render_template(
        "auth/stores.html",
        memberships=current_user.stores,
        associations=admin_associations(db(), current_user.id),
        liaison=bool(current_user.liaison_memberships()),
        operator=current_user.is_operator,
    )


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@access("signed_link")
def accept_invitation(token: str):
    max_age = int(current_app.config["INVITATION_MAX_AGE"].total_seconds())
    try:
        nonce = unsign("invitation", token, max_age_seconds=max_age)
        invitation = services.open_invitation(db(), nonce)
    except (InvalidToken, services.InvitationInvalid) as exc:
        return render_template("auth/message.html", title=_("Invitation"), message=str(exc)), 410
    has_account = db().scalar(sa.select(User.id).where(User.email == invitation.email)) is not None
    form = AcceptWithAccountForm() if has_account else AcceptInvitationForm(name=invitation.name)
    status = 200
    if form.validate_on_submit():
        try:
            user = services.accept_invitation(
                db(),
                invitation,
                name=form.name.data if not has_account else "",
                password=form.password.data,
                ip=client_ip(),
            )
        except PasswordRejected as exc:
            form.password.errors.append(str(exc))
            status = 400
        except services.LoginRefused as exc:
            form.password.errors.append(str(exc))
            status = 400
        else:
            record_liaison_details(db(), invitation, user)
            response = _sign_in(user)
            flash(_("Welcome to Loupe."), "success")
            return response
    elif request.method == "POST":
        status = 400
    return render_template(
        "auth/accept_invitation.html", form=form, invitation=invitation, has_account=has_account
    ), status


@bp.route("/password/forgot", methods=["GET", "POST"])
@access("public")
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        # The same work and the same answer whether or not the account exists: the worker looks it up.
        services.request_password_reset(db(), form.email.data, ip=client_ip())
        return render_template(
            "auth/message.html",
            title=_("Check your email"),
            message=_("If an account exists for that address, we sent it a link to choose a new password."),
        )
    status = 400 if request.method == "POST" else 200
    return render_template("auth/forgot_password.html", form=form), status


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@access("signed_link")
def reset_password(token: str):
    max_age = int(current_app.config["PASSWORD_RESET_MAX_AGE"].total_seconds())
    try:
        payload = unsign("password-reset", token, max_age_seconds=max_age)
    except InvalidToken as exc:
        return render_template("auth/message.html", title=_("Password reset"), message=str(exc)), 410
    form = ResetPasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.reset_password(
                db(),
                user_id=int(payload["uid"]),
                fingerprint=str(payload["fp"]),
                new_password=form.password.data,
                ip=client_ip(),
            )
        except PasswordRejected as exc:
            form.password.errors.append(str(exc))
            status = 400
        except services.InvitationInvalid as exc:
            return render_template("auth/message.html", title=_("Password reset"), message=str(exc)), 410
        else:
            flash(_("Your password is changed. Sign in with it."), "success")
            return redirect(url_for("auth.login"))
    elif request.method == "POST":
        status = 400
    return render_template("auth/reset_password.html", form=form), status


@bp.route("/account/password", methods=["GET", "POST"])
@access("account")
@login_required
def change_password():
    form = ChangePasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.change_password(
                db(),
                current_user.user,
                current=form.current.data,
                new_password=form.password.data,
                keep_token=current_user.token,
                ip=client_ip(),
            )
        except (PasswordRejected, services.LoginRefused) as exc:
            target = form.current if isinstance(exc, services.LoginRefused) else form.password
            target.errors.append(str(exc))
            status = 400
        else:
            flash(_("Your password is changed; your other sessions are signed out."), "success")
            return redirect(url_for("auth.home"))
    elif request.method == "POST":
        status = 400
    return render_template("auth/change_password.html", form=form), status


@bp.route("/account/language", methods=["GET", "POST"])
@access("account")
@login_required
def language():
    """The language the signed-in person reads Loupe and their emails in."""
    form = LanguageForm(data={"language": current_user.language or ""} if request.method == "GET" else None)
    if form.validate_on_submit():
        services.set_language(db(), current_user.user, form.language.data)
        # Said in the language the next pages will be in.
        with force_locale(form.language.data or browser_language()):
            flash(_("Language saved."), "success")
        return redirect(url_for("auth.language"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/language.html", form=form), status
