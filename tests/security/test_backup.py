"""Backup and data rights: one store exported, restored as a new store (here and in another database), and deleted
on request with nothing of it left but the audit log."""

from __future__ import annotations

import io
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from audit import Actor
from database.engines import ensure_roles
from database.migrate import upgrade_shared
from demo.briefing import seed_briefing_and_plans
from demo.contacts import seed_contacts
from demo.logbook import seed_logbook
from demo.patrols import seed_patrols
from demo.review import seed_review
from models import (
    Association,
    AuditEntry,
    DuesPlan,
    Incident,
    IncidentPhoto,
    Membership,
    PoliceContact,
    PoliceShareIndex,
    Region,
    ReviewGrant,
    Role,
    SharedBase,
    Store,
    StoreBase,
    StoreSubscription,
    User,
)
from models.base import utcnow
from tenants.backup import BackupError, delete_store_data, export_document, restore_document, store_tables
from tenants.binding import store_session

# Every byte value, twice, so base64 and bytea both have to be exact.
PHOTO = bytes(range(256)) * 2 + b"\x00\xff\x00"


@pytest.fixture
def populated(engines, make_world, make_store, make_user):
    """A store with rows in its tables (demo records, a photo), members, a dues subscription and a liaison pointer."""
    world = make_world()
    store = make_store(world, "Backup Jewellers")
    now = utcnow()
    with store_session(engines.owner, store.schema_name) as session:
        session.add(
            PoliceContact(
                agency="City Police",
                officer_name="PC Dana Hughes",
                rank_unit="Constable",
                phone="+44 20 7946 0101",
                email="dana.hughes@example.org",
                preferred_contact="phone",
                notes="Prefers calls before noon; ünïcødé ✓ and 'quotes'",
            )
        )
        session.flush()
        seed_logbook(session, store_name=store.name, now=now)
        seed_contacts(session, store_name=store.name, now=now)
        seed_briefing_and_plans(session, store_name=store.name)
        seed_patrols(session, store_name=store.name, now=now)
        seed_review(session, store_name=store.name, now=now)
        incident = session.scalar(sa.select(Incident).order_by(Incident.id).limit(1))
        session.add(
            IncidentPhoto(
                incident_id=incident.id,
                stored_name=uuid.uuid4().hex,
                content_type="image/png",
                width=4,
                height=3,
                byte_size=len(PHOTO),
                data=PHOTO,
            )
        )
        session.commit()
        grant_id = session.scalar(sa.select(ReviewGrant.id).order_by(ReviewGrant.id).limit(1))
    owner = make_user(store=store, role=Role.STORE_OWNER)
    staff = make_user(store=store, role=Role.STORE_STAFF)
    liaison = make_user(association=world.association, role=Role.POLICE_LIAISON)
    suffix = uuid.uuid4().hex[:10]
    with Session(engines.owner) as session, session.begin():
        plan = DuesPlan(
            association_id=world.association.id, name="Annual", interval="year", amount=12000, currency="eur"
        )
        session.add(plan)
        session.flush()
        session.add(
            StoreSubscription(
                store_id=store.id,
                association_id=world.association.id,
                plan_id=plan.id,
                stripe_customer_id=f"cus_{suffix}",
                stripe_subscription_id=f"sub_{suffix}",
                status="active",
                current_period_end=now + timedelta(days=300),
            )
        )
        session.add(
            PoliceShareIndex(
                store_id=store.id,
                liaison_user_id=liaison.id,
                grant_id=grant_id,
                incident_types=["casing"],
                since=(now - timedelta(days=30)).date(),
                until=now.date(),
                expires_at=now + timedelta(days=7),
            )
        )
    return {"world": world, "store": store, "owner": owner, "staff": staff, "liaison": liaison, "suffix": suffix}


def snapshot(engine: sa.Engine, schema: str) -> dict[str, list[tuple]]:
    """Every row of every store table, ordered by primary key."""
    with engine.connect() as conn:
        conn.execution_options(schema_translate_map={None: schema})
        return {
            table.name: [tuple(row) for row in conn.execute(sa.select(table).order_by(*table.primary_key.columns))]
            for table in store_tables()
        }


def members(engine: sa.Engine, store_id: int) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        return sorted(
            conn.execute(
                sa.select(User.email, Membership.role)
                .join(User, User.id == Membership.user_id)
                .where(Membership.store_id == store_id)
            ).all()
        )


def round_trip(document: dict) -> dict:
    """Through real JSON text, as the file would be."""
    buffer = io.StringIO()
    json.dump(document, buffer)
    return json.loads(buffer.getvalue())


