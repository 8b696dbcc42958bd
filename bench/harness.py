"""The side-by-side harness behind `python -m bench`: one PostgreSQL server, a realistic data set grown in steps,
measure modules called at those steps (checkpoints) and then in order, results written and the doc rendered.

Data set (`Context.grow_to`): 5 associations × 4 regions; stores spread round-robin over the 20 regions, each
with an owner (a person with a store membership); every 4th store gets the demo logbook (9-12 incidents) and
shares its 2 most recent casing-type incidents through the real anonymizer (bulletins + incident facts), approved
by its association's admin; every 100th store gets about 300 logbook entries. Everything goes through the domain
functions (`tenants.provisioning.create_store`, `demo.logbook.seed_logbook`, `sharing.shares.
share_incident`, `bulletins.moderation.approve`); only people and memberships are plain rows.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[1]
APP_ROLE = "loupe_app"
ASSOCIATIONS = 5
REGIONS_PER_ASSOCIATION = 4
PASSWORD = "bench-sapphire-lantern-42"


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def wait_for_autovacuum(engine: sa.Engine, timeout: float = 120.0) -> float:
    """Wait (up to `timeout` s) until no autovacuum worker is running on `engine`'s server; the seconds waited."""
    t0 = time.monotonic()
    query = sa.text("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'")
    with engine.connect() as conn:
        while conn.scalar(query) and time.monotonic() - t0 < timeout:
            conn.rollback()
            time.sleep(0.5)
    return round(time.monotonic() - t0, 1)


@dataclass
class StoreRow:
    id: int
    slug: str
    schema: str
    owner_id: int
    association_slug: str
    provision_ms: float = 0.0


