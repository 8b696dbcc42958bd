"""Creating and dropping store schemas.

Registering a store (a registry row in `provisioning`) is a domain function in the caller's transaction.
Giving it its schema takes one of two paths, both one transaction that ends with the store `ready`:
- the warm pool (`tenants.pool`): claim a pre-built schema at head, rename it to `store_<id>`, seed, grant —
  a few milliseconds whatever the number of stores. `create_store` does this in the registry row's own
  transaction, so the store goes from nothing to `ready` in one commit;
- the cold build, when the pool is empty: create the schema, replay the head DDL, stamp the revision, seed
  defaults, grant the app role (tens of milliseconds per table on a real disk).
A failure leaves the store `failed` with the reason and nothing half-built, so the job can simply run again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

import audit
from audit import Actor
from config import SHARED_SCHEMA
from database.statements import run_statements
from i18n import _
from models import Area, Association, Region, Store, StoreStatus
from tenants.ddl import provisioning_statements
from tenants.errors import InvalidStoreName, StoreNotFound, TenancyError
from tenants.migrations import store_head
from tenants.naming import (
    clean_store_name,
    free_slug,
    is_store_schema,
    schema_name_for,
    slug_from_name,
    slug_unavailable,
    validate_slug,
)
from tenants.pool import claim_for_store


@dataclass(frozen=True)
class StoreSpec:
    """What is needed to register one store."""

    association_slug: str
    region_slug: str
    name: str
    slug: str | None = None


def next_id_and_slugs_taken(base: str, *, exact: bool) -> sa.Select:
    """A new store's id and the slugs in the way of `base`: `base` itself, or with `exact=False` also `base-2`,
    `base-3`, … (the prefix is an index range, `ix_stores_slug_pattern`, not a scan of the registry)."""
    in_the_way = Store.slug == base if exact else sa.or_(Store.slug == base, Store.slug.like(f"{base}-%"))
    return sa.select(
        sa.func.nextval(sa.func.pg_get_serial_sequence(f"{SHARED_SCHEMA}.stores", "id")),
        sa.select(sa.func.array_agg(Store.slug)).where(in_the_way).scalar_subquery(),
    )


def register_store(
    session: Session,
    *,
    association: Association,
    region: Region,
    name: str,
    slug: str | None = None,
    area: Area | None = None,
) -> Store:
    """Add a store in `provisioning` with its generated schema name. Flushes, never commits."""
    clean_name = clean_store_name(name)
    if region.association_id != association.id:
        raise InvalidStoreName(_("That region belongs to another association."))
    if area is not None and area.region_id != region.id:
        raise InvalidStoreName(_("That area belongs to another region."))
    # The slugs in the way and the store's id come in one round trip: with the id known up front, the row goes in
    # with its schema name in one INSERT (no INSERT-then-UPDATE).
    base = validate_slug(slug) if slug else slug_from_name(clean_name)
    store_id, taken = session.execute(next_id_and_slugs_taken(base, exact=bool(slug))).one()
    if slug and taken:
        raise slug_unavailable(base)  # the same answer as for a reserved word: nothing about who holds it
    store = Store(
        id=store_id,
        association_id=association.id,
        region_id=region.id,
        area_id=area.id if area else None,
        name=clean_name,
        slug=base if slug else free_slug(base, set(taken or ())),
        schema_name=schema_name_for(store_id),
        status=StoreStatus.PROVISIONING.value,
    )
    session.add(store)
    session.flush()
    return store


def _ready_values(revision: str) -> dict:
    return {
        "status": StoreStatus.READY.value,
        "schema_revision": revision,
        "provisioned_at": sa.func.now(),
        "last_error": None,
    }


def build_store_schema(owner: Engine, store_id: int, *, app_role: str | None, use_pool: bool = True) -> float:
    """Give a registered store its schema (from the warm pool, else built cold) and mark it ready; returns the
    seconds it took. Idempotent.

    On failure the store is marked `failed` with the reason and the error is raised again; running this
    again retries from scratch because the failed transaction left nothing behind.
    """
    started = time.perf_counter()
    try:
        with owner.begin() as conn:
            row = conn.execute(
                sa.select(Store.schema_name, Store.status).where(Store.id == store_id).with_for_update()
            ).first()
            if row is None:
                raise StoreNotFound(f"no store with id {store_id}")
            schema, status = row
            if status in (StoreStatus.READY, StoreStatus.SUSPENDED):
                return time.perf_counter() - started
            if not schema or not is_store_schema(schema):
                raise TenancyError(f"store {store_id} has no generated schema name")
            if conn.scalar(sa.text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": schema}):
                raise TenancyError(
                    f"schema {schema} exists but store {store_id} is not ready: drop the store and create it again"
                )
            head = store_head()
            if use_pool and claim_for_store(conn, store_id, schema, revision=head, app_role=app_role):
                return time.perf_counter() - started  # the claim marked the store ready
            run_statements(conn.connection.driver_connection, provisioning_statements(schema, head, app_role))
            conn.execute(sa.update(Store).where(Store.id == store_id).values(**_ready_values(head)))
    except Exception as exc:
        with owner.begin() as conn:
            conn.execute(
                sa.update(Store)
                .where(Store.id == store_id, Store.status != StoreStatus.READY.value)
                .values(status=StoreStatus.FAILED.value, last_error=str(exc)[:2000])
            )
        raise
    return time.perf_counter() - started


def create_store(
    owner: Engine,
    spec: StoreSpec,
    *,
    app_role: str | None,
    actor: Actor | None = None,
    use_pool: bool = True,
) -> Store:
    """Register one store and give it its schema (the CLI's and the demo's path). Returns the registry row, detached.

    With a pool schema at head, registry row, claim, seed and grants are one transaction; otherwise the registry
    row is committed first and the schema is built cold (`build_store_schema`), as before.
    """
    with Session(owner, expire_on_commit=False) as session, session.begin():
        found = session.execute(  # one round trip for both
            sa.select(Association, Region)
            .outerjoin(Region, sa.and_(Region.association_id == Association.id, Region.slug == spec.region_slug))
            .where(Association.slug == spec.association_slug)
        ).first()
        if found is None:
            raise InvalidStoreName(f"No association {spec.association_slug!r}.")
        association, region = found
        if region is None:
            raise InvalidStoreName(f"No region {spec.region_slug!r} in association {association.slug!r}.")
        store = register_store(session, association=association, region=region, name=spec.name, slug=spec.slug)
        audit.record(
            session,
            "store.create",
            actor=actor,
            association_id=association.id,
            store_id=store.id,
            target=store.slug,
        )
        if use_pool:
            head = store_head()
            at = claim_for_store(session.connection(), store.id, store.schema_name, revision=head, app_role=app_role)
            if at is not None:  # registry row, claimed schema and `ready` commit together
                for key, value in {**_ready_values(head), "provisioned_at": at}.items():
                    set_committed_value(store, key, value)
                return store
    build_store_schema(owner, store.id, app_role=app_role, use_pool=False)
    store.status = StoreStatus.READY.value
    return store


def create_stores(
    owner: Engine,
    specs: Iterable[StoreSpec],
    *,
    app_role: str | None,
    on_progress: Callable[[Store], None] | None = None,
) -> list[Store]:
    """Provision many stores one after another, reporting each one as it is ready."""
    created = []
    for spec in specs:
        store = create_store(owner, spec, app_role=app_role)
        created.append(store)
        if on_progress:
            on_progress(store)
    return created


def drop_store(owner: Engine, store_id: int, *, actor: Actor | None = None) -> str:
    """Drop a store's schema and its registry row (memberships and invitations go with it); the audit stays."""
    with owner.begin() as conn:
        row = conn.execute(
            sa.select(Store.schema_name, Store.slug, Store.association_id).where(Store.id == store_id).with_for_update()
        ).first()
        if row is None:
            raise StoreNotFound(f"no store with id {store_id}")
        schema, slug, association_id = row
        if schema and is_store_schema(schema):
            quoted = conn.dialect.identifier_preparer.quote(schema)
            conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {quoted} CASCADE")
        conn.execute(sa.delete(Store).where(Store.id == store_id))
        audit.record(
            conn,
            "store.drop",
            actor=actor,
            association_id=association_id,
            store_id=store_id,
            target=slug,
            details={"schema": schema},
        )
    return slug
