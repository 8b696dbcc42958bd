"""Two-step sign-in (TOTP, RFC 6238): enrolment, the code step at sign-in, single-use recovery codes.

Association admins and police liaisons must use it. After the password, a person with two-step sign-in enrolled is
*not* signed in: a short-lived signed marker in the cookie names them, and only a valid code (or an unused recovery
code) starts the server-side session. A person whose role needs two-step sign-in but who has not enrolled yet is
signed in and sent to the enrolment page; the admin portal (and the liaison pages, through
`enrolment_redirect`) refuse them until they have enrolled.

Each code is accepted once: the last accepted time step is stored and only later steps are accepted (30 s steps,
one step of clock drift either way). Wrong codes count against the account like wrong passwords.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime

import pyotp
import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length

import audit
from accounts.accounts import AccountError, revoke_user_sessions, start_session
from audit import Actor
from blueprints.auth.current import CurrentUser
from blueprints.web import access, client_ip, current_actor, safe_next_url
from database.request_scope import db, independent_transaction
from models import ASSOCIATION_ROLES, Membership, RecoveryCode, User
from models.base import utcnow
from security import throttle
from security.secretbox import looks_sealed, totp_box
from security.tokens import InvalidToken, digest, sign, unsign

STEP_SECONDS = 30
DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
PENDING_MAX_AGE = 300
ENROL_MAX_AGE = 1800
MAX_FAILURES_PER_HOUR = 10
_RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off paper

bp = Blueprint("mfa", __name__)


class MfaRefused(AccountError):
    """A wrong, reused or expired code."""

    status_code = 401


class MfaThrottled(AccountError):
    status_code = 429


# --- domain functions ---------------------------------------------------------------------------------------


def is_enrolled(user: User) -> bool:
    return bool(user.totp_secret) and user.totp_enabled_at is not None


def requires_mfa(session: Session, user_id: int) -> bool:
    """True when one of the person's roles (association admin, police liaison) needs two-step sign-in."""
    return (
        session.scalar(
            sa.select(Membership.id)
            .where(Membership.user_id == user_id, Membership.role.in_(sorted(r.value for r in ASSOCIATION_ROLES)))
            .limit(1)
        )
        is not None
    )


def plain_secret(stored: str) -> str:
    """The base32 TOTP secret of a stored value: sealed with `security.secretbox` (what the app writes), or a
    plain one left by a database not yet migrated with the app's keys (revision 0013 seals those)."""
    return totp_box().open(stored) if looks_sealed(stored) else stored


def new_totp_secret() -> str:
    return pyotp.random_base32()  # 32 base32 characters: 160 bits, as RFC 4226 recommends


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret, interval=STEP_SECONDS).provisioning_uri(name=email, issuer_name="Loupe")


def time_step(now: datetime) -> int:
    return int(now.timestamp()) // STEP_SECONDS


def _normalise_code(code: str | None) -> str:
    return "".join((code or "").split()).replace("-", "")