def test_export_restore_round_trip_keeps_every_row(engines, app_role, populated, make_world):
    store = populated["store"]
    original = snapshot(engines.owner, store.schema_name)
    filled = [name for name, rows in original.items() if rows]
    assert {"incidents", "incident_photos", "police_contacts", "review_grants", "store_settings"} <= set(filled)

    document = round_trip(export_document(engines.owner, store.slug))
    assert {name: len(t["rows"]) for name, t in document["tables"].items()} == {k: len(v) for k, v in original.items()}
    assert "password_hash" not in json.dumps(document)

    target = make_world()
    report = restore_document(
        engines.owner,
        document,
        association_slug=target.association.slug,
        region_slug=target.region.slug,
        app_role=app_role,
        actor=Actor.system("ops@example.org"),
    )
    restored = report.store
    assert restored.id != store.id and restored.schema_name != store.schema_name
    assert restored.slug != store.slug  # the original still holds its address
    assert snapshot(engines.owner, restored.schema_name) == original
    assert report.rows == {k: len(v) for k, v in original.items()}
    assert members(engines.owner, restored.id) == members(engines.owner, store.id)
    assert report.users_created == []
    # The Stripe ids still belong to the original store in this database: not duplicated, said so.
    assert any("subscription not restored" in note for note in report.notes)
    with engines.owner.connect() as conn:
        assert conn.scalar(sa.select(sa.func.count()).where(StoreSubscription.store_id == restored.id)) == 0
        pointer = conn.execute(sa.select(PoliceShareIndex).where(PoliceShareIndex.store_id == restored.id)).all()
        assert pointer == []  # the liaison belongs to the original association, not the target one
        action = conn.scalar(
            sa.select(AuditEntry.action).where(AuditEntry.store_id == restored.id, AuditEntry.action == "store.restore")
        )
        assert action == "store.restore"

    # Sequences were moved past the restored ids: the app role adds rows without colliding.
    with store_session(engines.app, restored.schema_name) as session:
        top = max(row[0] for row in original["police_contacts"])
        contact = PoliceContact(agency="County Police", officer_name="Sgt. New", preferred_contact="email")
        session.add(contact)
        session.commit()
        assert contact.id > top


def test_photos_survive_byte_for_byte(engines, app_role, populated, make_world):
    store = populated["store"]
    target = make_world()
    document = round_trip(export_document(engines.owner, store.slug))
    report = restore_document(
        engines.owner,
        document,
        association_slug=target.association.slug,
        region_slug=target.region.slug,
        app_role=app_role,
    )
    with store_session(engines.app, report.store.schema_name) as session:
        photo = session.scalar(sa.select(IncidentPhoto).where(IncidentPhoto.byte_size == len(PHOTO)))
        assert photo is not None and photo.data == PHOTO


def test_restore_into_another_database_on_the_same_server(engines, app_role, populated):
    store = populated["store"]
    document = round_trip(export_document(engines.owner, store.slug))
    original = snapshot(engines.owner, store.schema_name)
    name = f"loupe_restore_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(engines.owner.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    other = sa.create_engine(engines.owner.url.set(database=name))
    try:
        ensure_roles(other, app_role)
        upgrade_shared(other)
        ensure_roles(other, app_role)
        with Session(other) as session, session.begin():
            association = Association(slug="restored", name="Restored Association")
            session.add(association)
            session.flush()
            session.add(Region(association_id=association.id, slug="west", name="West"))
            session.add(
                DuesPlan(association_id=association.id, name="Annual", interval="year", amount=1, currency="eur")
            )
        report = restore_document(
            other, document, association_slug="restored", region_slug="west", app_role=app_role, name="Moved"
        )
        restored = report.store
        assert restored.slug == store.slug  # free in the new database
        assert restored.name == "Moved"
        assert snapshot(other, restored.schema_name) == original
        # People did not exist there: created without a password (they set one through a reset).
        assert sorted(report.users_created) == sorted([populated["owner"].email, populated["staff"].email])
        assert members(other, restored.id) == members(engines.owner, store.id)
        with other.connect() as conn:
            assert conn.scalar(sa.select(User.password_hash).where(User.email == populated["owner"].email)) is None
            sub = conn.execute(
                sa.select(StoreSubscription.stripe_customer_id, StoreSubscription.status, DuesPlan.name)
                .join(DuesPlan, DuesPlan.id == StoreSubscription.plan_id)
                .where(StoreSubscription.store_id == restored.id)
            ).one()
        suffix = populated["suffix"]
        assert tuple(sub) == (f"cus_{suffix}", "active", "Annual")
    finally:
        other.dispose()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def test_a_file_from_another_store_revision_is_refused(engines, app_role, populated, make_world):
    document = export_document(engines.owner, populated["store"].slug)
    document["store_revision"] = "s0001"
    target = make_world()
    with pytest.raises(BackupError, match="flask tenants migrate"):
        restore_document(
            engines.owner,
            document,
            association_slug=target.association.slug,
            region_slug=target.region.slug,
            app_role=app_role,
        )
    with engines.owner.connect() as conn:
        assert conn.scalar(sa.select(sa.func.count()).where(Store.association_id == target.association.id)) == 0


