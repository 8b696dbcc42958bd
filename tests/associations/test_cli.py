"""`flask associations create|list|suspend|unsuspend`."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import Invitation, Role
from tests.associations.conftest import Stored, association, audited
from tests.fixtures.factories import unique


def _create(app, slug: str, *extra: str):
    return app.test_cli_runner().invoke(
        args=[
            "associations", "create", "--name", "Guild of Jewellers", "--slug", slug, "--timezone", "Europe/Paris",
            "--admin-email", "First.Admin@Example.org", *extra,
        ]
    )  # fmt: skip


def test_create_makes_the_association_and_emails_the_first_admin_an_invitation(app, engines, client, smtp):
    slug = unique("guild")
    result = _create(app, slug, "--k", "7", "--admin-name", "Ada Admin")
    assert result.exit_code == 0, result.output
    created = association(engines, slug)
    assert (created.name, created.timezone, created.k_threshold, created.suspended_at) == (
        "Guild of Jewellers", "Europe/Paris", 7, None,
    )  # fmt: skip
    with Session(engines.owner) as session:
        invitation = session.scalars(sa.select(Invitation).where(Invitation.association_id == created.id)).one()
    assert (invitation.email, invitation.role) == ("first.admin@example.org", Role.ASSOCIATION_ADMIN)
    assert invitation.name == "Ada Admin"
    assert [e.actor_email for e in audited(engines, "association.create", slug)] == ["cli"]
    # The invitation flow of the admin portal: the email's link opens the acceptance page.
    (mail,) = smtp.to("first.admin@example.org")
    assert "Guild of Jewellers" in mail["Subject"]
    link = result.output.strip().rsplit(" ", 1)[1]
    assert client.get(link.split("127.0.0.1:5000", 1)[1]).status_code == 200


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--k", "1"], "between 2 and 50"),
        (["--k", "51"], "between 2 and 50"),
        (["--timezone", "Mars/Olympus_Mons"], "Unknown time zone"),
    ],
)
def test_create_refuses_out_of_range_input_and_stores_nothing(app, engines, args, says):
    stored = Stored(engines)
    result = _create(app, unique("guild"), *args)
    assert result.exit_code != 0 and says in result.output
    assert stored.changed() == {}


def test_create_refuses_a_malformed_or_taken_address(app, engines, make_world):
    taken = make_world().association.slug
    stored = Stored(engines)
    for slug, says in ((taken, "is taken"), ("Not An Address!", "lowercase letters"), ("a", "3 to 50")):
        result = _create(app, slug)
        assert result.exit_code != 0 and says in result.output, (slug, result.output)
    assert stored.changed() == {}


def test_list_suspend_and_unsuspend(app, engines, make_world, make_store):
    world = make_world("Searchable Guild")
    make_store(world)
    slug = world.association.slug
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["associations", "list", "--search", slug])
    assert listed.exit_code == 0 and slug in listed.output and "1 stores" in listed.output and "active" in listed.output
    assert runner.invoke(args=["associations", "suspend", slug]).exit_code == 0
    assert association(engines, slug).suspended_at is not None
    again = runner.invoke(args=["associations", "suspend", slug])
    assert again.exit_code != 0 and "already suspended" in again.output
    assert "suspended" in runner.invoke(args=["associations", "list", "--search", slug]).output
    assert runner.invoke(args=["associations", "unsuspend", slug]).exit_code == 0
    assert association(engines, slug).suspended_at is None
    assert len(audited(engines, "association.suspend", slug)) == 1
    assert len(audited(engines, "association.unsuspend", slug)) == 1
    unknown = runner.invoke(args=["associations", "suspend", "no-such-guild"])
    assert unknown.exit_code != 0 and "No such association" in unknown.output
