"""gunicorn.conf.py: the web's workers, port and timeout come from the environment (issue #16, item 11)."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


def load(monkeypatch, **env):
    for name in ("WEB_CONCURRENCY", "PORT", "GUNICORN_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONF))


def test_defaults(monkeypatch):
    conf = load(monkeypatch)
    assert conf["workers"] == 4
    assert conf["bind"] == ["0.0.0.0:8000"]
    assert conf["timeout"] == 30
    assert conf["wsgi_app"] == "app:create_app()"
    assert conf["accesslog"] is None  # the app logs each request as a JSON line instead
    assert conf["control_socket_disable"] is True


def test_workers_port_and_timeout_from_the_environment(monkeypatch):
    conf = load(monkeypatch, WEB_CONCURRENCY="9", PORT="8080", GUNICORN_TIMEOUT="60")
    assert (conf["workers"], conf["bind"], conf["timeout"]) == (9, ["0.0.0.0:8080"], 60)


@pytest.mark.parametrize(("value", "message"), [("many", "whole number"), ("0", "at least 1")])
def test_a_bad_value_stops_the_start_with_a_clear_message(monkeypatch, value, message):
    with pytest.raises(SystemExit, match=f"WEB_CONCURRENCY must be .*{message}|WEB_CONCURRENCY must be {message}"):
        load(monkeypatch, WEB_CONCURRENCY=value)
