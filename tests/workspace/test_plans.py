"""Emergency response plans: one per kind, review dates, police agreement, attention items, who may do what."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from errors import NotFound
from models import EmergencyPlan, Membership, PoliceContact, Region, Role
from plans import emergency as services
from tests.fixtures.web import csrf_token, post_form, sign_in

TODAY = date(2026, 11, 27)
SECRET_STEP = "Hand over the Zebra-Tray-Secret, do not resist"


@pytest.fixture
def shop(make_world, make_store, make_user, in_store):
    world = make_world()
    store = make_store(world, "Planned Jewels")

    def fill(session):
        contact = PoliceContact(agency="City Police", officer_name="PC Dana Hughes")
        session.add(contact)
        session.flush()
        session.add(
            EmergencyPlan(
                kind="robbery",
                steps=f"Stay calm\n{SECRET_STEP}\n\nPress the panic button once safe",
                call_tree="Manager → police 999\nManager → owner",
                review_due_on=date.today() + timedelta(days=90),
                agreed_contact_id=contact.id,
                agreed_on=date(2026, 5, 4),
            )
        )
        session.add(EmergencyPlan(kind="fire", steps="Get out", review_due_on=date.today() - timedelta(days=3)))
        return contact.id

    contact_id = in_store(store, fill)
    return {
        "world": world,
        "store": store,
        "contact_id": contact_id,
        "owner": make_user(store=store, role=Role.STORE_OWNER),
        "manager": make_user(store=store, role=Role.STORE_MANAGER),
        "staff": make_user(store=store, role=Role.STORE_STAFF),
    }


# Domain functions, no HTTP.


def test_the_overview_lists_every_kind_with_gaps_and_overdue_reviews(shop, in_store):
    overview = in_store(shop["store"], lambda s: services.plan_overview(s, today=date.today()))
    assert [s.kind for s in overview] == [k for k, _ in services.PLAN_KINDS]
    state = {s.kind: ("missing" if s.missing else "overdue" if s.overdue else "ok") for s in overview}
    assert state == {
        "robbery": "ok",
        "burglary": "missing",
        "grab_and_run": "missing",
        "medical": "missing",
        "fire": "overdue",
        "bomb_threat": "missing",
        "active_threat": "missing",
    }


def test_a_plan_due_today_is_not_yet_overdue(make_world, make_store, in_store):
    store = make_store(make_world())
    in_store(store, lambda s: s.add(EmergencyPlan(kind="medical", steps="Call 999", review_due_on=TODAY)))
    assert not in_store(store, lambda s: services.plan_overview(s, today=TODAY))[3].overdue
    assert in_store(store, lambda s: services.plan_overview(s, today=TODAY + timedelta(days=1)))[3].overdue


def test_attention_items_flag_overdue_plans_high_and_a_missing_robbery_plan_lower(make_world, make_store, in_store):
    store = make_store(make_world())
    items = in_store(store, lambda s: services.attention_items(s, today=TODAY))
    assert [(i.kind, i.severity, i.endpoint, i.values) for i in items] == [
        ("plan_missing", "normal", "plans.edit", {"kind": "robbery"})
    ]
    in_store(store, lambda s: s.add(EmergencyPlan(kind="robbery", steps="x", review_due_on=TODAY)))
    in_store(store, lambda s: s.add(EmergencyPlan(kind="fire", steps="x", review_due_on=TODAY - timedelta(days=1))))
    assert in_store(store, lambda s: services.attention_items(s, today=TODAY - timedelta(days=5))) == []
    items = in_store(store, lambda s: services.attention_items(s, today=TODAY + timedelta(days=1)))
    assert [(i.kind, i.severity, i.values["kind"]) for i in items] == [
        ("plan_review_due", "high", "robbery"),
        ("plan_review_due", "high", "fire"),
    ]
    assert "Robbery plan is past its review date" == items[0].title


def test_saving_creates_then_updates_the_one_plan_of_a_kind(shop, in_store):
    store = shop["store"]
    data = {
        "steps": " Evacuate \n",
        "call_tree": "",
        "review_due_on": TODAY,
        "agreed_with_name": "Insp. Rao",
        "agreed_on": date(2026, 1, 2),
    }
    first = in_store(store, lambda s: services.save_plan(s, "bomb_threat", data))
    assert first.steps == "Evacuate" and first.agreed_with == "Insp. Rao" and first.agreed_contact_id is None
    second = in_store(
        store,
        lambda s: services.save_plan(
            s, "bomb_threat", {**data, "agreed_contact_id": str(shop["contact_id"]), "agreed_with_name": ""}
        ),
    )
    assert second.id == first.id and second.agreed_with == "PC Dana Hughes (City Police)"
    count = in_store(store, lambda s: s.scalar(sa.select(sa.func.count()).where(EmergencyPlan.kind == "bomb_threat")))
    assert count == 1


def test_agreement_needs_whom_and_when_and_a_contact_of_this_store(shop, in_store):
    store = shop["store"]
    base = {"steps": "x", "review_due_on": TODAY}
    with pytest.raises(services.PlanAgreementIncomplete):
        in_store(store, lambda s: services.save_plan(s, "medical", {**base, "agreed_with_name": "Sgt. X"}))
    with pytest.raises(services.PlanAgreementIncomplete):
        in_store(store, lambda s: services.save_plan(s, "medical", {**base, "agreed_on": TODAY}))
    with pytest.raises(NotFound):
        in_store(
            store, lambda s: services.save_plan(s, "medical", {**base, "agreed_contact_id": "999", "agreed_on": TODAY})
        )
    with pytest.raises(NotFound):
        in_store(store, lambda s: services.save_plan(s, "alien_invasion", base))


def test_deleting_the_contact_keeps_the_plan(shop, in_store):
    store = shop["store"]
    in_store(store, lambda s: s.execute(sa.delete(PoliceContact)))
    plan = in_store(store, lambda s: services.get_plan(s, "robbery"))
    assert plan.agreed_contact_id is None and plan.agreed_on == date(2026, 5, 4)


# Views.


def test_staff_read_the_list_and_the_plans_but_cannot_edit(client, shop):
    store = shop["store"]
    sign_in(client, shop["staff"].email)
    listing = client.get(f"/s/{store.slug}/plans/")
    assert listing.status_code == 200
    body = listing.get_data(as_text=True)
    assert "5 missing" in body and "1 past review" in body and "Past review" in body and "Write it" not in body
    page = client.get(f"/s/{store.slug}/plans/robbery")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and SECRET_STEP in text and "<li>Manager → police 999</li>" in text
    assert "Agreed with PC Dana Hughes (City Police) on 4 May 2026" in text
    assert text.count('<ol class="steps"><li>') == 1 and text.count("<li>Stay calm</li>") == 1
    assert client.get(f"/s/{store.slug}/plans/robbery/edit").status_code == 403
    assert client.get(f"/s/{store.slug}/plans/unknown").status_code == 404


def test_an_owner_writes_a_missing_plan_and_errors_keep_what_was_typed(client, shop, in_store):
    store = shop["store"]
    sign_in(client, shop["owner"].email)
    url = f"/s/{store.slug}/plans/burglary/edit"
    bad = post_form(
        client,
        url,
        {
            "steps": "Do not enter\nCall police",
            "call_tree": "Keyholder → alarm company",
            "review_due_on": "",
            "agreed_with_name": "Sgt. Omar Reid",
        },
    )
    assert bad.status_code == 400
    body = bad.get_data(as_text=True)
    assert "Do not enter\nCall police" in body and "Keyholder → alarm company" in body and "Sgt. Omar Reid" in body
    assert "Give a date to review this plan by." in body and "When was it agreed?" in body
    both = post_form(
        client,
        url,
        {
            "steps": "x",
            "review_due_on": "2027-01-01",
            "agreed_on": "2026-11-01",
            "agreed_with_name": "Sgt. Reid",
            "agreed_contact_id": str(shop["contact_id"]),
        },
    )
    assert both.status_code == 400 and "not both" in both.get_data(as_text=True)
    nobody = post_form(client, url, {"steps": "x", "review_due_on": "2027-01-01", "agreed_on": "2026-11-01"})
    assert nobody.status_code == 400 and "With whom was it agreed?" in nobody.get_data(as_text=True)
    foreign = post_form(
        client,
        url,
        {"steps": "x", "review_due_on": "2027-01-01", "agreed_on": "2026-11-01", "agreed_contact_id": "999"},
    )
    assert foreign.status_code == 400 and "Not a valid choice" in foreign.get_data(as_text=True)
    ok = post_form(
        client,
        url,
        {
            "steps": "Do not enter\nCall police",
            "review_due_on": "2027-01-01",
            "agreed_on": "2026-11-01",
            "agreed_contact_id": str(shop["contact_id"]),
        },
    )
    assert ok.status_code == 302 and ok.headers["Location"].endswith(f"/s/{store.slug}/plans/burglary")
    plan = in_store(store, lambda s: services.get_plan(s, "burglary"))
    assert plan.review_due_on == date(2027, 1, 1) and plan.agreed_contact_id == shop["contact_id"]


def test_a_manager_edits_a_plan_with_its_values_filled_in(client, shop, in_store):
    store = shop["store"]
    sign_in(client, shop["manager"].email)
    url = f"/s/{store.slug}/plans/fire/edit"
    form = client.get(url).get_data(as_text=True)
    assert "Get out" in form and f'value="{date.today() - timedelta(days=3):%Y-%m-%d}"' in form
    # A browser always sends the select's value, "" for the first option.
    data = {"steps": "Get out\nMeet at the lamp post", "review_due_on": "2027-06-01", "agreed_contact_id": ""}
    ok = post_form(client, url, data)
    assert ok.status_code == 302, ok.get_data(as_text=True)
    listing = client.get(f"/s/{store.slug}/plans/").get_data(as_text=True)
    assert "past review" not in listing
    assert in_store(store, lambda s: services.get_plan(s, "fire").steps) == "Get out\nMeet at the lamp post"


def test_a_post_without_a_csrf_token_is_refused(client, shop):
    sign_in(client, shop["owner"].email)
    response = client.post(
        f"/s/{shop['store'].slug}/plans/medical/edit", data={"steps": "x", "review_due_on": "2027-01-01"}
    )
    assert response.status_code == 400


# Nobody outside the store gets in.

PLAN_ROUTES = [("GET", "/"), ("GET", "/robbery"), ("GET", "/robbery/edit"), ("POST", "/robbery/edit")]


@pytest.fixture
def outsiders(shop, make_store, make_user, engines):
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
def test_outsiders_get_nothing_of_the_plans(app, shop, outsiders, who, in_store):
    store = shop["store"]
    client = app.test_client()
    sign_in(client, outsiders[who].email)
    token = csrf_token(client.get("/account/password").get_data(as_text=True))
    for method, path in PLAN_ROUTES:
        url = f"/s/{store.slug}/plans{path}"
        data = {"csrf_token": token, "steps": "Hacked", "review_due_on": "2030-01-01"}
        response = client.get(url) if method == "GET" else client.post(url, data=data)
        body = response.get_data(as_text=True)
        assert response.status_code in (403, 404), (who, method, path, response.status_code)
        assert SECRET_STEP not in body and "Dana Hughes" not in body and store.name not in body
    assert SECRET_STEP in in_store(store, lambda s: services.get_plan(s, "robbery").steps)


def test_the_demo_fills_the_briefing_and_four_plans_once(make_world, make_store, in_store):
    from demo.briefing import seed_briefing_and_plans

    store = make_store(make_world())
    in_store(store, lambda s: s.add(PoliceContact(agency="City Police", officer_name="PC Dana Hughes")))
    for _ in range(2):  # running it again adds nothing
        in_store(store, lambda s: seed_briefing_and_plans(s, store_name="Demo Jewels", today=TODAY))
    overview = in_store(store, lambda s: services.plan_overview(s, today=TODAY))
    assert {s.kind for s in overview if not s.missing} == {"robbery", "burglary", "grab_and_run", "fire"}
    assert [s.kind for s in overview if s.overdue] == ["fire"]
    robbery = next(s.plan for s in overview if s.kind == "robbery")
    assert robbery.agreed_with == "PC Dana Hughes (City Police)"
    items = in_store(store, lambda s: services.attention_items(s, today=TODAY))
    assert [(i.kind, i.values["kind"]) for i in items] == [("plan_review_due", "fire")]
    from briefing.briefing import load_briefing

    briefing = in_store(store, load_briefing)
    assert briefing.profile.alarm_company and len(briefing.keyholders) == 3 and len(briefing.safes) == 2