@dataclass
class Context:
    """What the measures share: the server, the owner engine, the data set, the options."""

    options: object
    tmp: str
    datadir: str | None
    owner_url: str
    owner: sa.Engine
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(48))
    billing_key: str = ""
    stores: list[StoreRow] = field(default_factory=list)
    checkpoint_hooks: list = field(default_factory=list)
    extra: dict = field(default_factory=dict)  # measures leave things for each other here (e.g. "django")
    _app: object = None
    _password_hash: str = ""
    _admins: dict[str, int] = field(default_factory=dict)
    _regions: list[tuple[str, str]] = field(default_factory=list)

    # -- server --------------------------------------------------------------------------------------------
    @classmethod
    def start(cls, options) -> Context:
        from cryptography.fernet import Fernet

        from database.engines import ensure_roles
        from database.migrate import upgrade_shared
        from security.passwords import hash_password

        base = options.tmpdir or ("/dev/shm" if os.access("/dev/shm", os.W_OK) else None)
        tmp = tempfile.mkdtemp(prefix="loupe-bench-", dir=base)
        os.chmod(tmp, 0o755)
        if os.environ.get("DATABASE_URL"):
            owner_url, datadir = os.environ["DATABASE_URL"], None
        else:
            from database.embedded import embedded_url

            datadir = os.path.join(tmp, "pg")
            owner_url = embedded_url(datadir)
        log(f"PostgreSQL: {'DATABASE_URL' if datadir is None else datadir}")
        owner = sa.create_engine(owner_url, pool_pre_ping=True)
        ensure_roles(owner, APP_ROLE)
        upgrade_shared(owner)
        ensure_roles(owner, APP_ROLE)
        ctx = cls(options=options, tmp=tmp, datadir=datadir, owner_url=owner_url, owner=owner)
        ctx.billing_key = Fernet.generate_key().decode()
        ctx._password_hash = hash_password(PASSWORD)
        ctx._make_associations()
        return ctx

    @property
    def app_url(self) -> str:
        from database.engines import app_url_for

        if os.environ.get("DATABASE_APP_URL"):
            return os.environ["DATABASE_APP_URL"]
        return app_url_for(self.owner_url, APP_ROLE).render_as_string(hide_password=False)

    def app_settings(self) -> dict:
        """The production settings the app runs with here (gunicorn gets them as environment variables)."""
        return {
            "SECRET_KEY": self.secret_key,
            "DATABASE_URL": self.owner_url,
            "DATABASE_APP_URL": self.app_url,
            "BILLING_ENCRYPTION_KEYS": self.billing_key,
            # The load measures sign many people in from 127.0.0.1: the per-address request limits would refuse them.
            "RATELIMIT_ENABLED": False,  # an override here; "False" in gunicorn's environment, read as off
        }

    @property
    def app(self):
        """Loupe's app in this process, production configuration (for in-process measures and sharing)."""
        if self._app is None:
            from app import create_app

            self._app = create_app("production", self.app_settings())
        return self._app

    def pg_bin(self, name: str) -> str:
        from pgserver._commands import POSTGRES_BIN_PATH

        return str(POSTGRES_BIN_PATH / name)

    def pg_user(self) -> str | None:
        return Path(self.datadir).owner() if self.datadir and os.geteuid() == 0 else None

    def close(self) -> None:
        from database import embedded

        with contextlib.suppress(Exception):
            self.owner.dispose()
        if self._app is not None:
            with contextlib.suppress(Exception):
                from database.request_scope import engines

                with self._app.app_context():
                    engines().app.dispose()
                    engines().owner.dispose()
        if self.datadir:
            subprocess.run(
                [self.pg_bin("pg_ctl"), "-D", self.datadir, "-w", "-m", "fast", "stop"],
                user=self.pg_user(),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=120,
                check=False,
            )
            server = embedded._servers.get(str(Path(self.datadir).resolve()))
            if server is not None:
                server.cleanup_mode = None
        if not self.options.keep:
            shutil.rmtree(self.tmp, ignore_errors=True)

    # -- data set ------------------------------------------------------------------------------------------
    def _make_associations(self) -> None:
        from models import Association, Membership, Region, Role, User

        with Session(self.owner) as session, session.begin():
            for a in range(1, ASSOCIATIONS + 1):
                association = Association(slug=f"assoc-{a}", name=f"Bench Jewellers Association {a}")
                session.add(association)
                session.flush()
                for r in range(1, REGIONS_PER_ASSOCIATION + 1):
                    session.add(Region(association_id=association.id, slug=f"region-{r}", name=f"Region {a}.{r}"))
                    self._regions.append((association.slug, f"region-{r}"))
                admin = User(email=f"admin@assoc-{a}.bench", name="Bench Admin", password_hash=self._password_hash)
                session.add(admin)
                session.flush()
                session.add(
                    Membership(user_id=admin.id, association_id=association.id, role=Role.ASSOCIATION_ADMIN.value)
                )
                self._admins[association.slug] = admin.id

    def new_store(self, index: int | None = None, *, seed: bool = True, use_pool: bool | None = None) -> StoreRow:
        """Provision one store through `tenants.provisioning.create_store` (timed by measure 1), then its owner.

        `use_pool=False` asks for a cold build where create_store knows a warm pool (tenants/ work in progress)."""
        import inspect

        from tenants.provisioning import StoreSpec, create_store

        kwargs = {}
        if use_pool is not None and "use_pool" in inspect.signature(create_store).parameters:
            kwargs["use_pool"] = use_pool

        index = len(self.stores) if index is None else index
        association_slug, region_slug = self._regions[index % len(self._regions)]
        spec = StoreSpec(association_slug, region_slug, f"Bench Store {index + 1}")
        t0 = time.perf_counter()
        store = create_store(self.owner, spec, app_role=APP_ROLE, **kwargs)
        elapsed_ms = (time.perf_counter() - t0) * 1000
        row = self._after_store(store, index, association_slug, seed=seed)
        row.provision_ms = elapsed_ms
        return row

    def _after_store(self, store, index: int, association_slug: str, *, seed: bool) -> StoreRow:
        from models import Membership, Role, User

        with Session(self.owner) as session, session.begin():
            user = User(
                email=f"owner-{store.id}@stores.bench", name=f"Owner {index + 1}", password_hash=self._password_hash
            )
            session.add(user)
            session.flush()
            session.add(
                Membership(
                    user_id=user.id, association_id=store.association_id, store_id=store.id, role=Role.STORE_OWNER.value
                )
            )
            owner_id = user.id
        row = StoreRow(store.id, store.slug, store.schema_name, owner_id, association_slug)
        if seed:
            self._seed_store(row, index)
        return row

    def _seed_store(self, row: StoreRow, index: int) -> None:
        from demo.logbook import seed_logbook
        from models.base import utcnow
        from tenants.binding import store_session

        if index % 4 != 0:
            return
        heavy = index % 100 == 0
        with store_session(self.owner, row.schema) as session:
            for week in range(30 if heavy else 1):
                seed_logbook(session, store_name=f"Bench Store {index + 1}", now=utcnow() - timedelta(weeks=week))
            session.commit()
        self._share(row)

    def _share(self, row: StoreRow, per_store: int = 2) -> None:
        from anonymize import TLP
        from audit import Actor, ActorKind
        from bulletins.moderation import approve
        from demo.bulletins import SHARED_TYPES
        from models import Association, Incident, Store, User
        from models.bulletins import Bulletin
        from tenants.binding import store_session

        with self.app.app_context():  # the share step reads the app's secret (trend contributor keys)
            with store_session(self.owner, row.schema) as session:
                store = session.get(Store, row.id)
                user = session.get(User, row.owner_id)
                incidents = session.scalars(
                    sa.select(Incident)
                    .where(Incident.incident_type.in_(SHARED_TYPES))
                    .order_by(Incident.occurred_at.desc())
                    .limit(per_store)
                ).all()
                from sharing.shares import SharingError, share_incident

                ids = []
                for incident in incidents:
                    # The first stores of an association are too few to hide among (the k-threshold on place
                    # labels, issue #17): their shares are refused until more stores join; later stores share.
                    try:
                        with session.begin_nested():
                            share = share_incident(session, store, incident, TLP.AMBER, user_id=user.id,
                                                   user_name=user.name)  # fmt: skip
                    except SharingError:
                        continue
                    ids.append(share.bulletin.id)
                session.commit()
            with Session(self.owner) as session, session.begin():
                association = session.scalar(sa.select(Association).where(Association.slug == row.association_slug))
                admin = session.get(User, self._admins[row.association_slug])
                for bulletin in session.scalars(sa.select(Bulletin).where(Bulletin.id.in_(ids))):
                    if bulletin.status == "pending":
                        approve(session, association, bulletin, actor=Actor.for_user(admin, kind=ActorKind.ADMIN))

    def grow_to(self, target: int) -> None:
        """Add stores up to `target`, calling every measure's checkpoint hook at the checkpoints on the way."""
        started, start_count = time.perf_counter(), len(self.stores)
        for checkpoint in sorted({c for c in self.checkpoints() if len(self.stores) <= c <= target} | {target}):
            while len(self.stores) < checkpoint:
                self.stores.append(self.new_store())
                n = len(self.stores)
                if n % 100 == 0:
                    rate = (n - start_count) / (time.perf_counter() - started)
                    log(f"  data set: {n}/{target} stores ({rate:.1f} stores/s with their data)")
            self.fire(checkpoint)

    def checkpoints(self) -> list[int]:
        n = self.options.stores
        return sorted({0, *(c for c in (10, 100) if c < n), n})

    def fire(self, count: int) -> None:
        if count in self.extra.setdefault("_fired", set()):
            return
        self.extra["_fired"].add(count)
        for hook in self.checkpoint_hooks:
            log(f"checkpoint {count} stores: {hook.__module__}")
            waited = self.settle()
            if waited >= 1:
                log(f"  waited {waited} s for autovacuum to finish")
            hook(self, count)

    def settle(self, timeout: float = 120.0) -> float:
        """Wait (up to `timeout` s) until no autovacuum worker is running; returns the seconds waited.

        Growing the data set and building schemas leave the catalogs and tables to autovacuum, which then competes
        for the machine's two cores with whatever is timed next. Timed sections start from a quiet server, as a
        production server between bursts of store creation would be."""
        return wait_for_autovacuum(self.owner, timeout)

    # -- sessions ------------------------------------------------------------------------------------------
    def session_cookie(self, user_id: int) -> str:
        """A signed-in cookie for `user_id`: a server-side auth session (accounts.accounts.start_session)
        and the Flask-Login session cookie that carries its token, as the login POST would set them."""
        from accounts.accounts import start_session
        from models import User

        app = self.app
        with Session(self.owner) as session, session.begin():
            token = start_session(session, session.get(User, user_id), ip="127.0.0.1", user_agent="wrk")
        serializer = app.session_interface.get_signing_serializer(app)
        value = serializer.dumps({"_user_id": token, "_fresh": True})
        return f"{app.config['SESSION_COOKIE_NAME']}={value}"
