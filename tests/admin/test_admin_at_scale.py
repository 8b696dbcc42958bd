"""The association admin at 50 stores and 500 bulletins (issue #19): the paged moderation queue with its count and
likely duplicates, people search/pages/last sign-in, store last activity, set-up progress, digest periods as dates,
the time zone picker, the least privileged invite default, "Import these N stores", and no placeholders."""

from __future__ import annotations

import base64
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import DigestRun, Membership, Role, Store, User
from models.base import utcnow
from models.bulletins import Bulletin
from tests.admin.conftest import text_of, token_of
from tests.fixtures.web import post_form, sign_in

ROOT = Path(__file__).resolve().parents[2]


def add_bulletins(engines, world, count: int, **values) -> list[int]:
    with Session(engines.owner, expire_on_commit=False) as session, session.begin():
        rows = [
            Bulletin(
                association_id=world.association.id,
                region_id=world.region.id,
                region_label="North",
                tlp="AMBER",
                title=values.get("title", f"Van circling the square {i}"),
                narrative="Seen photographing windows.",
                status="pending",
                expires_at=utcnow() + timedelta(days=30),
                **{k: v for k, v in values.items() if k != "title"},
            )
            for i in range(count)
        ]
        session.add_all(rows)
        session.flush()
        return [b.id for b in rows]


# --- moderation ---------------------------------------------------------------------------------------------------


def test_the_moderation_queue_is_paged_and_counted_on_the_home_page_and_menu(admin_client, admin_world, engines):
    ids = add_bulletins(engines, admin_world.world, 25)
    url = admin_world.url
    first = admin_client.get(f"{url}/moderation")
    html = first.get_data(as_text=True)
    assert first.status_code == 200
    assert "25 bulletins waiting for review" in html and "Page 1 of 2" in html
    assert f'id="bulletin-{ids[0]}"' in html and f'id="bulletin-{ids[20]}"' not in html  # oldest first, 20 a page
    second = admin_client.get(f"{url}/moderation?page=2").get_data(as_text=True)
    assert f'id="bulletin-{ids[20]}"' in second and f'id="bulletin-{ids[0]}"' not in second
    for bad in ("3", "0", "-1", "abc", "99999999999999999999"):
        response = admin_client.get(f"{url}/moderation?page={bad}")
        assert response.status_code == 400, bad
    assert "There is no page 3: the queue has 2 pages." in text_of(admin_client.get(f"{url}/moderation?page=3"))

    home = admin_client.get(f"{url}/")
    assert re.search(r'id="moderation-waiting"[^>]*><strong>25</strong>bulletins waiting for review', home.text)
    # The menu's badge, on every admin page.
    members = admin_client.get(f"{url}/members/").get_data(as_text=True)
    assert re.search(r">Moderation <span class=\"badge\"[^>]*>25<", members)


def test_likely_duplicates_say_what_they_share(admin_client, admin_world, engines):
    world = admin_world.world
    day = date(2026, 11, 20)
    van = [{"plate": "ab-12 cd", "make": "Ford"}]
    add_bulletins(engines, world, 1, title="Grey van at the mall", vehicles=van, day=day)
    add_bulletins(engines, world, 1, title="Van again", vehicles=[{"plate": "AB12CD"}])
    add_bulletins(engines, world, 1, title="Distraction at the counter", day=day)
    add_bulletins(engines, world, 1, title="Nothing alike", day=day + timedelta(days=3))
    # A pattern bulletin is built from bulletins that look alike: it is never paired with them (rule 4).
    add_bulletins(engines, world, 1, title="Pattern: grey van", kind="pattern", vehicles=[{"plate": "AB12CD"}], day=day)
    page = text_of(admin_client.get(f"{admin_world.url}/moderation"))
    assert "Looks like “Van again” (waiting): the same plate AB12CD." in page
    assert "Looks like “Grey van at the mall” (waiting): the same plate AB12CD." in page
    assert (
        "Looks like “Distraction at the counter” (waiting): the same kind of incident on the same day in this region."
        in page
    )
    assert "Looks like “Nothing alike”" not in page and "Looks like “Pattern: grey van”" not in page
    assert page.count("Looks like") == 4  # van ↔ van, mall ↔ counter (same day, same kind), each way


# --- people -------------------------------------------------------------------------------------------------------


