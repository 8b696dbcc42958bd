"""Logs are JSON lines: one object per record, with a timestamp, level, logger, message and the request id.

Why JSON: a value a visitor controls (a path with `%0A` in it, a header) is a JSON string in the line, so its line
breaks and control characters are escaped by construction (`\\n`, `\\u001b`) and can never start a forged record.
Every process uses it: the web (gunicorn or `flask serve`), the job worker and the CLI all build the app, which
configures logging here. Development reads JSON too: one format, and a reader like `jq` makes it readable.

The request id: an incoming `X-Request-ID` (from a proxy that already stamps one) is kept only when it matches
REQUEST_ID_RE; otherwise each request gets a fresh one. It is on `g.request_id`, on every record logged while the
request runs (a filter on the handler) and in the response's `X-Request-ID` header. One structured line per request
(logger `loupe.request`) replaces gunicorn's plain-text access log.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, Response, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{7,63}")
FIELDS = ["levelname", "name", "message", "request_id"]
RENAMED = {"levelname": "level", "name": "logger"}

request_logger = logging.getLogger("loupe.request")


def current_request_id() -> str | None:
    """This request's id (made on first use), or None outside a request (a job, a CLI command)."""
    if not has_request_context():
        return None
    rid = g.get("request_id")
    if rid is None:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        rid = incoming if REQUEST_ID_RE.fullmatch(incoming) else uuid.uuid4().hex
        g.request_id = rid
    return rid


def loggable_path() -> str:
    """This request's path for a log line, its secret part masked: the signed token of an invitation, a password
    reset, a police officer's or a reviewer's link, an unsubscribe link (every such route names it `token`)."""
    path = request.path
    token = (request.view_args or {}).get("token")
    if isinstance(token, str) and token:
        path = path.replace(token, "[token]")
    return path


class RequestIdFilter(logging.Filter):
    """Stamps every record with the current request's id (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        return True


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (a test's capture, a reopened stream), like logging.lastResort."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self):  # type: ignore[override]
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


class LineFormatter(JsonFormatter):
    """One JSON object per record, its time first (UTC, ISO 8601), ASCII only."""

    def __init__(self) -> None:
        super().__init__(FIELDS, rename_fields=RENAMED, json_ensure_ascii=True)

    def add_fields(self, log_data, record, message_dict) -> None:
        log_data["timestamp"] = datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds")
        super().add_fields(log_data, record, message_dict)


def configure_logging(level: int = logging.INFO) -> None:
    """Send every record of the process, as a JSON line, to stderr. Idempotent: a second app replaces the handler."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "loupe_json", False)]:
        root.removeHandler(handler)
    handler = _StderrHandler()
    handler.loupe_json = True  # type: ignore[attr-defined]
    handler.setFormatter(LineFormatter())
    handler.addFilter(RequestIdFilter())
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    logging.getLogger("pgserver").setLevel(logging.WARNING)


def init_app(app: Flask) -> None:
    """The request id and the one log line per request. Registered before any other hook, so it sees every request."""

    @app.before_request
    def start_clock() -> None:
        g.request_started = time.perf_counter()
        current_request_id()

    @app.after_request
    def stamp_and_log(response: Response) -> Response:
        response.headers[REQUEST_ID_HEADER] = current_request_id() or ""
        started = g.get("request_started")
        request_logger.info(
            "request",
            extra={
                "method": request.method,
                "path": loggable_path(),
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
            },
        )
        return response
