"""Creating and dropping store schemas.

Registering a store (a registry row in `provisioning`) is a domain function in the caller's transaction.
Building its schema is a job on the owner connection: one transaction creates the schema, replays the head DDL,
stamps the revision, grants the app role, seeds defaults and marks the store `ready`. A failure leaves the store
`failed` with the reason and nothing half-built, so the job can simply run again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.orm import Session

import audit
from models import Area, Association, Region, Store, StoreStatus
from tenants.ddl import provisioning_script
from tenants.errors import InvalidStoreName, StoreNotFound, TenancyError
from tenants.migrations import store_head
from tenants.naming import (
    clean_store_name,
    free_slug,
    is_store_schema,
    schema_name_for,
    slug_from_name,
    validate_slug,
)


@dataclass(frozen=True)
class StoreSpec:
    """What is needed to register one store."""

    association_slug: str
    region_slug: str
    name: str
    slug: str | None = None


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
        raise InvalidStoreName("That region belongs to another association.")
    if area is not None and area.region_id != region.id:
        raise InvalidStoreName("That area belongs to another region.")
    if slug:
        final_slug = validate_slug(slug)
        if session.scalar(sa.select(Store.id).where(Store.slug == final_slug)) is not None:
            raise InvalidStoreName(f"The store address {final_slug!r} is taken; choose another.")
    else:
        final_slug = _free_slug(session, slug_from_name(clean_name))
    store = Store(
        association_id=association.id,
        region_id=region.id,
        area_id=area.id if area else None,
        name=clean_name,
        slug=final_slug,
        status=StoreStatus.PROVISIONING.value,
    )
    session.add(store)
    session.flush()
    store.schema_name = schema_name_for(store.id)
    session.flush()
    return store


def _free_slug(session: Session, base: str) -> str:
    taken = set(session.scalars(sa.select(Store.slug).where(sa.or_(Store.slug == base, Store.slug.like(f"{base}-%")))))
    return free_slug(base, taken)


def build_store_schema(owner: Engine, store_id: int, *, app_role: str | None) -> float:
    """Build the schema of a registered store and mark it ready; returns the seconds it took. Idempotent.

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
            conn.connection.driver_connection.execute(provisioning_script(schema, store_head(), app_role))
            conn.execute(
                sa.update(Store)
                .where(Store.id == store_id)
                .values(
                    status=StoreStatus.READY.value,
                    schema_revision=store_head(),
                    provisioned_at=sa.func.now(),
                    last_error=None,
                )
            )
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
    actor_email: str | None = None,
) -> Store:
    """Register and build one store (the CLI's and the demo's path). Returns the registry row, detached."""
    with Session(owner, expire_on_commit=False) as session, session.begin():
        association = session.scalar(sa.select(Association).where(Association.slug == spec.association_slug))
        if association is None:
            raise InvalidStoreName(f"No association {spec.association_slug!r}.")
        region = session.scalar(
            sa.select(Region).where(Region.association_id == association.id, Region.slug == spec.region_slug)
        )
        if region is None:
            raise InvalidStoreName(f"No region {spec.region_slug!r} in association {association.slug!r}.")
        store = register_store(session, association=association, region=region, name=spec.name, slug=spec.slug)
        audit.record(
            session,
            "store.create",
            actor_email=actor_email,
            association_id=association.id,
            store_id=store.id,
            target=store.slug,
        )
    build_store_schema(owner, store.id, app_role=app_role)
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


def drop_store(owner: Engine, store_id: int, *, actor_email: str | None = None) -> str:
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
            actor_email=actor_email,
            association_id=association_id,
            store_id=store_id,
            target=slug,
            details={"schema": schema},
        )
    return slug
