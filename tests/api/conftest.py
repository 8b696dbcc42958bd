"""API fixtures: tokens made through the domain functions (as the portals make them), bulletins in a region."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from apitokens import tokens
from audit import Actor
from models import Association, Membership, Role, Store
from models.base import utcnow
from models.bulletins import Bulletin

ALL_STORE_SCOPES = list(tokens.STORE_SCOPES)


@pytest.fixture
def make_token(engines):
    """make_token(store=..., scopes=[...]) or make_token(association=..., scopes=[...]) -> the token string."""

    def make(*, store: Store | None = None, association: Association | None = None, scopes=None, user=None) -> str:
        actor = Actor.for_user(user) if user is not None else Actor.system("test")
        with Session(engines.owner, expire_on_commit=False) as session, session.begin():
            if store is not None:
                made = tokens.create_store_token(
                    session, session.get(Store, store.id), name="Test", scopes=scopes or ALL_STORE_SCOPES, actor=actor
                )
            else:
                made = tokens.create_association_token(
                    session,
                    session.get(Association, association.id),
                    name="Test",
                    scopes=scopes or list(tokens.ASSOCIATION_SCOPES),
                    actor=actor,
                )
        return made.token

    return make


@pytest.fixture
def add_bulletin(engines):
    def add(world, *, title="Van circling the square", kind="incident", tlp="AMBER", status="published", **extra):
        with Session(engines.owner, expire_on_commit=False) as session, session.begin():
            bulletin = Bulletin(
                association_id=world.association.id,
                region_id=world.region.id,
                region_label=world.region.name,
                tlp=tlp,
                kind=kind,
                incident_type="casing",
                title=title,
                narrative="Seen photographing windows.",
                status=status,
                published_at=utcnow() - timedelta(minutes=5) if status == "published" else None,
                expires_at=utcnow() + timedelta(days=30),
                **extra,
            )
            session.add(bulletin)
        return bulletin

    return add


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def store_owner(make_user):
    def make(store):
        return make_user(store=store, role=Role.STORE_OWNER)

    return make


@pytest.fixture
def make_liaison_token(engines, make_user):
    """make_liaison_token(association, region_id=..., scopes=[...]) -> (user, membership id, token string): a police
    liaison of `association` (for one region, or the whole association with region_id=None) and their token."""

    def make(association: Association, *, region_id: int | None = None, scopes=None):
        user = make_user(association=association, role=Role.POLICE_LIAISON)
        with Session(engines.owner, expire_on_commit=False) as session, session.begin():
            membership = session.scalar(sa.select(Membership).where(Membership.user_id == user.id))
            membership.region_id = region_id
            made = tokens.create_liaison_token(
                session,
                membership,
                name="Agency system",
                scopes=scopes or list(tokens.LIAISON_SCOPES),
                actor=Actor.for_user(user),
            )
        return user, membership.id, made.token

    return make
