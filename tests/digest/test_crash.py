"""Crash test: the sender (`flask digest send`, a real subprocess) is killed with SIGKILL in the middle of a run;
running it again sends the rest. Every recipient ends with exactly one message, except at most the one in flight
at the kill, whose copies carry the same Message-ID."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from sqlalchemy.orm import Session

from digest.periods import week_period
from digest.runs import queue_period
from models import Association, DigestDelivery, Role
from tests.fixtures.factories import World
from tests.fixtures.smtp import Inbox, _free_port
from tests.support.processes import children, still_alive, wait_until

ROOT = Path(__file__).resolve().parents[2]
RECIPIENTS = 30


class SlowInbox(Inbox):
    """Takes 80 ms per message, so the kill lands in the middle of the run."""

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        await asyncio.sleep(0.08)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def slow_smtp():
    inbox = SlowInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


SENDER_WORKERS = 2  # processes of `flask digest send`: each may have one message in flight when killed


def _sender(app, engines, port: int, association_slug: str, period: str) -> subprocess.Popen:
    # The testing settings take no mail server from the environment: the child gets its settings as overrides.
    overrides = {
        "DATABASE_URL": engines.owner.url.render_as_string(hide_password=False),
        "DATABASE_APP_URL": engines.app.url.render_as_string(hide_password=False),
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": port,
        "MAIL_FROM": app.config["MAIL_FROM"],
    }
    command = [sys.executable, "-m", "flask", "--app", f"app:create_app('testing', {overrides!r})", "digest", "send"]
    command += ["--association", association_slug, "--period", period, "--workers", str(SENDER_WORKERS)]
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def test_killed_sender_rerun_gives_everyone_exactly_one_message(
    app, engines, make_world, make_store, make_user, slow_smtp
):
    controller, inbox = slow_smtp
    world: World = make_world()
    store = make_store(world)
    people = [make_user(store=store, role=Role.STORE_STAFF) for _ in range(RECIPIENTS)]
    period = week_period(date.today())
    with app.app_context(), Session(engines.owner, expire_on_commit=False) as session, session.begin():
        association = session.get(Association, world.association.id)
        [queued] = queue_period(session, association, period, domain="loupe.test")
    assert queued.run.recipients == RECIPIENTS

    sender = _sender(app, engines, controller.port, world.association.slug, period.key)
    deadline = time.monotonic() + 180  # a machine busy with other work starts the sender's workers slowly
    while len(inbox.received()) < RECIPIENTS // 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    workers = children(sender.pid)  # the sender's worker processes (and multiprocessing's resource tracker)
    assert workers, "the sender runs its deliveries in worker processes"
    sender.send_signal(signal.SIGKILL)
    sender.wait(timeout=10)
    sender.stdout.close()
    # Processes end with their owner: no worker of the killed sender lives on, holding connections.
    assert wait_until(lambda: not still_alive(workers), 10), still_alive(workers)
    at_kill = len(inbox.received())
    assert 0 < at_kill < RECIPIENTS, "the kill must land mid-run"

    rerun = _sender(app, engines, controller.port, world.association.slug, period.key)
    output = rerun.communicate(timeout=120)[0].decode()
    assert rerun.returncode == 0, output
    assert f"recipients {RECIPIENTS}" in output and "pending 0" in output, output

    by_person = Counter(m["To"] for m in inbox.received())
    assert set(by_person) == {p.email for p in people}
    twice = [email for email, n in by_person.items() if n > 1]
    # At most the one each sender process had in flight when it was killed.
    assert len(twice) <= SENDER_WORKERS and all(n <= 2 for n in by_person.values())
    for email in twice:
        assert (
            len({m["Message-ID"] for m in inbox.received() if m["To"] == email}) == 1
        )  # the same message, droppable by receivers
    with Session(engines.owner) as session:
        rows = list(session.scalars(sa.select(DigestDelivery).where(DigestDelivery.run_id == queued.run.id)))
        assert {r.status for r in rows} == {"sent"} and len(rows) == RECIPIENTS
