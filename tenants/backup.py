"""One store's data out and back in, and deletion on request.

`export_store` writes everything Loupe holds about one store as one JSON document: every row of every table in
its schema (photos as base64) at a recorded store revision, plus its shared rows (the registry row, memberships
with the people's emails and roles, its dues subscription's Stripe ids, the liaison review pointers). Secrets are
never exported: no password hashes, TOTP secrets, session tokens or Stripe keys.

`restore_store` loads such a file into a NEW store (new id, new schema, built by `tenants.provisioning`) on this
database or another one, inserting the rows with their ids in dependency order and moving every identity sequence
past them. A file made at another store revision is refused: restore it with the Loupe version that wrote it, then
upgrade the code and run `flask tenants migrate`.

`delete_store_data` answers a deletion request: the schema is dropped and the shared rows go with the registry row
(memberships, invitations, subscription, review pointers), people left with no membership anywhere are deleted,
and the audit log keeps its entries plus one saying what was deleted.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import enum
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any

import sqlalchemy as sa
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

import audit
from audit import Actor
from models import (
    STORE_ROLES,
    DuesPlan,
    Membership,
    PoliceShareIndex,
    Role,
    Store,
    StoreBase,
    StoreSubscription,
    User,
)
from tenants.errors import StoreNotFound, TenancyError
from tenants.migrations import store_head
from tenants.naming import is_store_schema
from tenants.provisioning import StoreSpec, create_store, drop_store

FORMAT = "loupe-store-export"
FORMAT_VERSION = 1
TRANSLATE = "schema_translate_map"
# Rows inserted per statement when restoring (photos make rows large).
INSERT_BATCH = 200

SUBSCRIPTION_FIELDS = (
    "stripe_customer_id",
    "stripe_subscription_id",
    "status",
    "current_period_end",
    "cancel_at_period_end",
    "dunning_notified_at",
    "synced_at",
    "created_at",
)
SHARE_INDEX_FIELDS = ("grant_id", "incident_types", "since", "until", "expires_at", "revoked_at", "reviewed_at")


class BackupError(TenancyError):
    """A file that cannot be restored, or a store that cannot be exported; the message says what to do."""

    status_code = 400


@dataclass
class RestoreReport:
    store: Store
    rows: dict[str, int]
    memberships: int = 0
    users_created: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class DeletionReport:
    slug: str
    schema: str | None
    users_deleted: list[str]


# --- values <-> JSON -------------------------------------------------------------------------------------------


def _encode(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    return value


def _python_type(type_: sa.types.TypeEngine) -> type | None:
    try:
        return type_.python_type
    except NotImplementedError:
        return None


def _decode(value: Any, type_: sa.types.TypeEngine) -> Any:
    """Turn a JSON value back into what the column takes, by the column's type."""
    if value is None:
        return None
    if isinstance(type_, sa.ARRAY):
        return [_decode(v, type_.item_type) for v in value]
    py = _python_type(type_)
    if py is bytes:
        return base64.b64decode(value, validate=True)
    if py is dt.datetime:
        return dt.datetime.fromisoformat(value)
    if py is dt.date:
        return dt.date.fromisoformat(value)
    if py is dt.time:
        return dt.time.fromisoformat(value)
    if py is dt.timedelta:
        return dt.timedelta(seconds=value)
    if py is decimal.Decimal:
        return decimal.Decimal(value)
    if py is uuid.UUID:
        return uuid.UUID(value)
    return value


def _row(obj: Any, fields: Iterable[str]) -> dict[str, Any]:
    return {name: _encode(getattr(obj, name)) for name in fields}


# --- export ------------------------------------------------------------------------------------------------------


def _schema_revision(conn: Connection, schema: str) -> str | None:
    quoted = conn.dialect.identifier_preparer.quote(schema)
    return conn.exec_driver_sql(f"SELECT version_num FROM {quoted}.alembic_version").scalar()


def store_tables() -> list[sa.Table]:
    """Every table of a store schema, parents before children."""
    return list(StoreBase.metadata.sorted_tables)


