"""The shared models equal the shared schema the migrations build (nothing missing, nothing extra)."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from config import SHARED_SCHEMA
from models import SharedBase


def _only_shared(name, type_, parent_names):
    if type_ == "schema":
        return name == SHARED_SCHEMA
    return True


def test_shared_models_match_the_migrated_schema(engines):
    with engines.owner.connect() as conn:
        ctx = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                "include_schemas": True,
                "include_name": _only_shared,
                "version_table_schema": SHARED_SCHEMA,
            },
        )
        diff = [d for d in compare_metadata(ctx, SharedBase.metadata) if "alembic_version" not in repr(d)]
    assert diff == []
