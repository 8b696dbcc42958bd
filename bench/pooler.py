"""PgBouncer in front of the bench's PostgreSQL, as production runs it: transaction pooling, on loopback.

Started from Debian's binary (`make bench-tools` installs it) with a config written into the run's temp folder,
as the database server's user when we are root (PgBouncer refuses to run as root); stopped by its pid. Clients
connect to 127.0.0.1:<port> with the same role names; PgBouncer reaches the server on its Unix socket.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import sqlalchemy as sa


def binary() -> str:
    found = shutil.which("pgbouncer") or ("/usr/sbin/pgbouncer" if os.path.exists("/usr/sbin/pgbouncer") else None)
    if not found:
        raise RuntimeError("PgBouncer is not installed: `make bench-tools` (Debian: apt-get install pgbouncer)")
    return found


def version() -> str:
    return subprocess.run([binary(), "--version"], capture_output=True, text=True, check=True).stdout.split("\n")[0]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgBouncer:
    """One PgBouncer process; `url(role)` is a SQLAlchemy URL through it."""

    def __init__(self, ctx, *, pool_size: int = 4, mode: str = "transaction", roles: tuple[str, ...] = ()) -> None:
        if ctx.datadir is None:
            raise RuntimeError("the pooler measure needs the embedded server (its socket folder)")
        with ctx.owner.connect() as conn:
            server_port = conn.scalar(sa.text("SHOW port"))
        self.database = sa.engine.make_url(ctx.owner_url).database
        self.port = _free_port()
        self.pool_size, self.mode = pool_size, mode
        folder = Path(ctx.tmp) / "pgbouncer"
        folder.mkdir(exist_ok=True)
        users = folder / "users.txt"
        users.write_text("".join(f'"{role}" ""\n' for role in ("postgres", *roles)))
        self.log = folder / "pgbouncer.log"
        ini = folder / "pgbouncer.ini"
        ini.write_text(
            f"[databases]\n{self.database} = host={ctx.datadir} port={server_port} dbname={self.database}\n\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.port}\nunix_socket_dir =\n"
            f"auth_type = trust\nauth_file = {users}\n"
            f"pool_mode = {mode}\ndefault_pool_size = {pool_size}\nmax_client_conn = 1000\n"
            # psycopg and psycopg2 send these at connect; PgBouncer would refuse the connection otherwise.
            "ignore_startup_parameters = extra_float_digits,options\n"
            f"logfile = {self.log}\nlog_connections = 0\nlog_disconnections = 0\n"
        )
        user = ctx.pg_user()
        if user:
            shutil.chown(folder, user)
            for path in (users, ini):
                shutil.chown(path, user)
        self.proc = subprocess.Popen(
            [binary(), str(ini)], user=user, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"pgbouncer exited; see {self.log}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("pgbouncer did not listen in 20 s")

    def url(self, role: str) -> str:
        return f"postgresql+psycopg://{role}@127.0.0.1:{self.port}/{self.database}"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # PgBouncer's immediate shutdown
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