def _shared_part(session: Session, store: Store) -> dict[str, Any]:
    members = session.execute(
        sa.select(User.email, User.name, Membership.role, Membership.created_at)
        .join(User, User.id == Membership.user_id)
        .where(Membership.store_id == store.id)
        .order_by(User.email)
    ).all()
    subscription = session.execute(
        sa.select(StoreSubscription, DuesPlan.name)
        .outerjoin(DuesPlan, DuesPlan.id == StoreSubscription.plan_id)
        .where(StoreSubscription.store_id == store.id)
    ).first()
    pointers = session.execute(
        sa.select(PoliceShareIndex, User.email)
        .join(User, User.id == PoliceShareIndex.liaison_user_id)
        .where(PoliceShareIndex.store_id == store.id)
        .order_by(PoliceShareIndex.grant_id)
    ).all()
    return {
        "store": {
            "id": store.id,
            "slug": store.slug,
            "name": store.name,
            "schema": store.schema_name,
            "status": store.status,
            "association": store.association.slug,
            "region": store.region.slug,
            "area": store.area.slug if store.area else None,
            "created_at": _encode(store.created_at),
            "provisioned_at": _encode(store.provisioned_at),
            "suspended_at": _encode(store.suspended_at),
        },
        "memberships": [
            {"email": email, "name": name, "role": role, "created_at": _encode(created)}
            for email, name, role, created in members
        ],
        "subscription": (
            {**_row(subscription[0], SUBSCRIPTION_FIELDS), "plan": subscription[1]} if subscription else None
        ),
        "police_share_index": [
            {**_row(pointer, SHARE_INDEX_FIELDS), "liaison_email": email} for pointer, email in pointers
        ],
    }


def export_document(owner: Engine, slug: str) -> dict[str, Any]:
    """Everything about one store as a JSON-ready dict, read in one consistent snapshot."""
    with owner.connect() as conn:
        conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with Session(bind=conn) as session, session.begin():
            store = session.scalar(sa.select(Store).where(Store.slug == slug))
            if store is None:
                raise StoreNotFound(f"No store {slug!r}.")
            schema = store.schema_name
            if not schema or not is_store_schema(schema) or store.status not in ("ready", "suspended"):
                raise BackupError(f"Store {slug!r} has no built schema (status {store.status}); nothing to export.")
            document: dict[str, Any] = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "exported_at": dt.datetime.now(dt.UTC).isoformat(),
                "store_revision": _schema_revision(conn, schema),
                **_shared_part(session, store),
            }
            # Shared tables name their schema; only the store tables (schema None) are translated.
            conn.execution_options(**{TRANSLATE: {None: schema}})
            tables: dict[str, Any] = {}
            for table in store_tables():
                order = list(table.primary_key.columns) or list(table.columns)
                rows = conn.execute(sa.select(*table.columns).order_by(*order)).all()
                tables[table.name] = {
                    "columns": [c.name for c in table.columns],
                    "rows": [[_encode(v) for v in row] for row in rows],
                }
            document["tables"] = tables
            return document


def export_store(owner: Engine, slug: str, out: IO[str], *, actor: Actor | None = None) -> dict[str, int]:
    """Write one store's export to `out` and audit it; returns the row count per table."""
    document = export_document(owner, slug)
    json.dump(document, out, ensure_ascii=False, separators=(",", ":"))
    out.write("\n")
    counts = {name: len(t["rows"]) for name, t in document["tables"].items()}
    with owner.begin() as conn:
        store = document["store"]
        audit.record(
            conn,
            "store.export",
            actor=actor,
            store_id=store["id"],
            association_id=conn.scalar(sa.select(Store.association_id).where(Store.id == store["id"])),
            target=store["slug"],
            details={"revision": document["store_revision"], "rows": sum(counts.values())},
        )
    return counts


# --- restore -----------------------------------------------------------------------------------------------------


