"""`flask demo seed` (what `make run` runs): a realistic demo, and running it again changes nothing."""

import sqlalchemy as sa
from sqlalchemy.orm import Session

from demo.seed import ASSOCIATION, STORES
from models import Association, Bulletin, Incident, Store, User
from models.store.profile import StoreProfile
from tenants.binding import store_session


def counts(engines):
    with Session(engines.owner) as session:
        association = session.scalar(sa.select(Association).where(Association.slug == ASSOCIATION[0]))
        stores = session.scalars(sa.select(Store).where(Store.association_id == association.id)).all()
        published = session.scalar(
            sa.select(sa.func.count())
            .select_from(Bulletin)
            .where(Bulletin.association_id == association.id, Bulletin.status == "published")
        )
        users = session.scalar(sa.select(sa.func.count()).select_from(User))
    return stores, published, users


def test_demo_seed_is_realistic_and_idempotent(app, engines):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == 0, first.output
    assert "admin@northern-jewelers.example" in first.output
    stores, published, users = counts(engines)
    assert len(stores) == sum(len(names) for names in STORES.values()) >= 12
    assert all(store.status == "ready" for store in stores)
    assert published > 0
    with store_session(engines.app, stores[0].schema_name) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Incident)) > 5
        profile = session.get(StoreProfile, 1)  # the officer's pages show where to go
        assert profile is not None and profile.street_address and profile.phone

    again = runner.invoke(args=["demo", "seed"])
    assert again.exit_code == 0, again.output
    assert counts(engines)[1:] == (published, users)
    assert len(counts(engines)[0]) == len(stores)
