"""`flask users` bootstrap commands."""

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import Invitation, User


def test_invite_an_association_admin_from_the_cli(app, engines, make_world, client):
    world = make_world()
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "invite",
            "--email",
            "First.Admin@example.org",
            "--association",
            world.association.slug,
            "--role",
            "admin",
        ]
    )
    assert result.exit_code == 0, result.output
    link = result.output.strip().rsplit(" ", 1)[1]
    assert client.get(link.split("127.0.0.1:5000", 1)[1]).status_code == 200
    with Session(engines.owner) as session:
        invitation = session.scalar(sa.select(Invitation).where(Invitation.email == "first.admin@example.org"))
    assert invitation.role == "admin" and invitation.store_id is None


def test_invite_refuses_unknown_places_and_mismatched_roles(app, make_world):
    world = make_world()
    runner = app.test_cli_runner()
    unknown = runner.invoke(
        args=["users", "invite", "--email", "x@example.org", "--association", "nope", "--role", "admin"]
    )
    assert unknown.exit_code != 0 and "no association" in unknown.output
    no_store = runner.invoke(
        args=["users", "invite", "--email", "x@example.org", "--association", world.association.slug, "--role", "owner"]
    )
    assert no_store.exit_code != 0 and "store role needs a store" in no_store.output


def test_create_operator_checks_the_password_policy(app, engines):
    runner = app.test_cli_runner()
    weak = runner.invoke(args=["users", "create-operator", "--email", "ops@example.org"], input="short\nshort\n")
    assert weak.exit_code != 0 and "at least 12" in weak.output
    good = "operator-long-passphrase-1"
    ok = runner.invoke(args=["users", "create-operator", "--email", "ops@example.org"], input=f"{good}\n{good}\n")
    assert ok.exit_code == 0, ok.output
    with Session(engines.owner) as session:
        assert session.scalar(sa.select(User.is_operator).where(User.email == "ops@example.org")) is True
