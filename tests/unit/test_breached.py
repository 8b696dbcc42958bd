"""The breached-password check against a local stand-in for the Pwned Passwords range API (a real HTTP server on
127.0.0.1 answering in the documented `SUFFIX:COUNT` format, with padding lines)."""

from __future__ import annotations

import hashlib
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from security.breached import breach_count
from security.passwords import PasswordRejected, check_policy
from tests.fixtures.outbound import expect_outbound

BREACHED = "correct-horse-battery-staple-1"
FRESH = "quiet-lantern-sapphire-harbour-77"


def _sha1(text: str) -> str:
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest().upper()


class RangeServer(BaseHTTPRequestHandler):
    paths: list[str] = []
    headers_seen: list[dict] = []

    def do_GET(self):  # noqa: N802 (http.server's hook name)
        type(self).paths.append(self.path)
        type(self).headers_seen.append(dict(self.headers))
        prefix = self.path.rsplit("/", 1)[-1]
        lines = ["0018A45C4D1DEF81644B54AB7F969B88D65:0"] * 3  # padding, as the real service sends
        digest = _sha1(BREACHED)
        if digest.startswith(prefix):
            lines.append(f"{digest[5:]}:2413")
        body = "\r\n".join(lines).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def range_api():
    server = ThreadingHTTPServer(("127.0.0.1", 0), RangeServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    RangeServer.paths, RangeServer.headers_seen = [], []
    with expect_outbound("127.0.0.1", server.server_address[1]):
        yield f"http://127.0.0.1:{server.server_address[1]}/range/"
    server.shutdown()
    server.server_close()


def test_a_breached_password_is_counted_and_only_a_prefix_leaves(range_api):
    assert breach_count(BREACHED, range_api) == 2413
    assert breach_count(FRESH, range_api) == 0
    assert RangeServer.paths == [f"/range/{_sha1(BREACHED)[:5]}", f"/range/{_sha1(FRESH)[:5]}"]
    assert all(h.get("Add-Padding") == "true" for h in RangeServer.headers_seen)


def test_policy_refuses_breached_passwords_when_configured(app, range_api):
    old = app.config.get("BREACHED_PASSWORDS_URL")
    app.config["BREACHED_PASSWORDS_URL"] = range_api
    try:
        with app.app_context():
            with pytest.raises(PasswordRejected, match="known data breaches"):
                check_policy(BREACHED)
            assert check_policy(FRESH) == FRESH
    finally:
        app.config["BREACHED_PASSWORDS_URL"] = old
    with app.app_context():
        assert check_policy(BREACHED) == BREACHED  # not configured: not checked


def test_service_down_skips_the_check_instead_of_blocking(app, caplog):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    with expect_outbound("127.0.0.1", port):
        assert breach_count(BREACHED, f"http://127.0.0.1:{port}/range/", timeout=1) is None
        assert "breached-password check skipped" in caplog.text
        old = app.config.get("BREACHED_PASSWORDS_URL")
        app.config["BREACHED_PASSWORDS_URL"] = f"http://127.0.0.1:{port}/range/"
        try:
            with app.app_context():
                assert check_policy(BREACHED) == BREACHED
        finally:
            app.config["BREACHED_PASSWORDS_URL"] = old
