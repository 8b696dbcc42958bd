"""Signed, expiring tokens for links sent by email (invitations, password resets, later: officer links)."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from i18n import _


class InvalidToken(ValueError):
    """A token that is malformed, tampered with, for another purpose, or expired."""


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    # The purpose is the salt: a reset token can never be used as an invitation token.
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"loupe.{purpose}")


def sign(purpose: str, payload: Any) -> str:
    return _serializer(purpose).dumps(payload)


def unsign(purpose: str, token: str, *, max_age_seconds: int) -> Any:
    """Return the payload, or raise InvalidToken (expired or not) with a message fit for the person."""
    if not isinstance(token, str) or len(token) > 2000:
        raise InvalidToken(_("This link is not valid."))
    try:
        return _serializer(purpose).loads(token, max_age=max_age_seconds)
    except SignatureExpired:
        raise InvalidToken(_("This link has expired. Ask for a new one.")) from None
    except BadSignature:
        raise InvalidToken(_("This link is not valid.")) from None


def new_secret() -> str:
    """A random URL-safe secret (session ids, nonces)."""
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """sha256 hex of a secret, for storing lookups of bearer secrets without storing the secrets."""
    return hashlib.sha256(secret.encode()).hexdigest()
