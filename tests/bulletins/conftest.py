"""Fixtures of the bulletin tests: a source store that names itself everywhere, a neighbour in the same region, a
store in another region, a store of another association, and an association admin with two-step sign-in."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import (
    Area,
    Association,
    Incident,
    IncidentPerson,
    IncidentVehicle,
    Keyholder,
    PoliceContact,
    Region,
    Role,
    Store,
    User,
)
from models.bulletins import Bulletin, BulletinSettings
from tests.admin.conftest import enrol, sign_in_with_code
from tests.fixtures.factories import World
from tests.fixtures.web import post_form, sign_in

# What the source store's own records say about it (store name, staff, keyholder, officer, case number, area).
SOURCE_NAME = "Quayside Jewellers"
OWNER_NAME = "Sam O'Neill"
STAFF_NAME = "Priya Raman"
KEYHOLDER = "Morag McAllister"
OFFICER = "PC Dana Hughes"
OFFICER_EMAIL = "dana.hughes@quaysidejewellers.example.org"
PHONES = ("+44 20 7946 0958", "01632 960123")
CASE_NUMBER = "CR/2024/11873"
SMALL_AREA = "Harbourside"
FORBIDDEN = (
    "Quayside Jewellers", "Quayside", "Sam O'Neill", "O'Neill", "Sam", "Priya Raman", "Priya", "Raman",
    "Morag McAllister", "Morag", "McAllister", "Dana Hughes", "Dana", "Hughes", "quaysidejewellers",
    CASE_NUMBER, SMALL_AREA,
)  # fmt: skip


@dataclass
class SharingWorld:
    home: World
    source: Store
    neighbour: Store
    other_region_store: Store
    outsider_store: Store
    owner: User
    staff: User
    neighbour_user: User
    other_region_user: User
    outsider: User
    admin: User
    admin_secret: str

    def share_url(self, incident_id: int) -> str:
        return f"/s/{self.source.slug}/logbook/{incident_id}/share/"


def _rename(engines, user: User, name: str) -> None:
    with Session(engines.owner) as session, session.begin():
        session.execute(sa.update(User).where(User.id == user.id).values(name=name))


@pytest.fixture
def sharing_world(request, engines, make_world, make_store, make_user, in_store) -> SharingWorld:
    k = getattr(request.module, "SHARING_WORLD_K", 2)
    home = make_world()
    with Session(engines.owner, expire_on_commit=False) as session, session.begin():
        area = Area(region_id=home.region.id, slug="harbourside", name=SMALL_AREA)
        south = Region(association_id=home.association.id, slug="south", name="South")
        session.add_all([area, south])
        # k = 2, not the default 5: this world has 3 member stores, and since issue 17 item 1 a place label must rest
        # on >= k stores (an association under k holds every share). At k = 2 the home region (2 stores: the
        # source in a 1-store area, the neighbour outside any area) is labelled by its name alone, as before; the
        # South region's only store is held (its region is under k and so is the association's remainder).
        # Modules that check trend cells at the default k and share nothing set SHARING_WORLD_K = 5.
        session.execute(sa.update(Association).where(Association.id == home.association.id).values(k_threshold=k))
    source = make_store(home, SOURCE_NAME)
    with Session(engines.owner) as session, session.begin():
        session.execute(sa.update(Store).where(Store.id == source.id).values(area_id=area.id))
    neighbour = make_store(home)
    other_region_store = make_store(World(home.association, south))
    elsewhere = make_world()
    outsider_store = make_store(elsewhere)

    owner = make_user(store=source, role=Role.STORE_OWNER)
    _rename(engines, owner, OWNER_NAME)
    staff = make_user(store=source, role=Role.STORE_STAFF)
    _rename(engines, staff, STAFF_NAME)

    def records(session):
        session.add(
            PoliceContact(
                agency="Coast Police", officer_name=OFFICER, phone=PHONES[0], email=OFFICER_EMAIL, rank_unit="PC"
            )
        )
        session.add(Keyholder(name=KEYHOLDER, phone=PHONES[1]))

    in_store(source, records)
    admin = make_user(association=home.association, role=Role.ASSOCIATION_ADMIN)
    return SharingWorld(
        home=home,
        source=source,
        neighbour=neighbour,
        other_region_store=other_region_store,
        outsider_store=outsider_store,
        owner=owner,
        staff=staff,
        neighbour_user=make_user(store=neighbour, role=Role.STORE_STAFF),
        other_region_user=make_user(store=other_region_store, role=Role.STORE_OWNER),
        outsider=make_user(store=outsider_store, role=Role.STORE_OWNER),
        admin=admin,
        admin_secret=enrol(engines, admin),
    )


def add_incident(in_store, store: Store, facts, *, report_number: str = "") -> int:
    """Put an anonymizer `IncidentFacts` into the store's logbook as the logbook would; returns its id."""

    def run(session):
        incident = Incident(
            occurred_at=facts.occurred_at,
            incident_type=facts.incident_type,
            title=facts.title,
            narrative=facts.narrative,
            location_note=facts.location_note,
            police_report_number=report_number,
            red_flags=list(facts.red_flags),
        )
        incident.people = [IncidentPerson(**vars(person)) for person in facts.people]
        incident.vehicles = [IncidentVehicle(**vars(vehicle)) for vehicle in facts.vehicles]
        session.add(incident)
        session.flush()
        return incident.id

    return in_store(store, run)


def share(client, world: SharingWorld, incident_id: int, tlp: str = "AMBER"):
    return post_form(client, world.share_url(incident_id), {"tlp": tlp})


def signed_in(app, user: User):
    client = app.test_client()
    sign_in(client, user.email)
    return client


def admin_client(app, engines, world: SharingWorld):
    client = app.test_client()
    sign_in_with_code(client, engines, world.admin, world.admin_secret)
    return client


def bulletins(engines, association_id: int) -> list[Bulletin]:
    with Session(engines.owner, expire_on_commit=False) as session:
        return list(session.scalars(sa.select(Bulletin).where(Bulletin.association_id == association_id)))


def set_auto_publish(engines, association_id: int, enabled: bool = True) -> None:
    with Session(engines.owner) as session, session.begin():
        session.merge(BulletinSettings(association_id=association_id, auto_publish=enabled))


_TAG = re.compile(r"<[^>]+>")


def page_text(response) -> str:
    """A page's visible text and its attribute values (titles, values), unescaped."""
    html = response.get_data(as_text=True)
    attributes = " ".join(re.findall(r'="([^"]*)"', html))
    return unescape(_TAG.sub(" ", html) + " " + attributes)
