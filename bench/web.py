"""gunicorn started as production starts it (the Dockerfile's command, LOUPE_ENV=production) and wrk on 127.0.0.1."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import psutil
import requests

from bench.harness import ROOT

# The Dockerfile's CMD, bound to loopback on a free port.
GUNICORN_ARGS = ["--workers", "4", "--no-control-socket", "--access-logfile", "-"]

WRK_LUA = """
local targets = {%(targets)s}
local counter = 0
errors = 0
local threads = {}
function setup(thread) thread:set("tid", #threads); table.insert(threads, thread) end
function init(args)
  mode = args[1] or "random"
  math.randomseed(os.time() + math.floor(os.clock() * 1000000) + tid)
  -- "seq": the threads walk the list from evenly spaced starting points, so every target is reached soon
  counter = math.floor(tid * #targets / 2)
end
function request()
  local t
  if mode == "seq" then counter = counter + 1; t = targets[(counter %% #targets) + 1]
  else t = targets[math.random(#targets)] end
  return wrk.format("GET", t[1], {["Cookie"] = t[2]})
end
function response(status, headers, body)
  if status ~= 200 then errors = errors + 1 end
end
function done(summary, latency, requests)
  local e = 0
  for _, t in ipairs(threads) do e = e + t:get("errors") end
  io.write(string.format('BENCHJSON {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p95_us": %%d, ' ..
    '"p99_us": %%d, "non200": %%d, "socket_errors": %%d}\\n', summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), e,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    def __init__(
        self, app_spec: str, env: dict, log_path: str, probe: str = "/", cwd: Path | str = ROOT, workers: int = 4
    ) -> None:
        self.count = workers
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        log = open(log_path, "wb")  # noqa: SIM115 - handed to the child
        self.proc = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/gunicorn"),
                *GUNICORN_ARGS,
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                app_spec,
            ],  # fmt: skip
            cwd=cwd,
            env={**os.environ, "LOUPE_ENV": "production", **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {log_path}")
            try:
                if requests.get(self.base + probe, timeout=30).status_code < 500 and len(self.workers()) == workers:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer in 90 s")

    def workers(self) -> list[int]:
        try:
            return [c.pid for c in psutil.Process(self.proc.pid).children()]
        except psutil.NoSuchProcess:
            return []

    def stop(self) -> None:
        if self.proc.poll() is None:
            workers = self.workers()
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
            for pid in workers:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass


def write_lua(path: str | Path, targets: list[tuple[str, str]]) -> str:
    body = ",\n".join(f"{{{json.dumps(p)}, {json.dumps(c)}}}" for p, c in targets)
    Path(path).write_text(WRK_LUA % {"targets": body})
    return str(path)


def wrk(
    base: str, script: str, seconds: float, *, connections: int = 16, threads: int = 2, mode: str = "random"
) -> dict:
    """Run wrk; returns requests/s, p50/p95/p99 in ms and errors (non-200 answers + socket errors)."""
    duration = f"{max(1, round(seconds))}s"  # wrk takes whole seconds only
    out = subprocess.run(
        ["wrk", "-t", str(threads), "-c", str(connections), "-d", duration, "--timeout", "10s", "-s", script,
         base + "/", "--", mode],
        capture_output=True, text=True, check=True, timeout=seconds + 60,
    )  # fmt: skip
    line = next(x for x in out.stdout.splitlines() if x.startswith("BENCHJSON "))
    raw = json.loads(line[len("BENCHJSON ") :])
    return {
        "requests": raw["requests"],
        "rps": round(raw["requests"] / (raw["duration_us"] / 1e6), 1),
        "p50_ms": round(raw["p50_us"] / 1000, 2),
        "p95_ms": round(raw["p95_us"] / 1000, 2),
        "p99_ms": round(raw["p99_us"] / 1000, 2),
        "errors": raw["non200"] + raw["socket_errors"],
    }
