"""Two-step sign-in (TOTP, RFC 6238): enrolment, the code step at sign-in, single-use recovery codes.

Platform operators, association admins and police liaisons must use it. After the password, a person with
two-step sign-in enrolled is *not* signed in: a short-lived signed marker in the cookie names them, and only a valid
code (or an unused recovery code) starts the server-side session. A person whose role needs two-step sign-in but
who has not enrolled yet is signed in and sent to the enrolment page; the operator console, the admin portal (and
the liaison pages, through `blueprints.auth.mfa_views.enrolment_redirect`) refuse them until they have enrolled.

Each code is accepted once: the last accepted time step is stored and only later steps are accepted (30 s steps,
one step of clock drift either way). Wrong codes count against the account like wrong passwords.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime

import pyotp
import segno
import sqlalchemy as sa
from sqlalchemy.orm import Session

import audit
from accounts import throttle
from accounts.accounts import AccountError, revoke_user_sessions
from audit import Actor
from i18n import _
from models import ASSOCIATION_ROLES, Membership, RecoveryCode, User
from models.base import utcnow
from security.secretbox import looks_sealed, totp_box
from security.tokens import digest

STEP_SECONDS = 30
DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
PENDING_MAX_AGE = 300
ENROL_MAX_AGE = 1800
MAX_FAILURES_PER_HOUR = 10
_RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off paper


class MfaRefused(AccountError):
    """A wrong, reused or expired code."""

    status_code = 401


class MfaThrottled(AccountError):
    status_code = 429


# --- domain functions ---------------------------------------------------------------------------------------


def is_enrolled(user: User) -> bool:
    return bool(user.totp_secret) and user.totp_enabled_at is not None


def requires_mfa(session: Session, user_id: int) -> bool:
    """True when one of the person's roles (platform operator, association admin, police liaison) needs two-step
    sign-in."""
    if session.scalar(sa.select(User.is_operator).where(User.id == user_id)):
        return True
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


def provisioning_qr_svg(uri: str) -> str:
    """The setup link as a QR code, an inline SVG (no image request, no script): what authenticator apps scan."""
    return segno.make(uri, error="m").svg_inline(scale=5, border=2, title="Scan with your authenticator app")


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
        raise MfaThrottled(_("Too many wrong codes. Try again in a few minutes."))


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
    (`accounts.throttle`) and audited in a transaction of their own opened with `independent`, so they stay when
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
    raise MfaRefused(_("That code is not right, or was already used. Enter the current code from your app."))


def _recovery_hash(code: str) -> str:
    return digest("recovery:" + _normalise_code(code).upper())


def new_recovery_codes(session: Session, user: User) -> list[str]:
    """Replace the person's recovery codes with 10 new ones; returns them (shown once, stored hashed)."""
    session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _count in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    session.add_all(RecoveryCode(user_id=user.id, code_hash=_recovery_hash(c)) for c in codes)
    session.flush()
    return codes


def renew_recovery_codes(session: Session, user: User, *, actor: Actor) -> list[str]:
    """Replace the person's recovery codes (the old ones stop working) and audit it; returns the new codes."""
    codes = new_recovery_codes(session, user)
    audit.record(session, "mfa.recovery_codes_renewed", actor=actor)
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
        raise MfaRefused(_("That code does not match. Check the time on your phone and enter the current code."))
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