def matching_step(secret: str, code: str, *, now: datetime, after_step: int | None) -> int | None:
    """The time step (within the drift window, later than `after_step`) whose code is `code`, else None."""
    code = _normalise_code(code)
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, interval=STEP_SECONDS)
    current = time_step(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if after_step is not None and step <= after_step:
            continue  # already used (or older than a used one): every code works once
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _check_throttle(session: Session, user_id: int, now: datetime) -> None:
    if throttle.is_throttled(session, {throttle.second_factor_key(user_id): MAX_FAILURES_PER_HOUR}, now):
        raise MfaThrottled("Too many wrong codes. Wait an hour, or use a recovery code later.")


def verify_second_factor(
    session: Session,
    user: User,
    *,
    code: str | None = None,
    recovery_code: str | None = None,
    ip: str | None,
    independent: throttle.Independent,
    now: datetime | None = None,
) -> str:
    """Accept a TOTP code or a recovery code once; returns which was used. Raises MfaRefused / MfaThrottled.

    The user's row is locked so two requests with the same code cannot both pass. Failures are counted
    (`security.throttle`) and audited in a transaction of their own opened with `independent`, so they stay when
    the refused request rolls back.
    """
    now = now or utcnow()
    _check_throttle(session, user.id, now)
    # Lock the row: the check of totp_last_step and its update are one step.
    locked = session.scalar(
        sa.select(User).where(User.id == user.id).with_for_update().execution_options(populate_existing=True)
    )
    if locked is not None and is_enrolled(locked):
        if code and code.strip():
            step = matching_step(plain_secret(locked.totp_secret), code, now=now, after_step=locked.totp_last_step)
            if step is not None:
                locked.totp_last_step = step
                audit.record(session, "mfa.verify", actor=Actor.for_user(user, ip=ip))
                session.flush()
                return "code"
        elif recovery_code and recovery_code.strip():
            used = session.execute(
                sa.update(RecoveryCode)
                .where(
                    RecoveryCode.user_id == user.id,
                    RecoveryCode.code_hash == _recovery_hash(recovery_code),
                    RecoveryCode.used_at.is_(None),
                )
                .values(used_at=now)
                .returning(RecoveryCode.id)
            ).first()
            if used is not None:
                left = remaining_recovery_codes(session, user.id)
                audit.record(
                    session,
                    "mfa.recovery_code_used",
                    actor=Actor.for_user(user, ip=ip),
                    details={"remaining": left},
                )
                return "recovery"
    with independent() as kept:
        throttle.record_failure(kept, [throttle.second_factor_key(user.id)], now)
        audit.record(kept, "mfa.failure", actor=Actor.for_user(user, ip=ip), outcome="denied")
    raise MfaRefused("That code is not right, or was already used. Enter the current code from your app.")


def _recovery_hash(code: str) -> str:
    return digest("recovery:" + _normalise_code(code).upper())


def new_recovery_codes(session: Session, user: User) -> list[str]:
    """Replace the person's recovery codes with 10 new ones; returns them (shown once, stored hashed)."""
    session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    session.add_all(RecoveryCode(user_id=user.id, code_hash=_recovery_hash(c)) for c in codes)
    session.flush()
    return codes


def remaining_recovery_codes(session: Session, user_id: int) -> int:
    return session.scalar(
        sa.select(sa.func.count()).where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
    )


def enable_mfa(
    session: Session,
    user: User,
    *,
    secret: str,
    code: str,
    ip: str | None,
    independent: throttle.Independent,
    now: datetime | None = None,
) -> list[str]:
    """Turn two-step sign-in on once the person proved their app shows the codes; returns the recovery codes.

    A wrong code counts against the person's second factor like one at sign-in (in `independent`'s transaction).
    """
    now = now or utcnow()
    _check_throttle(session, user.id, now)
    step = matching_step(secret, code, now=now, after_step=None)
    if step is None:
        with independent() as kept:
            throttle.record_failure(kept, [throttle.second_factor_key(user.id)], now)
        raise MfaRefused("That code does not match. Check the time on your phone and enter the current code.")
    user.totp_secret = totp_box().seal(secret)  # at rest only sealed (Fernet); see plain_secret
    user.totp_enabled_at = now
    user.totp_last_step = step
    codes = new_recovery_codes(session, user)
    audit.record(session, "mfa.enable", actor=Actor.for_user(user, ip=ip))
    return codes


def reset_mfa(session: Session, user: User, *, actor: Actor, association_id: int | None) -> None:
    """Turn two-step sign-in off (lost phone): the person enrols again at next sign-in; their sessions end."""
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    revoke_user_sessions(session, user.id)
    audit.record(
        session,
        "mfa.reset",
        actor=actor,
        association_id=association_id,
        target=str(user.id),
    )
    session.flush()


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
        flash("Your role needs two-step sign-in. Set it up now to continue.", "info")
        return redirect(url_for("mfa.enrol"))
    return redirect(next_url or url_for("auth.home"))


def enrolment_redirect() -> Response | None:
    """For views of roles that need two-step sign-in: a redirect to enrolment when the person has not enrolled."""
    if current_user.is_authenticated and not is_enrolled(current_user.user):
        flash("Set up two-step sign-in to use these pages.", "info")
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
    code = StringField("Code from your authenticator app", validators=[Length(max=20)])
    recovery_code = StringField("Or a recovery code", validators=[Length(max=30)])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and not (self.code.data or "").strip() and not (self.recovery_code.data or "").strip():
            self.code.errors.append("Enter the 6-digit code from your app, or one of your recovery codes.")
            return False
        return ok


class EnrolForm(FlaskForm):
    enrolment = HiddenField()
    code = StringField("Code shown by your app", validators=[DataRequired("Enter the 6-digit code."), Length(max=20)])


class ConfirmCodeForm(FlaskForm):
    code = StringField(
        "Current code from your app", validators=[DataRequired("Enter the 6-digit code."), Length(max=20)]
    )


@bp.route("/login/verify", methods=["GET", "POST"])
@access("public")
def verify():
    pending = _pending_user()
    if pending is None:
        session.pop("mfa_pending", None)
        flash("Sign in again to continue.", "info")
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
                flash(f"Recovery code used; {left} left. Make new ones on your two-step sign-in page.", "info")
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
                raise InvalidToken("This page is not yours.")
            secret = str(payload["secret"])
        except InvalidToken:
            form.form_errors.append("This set-up page expired. Add the new key below to your app and try again.")
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
            codes = new_recovery_codes(db(), user)
            audit.record(db(), "mfa.recovery_codes_renewed", actor=current_actor())
            return render_template("auth/mfa_recovery_codes.html", codes=codes, first_time=False)
    return render_template("auth/mfa_status.html", form=form, remaining=remaining_recovery_codes(db(), user.id)), status
