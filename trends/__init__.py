"""Regional trends: weekly distinct-store counts per (region, area, week, type), published once per closed week.

Nothing per store is kept in the shared schema (issue #17 item 6): a share writes no trend fact at all. When an ISO
week has closed, `trends.closing.close_weeks` (a job) reads each store's own record of what it shared, counts
distinct stores per cell in memory, applies the small-count and group rules (`freeze_weeks`:
`anonymize.publishable_cells`, k from the region's settings, each region's and area's size counted in SQL) and
stores only the published cells, frozen (`published_trend_weeks`).

- `weekly_trends`: the frozen cells of closed ISO weeks only (see `closed_weeks`: the current, partial week is never
  shown, so two looks around one share cannot isolate it), week-over-week change and the 4-week average, both
  computed from published cells only. A fixed number of statements, whatever the number of stores.
- red flags (issue #19): the red-flag codes of the week's shares are counted per region the same way (distinct
  stores per (region, week, flag), `cell_publishable` against the region's size, withheld below k) and frozen
  beside the type cells (`PublishedTrendWeek.red_flag_cells`); facts carry them as the type `red_flag:<code>`
  (`RED_FLAG_PREFIX`). Region cells only: a flag per area would cut the counts too thin to ever pass.
- `export_rows`: TLP:CLEAR rows of published cells, rounded to base 5; suppressed cells are left out, and the
  export has no totals across areas' complement, types or weeks that could give them back; `export_for_admin`
  is the admin portal's export, audited.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

import audit
from anonymize import PublishedCells, TrendCell, publishable_cells, round_base5
from audit import Actor
from models import Area, Association, Region, Store, StoreStatus
from models.store.logbook import INCIDENT_TYPES
from models.trends import PublishedTrendWeek
from regions import effective_settings

DEFAULT_WEEKS = 12
# A fact whose type starts with this counts a red flag (`logbook.red_flags` code after it), not an incident type.
RED_FLAG_PREFIX = "red_flag:"


def week_label(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def last_weeks(today: date, count: int = DEFAULT_WEEKS) -> list[str]:
    """The `count` ISO weeks ending with today's, oldest first."""
    return [week_label(today - timedelta(weeks=i)) for i in range(count - 1, -1, -1)]


def closed_weeks(today: date, count: int = DEFAULT_WEEKS) -> list[str]:
    """The `count` ISO weeks that have ended by `today` (a local date), oldest first: they end with the week
    before today's. Counts are published for closed weeks only (ANONYMIZATION.md rule 4): a count of the current
    week changes as shares arrive, so a look before and a look after one share would isolate it."""
    return last_weeks(today - timedelta(weeks=1), count)


def local_today(zone, now: datetime | None = None) -> date:
    """Today's date in `zone` (a region's effective time zone): a week is closed once it has ended there."""
    return (now or datetime.now(UTC)).astimezone(zone).date()


@dataclass(frozen=True)
class Series:
    """One line of a chart: a published count per week (None: nothing published that week)."""

    label: str
    values: list[int | None]

    @property
    def last(self) -> int | None:
        return self.values[-1] if self.values else None

    @property
    def change(self) -> int | None:
        """Week-over-week change of the last week, from published cells only (None when either is withheld)."""
        if len(self.values) < 2 or self.values[-1] is None or self.values[-2] is None:
            return None
        return self.values[-1] - self.values[-2]

    @property
    def average4(self) -> float | None:
        """Average of the last four weeks' published values (withheld weeks count as unknown, not zero)."""
        known = [v for v in self.values[-4:] if v is not None]
        return round(sum(known) / len(known), 1) if known else None


@dataclass
class RegionTrend:
    region_id: int
    name: str
    k: int
    weeks: list[str]
    total: Series  # sum over types of the published region cells
    by_type: list[Series] = field(default_factory=list)
    areas: list[Series] = field(default_factory=list)  # all types, published area cells only
    cells: PublishedCells | None = None
    area_names: dict[int, str] = field(default_factory=dict)
    # The current, partial ISO week (in the region's time zone): never counted, its counts are published when it ends.
    open_week: str = ""
    # Red flags seen per week (label: the red-flag code; the page shows its words), published region cells only.
    red_flags: list[Series] = field(default_factory=list)


