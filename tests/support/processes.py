"""Finding a process's children and whether they still run, through /proc (Linux).

A process is named by its pid and its start time, so a pid that the system reuses later is not taken for it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

HAS_PROC = Path("/proc/self/stat").exists()


def _fields(stat: str) -> list[str]:
    # After the command name (which may hold spaces and parentheses): state, ppid, ...; start time is field 22.
    return stat[stat.rindex(")") + 2 :].split()


def children(parent: int, *, marker: bytes | None = None) -> dict[int, str]:
    """Live children of `parent` (those whose command line holds `marker`, when given): pid -> start time."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = _fields((entry / "stat").read_text())
            cmdline = (entry / "cmdline").read_bytes() if marker is not None else b""
        except OSError:  # gone meanwhile
            continue
        if int(fields[1]) == parent and fields[0] != "Z" and (marker is None or marker in cmdline):
            found[int(entry.name)] = fields[19]
    return found


def still_alive(processes: dict[int, str]) -> dict[int, str]:
    """Those of `processes` that still run (not exited, not a zombie), whoever their parent is now."""
    alive = {}
    for pid, started in processes.items():
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = _fields(stat)
        if fields[19] == started and fields[0] != "Z":
            alive[pid] = stat
    return alive


def wait_until(condition: Callable[[], bool], timeout: float, interval: float = 0.1) -> bool:
    """Poll `condition` every `interval` seconds for up to `timeout`; its last answer."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()
