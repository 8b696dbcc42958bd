"""`flask digest send` in development without a mail server keeps the digest in the development outbox, like
every other email (issue #19); anywhere else without a mail server it still refuses and sends nothing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from app import create_app
from models import DigestDelivery, OutboundEmail
from tests.digest.conftest import digest_world  # noqa: F401

SHARING_WORLD_K = 5


@pytest.fixture
def development_app(app):
    development = create_app(
        "development",
        {"DATABASE_URL": app.extensions["loupe_db"].owner_url, "SECRET_KEY": "d" * 40, "MAIL_SERVER": None},
    )
    yield development
    development.extensions["loupe_db"].dispose()


def test_digest_send_in_development_lands_in_the_dev_outbox(development_app, engines, digest_world):  # noqa: F811
    world = digest_world.w
    slug = world.home.association.slug
    result = development_app.test_cli_runner().invoke(
        args=["digest", "send", "--association", slug, "--period", digest_world.period.key]
    )
    assert result.exit_code == 0, result.output
    assert "kept in the development outbox" in result.output
    people = {world.owner.email, world.staff.email, world.neighbour_user.email}
    with Session(engines.owner) as session:
        kept = session.execute(
            sa.select(OutboundEmail.to_address, OutboundEmail.body_text, OutboundEmail.status).where(
                OutboundEmail.kind == "digest", OutboundEmail.to_address.in_(people)
            )
        ).all()
        assert {row.to_address for row in kept} == people
        assert all(row.body_text and row.status == "sent" for row in kept)  # never sent later by a mail server
        pending = session.scalar(
            sa.select(sa.func.count()).select_from(DigestDelivery).where(DigestDelivery.status == "pending")
        )
    assert pending == 0
    # Again: the deliveries are done, nothing is added twice.
    again = development_app.test_cli_runner().invoke(
        args=["digest", "send", "--association", slug, "--period", digest_world.period.key]
    )
    assert again.exit_code == 0, again.output
    with Session(engines.owner) as session:
        count = session.scalar(
            sa.select(sa.func.count())
            .select_from(OutboundEmail)
            .where(OutboundEmail.kind == "digest", OutboundEmail.to_address.in_(people))
        )
    assert count == len(people)


def test_digest_send_without_a_mail_server_still_refuses_outside_development(app, engines, digest_world):  # noqa: F811
    assert not app.config.get("MAIL_SERVER") and not app.config["DEV_OUTBOX"]
    before = _digest_emails(engines)
    result = app.test_cli_runner().invoke(
        args=["digest", "send", "--association", digest_world.w.home.association.slug]
    )
    assert result.exit_code != 0 and "no MAIL_SERVER" in result.output
    assert _digest_emails(engines) == before


def _digest_emails(engines) -> int:
    with Session(engines.owner) as session:
        return session.scalar(
            sa.select(sa.func.count()).select_from(OutboundEmail).where(OutboundEmail.kind == "digest")
        )
