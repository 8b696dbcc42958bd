"""Issue 17 item 4 (ANONYMIZATION.md rule 4): rejected, withdrawn and merged shares leave the trend counts, each
exactly once, through the real share, moderation, merge and withdrawal paths.

Before the fix a rejected or merged share kept its fact ("7 shown against 6 published"), and withdrawing a merged
bulletin removed one more fact of that store's week and type — another, still published, share's."""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa
from sqlalchemy.orm import Session

from jobs import names
from jobs.queue import enqueue
from models import Role
from models.bulletins import Bulletin
from models.trends import IncidentFact
from tests.bulletins.conftest import add_incident, admin_client, set_auto_publish, signed_in
from tests.bulletins.test_sharing import FACTS
from tests.fixtures.web import post_form


def _cells(engines, association_id):
    """Per (region, week, type): the number of facts and of distinct contributors; and the same for the published
    incident bulletins (distinct stores, as the test knows who shared what)."""
    with Session(engines.owner) as session:
        facts = session.execute(
            sa.select(
                IncidentFact.region_id, IncidentFact.iso_week, IncidentFact.incident_type, IncidentFact.contributor
            ).where(IncidentFact.association_id == association_id)
        ).all()
        published = session.execute(
            sa.select(Bulletin.id, Bulletin.region_id, Bulletin.iso_week, Bulletin.incident_type).where(
                Bulletin.association_id == association_id, Bulletin.kind == "incident", Bulletin.status == "published"
            )
        ).all()
    return facts, published


def test_rejected_withdrawn_and_merged_shares_leave_the_counts_once(
    app, engines, sharing_world, make_store, make_user, in_store, run_jobs
):
    world = sharing_world
    association = world.home.association
    set_auto_publish(engines, association.id, False)
    third = make_store(world.home)
    clients = {
        world.source.id: signed_in(app, world.owner),
        world.neighbour.id: signed_in(app, make_user(store=world.neighbour, role=Role.STORE_OWNER)),
        third.id: signed_in(app, make_user(store=third, role=Role.STORE_OWNER)),
    }
    admin = admin_client(app, engines, world)
    base = f"/a/{association.slug}/moderation"
    store_of: dict[int, int] = {}

    def share(store) -> tuple[int, int]:
        incident_id = add_incident(in_store, store, FACTS)
        url = f"/s/{store.slug}/logbook/{incident_id}/share/"
        assert post_form(clients[store.id], url, {"tlp": "AMBER"}).status_code == 302
        with Session(engines.owner) as session:
            bulletin_id = session.scalar(sa.select(sa.func.max(Bulletin.id)))
        store_of[bulletin_id] = store.id
        return incident_id, bulletin_id

    def withdraw(store, incident_id):
        url = f"/s/{store.slug}/logbook/{incident_id}/share/"
        assert post_form(clients[store.id], url + "withdraw", {}, form_url=url).status_code == 302

    def decide(bulletin_id, action, data=None):
        response = post_form(admin, f"{base}/{bulletin_id}/{action}", data or {}, form_url=base)
        assert response.status_code == 302, response.get_data(as_text=True)

    _, a = share(world.source)
    decide(a, "approve")
    _, b = share(world.source)
    decide(b, "reject", {"reason": "Not an incident of ours."})
    _, c = share(world.neighbour)
    decide(c, "approve")
    d_incident, d = share(third)
    decide(d, "merge", {"into": str(c)})  # the same incident as C, seen by another store: counted once, in C
    _, e = share(third)
    decide(e, "approve")
    f_incident, f = share(world.neighbour)
    decide(f, "approve")
    withdraw(world.neighbour, f_incident)
    run_jobs()
    # The third store withdraws its merged-away share: nothing more leaves (E, its other share, still counts).
    withdraw(third, d_incident)
    run_jobs()

    facts, published = _cells(engines, association.id)
    assert sorted(row.id for row in published) == sorted([a, c, e])
    assert Counter((r, w, t) for r, w, t, _ in facts) == Counter(
        (row.region_id, row.iso_week, row.incident_type) for row in published
    )
    distinct_facts = Counter((r, w, t) for r, w, t, _ in set(facts))
    distinct_published = Counter(
        (row.region_id, row.iso_week, row.incident_type)
        for row in {(p.region_id, p.iso_week, p.incident_type, store_of[p.id]): p for p in published}.values()
    )
    assert distinct_facts == distinct_published == Counter({(world.home.region.id, "2026-W10", "casing"): 3})

    # Running the departures again (a retried job) takes nothing more.
    with Session(engines.owner) as session, session.begin():
        for bulletin_id in (b, d):
            enqueue(session, names.DROP_TREND_FACT, {"bulletin_id": bulletin_id})
    run_jobs()
    assert len(_cells(engines, association.id)[0]) == 3


def test_facts_left_by_bulletins_rejected_before_the_upgrade_are_dropped_by_the_cli(
    app, engines, sharing_world, in_store, run_jobs
):
    """A bulletin rejected before revision 0019 (no job was written) still has its fact: the CLI queues its job."""
    world = sharing_world
    association = world.home.association
    owner = signed_in(app, world.owner)
    incident_id = add_incident(in_store, world.source, FACTS)
    assert post_form(owner, world.share_url(incident_id), {"tlp": "AMBER"}).status_code == 302
    run_jobs()
    with Session(engines.owner) as session, session.begin():
        bulletin_id = session.scalar(sa.select(sa.func.max(Bulletin.id)))
        session.execute(sa.update(Bulletin).where(Bulletin.id == bulletin_id).values(status="rejected"))
    assert len(_cells(engines, association.id)[0]) == 1

    result = app.test_cli_runner().invoke(args=["bulletins", "drop-departed-facts"])
    assert result.exit_code == 0, result.output
    assert "1 rejected or merged bulletin(s)" in result.output
    run_jobs()
    assert _cells(engines, association.id)[0] == []
    result = app.test_cli_runner().invoke(args=["bulletins", "drop-departed-facts"])
    assert "0 rejected or merged bulletin(s)" in result.output
