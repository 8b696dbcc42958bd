"""Fixtures of the admin portal tests: an association with two regions and an admin who has two-step sign-in."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

import pyotp
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from accounts.mfa import STEP_SECONDS, new_totp_secret
from models import OutboundEmail, Region, Role, User
from models.base import utcnow
from tests.fixtures.factories import World
from tests.fixtures.web import csrf_token, post_form, sign_in


@dataclass
class AdminWorld:
    world: World
    other_region: Region
    admin: User
    secret: str

    @property
    def association(self):
        return self.world.association

    @property
    def url(self) -> str:
        return f"/a/{self.world.association.slug}"


def enrol(engines, user: User) -> str:
    """Turn two-step sign-in on for `user` directly in the database; returns the TOTP secret."""
    secret = new_totp_secret()
    with Session(engines.owner) as session, session.begin():
        session.execute(sa.update(User).where(User.id == user.id).values(totp_secret=secret, totp_enabled_at=utcnow()))
    return secret


def next_code(engines, user_id: int, secret: str) -> str:
    """A code not used yet: the current step's, or the next one when it was used (codes work once)."""
    with engines.owner.connect() as conn:
        last = conn.scalar(sa.select(User.totp_last_step).where(User.id == user_id))
    step = int(time.time()) // STEP_SECONDS
    if last is not None and last >= step:
        step = last + 1
    return pyotp.TOTP(secret, interval=STEP_SECONDS).generate_otp(step)


def sign_in_with_code(client, engines, user: User, secret: str):
    response = sign_in(client, user.email)
    assert response.headers["Location"].endswith("/login/verify")
    response = post_form(client, "/login/verify", {"code": next_code(engines, user.id, secret)})
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    return response


@pytest.fixture(autouse=True)
def _drop_queued_email(engines):
    """Emails these tests queue (thousands in the import test) are dropped, so no later test delivers them."""
    with engines.owner.connect() as conn:
        before = conn.scalar(sa.select(sa.func.coalesce(sa.func.max(OutboundEmail.id), 0)))
    yield
    with engines.owner.begin() as conn:
        conn.execute(sa.delete(OutboundEmail).where(OutboundEmail.id > before))


@pytest.fixture
def admin_world(make_world, make_user, engines) -> AdminWorld:
    world = make_world()
    with Session(engines.owner, expire_on_commit=False) as session, session.begin():
        other = Region(association_id=world.association.id, slug="south", name="South")
        session.add(other)
    admin = make_user(association=world.association, role=Role.ASSOCIATION_ADMIN)
    return AdminWorld(world=world, other_region=other, admin=admin, secret=enrol(engines, admin))


@pytest.fixture
def admin_client(client, admin_world, engines):
    sign_in_with_code(client, engines, admin_world.admin, admin_world.secret)
    return client


def token_of(client, url: str) -> str:
    return csrf_token(client.get(url).get_data(as_text=True))


def audit_actions(engines, association_id: int) -> list[str]:
    from models import AuditEntry

    with engines.owner.connect() as conn:
        return list(
            conn.scalars(
                sa.select(AuditEntry.action).where(AuditEntry.association_id == association_id).order_by(AuditEntry.id)
            )
        )


_TAG = re.compile(r"<[^>]+>")


def text_of(response) -> str:
    return _TAG.sub(" ", response.get_data(as_text=True))
