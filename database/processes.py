"""Worker processes that end with the process that started them.

A pool's workers (the migration runner's, the digest sender's) are children of a command; when that command is
killed (SIGKILL, an OOM kill, a crashed CI run) nothing tells them, and they live on as orphans holding database
connections. Each worker therefore watches its parent and exits as soon as the parent is gone.

Why `os.getppid()`: it works on any POSIX system whatever thread started the worker; `PR_SET_PDEATHSIG` is Linux
only and tied to the thread that forked, and multiprocessing's parent sentinel stays open while any other process
forked from the parent holds it.
"""

from __future__ import annotations

import os
import signal
import threading
import time

# How often a worker checks that its parent still exists.
PARENT_CHECK_SECONDS = 0.2


def end_with_parent(parent_pid: int, *, ignore_sigint: bool = False) -> None:
    """Pool initializer: exit this worker once `parent_pid` is no longer its parent.

    `ignore_sigint`: Ctrl-C at a terminal reaches the whole process group; a parent that stops its own workers on
    Ctrl-C (the migration runner) wants them to leave it the signal.
    """
    if ignore_sigint:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_without_parent, args=(parent_pid,), name="end-with-parent", daemon=True).start()


def _exit_without_parent(parent_pid: int) -> None:
    # Also right at start: the parent may have died while this process was being spawned.
    while os.getppid() == parent_pid:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)
