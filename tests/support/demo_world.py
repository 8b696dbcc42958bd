"""The demo association, seeded once, with what a browser needs to reach every page: logins per role (two-step
secrets for those who must use it), an empty store beside the demo's full ones, and the ids and signed tokens that fill
the URL map's parameters. Shared by the accessibility sweep (tests/browser/test_accessibility.py) and the screenshot
script (tests/support/screens.py), so both see the same pages a newcomer sees after `make run`.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

import pyotp
import sqlalchemy as sa
from sqlalchemy.orm import Session

from accounts.mfa import STEP_SECONDS, new_totp_secret
from audit import Actor
from demo.bulletins import seed_bulletins
from demo.seed import ASSOCIATION, DEMO_PASSWORD, seed_demo
from models import Association, Invitation, Membership, PoliceContact, Region, Role, Store, User
from models.base import utcnow
from security.passwords import hash_password
from security.tokens import sign
from tenants.binding import store_session
from tenants.provisioning import StoreSpec, create_store

EMPTY_STORE = "Newly Joined Jewels"
EMPTY_OWNER = "new-owner@stores.example"

# Who signs in for each role of the sweep and the screenshots (the demo's own logins, plus the empty store's owner).
LOGINS = {
    "owner": "owner1@stores.example",
    "manager": "manager@stores.example",
    "staff": "staff1@stores.example",
    "admin": "admin@northern-jewelers.example",
    "liaison": "liaison@harbour-police.example",
    "operator": "operator@loupe.example",
    "new-owner": EMPTY_OWNER,
}
TWO_STEP = ("admin", "liaison", "operator")


@dataclass
class DemoWorld:
    """What the pages need: the demo association and stores, logins, two-step secrets, URL parameter values."""

    association_slug: str
    store_slug: str
    empty_store_slug: str
    secrets: dict[str, str] = field(default_factory=dict)  # email -> TOTP secret
    values: dict[str, object] = field(default_factory=dict)  # URL parameter -> value (the demo store's rows)
    tokens: dict[str, str] = field(default_factory=dict)  # signed-link endpoint -> a valid token
    user_ids: dict[str, int] = field(default_factory=dict)  # email -> id


def _path(url: str) -> str:
    return urlsplit(url).path


def build_demo_world(app) -> DemoWorld:
    """Seed the demo (idempotent) and add what the pages need; returns the world."""
    database = app.extensions["loupe_db"]
    owner = database.engines.owner
    seed_demo(owner, app_role=database.app_role)
    with app.app_context():  # pattern detection renders its emails, as under `flask setup`
        seed_bulletins(owner, ASSOCIATION[0])
    with Session(owner) as session:
        association = session.scalar(sa.select(Association).where(Association.slug == ASSOCIATION[0]))
        region = session.scalar(sa.select(Region).where(Region.association_id == association.id).order_by(Region.id))
        has_empty = session.scalar(sa.select(Store.id).where(Store.name == EMPTY_STORE))
    if not has_empty:
        empty = create_store(owner, StoreSpec(association.slug, region.slug, EMPTY_STORE), app_role=database.app_role)
        with Session(owner) as session, session.begin():
            user = User(email=EMPTY_OWNER, name="Nadia New", password_hash=hash_password(DEMO_PASSWORD))
            session.add(user)
            session.flush()
            role = Role.STORE_OWNER.value
            session.add(Membership(user_id=user.id, association_id=association.id, store_id=empty.id, role=role))

    with Session(owner, expire_on_commit=False) as session, session.begin():
        users = {u.email: u for u in session.scalars(sa.select(User).where(User.email.in_(LOGINS.values())))}
        secrets = {}
        for role in TWO_STEP:
            user = users[LOGINS[role]]
            user.totp_secret = secrets.setdefault(user.email, new_totp_secret())
            user.totp_enabled_at = utcnow()
            user.totp_last_step = None
        owner_membership = session.scalar(
            sa.select(Membership).where(
                Membership.user_id == users[LOGINS["owner"]].id, Membership.role == Role.STORE_OWNER.value
            )
        )
        store = session.get(Store, owner_membership.store_id)
        empty_slug = session.scalar(sa.select(Store.slug).where(Store.name == EMPTY_STORE))
        # An open invitation, for the signed-out invitation page.
        nonce = "sweep-invitation-nonce"
        if session.scalar(sa.select(Invitation.id).where(Invitation.nonce == nonce)) is None:
            session.add(
                Invitation(
                    email="invited@stores.example",
                    name="Ivy Invited",
                    association_id=store.association_id,
                    store_id=store.id,
                    role=Role.STORE_STAFF.value,
                    nonce=nonce,
                    expires_at=utcnow() + timedelta(days=7),
                )
            )
        world = DemoWorld(
            association_slug=ASSOCIATION[0],
            store_slug=store.slug,
            empty_store_slug=empty_slug,
            secrets=secrets,
            user_ids={email: u.id for email, u in users.items()},
        )
        world.values.update(_shared_values(session, store, users))
        liaison = users[LOGINS["liaison"]]
        with app.app_context():
            world.tokens["auth.accept_invitation"] = sign("invitation", nonce)
            from accounts.accounts import password_fingerprint  # noqa: PLC0415 (only the world needs it)
            from digest.render import unsubscribe_token  # noqa: PLC0415

            world.tokens["auth.reset_password"] = sign(
                "password-reset", {"uid": users[LOGINS["owner"]].id, "fp": password_fingerprint(users[LOGINS["owner"]])}
            )
            world.tokens["digest.unsubscribe"] = unsubscribe_token(users[LOGINS["owner"]].id)
    _store_values(app, owner, world, store, liaison)
    return world


def _shared_values(session: Session, store: Store, users: dict[str, User]) -> dict[str, object]:
    from models.bulletins import Bulletin  # noqa: PLC0415

    association_id = store.association_id
    bulletin = session.scalar(
        sa.select(Bulletin.id)
        .where(Bulletin.association_id == association_id, Bulletin.status == "published")
        .order_by(Bulletin.id)
    )
    values = {
        "association_slug": ASSOCIATION[0],
        "store_slug": store.slug,
        "store_id": store.id,
        "user_id": users[LOGINS["staff"]].id,
        "region_id": store.region_id,
        "bulletin_id": bulletin,
    }
    return values


def _store_values(app, owner, world: DemoWorld, store: Store, liaison: User) -> None:
    """Ids of the demo store's own rows, a liaison share, and the officer's signed links."""
    from logbook.casing_links import casing_link  # noqa: PLC0415
    from models import Incident, Keyholder, Meeting, PatrolRequest, ReviewGrant, Trip  # noqa: PLC0415
    from models.store.briefing import SafeOrVault  # noqa: PLC0415
    from patrols.requests import officer_link  # noqa: PLC0415
    from review.grants import create_grant  # noqa: PLC0415
    from review.mailers import review_link_token  # noqa: PLC0415
    from security.tokens import digest, new_secret  # noqa: PLC0415

    with store_session(owner, store.schema_name) as session:
        store = session.get(Store, store.id)
        first = lambda model: session.scalar(sa.select(model.id).order_by(model.id))  # noqa: E731
        contact = session.scalar(sa.select(PoliceContact).where(PoliceContact.email.is_not(None)).order_by("id"))
        incident = session.scalar(
            sa.select(Incident).where(Incident.incident_type == "casing").order_by(Incident.id.desc())
        )
        world.values.update(
            incident_id=incident.id,
            contact_id=contact.id,
            keyholder_id=first(Keyholder),
            safe_id=first(SafeOrVault),
            meeting_id=first(Meeting),
            request_id=first(PatrolRequest),
            trip_id=first(Trip),
            grant_id=first(ReviewGrant),
        )
        share = session.scalar(
            sa.text("SELECT id FROM loupe.police_share_index WHERE store_id = :s AND liaison_user_id = :u"),
            {"s": store.id, "u": liaison.id},
        )
        if share is None:
            today = date.today()
            _grant, index = create_grant(
                session,
                store=store,
                granted_by=Actor.system("demo"),
                recipient=f"liaison:{liaison.id}",
                incident_types=["casing", "suspicious_vehicle"],
                since=today - timedelta(days=90),
                until=today,
                expires_at=datetime.now(UTC) + timedelta(days=30),
            )
            session.flush()
            share = index.id
        world.values["share_id"] = share
        patrol = session.get(PatrolRequest, world.values["request_id"])
        nonce = new_secret()
        patrol.link_nonce_digest = digest(nonce)
        grant = session.get(ReviewGrant, world.values["grant_id"])
        session.commit()
        with app.app_context(), app.test_request_context():
            world.tokens["officer.patrol_request"] = _path(officer_link(store.id, patrol.id, nonce)).rsplit("/", 1)[1]
            world.tokens["officer.casing_alert"] = _path(casing_link(store.id, incident.id, contact.id)).rsplit("/", 1)[
                1
            ]
            world.tokens["officer.review"] = review_link_token(store, grant)


def totp_code(engines, user_id: int, secret: str) -> str:
    """A code not used yet: the current step's, or the next one when it was used (codes work once)."""
    with engines.owner.connect() as conn:
        last = conn.scalar(sa.select(User.totp_last_step).where(User.id == user_id))
    step = int(time.time()) // STEP_SECONDS
    if last is not None and last >= step:
        step = last + 1
        if step > int(time.time()) // STEP_SECONDS + 1:  # beyond the one step ahead Loupe accepts: wait for it
            time.sleep(max(0.0, (step - 1) * STEP_SECONDS - time.time() + 0.5))
    return pyotp.TOTP(secret, interval=STEP_SECONDS).generate_otp(step)


def sign_in(page, app, world: DemoWorld, role: str) -> None:
    """Sign `role`'s demo login in on `page` (with a two-step code when that person uses one)."""
    email = LOGINS[role]
    page.goto("/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state()
    if email in world.secrets:
        assert re.search(r"/login/verify", page.url), page.url
        engines = app.extensions["loupe_db"].engines
        page.locator("input[name=code]").fill(totp_code(engines, world.user_ids[email], world.secrets[email]))
        page.locator("form button[type=submit]").first.click()
        page.wait_for_load_state()
    assert "/login" not in page.url, f"{role} could not sign in: {page.url}"
