"""The database as a Flask extension: engines created on first use, not at app creation."""

from __future__ import annotations

import threading
from pathlib import Path

from flask import Flask

from database.embedded import embedded_url, stop_on_sigterm
from database.engines import Engines, app_url_for, ensure_roles, make_engines


class Database:
    """Holds the engines of one app. With no DATABASE_URL it starts the embedded PostgreSQL on first use."""

    def __init__(self, app: Flask) -> None:
        self.config = app.config
        self.instance_path = Path(app.instance_path)
        self._engines: Engines | None = None
        self._lock = threading.Lock()
        app.extensions["loupe_db"] = self
        if not self.config.get("DATABASE_URL") and not app.testing:
            stop_on_sigterm()

    @property
    def owner_url(self) -> str:
        url = self.config.get("DATABASE_URL")
        if url:
            return url
        datadir = self.config.get("EMBEDDED_DB_DIR") or self.instance_path / "pgdata"
        return embedded_url(datadir)

    @property
    def app_role(self) -> str | None:
        """The restricted role requests run as, or None when requests use the owner connection."""
        if self.config.get("DATABASE_APP_URL") or not self.config.get("DATABASE_URL"):
            return self.config["DATABASE_APP_ROLE"]
        return None

    @property
    def engines(self) -> Engines:
        if self._engines is None:
            with self._lock:
                if self._engines is None:
                    owner_url = self.owner_url
                    app_url = self.config.get("DATABASE_APP_URL")
                    if app_url is None and not self.config.get("DATABASE_URL"):
                        app_url = app_url_for(owner_url, self.config["DATABASE_APP_ROLE"])
                    self._engines = make_engines(
                        owner_url,
                        app_url,
                        pool_size=self.config["DATABASE_POOL_SIZE"],
                        max_overflow=self.config["DATABASE_MAX_OVERFLOW"],
                        stores_per_connection=self.config["DATABASE_STORES_PER_CONNECTION"],
                        transaction_pooler=self.config.get("DATABASE_TRANSACTION_POOLER", False),
                    )
        return self._engines

    def ensure_roles(self) -> None:
        """Create the app role and its grants (a no-op when requests use the owner connection)."""
        if self.app_role:
            ensure_roles(self.engines.owner, self.app_role)

    def dispose(self) -> None:
        if self._engines is not None:
            self._engines.dispose()
            self._engines = None
