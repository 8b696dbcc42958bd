"""Public sign-up of a new association. Thin: parse, call `associations.signups`, render."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for

from associations import signups
from billing.platform import platform_stripe
from blueprints.auth.mfa_views import sign_in_after_password
from blueprints.signup.forms import ConfirmForm, SignupForm
from blueprints.web import access, client_ip
from database.request_scope import db
from errors import DomainError
from i18n import _
from security.tokens import InvalidToken, unsign

bp = Blueprint("signup", __name__, url_prefix="/start")
# The session key that sends a just-confirmed association's first admin to the "choose your plan" step once.
CHOOSE_PLAN = "choose_plan"


@bp.route("/", methods=["GET", "POST"])
@access("public")
def start():
    form = SignupForm()
    status = 200
    if form.validate_on_submit():
        try:
            signups.start_signup(
                db(),
                name=form.name.data,
                slug=form.slug.data,
                timezone=form.timezone.data,
                contact_email=form.email.data,
                person_name=form.person_name.data,
                password=form.password.data,
                ip=client_ip(),
            )
        except DomainError as exc:
            form.form_errors.append(str(exc))
            status = 400
        else:
            return redirect(url_for("signup.sent"))
    elif request.method == "POST":
        status = 400
    return render_template("signup/start.html", form=form), status


@bp.route("/sent")
@access("public")
def sent():
    return render_template("signup/sent.html")


def _nonce(token: str) -> str:
    max_age = int(current_app.config["SIGNUP_CONFIRM_MAX_AGE"].total_seconds())
    return unsign(signups.SIGNUP_LINK_PURPOSE, token, max_age_seconds=max_age)


@bp.route("/confirm/<token>", methods=["GET", "POST"])
@access("signed_link")
def confirm(token: str):
    try:
        signup = signups.open_signup(db(), _nonce(token))
    except (InvalidToken, signups.SignupLinkInvalid) as exc:
        return render_template("auth/message.html", title=_("Start your association"), message=str(exc)), 410
    form = ConfirmForm()
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("signup/confirm.html", form=form, signup=signup), status
    try:
        done = signups.confirm_signup(db(), signup.nonce, ip=client_ip())
    except DomainError as exc:
        return render_template("auth/message.html", title=_("Start your association"), message=str(exc)), 409
    if done.admin is None:
        return render_template("signup/awaiting.html", signup=done.signup)
    if done.existing_account:
        message = _(
            "%(name)s is ready. You already had a Loupe account with this address: sign in with its "
            "password (not the one you typed when signing up) to open the admin portal.",
            name=done.signup.name,
        )
        return render_template("auth/message.html", title=_("Your association is ready"), message=message)
    flash(_("%(name)s is ready. Welcome to Loupe.", name=done.signup.name), "success")
    response = sign_in_after_password(done.admin, url_for("admin.home", association_slug=done.signup.slug))
    if platform_stripe(current_app.config) is not None:
        # Set after the sign-in (which starts a fresh session): the portal's first opening is the plan step, also
        # after the detour through two-step enrolment, which a new admin always takes.
        session[CHOOSE_PLAN] = done.signup.slug
    return response
