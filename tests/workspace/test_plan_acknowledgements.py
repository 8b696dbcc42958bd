"""Emergency plans (issue 18 part 8): every kind opens with careful starter text; staff read and acknowledge a plan;
the owner sees who has read it as it is now, who read an earlier version, and who has not."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from models import EmergencyPlan
from models.store.plans import PLAN_KINDS
from plans.starters import STARTERS
from tests.fixtures.web import csrf_token, post_form, sign_in
from tests.workspace import test_plans as plan_fixtures

shop = plan_fixtures.shop


def test_every_kind_has_a_starter_with_steps_a_call_tree_and_brackets_to_fill():
    assert set(STARTERS) == {kind for kind, _ in PLAN_KINDS}
    for kind, starter in STARTERS.items():
        steps = starter.steps.splitlines()
        assert len(steps) >= 5 and all(line.strip() for line in steps), kind
        assert "999 (112)" in starter.steps and "[" in starter.call_tree, kind


@pytest.mark.parametrize("kind", ["medical", "bomb_threat", "active_threat", "burglary"])
def test_a_missing_plan_opens_with_its_starter_and_nothing_is_saved_until_the_owner_saves(
    client,
    shop,
    in_store,
    kind,
):
    sign_in(client, shop["owner"].email)
    page = client.get(f"/s/{shop['store'].slug}/plans/{kind}/edit").get_data(as_text=True)
    first_step = STARTERS[kind].steps.splitlines()[0]
    assert first_step.split(":")[0].replace("'", "&#39;") in page and "replace every [bracket]" in page
    assert (
        in_store(shop["store"], lambda s: s.scalar(sa.select(EmergencyPlan.id).where(EmergencyPlan.kind == kind)))
        is None
    )


def test_staff_acknowledge_and_the_owner_sees_who_has_and_an_edit_asks_again(app, client, shop, in_store):
    store = shop["store"]
    url = f"/s/{store.slug}/plans/robbery"
    sign_in(client, shop["staff"].email)
    page = client.get(url).get_data(as_text=True)
    assert "I have read this plan" in page and "plan-readers" not in page  # staff do not see the list
    assert post_form(client, f"{url}/acknowledge", {}, form_url=url).status_code == 302
    assert "You acknowledged this plan on" in client.get(url).get_data(as_text=True)

    owner = app.test_client()
    sign_in(owner, shop["owner"].email)
    table = owner.get(url).get_data(as_text=True).split('id="plan-readers"')[1].split("</table>")[0]
    rows = {r.split("</td>")[1].split(">")[-1]: r for r in table.split("<tr>")[2:]}
    assert "Yes," in rows["staff"] and "Not yet" in rows["owner"] and "Not yet" in rows["manager"]

    # The owner edits the plan: the staff member's reading is of an earlier version now.
    def edit(session):
        plan = session.scalar(sa.select(EmergencyPlan).where(EmergencyPlan.kind == "robbery"))
        plan.steps += "\nNew step"
        plan.review_due_on = date.today() + timedelta(days=100)

    in_store(store, edit)
    table = owner.get(url).get_data(as_text=True).split('id="plan-readers"')[1]
    assert "An earlier version" in table
    assert "The plan changed since you read it" in client.get(url).get_data(as_text=True)


def test_acknowledging_needs_a_plan_and_a_csrf_token(client, shop):
    store = shop["store"]
    sign_in(client, shop["staff"].email)
    page = client.get(f"/s/{store.slug}/plans/robbery").get_data(as_text=True)
    assert client.post(f"/s/{store.slug}/plans/robbery/acknowledge", data={}).status_code == 400
    missing = client.post(f"/s/{store.slug}/plans/medical/acknowledge", data={"csrf_token": csrf_token(page)})
    assert missing.status_code == 404
