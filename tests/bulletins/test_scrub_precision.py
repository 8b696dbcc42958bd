"""Scrubber precision end to end: a store whose records hold role-like display names ("Staff at Quayside",
"Front Counter", "Manager") shares an ordinary narrative, and the bulletin keeps every ordinary word."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from anonymize import IncidentFacts
from models import Incident, Keyholder, PoliceContact, User
from tests.bulletins.conftest import add_incident, bulletins, share, signed_in

NARRATIVE = (
    "A man asked the staff to see the front showcase and counted the staff out loud. Our policy is to call a "
    "second member of staff to the counter. Front counter staff told the manager, who told the owner; the team "
    "called the police and the duty officer attended. Olivia kept the back door locked."
)
EXPECTED = NARRATIVE.replace("Olivia kept", "[name] kept")


def test_role_like_display_names_do_not_scrub_ordinary_words(app, engines, sharing_world, in_store):
    world = sharing_world
    with Session(engines.owner) as session, session.begin():
        session.execute(sa.update(User).where(User.id == world.staff.id).values(name="Staff at Quayside"))

    def records(session):
        session.add(Keyholder(name="Front Counter", phone="01632 960999"))
        session.add(Keyholder(name="Owner Team", phone="01632 960998"))
        session.add(PoliceContact(agency="Coast Police", officer_name="Duty Officer", phone="", email="", rank_unit=""))

    in_store(world.source, records)
    facts = IncidentFacts(
        incident_type="casing",
        title="Man counted the staff out loud",
        narrative=NARRATIVE,
        occurred_at=datetime(2026, 3, 5, 14, 32, tzinfo=UTC),
    )
    incident_id = add_incident(in_store, world.source, facts)
    in_store(
        world.source,
        lambda s: s.execute(
            sa.update(Incident).where(Incident.id == incident_id).values(staff_involved="the manager and Olivia")
        ),
    )
    owner = signed_in(app, world.owner)
    assert share(owner, world, incident_id).status_code == 302
    [bulletin] = bulletins(engines, world.home.association.id)
    assert bulletin.title == "Man counted the staff out loud"
    assert bulletin.narrative == EXPECTED
