"""Alembic environment of the shared schema. The connection comes from `database.migrate` (or -x url=...)."""

from alembic import context
from sqlalchemy import create_engine

from config import SHARED_SCHEMA
from database.citus import plain_schemas_in_this_transaction
from models import SharedBase

config = context.config


def include_name(name, type_, parent_names):
    # Only the shared schema is ours to compare; store schemas have their own environment.
    if type_ == "schema":
        return name == SHARED_SCHEMA
    return True


def run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=SharedBase.metadata,
        version_table_schema=SHARED_SCHEMA,
        include_schemas=True,
        include_name=include_name,
        transactional_ddl=True,
    )
    with context.begin_transaction():
        # On Citus, for the whole (single) migration transaction: `loupe` and the schemas shared migrations create
        # (`loupe_jobs`) stay regular schemas on the coordinator; only store and pool schemas are distributed.
        plain_schemas_in_this_transaction(connection)
        connection.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{SHARED_SCHEMA}"')
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    with create_engine(url).connect() as conn:
        run(conn)
        conn.commit()
