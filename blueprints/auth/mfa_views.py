"""Two-step sign-in pages: the code step after the password, enrolment, new recovery codes.

The rules (codes, throttling, recovery codes) are in `accounts.mfa`; these views parse the form, call them, and
start the session.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.wrappers import Response
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length

from accounts.accounts import revoke_user_sessions, start_session
from accounts.mfa import (
    ENROL_MAX_AGE,
    PENDING_MAX_AGE,
    MfaRefused,
    MfaThrottled,
    enable_mfa,
    is_enrolled,
    new_totp_secret,
    provisioning_qr_svg,
    provisioning_uri,
    remaining_recovery_codes,
    renew_recovery_codes,
    requires_mfa,
    verify_second_factor,
)
from blueprints.auth.current import CurrentUser
from blueprints.web import access, client_ip, current_actor, safe_next_url
from database.request_scope import db, independent_transaction
from i18n import _, _l, ngettext
from models import User
from security.tokens import InvalidToken, sign, unsign

bp = Blueprint("mfa", __name__)


# --- the sign-in flow ---------------------------------------------------------------------------------------


def establish_session(user: User) -> None:
    """Start the server-side session and sign the person in with a fresh cookie."""
    token = start_session(db(), user, ip=client_ip(), user_agent=request.user_agent.string)
    # A fresh cookie at sign-in: nothing set before (by anyone) survives into the signed-in session.
    session.clear()
    login_user(CurrentUser(user, token))


def sign_in_after_password(user: User, next_url: str | None = None) -> Response:
    """What follows a correct password: the code step, or the session (and enrolment when it is required)."""
    if is_enrolled(user):
        session.clear()
        session["mfa_pending"] = sign("mfa-login", {"uid": user.id, "next": next_url})
        return redirect(url_for("mfa.verify"))
    establish_session(user)
    if requires_mfa(db(), user.id):
        flash(_("Your role needs two-step sign-in. Set it up now to continue."), "info")
        return redirect(url_for("mfa.enrol"))
    return redirect(next_url or url_for("auth.home"))


def enrolment_redirect() -> Response | None:
    """For views of roles that need two-step sign-in: a redirect to enrolment when the person has not enrolled."""
    if current_user.is_authenticated and not is_enrolled(current_user.user):
        flash(_("Set up two-step sign-in to use these pages."), "info")
        return redirect(url_for("mfa.enrol"))
    return None


def _pending_user() -> tuple[User, str | None] | None:
    token = session.get("mfa_pending")
    if not token:
        return None
    try:
        payload = unsign("mfa-login", token, max_age_seconds=PENDING_MAX_AGE)
    except InvalidToken:
        return None
    user = db().get(User, int(payload["uid"]))
    if user is None or not user.is_active or not is_enrolled(user):
        return None
    return user, safe_next_url(payload.get("next"))


class VerifyForm(FlaskForm):
    code = StringField(_l("Code from your authenticator app"), validators=[Length(max=20)])
    recovery_code = StringField(_l("Or a recovery code"), validators=[Length(max=30)])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and not (self.code.data or "").strip() and not (self.recovery_code.data or "").strip():
            self.code.errors.append(_("Enter the 6-digit code from your app, or one of your recovery codes."))
            return False
        return ok


class EnrolForm(FlaskForm):
    enrolment = HiddenField()
    code = StringField(
        _l("Code shown by your app"), validators=[DataRequired(_l("Enter the 6-digit code.")), Length(max=20)]
    )


class ConfirmCodeForm(FlaskForm):
    code = StringField(
        _l("Current code from your app"), validators=[DataRequired(_l("Enter the 6-digit code.")), Length(max=20)]
    )


@bp.route("/login/verify", methods=["GET", "POST"])
@access("public")
def verify():
    pending = _pending_user()
    if pending is None:
        session.pop("mfa_pending", None)
        flash(_("Sign in again to continue."), "info")
        return redirect(url_for("auth.login"))
    user, next_url = pending
    form = VerifyForm()
    status = 200
    if form.validate_on_submit():
        try:
            used = verify_second_factor(
                db(),
                user,
                code=form.code.data,
                recovery_code=form.recovery_code.data,
                ip=client_ip(),
                independent=independent_transaction,
            )
        except (MfaRefused, MfaThrottled) as exc:
            (form.recovery_code if form.recovery_code.data and not form.code.data else form.code).errors.append(
                str(exc)
            )
            status = exc.status_code
        else:
            establish_session(user)
            if used == "recovery":
                left = remaining_recovery_codes(db(), user.id)
                flash(
                    ngettext(
                        "Recovery code used; %(num)d left. Make new ones on your two-step sign-in page.",
                        "Recovery code used; %(num)d left. Make new ones on your two-step sign-in page.",
                        left,
                    ),
                    "info",
                )
            return redirect(next_url or url_for("auth.home"))
    elif request.method == "POST":
        status = 400
    return render_template("auth/mfa_verify.html", form=form), status


@bp.route("/account/two-step", methods=["GET", "POST"])
@access("account")
@login_required
def enrol():
    user = current_user.user
    if is_enrolled(user):
        return render_template(
            "auth/mfa_status.html",
            form=ConfirmCodeForm(),
            remaining=remaining_recovery_codes(db(), user.id),
        )
    form = EnrolForm()
    status = 200
    secret = None
    if request.method == "POST":
        try:
            payload = unsign("mfa-enrol", form.enrolment.data or "", max_age_seconds=ENROL_MAX_AGE)
            if payload.get("uid") != user.id:
                raise InvalidToken(_("This page is not yours."))
            secret = str(payload["secret"])
        except InvalidToken:
            form.form_errors.append(_("This set-up page expired. Add the new key below to your app and try again."))
            secret = None
            status = 400
    if secret is None:
        secret = new_totp_secret()
        form.enrolment.data = sign("mfa-enrol", {"uid": user.id, "secret": secret})
    elif form.validate_on_submit():
        try:
            codes = enable_mfa(
                db(), user, secret=secret, code=form.code.data, ip=client_ip(), independent=independent_transaction
            )
        except (MfaRefused, MfaThrottled) as exc:
            form.code.errors.append(str(exc))
            status = exc.status_code
        else:
            # Sessions opened with the password alone end; this one proved the second factor.
            revoke_user_sessions(db(), user.id, except_token=current_user.token)
            return render_template("auth/mfa_recovery_codes.html", codes=codes, first_time=True)
    else:
        status = 400
    return render_template(
        "auth/mfa_enrol.html",
        form=form,
        secret=secret,
        grouped=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        uri=provisioning_uri(secret, user.email),
        qr=Markup(provisioning_qr_svg(provisioning_uri(secret, user.email))),  # segno's own markup, no user text
    ), status


@bp.route("/account/two-step/recovery-codes", methods=["POST"])
@access("account")
@login_required
def regenerate_recovery_codes():
    user = current_user.user
    if not is_enrolled(user):
        return redirect(url_for("mfa.enrol"))
    form = ConfirmCodeForm()
    status = 400
    if form.validate_on_submit():
        try:
            verify_second_factor(db(), user, code=form.code.data, ip=client_ip(), independent=independent_transaction)
        except (MfaRefused, MfaThrottled) as exc:
            form.code.errors.append(str(exc))
            status = exc.status_code
        else:
            codes = renew_recovery_codes(db(), user, actor=current_actor())
            return render_template("auth/mfa_recovery_codes.html", codes=codes, first_time=False)
    return render_template("auth/mfa_status.html", form=form, remaining=remaining_recovery_codes(db(), user.id)), status
