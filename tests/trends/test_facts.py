"""A share writes one anonymized fact (no store id, no time finer than the week); a withdrawal removes it."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import Store
from models.trends import IncidentFact
from tests.bulletins.conftest import add_incident, share, signed_in
from tests.bulletins.test_sharing import FACTS
from tests.fixtures.web import post_form
from trends import contributor_key


def _facts(engines, association_id):
    with Session(engines.owner) as session:
        return list(session.scalars(sa.select(IncidentFact).where(IncidentFact.association_id == association_id)))


def test_sharing_writes_an_anonymous_fact_and_withdrawing_removes_it(app, engines, sharing_world, in_store):
    world = sharing_world
    incident_id = add_incident(in_store, world.source, FACTS)
    owner = signed_in(app, world.owner)
    assert share(owner, world, incident_id).status_code == 302
    [fact] = _facts(engines, world.home.association.id)
    with Session(engines.owner) as session:
        area_id = session.scalar(sa.select(Store.area_id).where(Store.id == world.source.id))
    assert (fact.region_id, fact.area_id, fact.iso_week, fact.incident_type) == (
        world.source.region_id,
        area_id,
        "2026-W10",
        "casing",
    )
    assert fact.contributor == contributor_key(app.config["SECRET_KEY"], world.source.id, "2026-W10")
    assert str(world.source.id) != fact.contributor and len(fact.contributor) == 64
    columns = set(IncidentFact.__table__.columns.keys())
    assert not columns & {"store_id", "created_at", "occurred_at", "updated_at", "bulletin_id"}

    response = post_form(owner, world.share_url(incident_id) + "withdraw", {}, form_url=world.share_url(incident_id))
    assert response.status_code == 302
    assert _facts(engines, world.home.association.id) == []


def test_contributor_keys_differ_per_store_and_per_week():
    keys = {contributor_key("secret", store, week) for store in (1, 2) for week in ("2026-W01", "2026-W02")}
    assert len(keys) == 4
    assert contributor_key("secret", 1, "2026-W01") != contributor_key("other", 1, "2026-W01")
