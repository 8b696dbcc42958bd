"""The embedded PostgreSQL (pgserver) used when no DATABASE_URL is configured: development and tests only.

pgserver ships real PostgreSQL binaries in a wheel, so a new machine needs nothing installed by hand. The server
listens on a Unix socket inside the data folder; several processes using the same folder share one server, which
stops when the last of them exits.
"""

from __future__ import annotations

import os
import signal
import sys
import tempfile
import threading
from pathlib import Path

_lock = threading.Lock()
_servers: dict[str, object] = {}


def _ensure_runtime_dir() -> None:
    # platformdirs (used by pgserver) warns when XDG_RUNTIME_DIR is unset or not private; warnings are errors
    # under test, so give it a private folder.
    current = os.environ.get("XDG_RUNTIME_DIR")
    if current and Path(current).is_dir() and (Path(current).stat().st_mode & 0o077) == 0:
        return
    path = Path(tempfile.gettempdir()) / f"loupe-runtime-{os.getuid()}"
    path.mkdir(mode=0o700, exist_ok=True)
    path.chmod(0o700)
    os.environ["XDG_RUNTIME_DIR"] = str(path)


class EmbeddedServerUnavailable(RuntimeError):
    """No DATABASE_URL and no pgserver: there is no database to use."""


MISSING_PGSERVER = (
    "No database configured: set DATABASE_URL, or install requirements-dev.txt for the embedded PostgreSQL "
    "(pgserver, development and tests only)."
)


def _import_pgserver():
    # Imported here, only when no DATABASE_URL is set: pgserver is a development/test dependency (its wheel carries
    # PostgreSQL binaries, and it has none for arm64), absent from the production image.
    try:
        import pgserver
    except ImportError as exc:
        raise EmbeddedServerUnavailable(MISSING_PGSERVER) from exc
    return pgserver


def embedded_url(datadir: str | os.PathLike[str]) -> str:
    """Start (or attach to) the embedded server in `datadir` and return its SQLAlchemy URL."""
    datadir = str(Path(datadir).resolve())
    with _lock:
        if datadir not in _servers:
            _ensure_runtime_dir()
            pgserver = _import_pgserver()
            Path(datadir).parent.mkdir(parents=True, exist_ok=True)
            server = pgserver.get_server(datadir)
            _forget_dead_handles(server)
            _servers[datadir] = server
    return f"postgresql+psycopg://postgres:@/postgres?host={datadir}"


def stop_on_sigterm() -> None:
    """Let `kill PID` stop the embedded server too: pgserver stops it from an exit hook, which SIGTERM skips.

    Called when the app is created (in the main thread: signal handlers cannot be set from request threads).
    """
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(0))


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _forget_dead_handles(server) -> None:
    """Drop processes that died without saying so (kill -9, a crash) from pgserver's list of users.

    pgserver stops the server when its last user exits; a dead process left in that list would keep the server
    running forever after everyone else has gone.
    """
    handles = server.global_process_id_list
    pids = handles.get()
    alive = [pid for pid in pids if _pid_alive(pid)]
    if alive != pids:
        handles.put(alive)