def test_people_are_searched_and_paged_with_their_last_sign_in(admin_client, admin_world, engines, make_store):
    store = make_store(admin_world.world, "Gem Hall")
    with Session(engines.owner) as session, session.begin():
        for i in range(55):
            user = User(email=f"person{i:02d}-{store.id}@example.org", name=f"Person {i:02d}")
            session.add(user)
            session.flush()
            session.add(
                Membership(user_id=user.id, association_id=store.association_id, store_id=store.id, role="staff")
            )
        session.add(User(email=f"outsider-{store.id}@example.org", name="Marie Outsider"))
    url = f"{admin_world.url}/people/"
    first = admin_client.get(url)
    assert first.status_code == 200
    assert "56 people" in text_of(first) and "page 1 of 2" in text_of(first)  # 55 + the admin
    assert admin_client.get(url + "?page=2").status_code == 200
    for bad in ("3", "x", "0"):
        assert admin_client.get(url + f"?page={bad}").status_code == 400
    found = text_of(admin_client.get(url, query_string={"q": "person 07"}))
    assert "1 person" in found and "Person 07" in found and "Person 08" not in found
    by_email = text_of(admin_client.get(url, query_string={"q": f"PERSON12-{store.id}"}))
    assert "Person 12" in by_email and "1 person" in by_email
    assert "Nobody here matches" in text_of(admin_client.get(url, query_string={"q": "Outsider"}))  # not a member
    assert "Nobody here matches" in text_of(admin_client.get(url, query_string={"q": "%_\\"}))
    # The admin signed in (the fixture): recorded, and shown; the others never did.
    with Session(engines.owner) as session:
        assert session.get(User, admin_world.admin.id).last_sign_in_at is not None
    assert "Never signed in" in first.get_data(as_text=True)
    assert "Last signed in" in admin_client.get(url + "?page=2").get_data(as_text=True)  # "Test Person", sorted last


def test_the_invite_form_starts_on_the_least_privileged_role(admin_client, admin_world):
    html = admin_client.get(f"{admin_world.url}/people/").get_data(as_text=True)
    assert re.search(r'<option selected value="staff">Store staff</option>', html)
    assert '<option selected value="admin">' not in html


# --- members: last activity and set-up progress ---------------------------------------------------------------------


def _store_row(engines, store_id: int) -> Store:
    with Session(engines.owner, expire_on_commit=False) as session:
        return session.get(Store, store_id)


def test_last_activity_is_recorded_hourly_and_set_up_progress_shown(
    admin_client, admin_world, engines, make_store, make_user, app
):
    store = make_store(admin_world.world, "Opal House")
    owner = make_user(store=store, role=Role.STORE_OWNER)
    members = f"{admin_world.url}/members/"
    before = text_of(admin_client.get(members))
    assert "none yet" in before and "2 of 4 steps" in before  # workspace ready, owner joined; not signed in, no contact

    owner_client = app.test_client()
    sign_in(owner_client, owner.email)
    signed_in = _store_row(engines, store.id).last_activity_at
    assert signed_in is not None

    # Saving something within the hour does not write again; the first police contact is noted.
    contact = {"agency": "City Police", "officer_name": "Sgt Lee", "preferred_contact": "phone"}
    saved = post_form(owner_client, f"/s/{store.slug}/contacts/new", contact)
    assert saved.status_code == 302
    row = _store_row(engines, store.id)
    assert row.last_activity_at == signed_in and row.police_contact_added_at is not None

    # An hour later, a save moves it.
    with Session(engines.owner) as session, session.begin():
        session.execute(
            sa.update(Store).where(Store.id == store.id).values(last_activity_at=signed_in - timedelta(hours=2))
        )
    assert (
        post_form(owner_client, f"/s/{store.slug}/contacts/new", {**contact, "officer_name": "Cst Roy"}).status_code
        == 302
    )
    assert _store_row(engines, store.id).last_activity_at > signed_in
    # A read does not write.
    with Session(engines.owner) as session, session.begin():
        session.execute(
            sa.update(Store).where(Store.id == store.id).values(last_activity_at=signed_in - timedelta(hours=2))
        )
    owner_client.get(f"/s/{store.slug}/contacts")
    assert _store_row(engines, store.id).last_activity_at < signed_in

    after = text_of(admin_client.get(members))
    assert "none yet" not in after and "complete" in after
    assert "complete" in text_of(admin_client.get(f"{members}{store.id}"))


# --- digest periods -----------------------------------------------------------------------------------------------


