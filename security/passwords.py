"""Password policy and argon2id hashing.

Policy (ASVS 5.0 V6.2): 12 to 128 characters after NFC normalisation, any characters, refused when it is on the
list of common passwords, contains the account's own email name, or (when `BREACHED_PASSWORDS_URL` is set) appears
in known breaches (`security.breached`). No composition rules.
"""

from __future__ import annotations

import functools
import unicodedata
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context

from i18n import _
from security.breached import breach_count

MIN_LENGTH = 12
MAX_LENGTH = 128
_hasher = PasswordHasher()  # argon2id with the library's RFC 9106 low-memory defaults
_COMMON_FILE = Path(__file__).with_name("common_passwords.txt")
# A hash to verify against when the account does not exist, so both paths cost the same time.
_DUMMY_HASH = _hasher.hash("loupe-timing-equaliser-password")


class PasswordRejected(ValueError):
    """A new password that breaks the policy; the message tells the person why."""


@functools.cache
def _common_passwords() -> frozenset[str]:
    lines = _COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().casefold() for line in lines if line.strip() and not line.startswith("#"))


def normalise(password: str) -> str:
    return unicodedata.normalize("NFC", password)


def check_policy(password: str, *, email: str | None = None) -> str:
    """Return the normalised password, or raise PasswordRejected saying what is wrong."""
    if not isinstance(password, str):
        raise PasswordRejected(_("Enter a password."))
    # Length is checked before anything expensive, so a huge password is refused at once.
    if len(password) > MAX_LENGTH * 4:
        raise PasswordRejected(_("Use at most %(max)d characters.", max=MAX_LENGTH))
    password = normalise(password)
    if len(password) < MIN_LENGTH:
        raise PasswordRejected(_("Use at least %(min)d characters.", min=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        raise PasswordRejected(_("Use at most %(max)d characters.", max=MAX_LENGTH))
    folded = password.casefold()
    if folded in _common_passwords() or len(set(folded)) < 4:
        raise PasswordRejected(_("This password is too common or too easy to guess; choose another."))
    if email:
        local = email.split("@", 1)[0].casefold()
        if len(local) >= 4 and local in folded:
            raise PasswordRejected(_("The password must not contain your email name."))
    url = current_app.config.get("BREACHED_PASSWORDS_URL") if has_app_context() else None
    if url and breach_count(password, url):
        raise PasswordRejected(_("This password appears in known data breaches; choose another."))
    return password


def hash_password(password: str) -> str:
    """argon2id hash of the (already policy-checked) password."""
    return _hasher.hash(normalise(password))


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Check a password; with no stored hash, still spend the same time and return False."""
    if not isinstance(password, str) or len(password) > MAX_LENGTH * 4:
        return False
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, normalise(password)) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)
