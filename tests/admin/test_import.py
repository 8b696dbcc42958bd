"""CSV import: per-line errors, duplicates, hostile names, 5,000 rows, and nothing half-imported."""

from __future__ import annotations

import html
import io
import time
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from audit import Actor
from members.imports import import_stores
from models import Association, AuditEntry, Invitation, Store, StoreStatus
from tests.admin.conftest import text_of, token_of

HEADER = "name,slug,region,area,owner_email,owner_name\n"
AGE = timedelta(days=7)


def run_import(engines, app, association_id: int, text: str | bytes, *, dry_run: bool = False):
    data = text.encode() if isinstance(text, str) else text
    with app.test_request_context("/"), Session(engines.owner) as session, session.begin():
        association = session.get(Association, association_id)
        return import_stores(
            session, association, data, actor=Actor.system("cli"), dry_run=dry_run, invitation_max_age=AGE
        )


def store_count(engines, association_id: int) -> int:
    with engines.owner.connect() as conn:
        return conn.scalar(sa.select(sa.func.count()).where(Store.association_id == association_id))


def errors_by_line(report) -> dict[int, list[str]]:
    return {r.line: r.errors for r in report.rows if r.errors}


def test_every_bad_line_is_reported_and_nothing_is_imported(app, engines, admin_world, make_store):
    make_store(admin_world.world, "Existing Gems")
    aid = admin_world.association.id
    csv_text = HEADER + "\n".join(
        [
            "Good One,,north,,one@example.org,Ann One",  # 2: fine
            ",,north,,two@example.org,No Name",  # 3: no name
            "Bad Region,,atlantis,,three@example.org,Bo",  # 4: unknown region
            "Bad Email,,north,,not-an-email,Cy",  # 5: email
            "Bad Slug,Not A Slug!,north,,four@example.org,Di",  # 6: slug format
            "Good One,,north,,five@example.org,Ed",  # 7: same store as line 2
            "Existing Gems,,north,,six@example.org,Flo",  # 8: already a member
            "Too,Few,Fields",  # 9: wrong number of fields
            "Dup Slug A,same-slug,north,,a@example.org,Gus",  # 10
            "Dup Slug B,same-slug,north,,b@example.org,Hal",  # 11: slug also on line 10
            "No Area,,north,nowhere,c@example.org,Ivy",  # 12: unknown area
            "Admin,admin,north,,d@example.org,Jo",  # 13: reserved slug
        ]
    )
    report = run_import(engines, app, aid, csv_text)
    assert not report.ok and report.created_store_ids == []
    errors = errors_by_line(report)
    assert set(errors) == {3, 4, 5, 6, 7, 8, 9, 11, 12, 13}
    assert "Enter the store's name." in errors[3]
    assert "No region 'atlantis'" in errors[4][0]
    assert errors[5][0].startswith("Owner email")
    assert "also on line 2" in errors[7][0]
    assert "already exists" in errors[8][0]
    assert "Expected 6 fields, found 3" in errors[9][0]
    assert "also on line 10" in errors[11][0]
    assert "No area" in errors[12][0]
    assert errors[13] == ["The store address 'admin' is not available; choose another."]
    assert store_count(engines, aid) == 1