def test_digest_periods_read_as_dates(admin_client, admin_world, engines):
    with Session(engines.owner, expire_on_commit=False) as session, session.begin():
        run = DigestRun(
            association_id=admin_world.association.id,
            region_id=admin_world.world.region.id,
            period="2026-W48",
            kind="weekly",
            starts_on=date(2026, 11, 23),
            ends_on=date(2026, 11, 30),
            content={},
        )
        session.add(run)
    for page in ("/digest", f"/digest/runs/{run.id}", "/"):
        text = text_of(admin_client.get(admin_world.url + page))
        assert re.search(r"Nov 23\s*–\s*29, 2026", text), page  # Babel's interval (thin spaces around the dash)
        assert "2026-W48" not in text, page


# --- region settings ----------------------------------------------------------------------------------------------


def test_time_zones_are_picked_from_a_list_and_k_is_explained(admin_client, admin_world):
    html = admin_client.get(f"{admin_world.url}/regions/").get_data(as_text=True)
    assert re.search(r'<select[^>]*name="timezone"', html)
    assert '<optgroup label="America">' in html and '<option value="America/Toronto">Toronto</option>' in html
    assert "raising it protects stores better" in html
    region = admin_client.get(f"{admin_world.url}/regions/{admin_world.other_region.id}").get_data(as_text=True)
    assert '<option selected value="">As the association</option>' in region


# --- CSV import ---------------------------------------------------------------------------------------------------


HEADER = "name,slug,region,area,owner_email,owner_name\n"


def test_import_these_n_stores_after_a_clean_dry_run_lands_on_them(admin_client, admin_world, engines):
    url = f"{admin_world.url}/members/import"
    text = HEADER + "Ruby Lane,,north,,ruby@example.org,Ann Ruby\nJade Court,,south,,jade@example.org,Bo Jade\n"
    page = admin_client.post(
        url,
        data={
            "csrf_token": token_of(admin_client, url),
            "dry_run": "y",
            "file": (__import__("io").BytesIO(text.encode()), "s.csv"),
        },
        content_type="multipart/form-data",
    )
    assert page.status_code == 200 and "Import these 2 stores" in text_of(page)
    checked = re.search(r'name="checked_csv" type="hidden" value="([^"]+)"', page.get_data(as_text=True))[1]

    def count():
        with engines.owner.connect() as conn:
            return conn.scalar(sa.select(sa.func.count()).where(Store.association_id == admin_world.association.id))

    # A file that does not come back whole is refused, and nothing is imported.
    broken = admin_client.post(
        f"{url}/confirm", data={"csrf_token": token_of(admin_client, url), "checked_csv": "!!not base64"}
    )
    assert broken.status_code == 400 and count() == 0
    # Changed on the way back: checked again, refused line by line.
    bad = base64.b64encode((HEADER + "X,,atlantis,,x@example.org,X\n").encode()).decode()
    refused = admin_client.post(f"{url}/confirm", data={"csrf_token": token_of(admin_client, url), "checked_csv": bad})
    assert refused.status_code == 400 and count() == 0

    done = admin_client.post(f"{url}/confirm", data={"csrf_token": token_of(admin_client, url), "checked_csv": checked})
    assert done.status_code == 302 and count() == 2
    assert "first=" in done.headers["Location"] and "last=" in done.headers["Location"]
    landed = text_of(admin_client.get(done.headers["Location"]))
    assert "2 stores imported" in landed and "Ruby Lane" in landed and "Jade Court" in landed
    assert "owner invited" in landed  # the set-up steps of each
    assert admin_client.get(f"{admin_world.url}/members/?first=5&last=1").status_code == 400


# --- destructive actions and placeholders -------------------------------------------------------------------------


def test_suspending_a_store_asks_first(admin_client, admin_world, make_store):
    store = make_store(admin_world.world, "Topaz Row")
    html = admin_client.get(f"{admin_world.url}/members/{store.id}").get_data(as_text=True)
    assert '<details class="confirm">' in html and "Suspend Topaz Row?" in html and "Yes, suspend Topaz Row" in html


@pytest.mark.parametrize("folder", ["admin", "operator"])
def test_no_placeholders_are_left(folder):
    for path in (ROOT / "templates" / folder).glob("*.html"):
        text = path.read_text()
        for phrase in ("a later issue", "will show here", "later issue)"):
            assert phrase not in text, f"{path.name}: {phrase}"