def trend_cells(
    facts: Iterable[tuple[int, int | None, str, str, str]],
    k_by_region: Mapping[int, int],
    group_sizes: Mapping[tuple[int, int | None], int],
) -> dict[int, PublishedCells]:
    """Pure: facts (region id, area id, week, type, contributor) → published cells per region (cells keyed by ids
    as strings). Distinct stores are counted as sets of contributors (in memory only: whatever tells stores apart
    while the cells are computed), so a store counts once per cell.
    `group_sizes[(region id, area id)]` is the number of member stores of the area (area None: of the region); a
    group missing from it has no stores, so nothing of it is published."""
    cells: dict[int, dict[tuple[str, str | None, str, str], set[str]]] = {}
    for region_id, area_id, week, incident_type, contributor in facts:
        if region_id not in k_by_region:
            continue
        key = (str(region_id), None if area_id is None else str(area_id), week, incident_type)
        cells.setdefault(region_id, {}).setdefault(key, set()).add(contributor)
    sizes = {(str(r), None if a is None else str(a)): n for (r, a), n in group_sizes.items()}
    return {
        region_id: publishable_cells(cells.get(region_id, {}), k=k, group_sizes=sizes)
        for region_id, k in k_by_region.items()
    }


def red_flag_cells(
    facts: Iterable[tuple[int, int | None, str, str, str]],
    k_by_region: Mapping[int, int],
    group_sizes: Mapping[tuple[int, int | None], int],
) -> dict[int, PublishedCells]:
    """Pure: red-flag facts (region id, area id, week, "red_flag:<code>", contributor) → published region cells
    per region, under the same rule as the type cells (`trend_cells`): distinct stores per (region, week, flag),
    published only when k <= n <= region size - k. Areas are dropped (region cells only), so the region's size
    is the only group: nothing is published that an area's cells could be subtracted from."""
    regional = [(region_id, None, week, kind, contributor) for region_id, _area, week, kind, contributor in facts]
    return trend_cells(regional, k_by_region, {key: n for key, n in group_sizes.items() if key[1] is None})


def group_sizes(session: Session, association: Association, region_ids: list[int]) -> dict[tuple[int, int | None], int]:
    """How many member stores each region (key (region id, None)) and area (key (region id, area id)) has: ready
    stores only, counted in one grouped statement (counts leave the database, never store ids). Suspended,
    failed and not-yet-provisioned stores are left out: a smaller group only makes the rule stricter."""
    rows = session.execute(
        sa.select(Store.region_id, Store.area_id, sa.func.count())
        .where(
            Store.association_id == association.id,
            Store.region_id.in_(region_ids),
            Store.status == StoreStatus.READY.value,
        )
        .group_by(Store.region_id, Store.area_id)
    ).all()
    sizes: dict[tuple[int, int | None], int] = {}
    for region_id, area_id, count in rows:
        sizes[(region_id, None)] = sizes.get((region_id, None), 0) + count
        if area_id is not None:
            sizes[(region_id, area_id)] = count
    return sizes


def _regions(session: Session, association: Association, region: Region | None) -> list[Region]:
    if region is not None:
        return [region] if region.association_id == association.id else []
    return list(session.scalars(sa.select(Region).where(Region.association_id == association.id).order_by(Region.name)))


def _frozen(session: Session, region_ids: list[int], weeks: list[str]) -> dict[tuple[int, str], tuple[list, list]]:
    """(region id, week) → (type cells, red-flag cells) of the frozen weeks."""
    rows = session.execute(
        sa.select(
            PublishedTrendWeek.region_id,
            PublishedTrendWeek.iso_week,
            PublishedTrendWeek.cells,
            PublishedTrendWeek.red_flag_cells,
        ).where(PublishedTrendWeek.region_id.in_(region_ids), PublishedTrendWeek.iso_week.in_(weeks))
    ).all()
    return {(region_id, week): (cells, flags or []) for region_id, week, cells, flags in rows}


