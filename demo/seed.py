"""Seeding the demo. Idempotent: running it again adds only what is missing and never fails."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from demo.briefing import seed_briefing_and_plans
from demo.contacts import seed_contacts
from demo.logbook import seed_logbook
from demo.patrols import seed_patrols
from demo.profile import seed_profile
from demo.review import seed_review
from models import Area, Association, Membership, PoliceContact, Region, Role, Store, User
from models.base import utcnow
from security.passwords import hash_password
from security.secretbox import totp_box
from tenants.binding import store_session
from tenants.provisioning import StoreSpec, create_store

DEMO_PASSWORD = "demo-jeweler-passphrase"
# The demo's admin, liaison and operator have two-step sign-in on (their roles need it) with this key, printed with
# the logins: add it to an authenticator app, or use the development-only "Demo sign-in as …" on the sign-in page.
DEMO_TOTP_SECRET = "LOUPEDEMOLOUPEDEMOLOUPEDEMOLOUPE"
# Every demo account's email ends with one of these (the development sign-in shortcut signs in no one else).
DEMO_EMAIL_DOMAINS = ("@northern-jewelers.example", "@loupe.example", "@harbour-police.example", "@stores.example")
ASSOCIATION = ("northern-jewelers", "Northern Jewelers Association", "Europe/London")
REGIONS = {
    "harbour": ("Harbour District", ["Quayside", "Old Town"]),
    "uptown": ("Uptown", ["Market Square", "Cathedral Quarter"]),
    "valley": ("River Valley", ["Millbrook", "Eastfield"]),
}
STORES = {
    "harbour": [
        "Quayside Diamonds",
        "Anchor & Co Jewellers",
        "Harbour Light Gold",
        "Old Town Watches",
        "Pearl Street Jewels",
    ],
    "uptown": ["Market Square Jewellers", "Cathedral Gems", "Uptown Fine Jewellery", "Regent Rings", "Silver Arcade"],
    "valley": [
        "Millbrook Goldsmiths",
        "Eastfield Diamond House",
        "Valley Watch Co",
        "River Stone Jewels",
        "Bridge End Jewellery",
    ],
}


def is_demo_email(email: str) -> bool:
    """Whether an email is one of the demo's accounts (by its reserved `.example` domain)."""
    return (email or "").lower().endswith(DEMO_EMAIL_DOMAINS)


# Every demo store in a fixed order: its position picks its own incidents (demo.logbook.incidents_for).
DEMO_STORE_ORDER = [name for names in STORES.values() for name in names]


def _region_of(store_name: str) -> str:
    return next(region for region, names in STORES.items() if store_name in names)


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str
    where: str


def _user(session: Session, email: str, name: str, *, operator: bool = False, two_step: bool = False) -> User:
    user = session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        user = User(email=email, name=name, password_hash=hash_password(DEMO_PASSWORD), is_operator=operator)
        session.add(user)
        session.flush()
    if two_step and user.totp_enabled_at is None:  # their role needs it: enrolled, with the printed demo key
        user.totp_secret, user.totp_enabled_at = totp_box().seal(DEMO_TOTP_SECRET), utcnow()
    return user


def _member(
    session: Session,
    user: User,
    association: Association,
    role: Role,
    store: Store | None = None,
    region: Region | None = None,
) -> None:
    query = sa.select(Membership.id).where(Membership.user_id == user.id, Membership.role == role.value)
    query = (
        query.where(Membership.store_id == store.id)
        if store
        else query.where(Membership.store_id.is_(None), Membership.association_id == association.id)
    )
    if session.scalar(query) is None:
        session.add(
            Membership(
                user_id=user.id,
                association_id=association.id,
                store_id=store.id if store else None,
                region_id=region.id if region else None,
                role=role.value,
            )
        )


