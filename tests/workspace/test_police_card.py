"""Where to go and who to call (issue #18 parts 4 and 5): the store profile's address, phone and map link and the
security briefing's keyholders and alarm company reach the officer's patrol page, the patrol request email and the
officer's review page — never another store's. The name given at acknowledgement carries into the patrol log, and a
patrol outside the requested period is flagged."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import OutboundEmail, PatrolRequest
from models.base import utcnow
from models.store.briefing import Keyholder, SecurityBriefing
from models.store.profile import StoreProfile
from patrols import requests as services
from tests.workspace.test_patrols import _send, _store, twin_stores  # noqa: F401, F811  (the fixture)


def _profile(in_store, store, secret: str) -> None:
    def seed(session):
        session.add(
            StoreProfile(
                id=1,
                street_address=f"{secret} Market Street, Suite 4",
                city="Harbourton",
                phone="+44 20 7946 0001",
                opening_hours="Mon-Sat 10-18",
            )
        )
        session.add(SecurityBriefing(alarm_company=f"{secret} Alarms", alarm_company_phone="0800 000 111"))
        session.add(Keyholder(name=f"Morag {secret}", role="Manager", phone="07700 900111"))

    in_store(store, seed)


def test_the_officer_sees_where_to_go_and_who_to_call_in_the_email_and_on_the_page(
    app,
    engines,
    twin_stores,  # noqa: F811
    in_store,
):
    a, b = twin_stores["a"], twin_stores["b"]
    _profile(in_store, a, "12")
    _profile(in_store, b, "99")
    path = _send(app, engines, in_store, a)
    with Session(engines.owner) as session:
        body = session.scalars(
            sa.select(OutboundEmail.body_text)
            .where(OutboundEmail.kind == "patrol_request", OutboundEmail.to_address == "pc.alpha@example.org")
            .order_by(OutboundEmail.id.desc())
        ).first()
    for text in (body, app.test_client().get(path).get_data(as_text=True)):
        assert "12 Market Street, Suite 4, Harbourton" in text
        assert "openstreetmap.org/search?query=12+Market+Street" in text
        assert "+44 20 7946 0001" in text and "Morag 12" in text and "12 Alarms" in text
        assert "99 Market" not in text and "Morag 99" not in text


def test_the_acknowledging_name_is_carried_into_the_log_and_an_early_patrol_is_flagged(
    app,
    engines,
    twin_stores,  # noqa: F811
    in_store,
):
    a = twin_stores["a"]
    path = _send(app, engines, in_store, a)
    store = _store(engines, a.id)

    def acknowledge_and_log(session):
        request = session.get(PatrolRequest, 1)
        services.acknowledge(session, request, store=store, officer_name="PC Alpha Smith")
        # The request starts in the future: a patrol made now is before the requested period.
        services.log_patrol(
            session, request, store=store, patrolled_at=utcnow() - timedelta(minutes=5), officer_name="PC Alpha Smith",
            observations="Early drive-by",
        )  # fmt: skip

    in_store(a, acknowledge_and_log)
    page = app.test_client().get(path).get_data(as_text=True)
    assert 'name="officer_name" type="text" value="PC Alpha Smith"' in page or 'value="PC Alpha Smith"' in page
    assert "Outside the requested period" in page