def _published(
    session: Session, region_ids: list[int], labels_by_region: Mapping[int, list[str]], every_label: list[str]
) -> tuple[dict[int, PublishedCells], dict[int, dict[tuple[str, str], int]]]:
    """The frozen cells of each region's closed weeks (ANONYMIZATION.md rule 4: published once, by
    `freeze_weeks` when the week has closed), and its red-flag cells ((week, code) → stores). A closed week not
    frozen yet (the closing job has not run) shows nothing: it is never computed on a look."""
    frozen = _frozen(session, region_ids, every_label)
    out: dict[int, PublishedCells] = {}
    flags: dict[int, dict[tuple[str, str], int]] = {}
    for region_id in region_ids:
        cells: dict[TrendCell, int] = {}
        flags[region_id] = {}
        for week in labels_by_region[region_id]:
            type_cells, flag_cells = frozen.get((region_id, week), ([], []))
            for area_id, incident_type, count in type_cells:
                area = None if area_id is None else str(area_id)
                cells[TrendCell(str(region_id), area, week, incident_type)] = count
            for code, count in flag_cells:
                flags[region_id][(week, code)] = count
        out[region_id] = PublishedCells(cells, frozenset())
    return out, flags


def region_weeks(
    session: Session, association: Association, *, weeks: int = DEFAULT_WEEKS, now: datetime | None = None
) -> dict[int, list[str]]:
    """Each region's closed weeks (the `weeks` weeks that have ended in the region's time zone) not frozen yet."""
    regions = _regions(session, association, None)
    if not regions:
        return {}
    labels = {r.id: closed_weeks(local_today(effective_settings(association, r).zone, now), weeks) for r in regions}
    every = sorted({w for ws in labels.values() for w in ws})
    frozen = _frozen(session, list(labels), every)
    return {rid: todo for rid, ws in labels.items() if (todo := [w for w in ws if (rid, w) not in frozen])}


def freeze_weeks(
    session: Session,
    association: Association,
    facts: Iterable[tuple[int, int | None, str, str, str]],
    weeks_by_region: Mapping[int, list[str]],
) -> int:
    """Publish each region's `weeks_by_region` weeks once: the published cells of `facts` (region id, area id,
    week, type, contributor; see `trend_cells`) under the small-count and group rules, stored frozen. A week
    already frozen is left as it is (the first freeze wins, also against a concurrent one); a week with no
    publishable cell is frozen empty. Returns how many region-weeks were frozen now."""
    if not weeks_by_region:
        return 0
    regions = {r.id: r for r in _regions(session, association, None)}
    k_by_region = {
        rid: effective_settings(association, regions[rid]).k_threshold for rid in weeks_by_region if rid in regions
    }
    wanted = {(rid, w) for rid, ws in weeks_by_region.items() if rid in k_by_region for w in ws}
    if not wanted:
        return 0
    rows = [f for f in facts if (f[0], f[2]) in wanted]
    sizes = group_sizes(session, association, list(k_by_region))
    fresh = trend_cells([f for f in rows if not f[3].startswith(RED_FLAG_PREFIX)], k_by_region, sizes)
    flagged = red_flag_cells([f for f in rows if f[3].startswith(RED_FLAG_PREFIX)], k_by_region, sizes)
    values = []
    for region_id, week in sorted(wanted):
        chosen = sorted(fresh[region_id].published.items(), key=lambda i: (i[0].incident_type, i[0].area or ""))
        cells = [[None if c.area is None else int(c.area), c.incident_type, n] for c, n in chosen if c.iso_week == week]
        flag_cells = sorted(
            [c.incident_type.removeprefix(RED_FLAG_PREFIX), n]
            for c, n in flagged[region_id].published.items()
            if c.iso_week == week
        )
        values.append(
            {
                "association_id": association.id,
                "region_id": region_id,
                "iso_week": week,
                "cells": cells,
                "red_flag_cells": flag_cells,
            }
        )
    result = session.execute(
        insert(PublishedTrendWeek)
        .values(values)
        .on_conflict_do_nothing(index_elements=["region_id", "iso_week"])
        .returning(PublishedTrendWeek.id)
    )
    return len(result.all())


