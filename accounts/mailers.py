"""The account emails: invitation, password reset and the notice of a locked account, queued in the outbox."""

from __future__ import annotations

from flask import current_app
from sqlalchemy.orm import Session

from accounts.accounts import password_fingerprint
from accounts.throttle import LONGEST_WAIT
from i18n import _l, language_or_default
from mail.links import external_url
from mail.outbox import queue_email
from mail.render import recipient_language, render_email
from models import Association, Invitation, OutboundEmail, Store, User
from security.tokens import sign

ROLE_LABELS = {
    "owner": _l("store owner"),
    "manager": _l("store manager"),
    "staff": _l("store staff"),
    "admin": _l("association administrator"),
    "liaison": _l("police liaison"),
}


def queue_invitation_email(session: Session, invitation: Invitation, *, inviter: str | None) -> OutboundEmail:
    association = session.get(Association, invitation.association_id)
    store = session.get(Store, invitation.store_id) if invitation.store_id else None
    link = external_url("auth.accept_invitation", token=sign("invitation", invitation.nonce))
    days = current_app.config["INVITATION_MAX_AGE"].days
    email = render_email(
        "invitation",
        _l("You are invited to %(association)s on Loupe", association=association.name),
        invitation=invitation,
        association=association,
        store=store,
        role_label=ROLE_LABELS.get(invitation.role, invitation.role),
        inviter=inviter,
        link=link,
        days=days,
        # Someone who already has an account reads it in their language; a newcomer in the inviter's.
        language=recipient_language(session, invitation.email),
    )
    return queue_email(session, to=invitation.email, email=email, kind="invitation")


def queue_reset_email(session: Session, user: User, *, message_id: str | None = None) -> OutboundEmail:
    token = sign("password-reset", {"uid": user.id, "fp": password_fingerprint(user)})
    link = external_url("auth.reset_password", token=token)
    minutes = int(current_app.config["PASSWORD_RESET_MAX_AGE"].total_seconds() // 60)
    email = render_email(
        "password_reset",
        _l("Reset your Loupe password"),
        user=user,
        link=link,
        minutes=minutes,
        language=language_or_default(user.language),
    )
    return queue_email(session, to=user.email, email=email, kind="password_reset", message_id=message_id)


def queue_lock_notice_email(session: Session, user: User, *, message_id: str | None = None) -> OutboundEmail:
    """Tell the owner that failed sign-ins locked their account for a while, with a link to a new password (which
    also unlocks it): someone may be guessing their password, and they may be the one locked out."""
    token = sign("password-reset", {"uid": user.id, "fp": password_fingerprint(user)})
    link = external_url("auth.reset_password", token=token)
    minutes = int(current_app.config["PASSWORD_RESET_MAX_AGE"].total_seconds() // 60)
    email = render_email(
        "account_locked",
        _l("Failed sign-ins locked your Loupe account for a while"),
        user=user,
        link=link,
        minutes=minutes,
        longest=int(LONGEST_WAIT.total_seconds() // 60),
        language=language_or_default(user.language),
    )
    return queue_email(session, to=user.email, email=email, kind="account_locked", message_id=message_id)
