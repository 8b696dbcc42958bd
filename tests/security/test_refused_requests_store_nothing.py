"""A refused request stores nothing (issue #15): every view branch that renders an error after a service may have
written is found in the code and provoked over HTTP, and every row of the shared schema and of the stores involved
must be exactly as before the request.

The list of branches is generated (`refusals.refusal_branches`: each `except <DomainError subclass>` in a view that
handles POST), so a new one fails `test_every_refusal_branch_has_a_scenario` until it gets a scenario here.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from blueprints.logbook import services as logbook
from models import Incident, Role
from models.alerts import UrgentAlert
from models.base import utcnow
from models.bulletins import Bulletin
from tests.security.refusals import Ctx, Scenario, Unreachable, changed_tables, photos, refusal_branches

INCIDENT = {
    "occurred_at": "2026-03-10T14:30",
    "incident_type": "distraction",
    "title": "Two people, one distracts",
    "narrative": "One asked to see watches while the other drifted to the ring case.",
    "location_note": "Front counter",
    "staff_involved": "Jo",
    "people-0-clothing": "Red scarf",
    "police_notified": "",
}
CASING = {
    "narrative": "Looked at every camera, asked when the safe opens.",
    "occurred_at": "2026-11-27T10:05",
    "person-clothing": "Black cap, green jacket",
    "vehicle-plate": "CS19 NGX",
}
TOO_MANY = logbook.MAX_PHOTOS + 1


def _incident(ctx: Ctx, store, title: str = "Original title") -> int:
    def add(session):
        return logbook.save_incident(
            session,
            logbook.DescribedIncident(
                occurred_at=utcnow() - timedelta(days=1),
                incident_type="suspicious_person",
                title=title,
                narrative="Seen twice.",
                people=[],
                vehicles=[],
            ),
        ).id

    return ctx.in_store(store, add)


# --- the logbook: the reproduced ones ----------------------------------------------------------------------------


def logbook_new_with_too_many_photos(ctx: Ctx):
    store = ctx.store(ctx.world())
    ctx.owner(store)
    url = f"/s/{store.slug}/logbook/new"
    return ctx.post(url, {**INCIDENT, "new_photos": photos(TOO_MANY)})


def casing_report_with_too_many_photos(ctx: Ctx):
    store = ctx.store(ctx.world())
    ctx.owner(store, Role.STORE_STAFF)
    return ctx.post(f"/s/{store.slug}/logbook/casing", {**CASING, "photos": photos(TOO_MANY)})


def edit_incident_with_too_many_photos(ctx: Ctx):
    store = ctx.store(ctx.world())
    incident_id = _incident(ctx, store)
    ctx.owner(store)
    url = f"/s/{store.slug}/logbook/{incident_id}/edit"
    response = ctx.post(url, {**INCIDENT, "title": "The edit that must not stay", "new_photos": photos(TOO_MANY)})
    assert ctx.in_store(store, lambda s: s.get(Incident, incident_id).title) == "Original title"
    return response


def upload_photos_beyond_the_limit(ctx: Ctx):
    store = ctx.store(ctx.world())
    incident_id = _incident(ctx, store)
    ctx.owner(store)
    url = f"/s/{store.slug}/logbook/{incident_id}/photos"
    return ctx.post(url, {"photos": photos(TOO_MANY)}, form_url=f"/s/{store.slug}/logbook/{incident_id}")


# --- admin -------------------------------------------------------------------------------------------------------


def alert_a_pending_bulletin_already_alerted(ctx: Ctx):
    """Approve-and-alert: the approval is flushed, then the alert is refused (the bulletin was alerted already)."""
    world = ctx.world()
    with Session(ctx.engines.owner, expire_on_commit=False) as session, session.begin():
        bulletin = Bulletin(
            association_id=world.association.id,
            region_id=world.region.id,
            region_label="North",
            tlp="AMBER",
            title="Van circling the square",
            narrative="Seen photographing windows.",
            status="pending",
        )
        session.add(bulletin)
        session.flush()
        session.add(
            UrgentAlert(bulletin_id=bulletin.id, association_id=world.association.id, region_id=world.region.id)
        )
    ctx.admin(world)
    base = f"/a/{world.association.slug}/moderation"
    return ctx.post(f"{base}/{bulletin.id}/alert", {}, form_url=base)


SCENARIOS: dict[tuple[str, str], Scenario | Unreachable] = {
    ("logbook.new_incident", "DomainError"): Scenario(
        logbook_new_with_too_many_photos, 400, f"at most {logbook.MAX_PHOTOS} photos"
    ),
    ("logbook.casing_report", "DomainError"): Scenario(
        casing_report_with_too_many_photos, 400, f"at most {logbook.MAX_PHOTOS} photos"
    ),
    ("logbook.edit_incident", "DomainError"): Scenario(
        edit_incident_with_too_many_photos, 400, f"at most {logbook.MAX_PHOTOS} photos"
    ),
    ("logbook.upload_photos", "DomainError"): Scenario(
        upload_photos_beyond_the_limit, 400, f"at most {logbook.MAX_PHOTOS} photos"
    ),
    ("admin.moderation_alert", "DomainError"): Scenario(
        alert_a_pending_bulletin_already_alerted, 302, "already sent as an urgent alert"
    ),
}


def test_every_refusal_branch_has_a_scenario(app):
    found = refusal_branches(app)
    assert len(found) > 40, "the scan found almost nothing: is it still reading the views?"
    assert sorted(found - SCENARIOS.keys()) == [], "add a scenario for these refusal branches"
    assert sorted(SCENARIOS.keys() - found) == [], "these branches are gone: remove their scenarios"


@pytest.mark.parametrize(
    "branch", [key for key, value in SCENARIOS.items() if isinstance(value, Scenario)], ids="/".join
)
def test_a_refused_request_stores_nothing(app, engines, make_world, make_store, make_user, in_store, branch):
    scenario = SCENARIOS[branch]
    ctx = Ctx(app, engines, make_world, make_store, make_user, in_store, app.test_client())
    response = scenario.run(ctx)
    assert ctx.before is not None, "the scenario must make its refused request with ctx.post"
    body = response.get_data(as_text=True)
    assert response.status_code == scenario.status, body[:3000]
    if 300 <= response.status_code < 400:
        body = ctx.client.get(response.headers["Location"]).get_data(as_text=True)
    assert scenario.says in body, body[:3000]
    changed = changed_tables(ctx.before, ctx.after)
    assert {name: diff for name, diff in changed.items() if name.split(".")[1] not in scenario.kept} == {}


def test_the_fingerprint_sees_a_write(app, engines, make_world, make_store, make_user, in_store):
    """The comparison above has teeth: an accepted request with the same photos changes the store's tables."""
    ctx = Ctx(app, engines, make_world, make_store, make_user, in_store, app.test_client())
    store = ctx.store(ctx.world())
    ctx.owner(store)
    response = ctx.post(f"/s/{store.slug}/logbook/new", {**INCIDENT, "new_photos": photos(2)})
    assert response.status_code == 302
    changed = changed_tables(ctx.before, ctx.after)
    assert {f"{store.schema_name}.incidents", f"{store.schema_name}.incident_photos"} <= changed.keys()
