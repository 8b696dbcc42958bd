"""Signing a delivery like Stripe does: `Loupe-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "t.body">`.

The receiver recomputes the HMAC with the subscription's secret over the timestamp, a dot and the raw body, compares
in constant time, and refuses timestamps older than a few minutes (replays). docs/api.md has a verifier.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

HEADER = "Loupe-Signature"
TOLERANCE_SECONDS = 300


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(secret: str, header: str, body: bytes, *, now: int, tolerance: int = TOLERANCE_SECONDS) -> bool:
    """What a receiver does (and what the tests do): True for a fresh, matching signature."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))
