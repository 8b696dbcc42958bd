"""The regional feed: published, unexpired bulletins of the store's association and region, newest first.

Reads only the shared `bulletins` table, filtered by the store's own association and region from the registry; a
member of another association (or another region) never matches. Nothing here reads who shared a bulletin: the
rows do not know.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session, undefer

from database.bundle import Query
from errors import NotFound
from i18n import _
from jobs.queue import notify
from models import Area, Association, Store
from models.base import utcnow
from models.bulletin_photos import BulletinPhoto
from models.bulletins import Bulletin, BulletinFeedback
from regions import effective_settings
from workspace.times import association_zone, local_to_utc, store_zone

# A page's work grows with the bulletins on it (each is a card to render), so a page is kept short; older ones
# are a link away ("Older bulletins", keyset on publication time).
PAGE_SIZE = 20


@dataclass(frozen=True)
class FeedItem:
    bulletin: Bulletin
    helped: int
    helped_by_me: bool


@dataclass(frozen=True)
class FeedPage:
    """One page of the feed, newest first; `older` is the last bulletin when more follow (the next page's key)."""

    items: list[FeedItem]
    older: Bulletin | None


def _visible(store: Store, now: datetime):
    return _visible_in([store.region_id], now).where(Bulletin.association_id == store.association_id)


def _visible_in(region_ids: list[int], now: datetime):
    """Published, unexpired bulletins of these regions: what a member of a store there, or a police liaison of
    them, may read (the one rule of the store feed and the liaison's pages)."""
    return sa.select(Bulletin).where(
        Bulletin.region_id.in_(region_ids),
        Bulletin.status == "published",
        Bulletin.expires_at > now,
    )


@dataclass(frozen=True)
class Reader:
    """Who reads the feed, for the API: a member store (its region, in its association) or a police liaison (their
    regions, `sharing.notes.liaison_regions`). Its reads are the pages' own: `feed`/`get_visible` for a store,
    `region_feed`/`get_visible_in` for a liaison, as the liaison's workspace calls them."""

    region_ids: tuple[int, ...]
    zone: ZoneInfo
    user_id: int
    store: Store | None = None

    @classmethod
    def for_store(cls, store: Store, *, user_id: int) -> Reader:
        return cls((store.region_id,), store_zone(store), user_id, store)

    @classmethod
    def for_liaison(cls, association: Association, regions, *, user_id: int) -> Reader:
        return cls(tuple(r.id for r in regions), association_zone(association), user_id)

    def page(self, session: Session, **filters) -> FeedPage:
        if self.store is not None:
            return feed(session, self.store, user_id=self.user_id, **filters)
        return region_feed(session, list(self.region_ids), user_id=self.user_id, **filters)

    def get(self, session: Session, bulletin_id: int) -> Bulletin:
        if self.store is not None:
            return get_visible(session, self.store, bulletin_id)
        return get_visible_in(session, list(self.region_ids), bulletin_id)


def feed(session: Session, store: Store, **filters) -> FeedPage:
    """A page of the store's regional feed (`region_feed` with the store's region, in its association)."""
    return region_feed(session, [store.region_id], association_id=store.association_id, **filters)


def region_feed(
    session: Session,
    region_ids: list[int],
    *,
    association_id: int | None = None,
    user_id: int,
    kind: str | None = None,
    tlp: str | None = None,
    area_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    before: Bulletin | None = None,
    bulletin_id: int | None = None,
    limit: int = PAGE_SIZE,
    now: datetime | None = None,
) -> FeedPage:
    """A page of the regions' feed with the filters applied, starting after `before` (a visible bulletin
    from the previous page) when given; with each bulletin's "helped" count and whether `user_id` said so."""
    query = _visible_in(region_ids, now or utcnow())
    if association_id is not None:
        query = query.where(Bulletin.association_id == association_id)
    if kind:
        query = query.where(Bulletin.kind == kind)
    if tlp:
        query = query.where(Bulletin.tlp == tlp)
    if area_id:
        query = query.where(Bulletin.area_id == area_id)
    if bulletin_id is not None:  # one bulletin, read as the feed shows it (the API's single-bulletin read)
        query = query.where(Bulletin.id == bulletin_id)
    if since:
        query = query.where(Bulletin.published_at >= since)
    if until:
        query = query.where(Bulletin.published_at < until)
    if before is not None:
        query = query.where(sa.tuple_(Bulletin.published_at, Bulletin.id) < (before.published_at, before.id))
    found = session.scalars(query.order_by(Bulletin.published_at.desc(), Bulletin.id.desc()).limit(limit + 1)).all()
    bulletins, more = found[:limit], len(found) > limit
    ids = [b.id for b in bulletins]
    counts: dict[int, int] = {}
    mine: set[int] = set()
    if ids:
        counts = dict(
            session.execute(
                sa.select(BulletinFeedback.bulletin_id, sa.func.count())
                .where(BulletinFeedback.bulletin_id.in_(ids))
                .group_by(BulletinFeedback.bulletin_id)
            ).all()
        )
        mine = set(
            session.scalars(
                sa.select(BulletinFeedback.bulletin_id).where(
                    BulletinFeedback.bulletin_id.in_(ids), BulletinFeedback.user_id == user_id
                )
            )
        )
    items = [FeedItem(b, counts.get(b.id, 0), b.id in mine) for b in bulletins]
    return FeedPage(items=items, older=bulletins[-1] if more else None)


def day_window(store: Store, since: date | None, until: date | None) -> tuple[datetime | None, datetime | None]:
    """A range of the store's local calendar days (both ends included) as UTC bounds of publication time: the
    feed page's and the API's date filters mean the same days."""
    return day_window_in(store_zone(store), since, until)


def day_window_in(zone: ZoneInfo, since: date | None, until: date | None) -> tuple[datetime | None, datetime | None]:
    """`day_window` in a time zone (a liaison's: their association's)."""
    start = local_to_utc(datetime.combine(since, time()), zone) if since else None
    end = local_to_utc(datetime.combine(until + timedelta(days=1), time()), zone) if until else None
    return start, end


def region_areas(session: Session, store: Store) -> list[Area]:
    """The areas of the store's region that bulletins may name (at least k member stores), for the area filter."""
    k = effective_settings(store.association, store.region).k_threshold
    query = (
        sa.select(Area)
        .join(Store, Store.area_id == Area.id)
        .where(Area.region_id == store.region_id)
        .group_by(Area.id)
        .having(sa.func.count(Store.id) >= k)
        .order_by(Area.name)
    )
    return list(session.scalars(query))


@functools.cache
def _latest_query() -> sa.Select:
    # Built once: every store dashboard shows the latest bulletins. Same filter as `_visible`, as bind parameters.
    return (
        sa.select(Bulletin)
        .where(
            Bulletin.association_id == sa.bindparam("association_id"),
            Bulletin.region_id == sa.bindparam("region_id"),
            Bulletin.status == "published",
            Bulletin.expires_at > sa.bindparam("now"),
        )
        .order_by(Bulletin.published_at.desc(), Bulletin.id.desc())
        .limit(sa.bindparam("count", type_=sa.Integer))
    )


def latest_query(store: Store, count: int = 3) -> Query:
    """The store's region's `count` newest visible bulletins (the dashboard's feed teaser), as a query of a bundle
    (`database.bundle`): its rows are `(bulletin record,)`."""
    params = {"association_id": store.association_id, "region_id": store.region_id, "now": utcnow(), "count": count}
    return Query(_latest_query(), params)


def get_visible(session: Session, store: Store, bulletin_id: int) -> Bulletin:
    bulletin = session.scalar(_visible(store, utcnow()).where(Bulletin.id == bulletin_id))
    if bulletin is None:
        raise NotFound(_("No such bulletin in your region's feed."))
    return bulletin


def get_visible_in(session: Session, region_ids: list[int], bulletin_id: int) -> Bulletin:
    """A bulletin a liaison of these regions may read (NotFound otherwise, whether or not it exists)."""
    bulletin = session.scalar(_visible_in(region_ids, utcnow()).where(Bulletin.id == bulletin_id))
    if bulletin is None:
        raise NotFound(_("No such bulletin in your regions."))
    return bulletin


def visible_bulletins(session: Session, region_ids: list[int], *, kind: str | None = None, limit: int = 1000):
    """The regions' visible bulletins, newest first (the liaison's export): the feed's rule, nothing more."""
    query = _visible_in(region_ids, utcnow())
    if kind:
        query = query.where(Bulletin.kind == kind)
    return list(session.scalars(query.order_by(Bulletin.published_at.desc(), Bulletin.id.desc()).limit(limit)))


def mark_helped(session: Session, bulletin: Bulletin, user_id: int) -> bool:
    """Record "this helped" once per person; False when it was already recorded."""
    inserted = session.execute(
        insert(BulletinFeedback)
        .values(bulletin_id=bulletin.id, user_id=user_id, kind="helped")
        .on_conflict_do_nothing()
        .returning(BulletinFeedback.id)
    ).first()
    if inserted is not None:  # the store that shared it hears "a member found it helpful", never who
        notify(session, "bulletin.helped", bulletin_id=bulletin.id, ref=str(inserted[0]))
    return inserted is not None


def photos_by_bulletin(session: Session, bulletin_ids) -> dict[int, list[BulletinPhoto]]:
    """The shared photos (without their bytes) of these bulletins, in one query."""
    ids = list(bulletin_ids)
    found: dict[int, list[BulletinPhoto]] = {}
    if not ids:
        return found
    rows = session.scalars(
        sa.select(BulletinPhoto).where(BulletinPhoto.bulletin_id.in_(ids)).order_by(BulletinPhoto.id)
    )
    for photo in rows:
        found.setdefault(photo.bulletin_id, []).append(photo)
    return found


def get_visible_photo(session: Session, store: Store, stored_name: str) -> BulletinPhoto:
    """A photo of a bulletin the store may see in its feed (with its bytes); NotFound for anything else."""
    visible = _visible(store, utcnow()).with_only_columns(Bulletin.id)
    photo = session.scalar(
        sa.select(BulletinPhoto)
        .where(BulletinPhoto.stored_name == stored_name, BulletinPhoto.bulletin_id.in_(visible.scalar_subquery()))
        .options(undefer(BulletinPhoto.data))
    )
    if photo is None:
        raise NotFound(_("No such photo in your region's feed."))
    return photo