def check_document(document: Any) -> None:
    """Refuse a file that is not a store export of this code's store revision, before anything is created."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BackupError("This is not a Loupe store export.")
    if document.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"Export format {document.get('format_version')!r} is not supported (expected 1).")
    head = store_head()
    revision = document.get("store_revision")
    if revision != head:
        raise BackupError(
            f"The file was exported at store revision {revision!r}; this Loupe is at {head!r}. Restore it with the "
            f"Loupe version whose store head is {revision!r} (its `flask tenants restore`), then upgrade Loupe and "
            "run `flask tenants migrate` to bring the restored store to head; or export it again after migrating "
            "the original store."
        )
    tables = document.get("tables")
    if not isinstance(tables, dict):
        raise BackupError("The export has no tables.")
    known = {t.name: t for t in store_tables()}
    unknown = sorted(set(tables) - set(known))
    if unknown:
        raise BackupError("The export has tables this store revision does not: " + ", ".join(unknown))
    for name, data in tables.items():
        columns = data.get("columns") if isinstance(data, dict) else None
        if not isinstance(columns, list) or not isinstance(data.get("rows"), list):
            raise BackupError(f"Table {name} in the export is malformed.")
        extra = sorted(set(columns) - set(known[name].c.keys()))
        if extra:
            raise BackupError(f"Table {name} in the export has unknown columns: {', '.join(extra)}")
        if any(not isinstance(r, list) or len(r) != len(columns) for r in data["rows"]):
            raise BackupError(f"Table {name} in the export has a row of the wrong length.")


def _load_rows(conn: Connection, tables: dict[str, Any]) -> dict[str, int]:
    """Replace the new schema's seeded rows with the file's, then move every identity sequence past them."""
    counts: dict[str, int] = {}
    ordered = store_tables()
    for table in reversed(ordered):
        conn.execute(sa.delete(table))
    for table in ordered:
        data = tables.get(table.name, {"columns": [], "rows": []})
        columns = data["columns"]
        rows = [
            {name: _decode(value, table.c[name].type) for name, value in zip(columns, row, strict=True)}
            for row in data["rows"]
        ]
        for start in range(0, len(rows), INSERT_BATCH):
            conn.execute(sa.insert(table), rows[start : start + INSERT_BATCH])
        counts[table.name] = len(rows)
    for table in ordered:
        for column in table.columns:
            if column.identity is None:
                continue
            schema = conn.get_execution_options()[TRANSLATE][None]
            prep = conn.dialect.identifier_preparer
            target = f"{prep.quote(schema)}.{prep.quote(table.name)}"
            col = prep.quote(column.name)
            # The max first, then setval alone: on Citus a setval inside a query that reads a store table runs on
            # the store's worker, whose sequence has another range ("value 3 is out of bounds").
            highest = conn.execute(sa.text(f"SELECT MAX({col}) FROM {target}")).scalar()
            conn.execute(
                sa.text("SELECT setval(pg_get_serial_sequence(:t, :c), :v, :called)"),
                {"t": target, "c": column.name, "v": highest or 1, "called": highest is not None},
            )
    return counts


def _restore_shared(conn: Connection, document: dict[str, Any], store: Store, report: RestoreReport) -> None:
    """Memberships (people created without a password when missing), subscription ids, liaison review pointers."""
    for member in document.get("memberships") or []:
        email = str(member["email"]).strip().lower()
        role = member["role"]
        if role not in STORE_ROLES:
            report.notes.append(f"membership of {email} skipped: unknown store role {role!r}")
            continue
        user_id = conn.scalar(sa.select(User.id).where(User.email == email))
        if user_id is None:
            user_id = conn.scalar(
                sa.insert(User)
                .values(email=email, name=member.get("name") or "", password_hash=None)
                .returning(User.id)
            )
            report.users_created.append(email)
        conn.execute(
            sa.insert(Membership).values(
                user_id=user_id, association_id=store.association_id, store_id=store.id, role=role
            )
        )
        report.memberships += 1

    sub = document.get("subscription")
    if sub:
        ids = [sub.get("stripe_customer_id"), sub.get("stripe_subscription_id")]
        taken = conn.scalar(
            sa.select(sa.func.count())
            .select_from(StoreSubscription)
            .where(
                sa.or_(
                    StoreSubscription.stripe_customer_id.in_([i for i in ids if i]),
                    StoreSubscription.stripe_subscription_id.in_([i for i in ids if i]),
                )
            )
        )
        if taken:
            report.notes.append(
                "dues subscription not restored: its Stripe customer or subscription belongs to another store here "
                "(the original); move it after deleting the original, or start a new checkout"
            )
        else:
            plan_id = None
            if sub.get("plan"):
                plan_id = conn.scalar(
                    sa.select(DuesPlan.id).where(
                        DuesPlan.association_id == store.association_id, DuesPlan.name == sub["plan"]
                    )
                )
            values = {
                name: _decode(sub.get(name), StoreSubscription.__table__.c[name].type) for name in SUBSCRIPTION_FIELDS
            }
            values = {k: v for k, v in values.items() if v is not None}
            conn.execute(
                sa.insert(StoreSubscription).values(
                    store_id=store.id, association_id=store.association_id, plan_id=plan_id, **values
                )
            )

    for pointer in document.get("police_share_index") or []:
        email = str(pointer.get("liaison_email", "")).lower()
        liaison_id = conn.scalar(
            sa.select(User.id)
            .join(Membership, Membership.user_id == User.id)
            .where(
                User.email == email,
                Membership.association_id == store.association_id,
                Membership.role == Role.POLICE_LIAISON.value,
            )
        )
        if liaison_id is None:
            report.notes.append(f"review grant {pointer.get('grant_id')} not shown to {email}: no such liaison here")
            continue
        table = PoliceShareIndex.__table__
        values = {name: _decode(pointer.get(name), table.c[name].type) for name in SHARE_INDEX_FIELDS}
        conn.execute(sa.insert(PoliceShareIndex).values(store_id=store.id, liaison_user_id=liaison_id, **values))


def restore_document(
    owner: Engine,
    document: dict[str, Any],
    *,
    association_slug: str,
    region_slug: str,
    app_role: str | None,
    name: str | None = None,
    slug: str | None = None,
    actor: Actor | None = None,
) -> RestoreReport:
    """Restore an export into a new store of `association_slug`/`region_slug`; the new store is left out on failure."""
    check_document(document)
    original = document.get("store") or {}
    if slug is None and original.get("slug"):
        with owner.connect() as conn:
            if conn.scalar(sa.select(Store.id).where(Store.slug == original["slug"])) is None:
                slug = original["slug"]
    store = create_store(
        owner,
        StoreSpec(association_slug, region_slug, name or original.get("name") or "Restored store", slug),
        app_role=app_role,
        actor=actor,
    )
    report = RestoreReport(store=store, rows={})
    try:
        with owner.connect() as conn, conn.begin():
            # One transaction: the rows, the shared rows and the audit entry land together or not at all.
            conn.execution_options(**{TRANSLATE: {None: store.schema_name}})
            report.rows = _load_rows(conn, document["tables"])
            _restore_shared(conn, document, store, report)
            audit.record(
                conn,
                "store.restore",
                actor=actor,
                association_id=store.association_id,
                store_id=store.id,
                target=store.slug,
                details={
                    "from_store_id": original.get("id"),
                    "from_slug": original.get("slug"),
                    "revision": document["store_revision"],
                    "rows": sum(report.rows.values()),
                },
            )
    except Exception:
        drop_store(owner, store.id, actor=actor)
        raise
    return report


def restore_store(owner: Engine, source: IO[str], **kwargs: Any) -> RestoreReport:
    """Read an export file and restore it (see `restore_document`)."""
    try:
        document = json.load(source)
    except json.JSONDecodeError as exc:
        raise BackupError(f"The file is not valid JSON ({exc.msg} at line {exc.lineno}).") from None
    return restore_document(owner, document, **kwargs)


# --- deletion on request -----------------------------------------------------------------------------------------


def delete_store_data(owner: Engine, slug: str, *, actor: Actor | None = None) -> DeletionReport:
    """Delete everything about a store except the audit log, which records the deletion."""
    with owner.connect() as conn:
        row = conn.execute(
            sa.select(Store.id, Store.schema_name, Store.association_id).where(Store.slug == slug)
        ).first()
        if row is None:
            raise StoreNotFound(f"No store {slug!r}.")
        store_id, schema, association_id = row
        members = set(conn.scalars(sa.select(Membership.user_id).where(Membership.store_id == store_id)))
    # Schema and registry row; memberships, invitations, subscription and review pointers cascade with it.
    drop_store(owner, store_id, actor=actor)
    with owner.begin() as conn:
        # People who were here and now belong nowhere are this store's data too (operators are the platform's).
        orphans = (
            conn.execute(
                sa.delete(User)
                .where(
                    User.id.in_(members),
                    User.is_operator.is_(False),
                    ~sa.exists().where(Membership.user_id == User.id),
                )
                .returning(User.email)
            )
            .scalars()
            .all()
        )
        audit.record(
            conn,
            "store.delete_data",
            actor=actor,
            association_id=association_id,
            store_id=store_id,
            target=slug,
            details={"schema": schema, "people_deleted": len(orphans)},
        )
    return DeletionReport(slug=slug, schema=schema, users_deleted=sorted(orphans))
