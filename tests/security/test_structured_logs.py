"""Log forging (issue #16 item 5): every log record is one JSON line with a timestamp, level, logger, message and
the request id, so a `%0A` in a failing request's path cannot start a forged record.

The lines are read from stderr as the process writes them (`security.logs` installs the handler on the root
logger when the app is built): what an operator's log collector would get.
"""

from __future__ import annotations

import json
import logging

import pytest

from security.logs import REQUEST_ID_RE
from tests.fixtures.web import csrf_token

FORGED_PATH = "/nope%0A2026-01-01 ERROR forged"


def _lines(capsys) -> list[dict]:
    """Every line written to stderr, parsed: a line that is not one JSON object fails the test."""
    out = capsys.readouterr().err
    assert "2026-01-01 ERROR" not in [line[:16] for line in out.splitlines()]
    records = []
    for line in out.splitlines():
        if not line.strip():
            continue
        record = json.loads(line)  # raises on a forged (non-JSON) line
        assert isinstance(record, dict), line
        records.append(record)
    return records


def test_a_404_with_a_newline_in_its_path_logs_one_json_line(client, capsys):
    capsys.readouterr()
    response = client.get(FORGED_PATH)
    assert response.status_code == 404
    records = _lines(capsys)
    [line] = [r for r in records if r["logger"] == "loupe.request"]
    assert line["path"] == "/nope\n2026-01-01 ERROR forged"  # kept, as a JSON string
    assert line["status"] == 404 and line["method"] == "GET"
    assert {"timestamp", "level", "logger", "message", "request_id"} <= line.keys()
    assert line["request_id"] == response.headers["X-Request-ID"]


def test_a_500_with_a_newline_in_its_path_cannot_forge_a_record(app, client, capsys, monkeypatch):
    """The unhandled-error record carries the traceback and the path: both escaped, one line."""

    def fail(**_kwargs):
        raise RuntimeError("boom\n2026-01-01 ERROR forged by the exception text")

    monkeypatch.setitem(app.view_functions, "logbook.photo", fail)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)  # as in production: the 500 page
    capsys.readouterr()
    response = client.get("/s/any/logbook/photos/x%0A2026-01-01 ERROR forged")
    assert response.status_code == 500
    records = _lines(capsys)
    [error] = [r for r in records if r["level"] == "ERROR"]
    assert error["message"] == "unhandled error"
    assert error["path"] == "/s/any/logbook/photos/x\n2026-01-01 ERROR forged"
    assert "RuntimeError: boom" in error["exc_info"]
    rid = response.headers["X-Request-ID"]
    assert error["request_id"] == rid
    assert [r["status"] for r in records if r["logger"] == "loupe.request" and r["request_id"] == rid] == [500]


def test_control_characters_in_a_message_are_escaped(app, capsys):
    with app.test_request_context("/"):
        logging.getLogger("loupe.test").warning("value %s", "a\r\nb\x1b[31m\x00")
    [record] = [r for r in _lines(capsys) if r["logger"] == "loupe.test"]
    assert record["message"] == "value a\r\nb\x1b[31m\x00"


def test_every_response_carries_a_request_id_and_a_strict_incoming_one_is_kept(client):
    own = client.get("/login").headers["X-Request-ID"]
    assert REQUEST_ID_RE.fullmatch(own)
    assert client.get("/login").headers["X-Request-ID"] != own
    kept = "edge-7f3c9a1b2d4e"
    assert client.get("/login", headers={"X-Request-ID": kept}).headers["X-Request-ID"] == kept


@pytest.mark.parametrize(
    "incoming", ["short", "x" * 65, "abc def ghi", "abcdefgh\x1b[31m", "abcdefgh%0Aforged", "../../etc/passwd"]
)
def test_an_incoming_request_id_out_of_pattern_is_replaced(client, incoming):
    rid = client.get("/login", headers={"X-Request-ID": incoming}).headers["X-Request-ID"]
    assert rid != incoming and REQUEST_ID_RE.fullmatch(rid)


def test_records_of_one_request_share_its_id(client, capsys):
    """A refused sign-in logs through the app and the request line: both carry the request's id."""
    token = csrf_token(client.get("/login").get_data(as_text=True))
    capsys.readouterr()
    response = client.post(
        "/login",
        data={"email": "nobody@example.org", "password": "wrong", "csrf_token": token},
        headers={"X-Request-ID": "signin-0123456789"},
    )
    assert response.status_code == 401
    records = _lines(capsys)
    assert records and {r["request_id"] for r in records} == {"signin-0123456789"}


def test_the_job_worker_logs_json_lines_without_a_request_id(run_jobs, capsys):
    """The worker builds the same app and uses the same handler: its records are JSON lines too."""
    capsys.readouterr()
    logging.getLogger("procrastinate.worker").info("worker line\nforged")
    run_jobs()
    records = _lines(capsys)
    mine = [r for r in records if r["message"] == "worker line\nforged"]
    assert mine and mine[0]["request_id"] is None


def test_a_link_token_is_masked_in_the_request_line(client, capsys):
    """Gunicorn's access log wrote invitation and reset links whole; the request line masks their token."""
    token = "InvitationTokenThatMustNotBeLogged.abc123"
    capsys.readouterr()
    assert client.get(f"/invitations/{token}").status_code == 410
    out = capsys.readouterr().err
    assert token not in out
    [line] = [json.loads(x) for x in out.splitlines() if '"loupe.request"' in x]
    assert line["path"] == "/invitations/[token]"
