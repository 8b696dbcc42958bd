"""`flask digest run-due` (cron) queues what the schedule says is due and sends it; running it again sends
nothing twice. `flask digest send` refuses bad options with a message."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import Association

# The sharing world at the default k = 5 (it shares nothing here; trend cells are checked at k = 5).
SHARING_WORLD_K = 5


def test_run_due_sends_the_daily_digest_once(app, engines, digest_world, smtp):
    dw = digest_world
    now = datetime.now(UTC)
    with Session(engines.owner) as session, session.begin():
        session.execute(
            sa.update(Association)
            .where(Association.id == dw.w.home.association.id)
            .values(digest_frequency="daily", digest_hour=now.hour, timezone="UTC")
        )
    runner = app.test_cli_runner()
    result = runner.invoke(args=["digest", "run-due"])
    assert result.exit_code == 0, result.output
    assert "period " in result.output and "sent 3" in result.output, result.output
    people = {dw.w.owner.email, dw.w.staff.email, dw.w.neighbour_user.email}
    assert {m["To"] for m in smtp.messages} >= people
    sent = len(smtp.messages)
    again = runner.invoke(args=["digest", "run-due"])
    assert again.exit_code == 0 and len(smtp.messages) == sent, again.output


def test_a_suspended_association_gets_no_digest(app, engines, digest_world, smtp):
    dw = digest_world
    now = datetime.now(UTC)
    with Session(engines.owner) as session, session.begin():
        session.execute(
            sa.update(Association)
            .where(Association.id == dw.w.home.association.id)
            .values(digest_frequency="daily", digest_hour=now.hour, timezone="UTC", suspended_at=now)
        )
    result = app.test_cli_runner().invoke(args=["digest", "run-due"])
    assert result.exit_code == 0, result.output
    people = {dw.w.owner.email, dw.w.staff.email, dw.w.neighbour_user.email}
    assert not people & {m["To"] for m in smtp.messages}


def test_send_refuses_bad_options(app, digest_world, smtp):
    runner = app.test_cli_runner()
    slug = digest_world.w.home.association.slug
    bad = runner.invoke(args=["digest", "send", "--association", slug, "--period", "2026-W99"])
    assert bad.exit_code != 0 and "not an ISO week" in bad.output
    both = runner.invoke(
        args=["digest", "send", "--association", slug, "--period", "2026-W01", "--since", "2026-01-01"]
    )
    assert both.exit_code != 0 and "not both" in both.output
    none = runner.invoke(args=["digest", "send", "--association", "no-such-association"])
    assert none.exit_code != 0 and "no association" in none.output
