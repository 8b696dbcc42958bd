"""Alembic environment of the store schemas, for authoring revisions from the command line.

The migration runner (`tenants.migrations`) does not go through this file: it configures Alembic directly on one
connection per store. Here, `-x schema=store_N` chooses the schema to compare against (autogenerate).
"""

from alembic import context
from sqlalchemy import create_engine

from models import StoreBase

config = context.config
schema = context.get_x_argument(as_dictionary=True).get("schema")
url = config.get_main_option("sqlalchemy.url")
if not schema or not url:
    raise SystemExit("use: alembic -n store -x schema=store_N -x url=... revision --autogenerate -m '...'")

engine = create_engine(url)
with engine.connect() as connection, connection.begin():
    connection.exec_driver_sql(f'SET LOCAL search_path TO "{schema}"')
    connection = connection.execution_options(schema_translate_map={None: schema})
    context.configure(connection=connection, target_metadata=StoreBase.metadata, transactional_ddl=True)
    context.run_migrations()
