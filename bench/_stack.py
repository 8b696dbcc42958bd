"""A real stack for fault and load runs: embedded PostgreSQL in a temp folder, stores, people, a real gunicorn.

Used by `bench.faults` and `bench.load`. Everything started here is stopped by its pid in `Stack.close()`:
the gunicorn master (then any worker left), and the PostgreSQL server (`pg_ctl stop` as the server's user, since
a restart during a fault run leaves pgserver's own exit hook looking at the old postmaster).
Traffic goes only to 127.0.0.1.
"""

from __future__ import annotations

import atexit
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import pyotp
import requests
import sqlalchemy as sa
from sqlalchemy.orm import Session

from accounts.mfa import STEP_SECONDS, new_totp_secret
from database import embedded
from database.embedded import embedded_url
from database.engines import app_url_for, ensure_roles
from database.migrate import upgrade_shared
from models import Association, Membership, Region, Role, Store, User
from models.base import utcnow
from security.passwords import hash_password
from tenants.provisioning import StoreSpec, create_store

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "bench-sapphire-lantern-42"
APP_ROLE = "loupe_app"
_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token(html: str) -> str:
    match = _TOKEN.search(html)
    if not match:
        raise RuntimeError("no CSRF token in the page")
    return match.group(1)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def pg_ctl(datadir: str, args: list[str], *, check: bool = True) -> None:
    """Run pgserver's `pg_ctl` on `datadir` as the user that owns it (pgserver's own user when we are root)."""
    from pgserver._commands import POSTGRES_BIN_PATH

    user = Path(datadir).owner() if os.geteuid() == 0 else None
    subprocess.run(
        [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", datadir, *args],
        check=check,
        user=user,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=60,
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Person:
    email: str
    user_id: int
    store_slug: str | None = None
    totp_secret: str | None = None


@dataclass
class Stack:
    tmp: str
    datadir: str
    owner_url: str
    owner: sa.Engine
    association_slug: str = "bench"
    stores: list[Store] = field(default_factory=list)
    gunicorn: subprocess.Popen | None = None
    base_url: str = ""
    _password_hash: str = ""

    # -- database ---------------------------------------------------------------------------------------------
    @classmethod
    def start(cls) -> Stack:
        base = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
        tmp = tempfile.mkdtemp(prefix="loupe-bench-", dir=base)
        # Registered before the server starts, so it runs after pgserver's own exit hook.
        atexit.register(shutil.rmtree, tmp, ignore_errors=True)
        datadir = os.path.join(tmp, "pg")
        owner_url = embedded_url(datadir)
        owner = sa.create_engine(owner_url, pool_pre_ping=True)
        ensure_roles(owner, APP_ROLE)
        upgrade_shared(owner)
        ensure_roles(owner, APP_ROLE)
        with Session(owner) as session, session.begin():
            association = Association(slug="bench", name="Bench Association")
            session.add(association)
            session.flush()
            session.add(Region(association_id=association.id, slug="r", name="Region"))
        stack = cls(tmp=tmp, datadir=datadir, owner_url=owner_url, owner=owner)
        stack._password_hash = hash_password(PASSWORD)
        return stack

    def add_stores(self, count: int, *, progress: bool = True) -> None:
        started = time.perf_counter()
        for i in range(count):
            spec = StoreSpec(self.association_slug, "r", f"Bench Store {len(self.stores) + 1}")
            self.stores.append(create_store(self.owner, spec, app_role=APP_ROLE))
            if progress and (i + 1) % 100 == 0:
                print(f"  {i + 1}/{count} stores ({time.perf_counter() - started:.0f} s)", file=sys.stderr, flush=True)

    def add_person(self, email: str, *, store: Store | None = None, admin: bool = False) -> Person:
        with Session(self.owner, expire_on_commit=False) as session, session.begin():
            association_id = session.scalar(sa.select(Association.id).where(Association.slug == self.association_slug))
            user = User(email=email, name="Bench Person", password_hash=self._password_hash)
            secret = None
            if admin:
                secret = new_totp_secret()
                user.totp_secret = secret
                user.totp_enabled_at = utcnow()
            session.add(user)
            session.flush()
            role = Role.ASSOCIATION_ADMIN if admin else Role.STORE_OWNER
            session.add(
                Membership(
                    user_id=user.id,
                    association_id=association_id,
                    store_id=None if store is None else store.id,
                    role=role.value,
                )
            )
        return Person(email, user.id, None if store is None else store.slug, secret)

    def restart_postgres(self) -> tuple[float, float]:
        """`pg_ctl restart -m fast` as the server's user; returns (began, ended) in time.monotonic()."""
        began = time.monotonic()
        self._pg_ctl(["-w", "-m", "fast", "-l", os.path.join(self.datadir, "restart.log"), "restart"])
        return began, time.monotonic()

    def _pg_ctl(self, args: list[str]) -> None:
        pg_ctl(self.datadir, args)

    # -- web server -------------------------------------------------------------------------------------------
    def start_gunicorn(self, *, workers: int = 2, threads: int = 1, pool_size: int = 5, timeout: int = 60) -> None:
        port = _free_port()
        self.base_url = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "LOUPE_ENV": "development",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "DATABASE_URL": self.owner_url,
            "DATABASE_APP_URL": app_url_for(self.owner_url, APP_ROLE).render_as_string(hide_password=False),
            "DATABASE_POOL_SIZE": str(pool_size),
            # The benches sign many people in and post many times from 127.0.0.1: they measure the pages, and the
            # per-address request limits (#16) would answer 429 long before a run ends.
            "RATELIMIT_ENABLED": "false",
        }
        log = open(os.path.join(self.tmp, "gunicorn.log"), "wb")  # noqa: SIM115 - kept open for the child
        self.gunicorn = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--bind",
                f"127.0.0.1:{port}",
                "--no-control-socket",
                "--timeout",
                str(timeout),
                "app:create_app()",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.gunicorn.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.tmp}/gunicorn.log")
            try:
                if requests.get(f"{self.base_url}/login", timeout=30).status_code == 200:
                    # every worker imports the app: wait until all of them are up
                    if len(self.worker_pids()) == workers:
                        return
            except requests.RequestException:
                pass  # not listening yet, or workers still importing the app
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer in 60 s")

    def worker_pids(self) -> list[int]:
        if self.gunicorn is None:
            return []
        try:
            return sorted(child.pid for child in psutil.Process(self.gunicorn.pid).children())
        except psutil.NoSuchProcess:
            return []

    def sign_in(self, person: Person) -> requests.Session:
        client = requests.Session()
        page = client.get(f"{self.base_url}/login", timeout=30)
        data = {"email": person.email, "password": PASSWORD, "csrf_token": csrf_token(page.text)}
        response = client.post(f"{self.base_url}/login", data=data, allow_redirects=False, timeout=30)
        if response.status_code != 302:
            raise RuntimeError(f"sign-in of {person.email} answered {response.status_code}")
        if person.totp_secret:
            page = client.get(f"{self.base_url}/login/verify", timeout=30)
            code = pyotp.TOTP(person.totp_secret, interval=STEP_SECONDS).now()
            data = {"code": code, "csrf_token": csrf_token(page.text)}
            response = client.post(f"{self.base_url}/login/verify", data=data, allow_redirects=False, timeout=30)
            if response.status_code != 302:
                raise RuntimeError(f"two-step sign-in of {person.email} answered {response.status_code}")
        return client

    # -- cleanup ----------------------------------------------------------------------------------------------
    def close(self) -> None:
        if self.gunicorn is not None and self.gunicorn.poll() is None:
            workers = self.worker_pids()
            self.gunicorn.send_signal(signal.SIGTERM)
            try:
                self.gunicorn.wait(20)
            except subprocess.TimeoutExpired:
                self.gunicorn.kill()
                self.gunicorn.wait(10)
            for pid in workers:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self.owner.dispose()
        try:
            self._pg_ctl(["-w", "-m", "fast", "stop"])
        except subprocess.CalledProcessError:
            pass  # already stopped
        # Stopped here; pgserver's exit hook would otherwise try again (and after a restart, watch the old pid).
        server = embedded._servers.get(str(Path(self.datadir).resolve()))
        if server is not None:
            server.cleanup_mode = None