def test_a_malformed_file_creates_nothing(engines, app_role, populated, make_world):
    document = export_document(engines.owner, populated["store"].slug)
    document["tables"]["incidents"]["columns"].append("secret_column")
    target = make_world()
    with pytest.raises(BackupError, match="unknown columns"):
        restore_document(
            engines.owner,
            document,
            association_slug=target.association.slug,
            region_slug=target.region.slug,
            app_role=app_role,
        )
    with engines.owner.connect() as conn:
        assert conn.scalar(sa.select(sa.func.count()).where(Store.association_id == target.association.id)) == 0


def store_references(conn: sa.Connection, store_id: int) -> dict[str, int]:
    """Rows of every shared table that point at the store (a foreign key to stores or a `store_id` column)."""
    found = {}
    for table in SharedBase.metadata.sorted_tables:
        columns = [
            c
            for c in table.columns
            if c.name == "store_id" or any(fk.column.table.name == "stores" for fk in c.foreign_keys)
        ]
        if table.name == "stores":
            columns = [table.c.id]
        for column in columns:
            count = conn.scalar(sa.select(sa.func.count()).select_from(table).where(column == store_id))
            if count:
                found[f"{table.name}.{column.name}"] = count
    return found


def test_delete_on_request_leaves_nothing_but_the_audit(engines, populated, make_store, add_membership, make_user):
    store = populated["store"]
    world = populated["world"]
    elsewhere = make_store(world, "Other Jewellers")
    add_membership(populated["staff"], elsewhere, Role.STORE_STAFF)  # works in two stores: kept
    operator = make_user(operator=True)
    add_membership(operator, store, Role.STORE_MANAGER)  # a platform operator is never deleted with a store
    with engines.owner.connect() as conn:
        before = store_references(conn, store.id)
    assert {"stores.id", "memberships.store_id", "store_subscriptions.store_id", "police_share_index.store_id"} <= set(
        before
    )

    report = delete_store_data(engines.owner, store.slug, actor=Actor.system("ops@example.org"))

    assert report.users_deleted == [populated["owner"].email]
    with engines.owner.connect() as conn:
        assert (
            conn.scalar(sa.text("SELECT count(*) FROM pg_namespace WHERE nspname = :s"), {"s": store.schema_name}) == 0
        )
        assert set(store_references(conn, store.id)) <= {"audit_log.store_id"}
        emails = set(conn.scalars(sa.select(User.email)))
        assert populated["owner"].email not in emails
        assert {populated["staff"].email, operator.email, populated["liaison"].email} <= emails
        actions = set(conn.scalars(sa.select(AuditEntry.action).where(AuditEntry.store_id == store.id)))
        assert {"store.create", "store.drop", "store.delete_data"} <= actions
        assert conn.scalar(sa.select(sa.func.count()).where(Store.id == elsewhere.id)) == 1


def test_cli_export_restore_delete(app, engines, populated, make_world, tmp_path):
    store = populated["store"]
    target = make_world()
    runner = app.test_cli_runner()
    path = tmp_path / "store.json"

    result = runner.invoke(args=["tenants", "export", store.slug, str(path)])
    assert result.exit_code == 0, result.output
    assert json.loads(path.read_text())["store"]["slug"] == store.slug

    result = runner.invoke(
        args=["tenants", "restore", str(path), "--association", target.association.slug, "--region", "north"]
    )
    assert result.exit_code == 0, result.output
    new_slug, schema = result.stdout.splitlines()[0].split("\t")
    assert snapshot(engines.owner, schema) == snapshot(engines.owner, store.schema_name)

    refused = runner.invoke(args=["tenants", "delete-data", new_slug])
    assert refused.exit_code != 0 and "--yes" in refused.output
    result = runner.invoke(args=["tenants", "delete-data", new_slug, "--yes"])
    assert result.exit_code == 0, result.output
    with engines.owner.connect() as conn:
        assert conn.scalar(sa.select(sa.func.count()).where(Store.slug == new_slug)) == 0
    missing = runner.invoke(args=["tenants", "export", "no-such-store", str(tmp_path / "x.json")])
    assert missing.exit_code != 0 and "No store" in missing.output


def test_every_store_table_is_exported(engines, populated):
    document = export_document(engines.owner, populated["store"].slug)
    assert set(document["tables"]) == {t.name for t in StoreBase.metadata.sorted_tables}
    assert datetime.fromisoformat(document["exported_at"]).tzinfo is not None
    assert document["exported_at"] <= datetime.now(UTC).isoformat()
