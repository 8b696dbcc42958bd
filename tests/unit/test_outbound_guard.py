"""The outbound guard (tests/fixtures/outbound.py), seen from outside: a small test suite run by its own pytest
process with only the guard loaded, sending mail and calling services the way our code does."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

INNER_TESTS = """
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from billing.stripe_client import make_client
from mail.smtp import SmtpConnection, SmtpSettings, build_message, send_message
from security.breached import breach_count
from tests.fixtures.outbound import expect_outbound

SETTINGS = SmtpSettings(
    server="smtp.example.org", port=25, username=None, password=None, use_tls=False, sender="a@example.org", timeout=1
)


def _message():
    return build_message(SETTINGS, to="b@example.org", subject="Hello", text="Hi", html=None, message_id="<1@x>")


def test_mail_nobody_declared_fails_even_when_the_error_is_swallowed():
    try:
        send_message(SETTINGS, _message())
    except OSError:
        pass  # as a retrying sender does: the server looked unreachable


def test_a_digest_connection_nobody_declared_fails():
    with SmtpConnection(SETTINGS) as connection:
        connection.send(_message())


def test_breach_check_nobody_declared_fails():
    assert breach_count("correct horse", "https://api.pwnedpasswords.com/range/", timeout=1) is None


def test_stripe_call_nobody_declared_fails():
    client = make_client("sk_test_123", {"STRIPE_MAX_NETWORK_RETRIES": 0})
    with pytest.raises(Exception):
        client.v1.customers.list()


@pytest.fixture
def mails_in_teardown():
    yield
    try:
        send_message(SETTINGS, _message())
    except OSError:
        pass


def test_a_fixture_mailing_in_its_teardown_fails(mails_in_teardown):
    pass


class Hello(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


def test_a_declared_local_server_is_reached():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hello)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with expect_outbound("127.0.0.1", server.server_address[1]):
            with urllib.request.urlopen(f"http://127.0.0.1:{server.server_address[1]}/", timeout=5) as response:
                assert response.read() == b"ok"
    finally:
        server.shutdown()
        server.server_close()
"""


def test_undeclared_mail_and_http_fail_the_test_and_declared_ones_pass(pytester, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.setenv("XDG_RUNTIME_DIR", "/tmp")
    pytester.makeconftest('pytest_plugins = ["tests.fixtures.outbound"]')
    pytester.makepyfile(test_inner=INNER_TESTS)

    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-rA")

    result.assert_outcomes(passed=2, failed=4, errors=1)
    result.stdout.fnmatch_lines_random(
        [
            "FAILED test_inner.py::test_mail_nobody_declared_fails_even_when_the_error_is_swallowed*",
            "FAILED test_inner.py::test_a_digest_connection_nobody_declared_fails*",
            "FAILED test_inner.py::test_breach_check_nobody_declared_fails*",
            "FAILED test_inner.py::test_stripe_call_nobody_declared_fails*",
            "ERROR test_inner.py::test_a_fixture_mailing_in_its_teardown_fails*",
            "PASSED test_inner.py::test_a_declared_local_server_is_reached*",
            "*outbound guard: unexpected SMTP connection to smtp.example.org:25 (declared: nothing)*",
            "*outbound guard: unexpected HTTP connection to api.pwnedpasswords.com:443*",
            "*outbound guard: unexpected HTTP connection to api.stripe.com:443*",
        ]
    )
