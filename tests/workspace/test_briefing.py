"""The security briefing: owners and managers only, every view and print audited, TLP:RED, forms keep input."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from audit import Actor
from briefing import briefing as services
from models import AuditEntry, Keyholder, PoliceContact, Role, SafeOrVault, SecurityBriefing
from tests.fixtures.web import csrf_token, post_form, sign_in

SECRET = "Blind-Spot-Zebra-Secret"


@pytest.fixture
def shop(make_world, make_store, make_user, in_store):
    """A store with a filled briefing, one keyholder, one safe and one police contact, and its people."""
    world = make_world()
    store = make_store(world, "Briefed Jewels")

    def fill(session):
        profile = services.get_profile(session)
        profile.alarm_system = "Texecom Premier Elite"
        profile.camera_blind_spots = SECRET
        session.add(Keyholder(name="Kim Keyholder", role="Owner", phone="+44 1", holds_alarm_code=True))
        session.add(SafeOrVault(kind="vault", safe_type="Chubb", rating="Grade IV", has_time_lock=True))
        session.add(PoliceContact(agency="City Police", officer_name="PC Dana Hughes"))

    in_store(store, fill)
    return {
        "world": world,
        "store": store,
        "owner": make_user(store=store, role=Role.STORE_OWNER),
        "manager": make_user(store=store, role=Role.STORE_MANAGER),
        "staff": make_user(store=store, role=Role.STORE_STAFF),
    }


def audit_rows(engines, store_id: int, action: str) -> list[AuditEntry]:
    with Session(engines.owner) as session:
        rows = session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.store_id == store_id, AuditEntry.action == action)
            .order_by(AuditEntry.id)
        ).all()
        session.expunge_all()
        return list(rows)


def actor(user) -> Actor:
    return Actor.for_user(user)


# Domain functions, no HTTP.


def test_the_briefing_is_one_row_per_store(shop, in_store):
    store = shop["store"]
    assert in_store(store, lambda s: services.get_profile(s).id) == 1
    assert in_store(store, lambda s: s.scalar(sa.select(sa.func.count()).select_from(SecurityBriefing))) == 1
    with pytest.raises(IntegrityError):
        in_store(store, lambda s: (s.add(SecurityBriefing(id=2)), s.flush()))


def test_saving_records_which_part_changed_but_not_its_contents(shop, in_store, engines):
    store, owner = shop["store"], shop["owner"]
    in_store(
        store,
        lambda s: services.save_profile(
            s,
            store,
            actor(owner),
            {"closing_procedure": "  Two people, always  ", "last_reviewed_on": date(2026, 3, 1)},
        ),
    )
    profile = in_store(store, lambda s: services.get_profile(s))
    assert profile.closing_procedure == "Two people, always" and profile.last_reviewed_on == date(2026, 3, 1)
    rows = audit_rows(engines, store.id, "briefing.update")
    assert [(r.details["section"], r.details["change"], r.actor_user_id) for r in rows] == [
        ("profile", "edit", owner.id)
    ]
    assert "Two people" not in str(rows[0].details) and "Two people" not in (rows[0].target or "")


def test_keyholders_and_safes_are_added_changed_and_removed(shop, in_store, engines):
    store, a = shop["store"], actor(shop["owner"])
    kid = in_store(store, lambda s: services.save_keyholder(s, store, a, {"name": "Lee", "phone": "1"}).id)
    in_store(
        store,
        lambda s: services.save_keyholder(
            s, store, a, {"name": "Lee Ray", "holds_alarm_code": True}, services.get_keyholder(s, kid)
        ),
    )
    kept = in_store(store, lambda s: services.get_keyholder(s, kid))
    assert kept.name == "Lee Ray" and kept.holds_alarm_code is True
    in_store(store, lambda s: services.delete_keyholder(s, store, a, kid))
    with pytest.raises(services.NotFound):
        in_store(store, lambda s: services.get_keyholder(s, kid))

    safe = in_store(
        store,
        lambda s: services.save_safe(
            s, store, a, {"kind": "safe", "has_time_lock": True, "time_lock_delay_minutes": 10, "location": "Back"}
        ),
    )
    assert safe.time_lock_delay_minutes == 10
    changes = [(r.details["section"], r.details["change"]) for r in audit_rows(engines, store.id, "briefing.update")]
    assert changes == [("keyholder", "add"), ("keyholder", "edit"), ("keyholder", "delete"), ("safe", "add")]


def test_a_time_lock_delay_needs_a_time_lock(shop, in_store):
    store = shop["store"]
    with pytest.raises(services.TimeLockDelayInvalid):
        in_store(
            store,
            lambda s: services.save_safe(
                s, store, actor(shop["owner"]), {"kind": "safe", "time_lock_delay_minutes": 5}
            ),
        )


def test_only_reads_are_recorded_as_briefing_access(shop, in_store):
    with pytest.raises(ValueError):
        in_store(
            shop["store"],
            lambda s: services.record_access(s, shop["store"], actor(shop["owner"]), "briefing.update", page="x"),
        )


# Views.


@pytest.mark.parametrize("who", ["owner", "manager"])
def test_owners_and_managers_read_it_and_each_view_is_audited(client, shop, engines, who):
    store, person = shop["store"], shop[who]
    sign_in(client, person.email)
    page = client.get(f"/s/{store.slug}/briefing/")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert SECRET in body and "Kim Keyholder" in body and "holds alarm code" in body and "Chubb" in body
    assert body.count("TLP:RED") >= 2
    rows = audit_rows(engines, store.id, "briefing.view")
    assert len(rows) == 1
    assert rows[0].actor_user_id == person.id and rows[0].actor_email == person.email
    assert rows[0].association_id == store.association_id and rows[0].details == {"page": "show"}


def test_the_printable_page_is_marked_tlp_red_top_and_bottom_and_audited(client, shop, engines, in_store):
    store = shop["store"]
    contact_id = in_store(store, lambda s: s.scalar(sa.select(PoliceContact.id)))
    sign_in(client, shop["owner"].email)
    page = client.get(f"/s/{store.slug}/briefing/print?recipient={contact_id}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    article = body[body.index('<article class="card briefing briefing-print">') :]
    assert article.count("TLP:RED") == 2 and "named recipients only" in article
    assert article.index("TLP:RED") < article.index(SECRET) < article.rindex("TLP:RED")
    assert "Prepared for</dt><dd>PC Dana Hughes, City Police" in article
    assert 'class="card no-print print-controls"' in body  # the recipient picker is not printed
    rows = audit_rows(engines, store.id, "briefing.print")
    assert len(rows) == 1 and rows[0].details == {"page": "print", "recipient": "PC Dana Hughes (City Police)"}
    assert audit_rows(engines, store.id, "briefing.view") == []


def test_print_css_hides_navigation(app):
    with app.open_resource("static/loupe.css") as f:
        css = f.read().decode()
    printing = css[css.index("@media print") :]
    assert ".topbar" in printing and ".no-print" in printing and "display:none" in printing


def test_staff_may_not_open_any_part_of_the_briefing(client, shop, engines, in_store):
    store = shop["store"]
    sign_in(client, shop["staff"].email)
    token = csrf_token(client.get(f"/s/{store.slug}/contacts/").get_data(as_text=True))
    for method, path in BRIEFING_ROUTES:
        url = f"/s/{store.slug}/briefing{path}"
        response = client.get(url) if method == "GET" else client.post(url, data={"csrf_token": token, "name": "X"})
        assert response.status_code == 403, (method, path)
        assert SECRET not in response.get_data(as_text=True) and "Kim Keyholder" not in response.get_data(as_text=True)
    assert audit_rows(engines, store.id, "briefing.view") == []
    assert in_store(store, lambda s: s.scalar(sa.select(sa.func.count()).select_from(Keyholder))) == 1
    nav = client.get(f"/s/{store.slug}/").get_data(as_text=True)
    assert "/briefing/" not in nav


def test_the_profile_form_saves_and_keeps_what_was_typed_on_error(client, shop, engines):
    store = shop["store"]
    sign_in(client, shop["manager"].email)
    url = f"/s/{store.slug}/briefing/edit"
    assert client.get(url).status_code == 200
    assert [r.details["page"] for r in audit_rows(engines, store.id, "briefing.view")] == ["edit"]
    bad = post_form(client, url, {"alarm_system": "A" * 201, "panic_buttons": "Under the <counter>"})
    assert bad.status_code == 400
    body = bad.get_data(as_text=True)
    assert "Under the &lt;counter&gt;" in body and "A" * 201 in body and 'class="error"' in body
    ok = post_form(client, url, {"alarm_system": "Honeywell", "last_reviewed_on": "2026-10-01"})
    assert ok.status_code == 302
    shown = client.get(f"/s/{store.slug}/briefing/").get_data(as_text=True)
    assert "Honeywell" in shown and "1 October 2026" in shown
    assert audit_rows(engines, store.id, "briefing.update")[0].details == {"section": "profile", "change": "edit"}


def test_a_post_without_a_csrf_token_is_refused(client, shop):
    sign_in(client, shop["owner"].email)
    response = client.post(f"/s/{shop['store'].slug}/briefing/edit", data={"alarm_system": "Nope"})
    assert response.status_code == 400


def test_keyholder_forms(client, shop, in_store):
    store = shop["store"]
    sign_in(client, shop["owner"].email)
    new = f"/s/{store.slug}/briefing/keyholders/new"
    bad = post_form(client, new, {"name": "", "phone": "+44 7700 900123"})
    assert bad.status_code == 400 and "+44 7700 900123" in bad.get_data(as_text=True)
    assert post_form(client, new, {"name": "Sam", "role": "Manager", "holds_alarm_code": "y"}).status_code == 302
    sam = in_store(store, lambda s: s.scalar(sa.select(Keyholder).where(Keyholder.name == "Sam")))
    assert sam.holds_alarm_code is True and sam.role == "Manager"
    edit = f"/s/{store.slug}/briefing/keyholders/{sam.id}/edit"
    assert post_form(client, edit, {"name": "Sam Lee", "role": "Manager"}).status_code == 302
    sam = in_store(store, lambda s: s.get(Keyholder, sam.id))
    assert sam.name == "Sam Lee" and sam.holds_alarm_code is False
    delete = f"/s/{store.slug}/briefing/keyholders/{sam.id}/delete"
    assert post_form(client, delete, {}, form_url=f"/s/{store.slug}/briefing/").status_code == 302
    assert in_store(store, lambda s: s.get(Keyholder, sam.id)) is None
    assert client.get(f"/s/{store.slug}/briefing/keyholders/999/edit").status_code == 404


def test_safe_forms_keep_input_and_explain_the_time_lock(client, shop, in_store):
    store = shop["store"]
    sign_in(client, shop["owner"].email)
    new = f"/s/{store.slug}/briefing/safes/new"
    bad = post_form(client, new, {"kind": "safe", "safe_type": "Burg-Wächter", "time_lock_delay_minutes": "15"})
    assert bad.status_code == 400
    body = bad.get_data(as_text=True)
    assert "A delay needs a time lock" in body and "Burg-Wächter" in body and 'value="15"' in body
    bad_kind = post_form(client, new, {"kind": "cupboard", "safe_type": "X"})
    assert bad_kind.status_code == 400
    ok = post_form(
        client,
        new,
        {"kind": "safe", "safe_type": "Burg-Wächter", "has_time_lock": "y", "time_lock_delay_minutes": "15"},
    )
    assert ok.status_code == 302
    safe = in_store(store, lambda s: s.scalar(sa.select(SafeOrVault).where(SafeOrVault.safe_type == "Burg-Wächter")))
    assert safe.has_time_lock and safe.time_lock_delay_minutes == 15
    edit = f"/s/{store.slug}/briefing/safes/{safe.id}/edit"
    assert (
        post_form(
            client, edit, {"kind": "vault", "safe_type": "Burg-Wächter", "time_lock_delay_minutes": ""}
        ).status_code
        == 302
    )
    safe = in_store(store, lambda s: s.get(SafeOrVault, safe.id))
    assert safe.kind == "vault" and not safe.has_time_lock and safe.time_lock_delay_minutes is None
    delete = f"/s/{store.slug}/briefing/safes/{safe.id}/delete"
    assert post_form(client, delete, {}, form_url=f"/s/{store.slug}/briefing/").status_code == 302
    assert in_store(store, lambda s: s.get(SafeOrVault, safe.id)) is None


# Nobody outside the store gets in.

BRIEFING_ROUTES = [
    ("GET", "/"),
    ("GET", "/print"),
    ("GET", "/edit"),
    ("POST", "/edit"),
    ("GET", "/keyholders/new"),
    ("POST", "/keyholders/new"),
    ("GET", "/keyholders/1/edit"),
    ("POST", "/keyholders/1/edit"),
    ("POST", "/keyholders/1/delete"),
    ("GET", "/safes/new"),
    ("POST", "/safes/new"),
    ("GET", "/safes/1/edit"),
    ("POST", "/safes/1/edit"),
    ("POST", "/safes/1/delete"),
]


@pytest.fixture
def outsiders(shop, make_world, make_store, make_user, engines):
    from models import Membership, Region

    other_store = make_store(shop["world"])
    liaison = make_user(association=shop["world"].association, role=Role.POLICE_LIAISON)
    with Session(engines.owner) as session, session.begin():
        region = session.scalar(sa.select(Region).where(Region.association_id == shop["world"].association.id))
        session.execute(sa.update(Membership).where(Membership.user_id == liaison.id).values(region_id=region.id))
    return {
        "member of another store": make_user(store=other_store, role=Role.STORE_OWNER),
        "association admin": make_user(association=shop["world"].association, role=Role.ASSOCIATION_ADMIN),
        "liaison without a grant": liaison,
    }


@pytest.mark.parametrize("who", ["member of another store", "association admin", "liaison without a grant"])
def test_outsiders_get_nothing_of_the_briefing(app, shop, outsiders, who, engines, in_store):
    store = shop["store"]
    client = app.test_client()
    sign_in(client, outsiders[who].email)
    token = csrf_token(client.get("/account/password").get_data(as_text=True))
    for method, path in BRIEFING_ROUTES:
        url = f"/s/{store.slug}/briefing{path}"
        data = {"csrf_token": token, "name": "Hacked", "kind": "safe", "alarm_system": "Hacked"}
        response = client.get(url) if method == "GET" else client.post(url, data=data)
        body = response.get_data(as_text=True)
        assert response.status_code in (403, 404), (who, method, path, response.status_code)
        assert SECRET not in body and "Kim Keyholder" not in body and "Texecom" not in body
    assert audit_rows(engines, store.id, "briefing.view") == []
    assert audit_rows(engines, store.id, "briefing.print") == []
    assert in_store(store, lambda s: [k.name for k in s.scalars(sa.select(Keyholder))]) == ["Kim Keyholder"]
    assert in_store(store, lambda s: services.get_profile(s).alarm_system) == "Texecom Premier Elite"