def weekly_trends(
    session: Session,
    association: Association,
    *,
    today: date | None = None,
    region: Region | None = None,
    weeks: int = DEFAULT_WEEKS,
    now: datetime | None = None,
) -> list[RegionTrend]:
    """Trends for one region (the feed) or every region of the association (the admin portal): three statements
    (regions, frozen cells, area names) however many stores there are.

    Only closed ISO weeks are counted: the `weeks` weeks that ended before the week of the earlier of `today` (a
    cut-off date, e.g. the end of a digest period) and the region's own date now (`now`, default the clock, in the
    region's effective time zone). The current week is never shown, whatever `today` says."""
    regions = _regions(session, association, region)
    if not regions:
        return []
    settings = {r.id: effective_settings(association, r) for r in regions}
    k_by_region = {r.id: settings[r.id].k_threshold for r in regions}
    local = {r.id: local_today(settings[r.id].zone, now) for r in regions}
    cut = {rid: min(day, today) if today is not None else day for rid, day in local.items()}
    labels_by_region = {rid: closed_weeks(day, weeks) for rid, day in cut.items()}
    every_label = sorted({w for labels in labels_by_region.values() for w in labels})
    published, flag_counts = _published(session, [r.id for r in regions], labels_by_region, every_label)
    area_ids = {int(c.area) for p in published.values() for c in p.published if c.area is not None}
    area_names = (
        dict(session.execute(sa.select(Area.id, Area.name).where(Area.id.in_(area_ids))).all()) if area_ids else {}
    )
    out = []
    for r in regions:
        labels = labels_by_region[r.id]
        cells = published[r.id].published
        by_type = []
        for key, label in INCIDENT_TYPES.items():
            values = [cells.get(TrendCell(str(r.id), None, w, key)) for w in labels]
            if any(v is not None for v in values):
                by_type.append(Series(label, values))
        total = Series("All types", _sum_known([s.values for s in by_type], len(labels)))
        areas = []
        for area_id in sorted({int(c.area) for c in cells if c.area is not None}, key=lambda a: area_names.get(a, "")):
            series = [[cells.get(TrendCell(str(r.id), str(area_id), w, key)) for w in labels] for key in INCIDENT_TYPES]
            areas.append(Series(area_names.get(area_id, "Area"), _sum_known(series, len(labels))))
        codes = sorted({code for _week, code in flag_counts[r.id]})
        red_flags = [Series(code, [flag_counts[r.id].get((w, code)) for w in labels]) for code in codes]
        out.append(
            RegionTrend(
                r.id,
                r.name,
                k_by_region[r.id],
                labels,
                total,
                by_type,
                areas,
                published[r.id],
                area_names,
                open_week=week_label(local[r.id]),
                red_flags=red_flags,
            )
        )
    return out


def _sum_known(rows: list[list[int | None]], width: int) -> list[int | None]:
    """Per week, the sum of the published values (None when none is published)."""
    sums: list[int | None] = []
    for i in range(width):
        known = [row[i] for row in rows if row[i] is not None]
        sums.append(sum(known) if known else None)
    return sums


EXPORT_FIELDS = ("region", "area", "iso_week", "incident_type", "stores")


def export_rows(trends: list[RegionTrend]) -> list[dict]:
    """TLP:CLEAR rows: one per published cell (area "" = the whole region), counts rounded to base 5 after the
    small-count rule. Suppressed cells are omitted; there is no total of any kind (see `anonymize.cells` rule 4)."""
    rows = []
    for trend in trends:
        for cell, count in sorted(
            trend.cells.published.items(),
            key=lambda item: (item[0].iso_week, item[0].incident_type, item[0].area or ""),
        ):
            rows.append(
                {
                    "region": trend.name,
                    "area": trend.area_names.get(int(cell.area)) or f"area {cell.area}" if cell.area else "",
                    "iso_week": cell.iso_week,
                    "incident_type": cell.incident_type,
                    "stores": round_base5(count),
                }
            )
    return rows


def export_for_admin(session: Session, association: Association, fmt: str, *, actor: Actor, today: date) -> list[dict]:
    """The association's export rows (see `export_rows`), audited as "trends.export" in the caller's transaction."""
    rows = export_rows(weekly_trends(session, association, today=today))
    audit.record(
        session,
        "trends.export",
        actor=actor,
        association_id=association.id,
        details={"format": fmt, "rows": len(rows)},
    )
    return rows