def seed_demo(owner: Engine, *, app_role: str | None, on_store: Callable[[str], None] | None = None) -> list[DemoLogin]:
    """Create what is missing of the demo and return the logins to print."""
    slug, name, tz = ASSOCIATION
    with Session(owner) as session, session.begin():
        association = session.scalar(sa.select(Association).where(Association.slug == slug))
        if association is None:
            association = Association(slug=slug, name=name, timezone=tz)
            session.add(association)
            session.flush()
        for region_slug, (region_name, areas) in REGIONS.items():
            region = session.scalar(
                sa.select(Region).where(Region.association_id == association.id, Region.slug == region_slug)
            )
            if region is None:
                region = Region(association_id=association.id, slug=region_slug, name=region_name)
                session.add(region)
                session.flush()
            for area_name in areas:
                area_slug = area_name.lower().replace(" ", "-")
                if (
                    session.scalar(sa.select(Area.id).where(Area.region_id == region.id, Area.slug == area_slug))
                    is None
                ):
                    session.add(Area(region_id=region.id, slug=area_slug, name=area_name))
        existing = set(session.scalars(sa.select(Store.name).where(Store.association_id == association.id)))

    for region_slug, names in STORES.items():
        for store_name in names:
            if store_name not in existing:
                store = create_store(owner, StoreSpec(slug, region_slug, store_name), app_role=app_role)
                _seed_store_records(owner, store.schema_name, store_name, DEMO_STORE_ORDER.index(store_name))
            if on_store:
                on_store(store_name)

    logins: list[DemoLogin] = []
    with Session(owner) as session, session.begin():
        association = session.scalar(sa.select(Association).where(Association.slug == slug))
        stores = session.scalars(
            sa.select(Store).where(Store.association_id == association.id).order_by(Store.id)
        ).all()
        admin = _user(session, "admin@northern-jewelers.example", "Alex Admin", two_step=True)
        _member(session, admin, association, Role.ASSOCIATION_ADMIN)
        logins.append(DemoLogin(admin.email, "association admin", name))
        operator = _user(session, "operator@loupe.example", "Olive Operator", operator=True, two_step=True)
        logins.append(DemoLogin(operator.email, "platform operator", "/operator/"))
        harbour = session.scalar(
            sa.select(Region).where(Region.association_id == association.id, Region.slug == "harbour")
        )
        liaison = _user(session, "liaison@harbour-police.example", "Sgt. Lee Liaison", two_step=True)
        _member(session, liaison, association, Role.POLICE_LIAISON, region=harbour)
        logins.append(DemoLogin(liaison.email, "police liaison", harbour.name))
        for index, store in enumerate(stores, start=1):
            owner_user = _user(session, f"owner{index}@stores.example", f"Owner of {store.name}")
            _member(session, owner_user, association, Role.STORE_OWNER, store)
            staff_user = _user(session, f"staff{index}@stores.example", f"Staff at {store.name}")
            _member(session, staff_user, association, Role.STORE_STAFF, store)
            if index <= 2:
                logins.append(DemoLogin(owner_user.email, "store owner", store.name))
                logins.append(DemoLogin(staff_user.email, "store staff", store.name))
        # One person in two stores, to show the store switcher.
        multi = _user(session, "manager@stores.example", "Morgan Manager")
        for store in stores[:2]:
            _member(session, multi, association, Role.STORE_MANAGER, store)
        logins.append(DemoLogin(multi.email, "store manager", f"{stores[0].name} + {stores[1].name}"))
    return logins


def _seed_store_records(owner: Engine, schema: str, store_name: str, index: int) -> None:
    with store_session(owner, schema) as session:
        session.add_all(
            [
                PoliceContact(
                    agency="City Police, Business Crime Unit",
                    officer_name="PC Dana Hughes",
                    rank_unit="Constable, Business Crime",
                    phone="+44 20 7946 0101",
                    email="dana.hughes@police.example",
                    preferred_contact="phone",
                    notes=f"Met at {store_name} in spring; prefers calls before noon.",
                ),
                PoliceContact(
                    agency="City Police, Neighbourhood Team",
                    officer_name="Sgt. Omar Reid",
                    rank_unit="Sergeant",
                    phone="+44 20 7946 0102",
                    email="omar.reid@police.example",
                    preferred_contact="email",
                    notes="Covers evening patrols.",
                ),
            ]
        )
        seed_logbook(session, store_name=store_name, now=utcnow(), index=index, store_count=len(DEMO_STORE_ORDER))
        seed_contacts(session, store_name=store_name, now=utcnow())
        seed_briefing_and_plans(session, store_name=store_name)
        seed_profile(session, store_name=store_name)
        seed_patrols(session, store_name=store_name, now=utcnow())
        seed_review(session, store_name=store_name, now=utcnow(), region=_region_of(store_name))
        session.commit()