def test_hostile_names_are_refused_or_kept_as_plain_text(app, engines, admin_world, admin_client):
    aid = admin_world.association.id
    csv_text = HEADER + "\n".join(
        [
            '"<script>alert(1)</script> Gems",,north,,x1@example.org,Xena',
            '"=HYPERLINK(""http://evil.example"",""click"")",,north,,x2@example.org,Yan',
            '"Right\u202eLeft Jewels",,north,,x3@example.org,Zed',  # bidi override: refused
            '"Robert\'); DROP TABLE stores;--",,north,,x4@example.org,Bobby',
            '"' + "A" * 250 + '",,north,,x5@example.org,Long',
            '"Nul\x01Byte",,north,,x6@example.org,Ctl',
            '"Fine Gems",,north,,x7@example.org,"Owner\r\nBcc: evil@example.org"',
        ]
    )
    report = run_import(engines, app, aid, csv_text)
    errors = errors_by_line(report)
    assert set(errors) == {4, 6, 7, 8}
    assert "control or invisible" in errors[4][0]
    assert "too long" in errors[6][0]
    assert "control characters" in errors[8][0]
    # The web page shows the report escaped.
    token = token_of(admin_client, f"{admin_world.url}/members/import")
    response = admin_client.post(
        f"{admin_world.url}/members/import",
        data={"csrf_token": token, "file": (io.BytesIO(csv_text.encode()), "stores.csv"), "dry_run": "y"},
        content_type="multipart/form-data",
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "<script>alert(1)" not in body
    assert store_count(engines, aid) == 0


def test_files_that_are_not_csv_get_a_clear_message(app, engines, admin_world):
    aid = admin_world.association.id
    cases = {
        b"": "empty",
        b"\xff\xfe\x00n\x00a": "not UTF-8",
        b"just,some,columns\n1,2,3\n": "missing",
        HEADER.encode(): "no stores",
        (HEADER.strip() + ",bonus\n").encode(): "Unknown columns",
    }
    for data, message in cases.items():
        report = run_import(engines, app, aid, data)
        assert not report.ok and message in report.file_errors[0], (data, report.file_errors)


def test_a_dry_run_checks_everything_and_writes_nothing(app, engines, admin_world):
    aid = admin_world.association.id
    report = run_import(engines, app, aid, HEADER + "Dry Gems,,north,,d@example.org,Dee\n", dry_run=True)
    assert report.ok and report.rows[0].slug == "dry-gems"
    assert store_count(engines, aid) == 0


def test_another_associations_store_address_gets_the_answer_a_reserved_word_gets(
    app, engines, admin_world, admin_client, make_world, make_store
):
    """The dry run and the import itself answer an address held by another association's store exactly as they
    answer a reserved word (and one of the admin's own stores): nothing tells that the other store exists."""
    theirs = make_store(make_world())
    mine = make_store(admin_world.world)
    aid = admin_world.association.id
    slugs = {"other association": theirs.slug, "reserved": "admin", "own store": mine.slug}

    def line_errors(slug: str, *, dry_run: bool) -> list[str]:
        report = run_import(engines, app, aid, HEADER + f"New Gems,{slug},north,,n@example.org,Nia\n", dry_run=dry_run)
        (row,) = report.rows
        return [error.replace(f"'{slug}'", "'<address>'") for error in row.errors]

    for dry_run in (True, False):
        answers = {why: line_errors(slug, dry_run=dry_run) for why, slug in slugs.items()}
        assert answers["other association"] == answers["reserved"] == answers["own store"], answers
        assert answers["other association"] == ["The store address '<address>' is not available; choose another."]
    assert store_count(engines, aid) == 1

    # The dry-run page over the web: the same visible text, whatever holds the address.
    def dry_run_page(slug: str) -> tuple[int, str]:
        csv_text = HEADER + f"New Gems,{slug},north,,n@example.org,Nia\n"
        response = admin_client.post(
            f"{admin_world.url}/members/import",
            data={
                "csrf_token": token_of(admin_client, f"{admin_world.url}/members/import"),
                "file": (io.BytesIO(csv_text.encode()), "stores.csv"),
                "dry_run": "y",
            },
            content_type="multipart/form-data",
        )
        return response.status_code, html.unescape(text_of(response)).replace(f"'{slug}'", "'<address>'")

    pages = {why: dry_run_page(slug) for why, slug in slugs.items()}
    assert pages["other association"] == pages["reserved"] == pages["own store"]
    assert pages["other association"][0] == 400
    assert "The store address '<address>' is not available" in pages["other association"][1]


def test_five_thousand_stores_are_checked_then_registered_in_one_go(app, engines, admin_world):
    aid = admin_world.association.id
    lines = [f"Store {i:05d},,{'north' if i % 2 else 'south'},,owner{i}@example.org,Owner {i}" for i in range(5000)]
    bad = lines.copy()
    bad[4321] = "Store 00007,,north,,dup@example.org,Dup"  # a duplicate deep in the file
    started = time.perf_counter()
    report = run_import(engines, app, aid, HEADER + "\n".join(bad))
    assert not report.ok and list(errors_by_line(report)) == [4323]
    assert store_count(engines, aid) == 0
    report = run_import(engines, app, aid, HEADER + "\n".join(lines))
    elapsed = time.perf_counter() - started
    assert report.ok and len(report.created_store_ids) == 5000
    with Session(engines.owner) as session:
        stores = session.execute(
            sa.select(Store.status, Store.schema_name, Store.id).where(Store.association_id == aid)
        ).all()
        assert len(stores) == 5000
        assert all(s == StoreStatus.PROVISIONING and name == f"store_{i}" for s, name, i in stores)
        invitations = session.scalar(
            sa.select(sa.func.count()).where(Invitation.association_id == aid, Invitation.role == "owner")
        )
        assert invitations == 5000
        entry = session.scalar(
            sa.select(AuditEntry).where(AuditEntry.action == "store.import", AuditEntry.association_id == aid)
        )
        assert entry.details["stores"] == 5000
    assert elapsed < 120
    # Tidy up: these stores have no schemas; the other tests' provisioning must not try to build them.
    with Session(engines.owner) as session, session.begin():
        session.execute(sa.delete(Store).where(Store.association_id == aid))


def test_the_import_page_registers_and_builds_a_few_stores(admin_client, admin_world, engines, run_jobs):
    csv_text = HEADER + "Web One,,north,,w1@example.org,Wendy\nWeb Two,,south,,w2@example.org,Walt\n"
    url = f"{admin_world.url}/members/import"
    token = token_of(admin_client, url)
    response = admin_client.post(
        url,
        data={"csrf_token": token, "file": (io.BytesIO(csv_text.encode()), "stores.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    run_jobs()  # the request wrote one build job for both stores; the worker builds them
    with engines.owner.connect() as conn:
        statuses = conn.scalars(sa.select(Store.status).where(Store.association_id == admin_world.association.id)).all()
    assert statuses == ["ready", "ready"]
    response = admin_client.post(url, data={"csrf_token": token}, content_type="multipart/form-data")
    assert response.status_code == 400 and "Choose a CSV file" in response.get_data(as_text=True)
