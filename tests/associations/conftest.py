"""Helpers of the association onboarding tests: an operator signed in with two-step sign-in, what is stored."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from config import JOBS_SCHEMA, SHARED_SCHEMA
from models import Association, AuditEntry, OutboundEmail, PlatformSettings
from tests.admin.conftest import enrol, sign_in_with_code
from tests.security.refusals import changed_tables, fingerprint


@pytest.fixture
def operator_client(app, engines, make_user):
    operator = make_user(operator=True)
    client = app.test_client()
    sign_in_with_code(client, engines, operator, enrol(engines, operator))
    client.operator = operator
    return client


@pytest.fixture(autouse=True)
def _platform_settings_back(engines):
    """Tests switch sign-up approval on and off: each one ends with the default (approval required) again."""
    yield
    with Session(engines.owner) as session, session.begin():
        session.execute(sa.update(PlatformSettings).values(signup_requires_approval=True))


@pytest.fixture(autouse=True)
def _drop_queued_email(engines):
    """Emails queued here and not read are dropped, so no later test delivers them."""
    with engines.owner.connect() as conn:
        before = conn.scalar(sa.select(sa.func.coalesce(sa.func.max(OutboundEmail.id), 0)))
    yield
    with engines.owner.begin() as conn:
        conn.execute(sa.delete(OutboundEmail).where(OutboundEmail.id > before))


def association(engines, slug: str) -> Association | None:
    with Session(engines.owner, expire_on_commit=False) as session:
        found = session.scalar(sa.select(Association).where(Association.slug == slug))
        if found is not None:
            session.expunge(found)
        return found


def audited(engines, action: str, target: str) -> list[AuditEntry]:
    with Session(engines.owner, expire_on_commit=False) as session:
        statement = sa.select(AuditEntry).where(AuditEntry.action == action, AuditEntry.target == target)
        rows = list(session.scalars(statement))
        session.expunge_all()
        return rows


class Stored:
    """Fingerprint of the shared schema and the job queue before and after something, to prove nothing was stored."""

    def __init__(self, engines) -> None:
        self.engines = engines
        self.before = self._now()

    def _now(self) -> dict:
        return fingerprint(self.engines.owner, [SHARED_SCHEMA, JOBS_SCHEMA])

    def changed(self) -> dict:
        return changed_tables(self.before, self._now())
