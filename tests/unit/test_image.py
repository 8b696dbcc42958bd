"""What a scanner and an orchestrator read in the Dockerfile (issue #16, item 11). There is no Docker engine here to
build the image; these check the file says what the README promises."""

from __future__ import annotations

import re
from pathlib import Path

DOCKERFILE = (Path(__file__).resolve().parents[2] / "Dockerfile").read_text()


def instructions() -> list[str]:
    joined = re.sub(r"\\\n", " ", DOCKERFILE)
    return [line.strip() for line in joined.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def test_the_base_image_is_pinned_by_digest():
    args = {m[0]: m[1] for m in re.findall(r"^ARG (\w+)=(\S+)$", DOCKERFILE, re.M)}
    base = next(line.split()[1] for line in instructions() if line.startswith("FROM "))
    base = args.get(base.strip("${}"), base)
    assert re.fullmatch(r"python:3\.11-slim-bookworm@sha256:[0-9a-f]{64}", base)


def test_it_checks_health_through_the_endpoint():
    healthcheck = next(line for line in instructions() if line.startswith("HEALTHCHECK "))
    assert "/healthz" in healthcheck and "curl" not in healthcheck


def test_the_runtime_user_is_not_root_and_does_not_own_the_code():
    lines = instructions()
    user_at = max(i for i, line in enumerate(lines) if line.startswith("USER "))
    assert lines[user_at] == "USER loupe"
    code_copies = [line for line in lines if line.startswith("COPY ") and line.endswith(" . .")]
    assert code_copies and all("--chown=root:root" in line for line in code_copies)
    assert "go=rX" in " ".join(lines)  # nobody but root may write the code
    assert not any("chown -R loupe" in line for line in lines)


def test_the_web_runs_from_gunicorn_conf():
    cmd = next(line for line in reversed(instructions()) if line.startswith("CMD "))
    assert "gunicorn.conf.py" in cmd and "--workers" not in cmd
