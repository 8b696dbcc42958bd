"""Encrypting each association's Stripe secret key and webhook secret at rest (Fernet: AES-128-CBC + HMAC).

Keys come from `BILLING_ENCRYPTION_KEYS` (comma-separated Fernet keys, newest first, so an old key can still
decrypt while `flask billing rotate-keys` re-encrypts). Without it, one key is derived from `SECRET_KEY` with
HKDF under its own label, so a deployment works out of the box; changing SECRET_KEY then makes the stored Stripe
keys unreadable, so production should set BILLING_ENCRYPTION_KEYS.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from security import secretbox
from security.secretbox import SecretUnreadable

__all__ = ["SecretBox", "SecretUnreadable"]

_HKDF_INFO = b"loupe billing: stripe secrets at rest v1"


class SecretBox(secretbox.SecretBox):
    """Seals and opens an association's Stripe secrets (the general box of `security.secretbox`)."""

    what = "a stored Stripe secret"

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SecretBox:
        return cls(secretbox.configured_keys(config, _HKDF_INFO))
