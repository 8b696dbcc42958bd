"""Encrypting each association's Stripe secret key and webhook secret at rest (Fernet: AES-128-CBC + HMAC).

Keys come from `BILLING_ENCRYPTION_KEYS` (comma-separated Fernet keys, newest first, so an old key can still
decrypt while `flask billing rotate-keys` re-encrypts). Without it, one key is derived from `SECRET_KEY` with
HKDF under its own label, so a deployment works out of the box; changing SECRET_KEY then makes the stored Stripe
keys unreadable, so production should set BILLING_ENCRYPTION_KEYS.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_HKDF_INFO = b"loupe billing: stripe secrets at rest v1"


class SecretUnreadable(RuntimeError):
    """A stored secret cannot be decrypted with the configured keys (wrong or rotated-away key)."""


def _derived_key(secret_key: str) -> bytes:
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(secret_key.encode())
    return base64.urlsafe_b64encode(raw)


class SecretBox:
    """Seals and opens short secrets with the configured keys."""

    def __init__(self, keys: list[bytes]) -> None:
        if not keys:
            raise ValueError("at least one encryption key is needed")
        self._fernet = MultiFernet([Fernet(k) for k in keys])

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SecretBox:
        configured = config.get("BILLING_ENCRYPTION_KEYS")
        if configured:
            keys = [k.strip().encode() for k in str(configured).split(",") if k.strip()]
        else:
            keys = [_derived_key(config["SECRET_KEY"])]
        return cls(keys)

    def seal(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode("ascii")

    def open(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode()
        except (InvalidToken, ValueError):
            raise SecretUnreadable("a stored Stripe secret cannot be decrypted with the configured keys") from None

    def reseal(self, token: str) -> str:
        """The same secret under the newest key (for key rotation)."""
        try:
            return self._fernet.rotate(token.encode("ascii")).decode("ascii")
        except (InvalidToken, ValueError):
            raise SecretUnreadable("a stored Stripe secret cannot be decrypted with the configured keys") from None
