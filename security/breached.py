"""Refusing passwords known from breaches, through the Pwned Passwords range API (k-anonymity).

Only the first five hex characters of the password's SHA-1 leave the machine; the service answers every suffix it
knows under that prefix (padded with decoys when asked), and the match happens here. Off unless
`BREACHED_PASSWORDS_URL` is set (production: `https://api.pwnedpasswords.com/range/`). When the service is slow or
down, the check is skipped (logged) rather than blocking a person from setting a password: the local common-password
list and the length rule still apply.
"""

from __future__ import annotations

import hashlib
import logging
import urllib.error
import urllib.request

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 2.0
_MAX_BODY = 2_000_000  # a range answer is ~30 KB; anything much larger is not one


def breach_count(password: str, base_url: str, *, timeout: float = TIMEOUT_SECONDS) -> int | None:
    """How often the password appears in known breaches (0: never), or None when the service could not answer."""
    digest = hashlib.sha1(password.encode("utf-8"), usedforsecurity=False).hexdigest().upper()
    prefix, suffix = digest[:5], digest[5:]
    request = urllib.request.Request(
        base_url.rstrip("/") + "/" + prefix, headers={"Add-Padding": "true", "User-Agent": "Loupe"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (an https URL from config)
            body = response.read(_MAX_BODY).decode("ascii", errors="replace")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        log.warning("breached-password check skipped: %s", exc)
        return None
    for line in body.splitlines():
        found, _, count = line.strip().partition(":")
        if found.upper() == suffix:
            try:
                return int(count)
            except ValueError:
                return None
    return 0
