"""Where a webhook may be sent, and sending it there: SSRF-safe.

A URL is checked when it is subscribed and again at every delivery: http(s) only, no credentials, and every
address its host resolves to must be public (not loopback, private, link-local, multicast, reserved or
unspecified). The request then goes to the address that was checked (no second lookup a DNS rebinding could
change), with the host name in the Host header and for TLS, and redirects are not followed (a 3xx is a failure).
Only a test turns the address check off, with `WEBHOOKS_ALLOW_PRIVATE_TARGETS` (its receiver is on 127.0.0.1).
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from errors import DomainError
from i18n import _

TIMEOUT_SECONDS = 10
MAX_URL_LENGTH = 2000


class TargetRefused(DomainError):
    """A URL webhooks may not be sent to."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str  # the checked IP address the request goes to


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def check_url(url: str, *, allow_private: bool = False) -> Target:
    """The target of `url` once its form and its host's addresses are accepted; TargetRefused says why not."""
    if not url or len(url) > MAX_URL_LENGTH:
        raise TargetRefused(_("Enter the endpoint's URL (%(max)d characters at most).", max=MAX_URL_LENGTH))
    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise TargetRefused(_("The URL must start with https:// (or http://) and name a host."))
    if parts.username or parts.password:
        raise TargetRefused(_("Leave user names and passwords out of the URL: deliveries are signed instead."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise TargetRefused(_("The URL's port is not a number from 1 to 65535.")) from None
    try:
        found = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise TargetRefused(_("The host %(host)s cannot be found.", host=parts.hostname)) from None
    addresses = [info[4][0] for info in found]
    if not allow_private and (not addresses or not all(_public(a) for a in addresses)):
        raise TargetRefused(
            _("That host is on a private, local or reserved network: webhooks go to public addresses only.")
        )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, parts.hostname, port, path, addresses[0])


class _PinnedHTTPS(http.client.HTTPSConnection):
    """TLS to the checked address, with the host's name for SNI and the certificate check."""

    def __init__(self, target: Target):
        super().__init__(target.address, target.port, timeout=TIMEOUT_SECONDS, context=ssl.create_default_context())
        self._server_name = target.host

    def connect(self) -> None:
        http.client.HTTPConnection.connect(self)
        self.sock = self._context.wrap_socket(self.sock, server_hostname=self._server_name)


def post(target: Target, body: bytes, headers: dict[str, str]) -> int:
    """POST `body` to the checked address; the response's status (redirects are answers, not followed)."""
    if target.scheme == "https":
        conn: http.client.HTTPConnection = _PinnedHTTPS(target)
    else:
        conn = http.client.HTTPConnection(target.address, target.port, timeout=TIMEOUT_SECONDS)
    host = target.host if target.port in (80, 443) else f"{target.host}:{target.port}"
    try:
        conn.request("POST", target.path, body=body, headers={**headers, "Host": host})
        response = conn.getresponse()
        response.read(64 * 1024)
        return response.status
    finally:
        conn.close()
