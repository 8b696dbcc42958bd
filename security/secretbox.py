"""Encrypting short secrets at rest with Fernet (AES-128-CBC + HMAC): Stripe keys, TOTP secrets.

Keys come from `BILLING_ENCRYPTION_KEYS` (comma-separated Fernet keys, newest first, so an old key can still
decrypt while a rotation re-encrypts). Without it, one key per purpose is derived from `SECRET_KEY` with HKDF
under that purpose's own label, so a deployment works out of the box; changing SECRET_KEY then makes the stored
secrets unreadable, so production sets BILLING_ENCRYPTION_KEYS.

`configure(config)` (called when the app is created) makes the TOTP box available to domain functions that take
only a Session (`totp_box()`).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

TOTP_LABEL = b"loupe accounts: totp secrets at rest v1"
WEBHOOK_LABEL = b"loupe webhooks: signing secrets at rest v1"
# Every Fernet token starts with the version byte 0x80 and a 64-bit timestamp: "gAAAAA" in urlsafe base64.
_FERNET_PREFIX = "gAAAAA"


class SecretUnreadable(RuntimeError):
    """A stored secret cannot be decrypted with the configured keys (wrong or rotated-away key)."""


def derived_key(secret_key: str, label: bytes) -> bytes:
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(secret_key.encode())
    return base64.urlsafe_b64encode(raw)


def configured_keys(config: Mapping[str, Any], label: bytes) -> list[bytes]:
    configured = config.get("BILLING_ENCRYPTION_KEYS")
    if configured:
        return [k.strip().encode() for k in str(configured).split(",") if k.strip()]
    return [derived_key(config["SECRET_KEY"], label)]


def looks_sealed(value: str | None) -> bool:
    """True when `value` has the shape of a Fernet token (a sealed secret), not of a plain one."""
    return bool(value) and value.startswith(_FERNET_PREFIX) and len(value) >= 100


class SecretBox:
    """Seals and opens short secrets with the configured keys."""

    what = "a stored secret"

    def __init__(self, keys: list[bytes]) -> None:
        if not keys:
            raise ValueError("at least one encryption key is needed")
        self._fernet = MultiFernet([Fernet(k) for k in keys])

    @classmethod
    def for_purpose(cls, config: Mapping[str, Any], label: bytes) -> SecretBox:
        return cls(configured_keys(config, label))

    def seal(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode("ascii")

    def open(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode()
        except (InvalidToken, ValueError):
            raise SecretUnreadable(f"{self.what} cannot be decrypted with the configured keys") from None

    def reseal(self, token: str) -> str:
        """The same secret under the newest key (for key rotation)."""
        try:
            return self._fernet.rotate(token.encode("ascii")).decode("ascii")
        except (InvalidToken, ValueError):
            raise SecretUnreadable(f"{self.what} cannot be decrypted with the configured keys") from None


_boxes: dict[str, SecretBox] = {}


def configure(config: Mapping[str, Any]) -> None:
    """Make the TOTP box of this configuration the process's (the app calls this when it is created)."""
    _boxes["totp"] = SecretBox.for_purpose(config, TOTP_LABEL)
    _boxes["webhooks"] = SecretBox.for_purpose(config, WEBHOOK_LABEL)


def webhook_box() -> SecretBox:
    """The box sealing outgoing webhooks' signing secrets."""
    try:
        return _boxes["webhooks"]
    except KeyError:
        raise RuntimeError("security.secretbox.configure(config) was not called (create the app first)") from None


def totp_box() -> SecretBox:
    try:
        return _boxes["totp"]
    except KeyError:
        raise RuntimeError("security.secretbox.configure(config) was not called (create the app first)") from None


def seal_plain_totp_secrets(conn: Any, box: SecretBox) -> int:
    """Seal every TOTP secret still stored plain (migration 0013, or by hand); returns how many. Idempotent."""
    from sqlalchemy import text

    rows = conn.execute(text("SELECT id, totp_secret FROM loupe.users WHERE totp_secret IS NOT NULL")).all()
    plain = [(user_id, value) for user_id, value in rows if not looks_sealed(value)]
    for user_id, value in plain:
        conn.execute(
            text("UPDATE loupe.users SET totp_secret = :v WHERE id = :i"), {"v": box.seal(value), "i": user_id}
        )
    return len(plain)
