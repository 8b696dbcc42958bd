"""Applying the shared schema's migrations (store schemas are migrated by `tenants.migrations`)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from config import SHARED_SCHEMA

SHARED_MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations" / "shared"


def shared_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(SHARED_MIGRATIONS))
    return cfg


def upgrade_shared(owner: Engine, target: str = "head") -> None:
    """Bring the shared schema to `target` in one transaction."""
    cfg = shared_config()
    with owner.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, target)


def shared_is_current(owner: Engine) -> bool:
    """True when the shared schema is at the head revision."""
    head = ScriptDirectory.from_config(shared_config()).get_current_head()
    with owner.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"version_table_schema": SHARED_SCHEMA})
        return ctx.get_current_revision() == head
