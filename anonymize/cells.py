"""The small-count rule for trend counts, with complementary suppression, and base-5 rounding for TLP:CLEAR.

A trend cell is (region, area or None, ISO week, incident type) and its value is the number of distinct stores
behind it (given as the set of store ids, or as that count). `group_sizes` gives, for the region (area None) and
each area, how many member stores it has (a count from the registry, no identities); a group not listed has none.
Input cells with area None hold the stores that have no area. The output has two levels for each (region, week,
type) "row": the region cell (area None in the output means the whole region) and the named-area cells that add up
to it.

The exact rule, per row:
0. Group disclosure. A cell of n stores in a group of N member stores is publishable only if k <= n <= N - k: at
   least k stores reported AND at least k did not. "casing: 5" in a region of exactly 5 stores says what every
   store reported that week, as surely as a count of 1 says what one store did (ANONYMIZATION.md rule 4).
1. The region total R is the number of distinct stores in the row (the union of the id sets; the sum of the counts
   when counts are given, since a store belongs to one area). If R is not publishable in the region's size (R < k
   or R > N - k), nothing of the row is published: the region cell and every area cell are suppressed.
2. Otherwise the region cell is published, and so is every area cell publishable in its area's size, except:
3. Complementary suppression. Anyone can compute the residual, R minus the published area cells: it is what the
   suppressed areas and the stores without an area add up to. Assume the worst: an observer knows which of those
   groups had any share at all. The residual is then a cell of the groups with shares, of their added sizes G, and
   must itself be publishable: 0 (nothing hidden) or k <= residual <= G - k. Below k it would be an aggregate of
   fewer than k stores (and a single suppressed cell's exact value when it is alone); above G - k it would say that
   nearly every store of those groups reported, and bound each suppressed area's count from below (a suppressed
   area holds at least its size minus (G - residual)). When only one group has shares, G is its size, so a cell
   withheld for its own size is never given away as the residual. While the residual is not publishable, the
   smallest published area cell (ties: by area name) is suppressed as well and added to the residual and to G;
   if none is left, the region cell is suppressed too (the residual is then R, resting on the few groups with
   shares: publishing it would publish them). Each suppressed cell is thus either hidden in a residual that rests
   on at least k stores and leaves at least k out, or the whole row is withheld.
4. Nothing else is published from the same output: no totals across incident types (a store reporting two types
   in one week would make such a total a count of reports, not of stores, and it would add a second equation per
   suppressed cell) and no totals across weeks. A chart that wants an "all types" line sums published cells only.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping
from dataclasses import dataclass
from typing import NamedTuple


class TrendCell(NamedTuple):
    region: str
    area: str | None
    iso_week: str
    incident_type: str


@dataclass(frozen=True)
class PublishedCells:
    """`published`: cell → distinct-store count (area None = the whole region). `suppressed`: cells withheld, for
    showing "fewer than k" or a blank; why each was withheld is deliberately not kept (a cell withheld only to
    protect another rests on k or more, and saying so would give that away)."""

    published: dict[TrendCell, int]
    suppressed: frozenset[TrendCell]


def _size(value: Collection[Hashable] | int) -> int:
    if isinstance(value, bool):
        raise TypeError("a cell is a set of store ids or a count of distinct stores")
    if isinstance(value, int):
        if value < 0:
            raise ValueError("a count of stores cannot be negative")
        return value
    return len(set(value))


def cell_publishable(n: int, group_size: int, *, k: int) -> bool:
    """The pure rule for one cell: n distinct stores reported in a group of `group_size` member stores; published
    only when at least k reported and at least k did not (so neither side can be pinned on every store)."""
    return k <= n <= group_size - k


def publishable_cells(
    cells: Mapping[tuple[str, str | None, str, str], Collection[Hashable] | int],
    *,
    k: int,
    group_sizes: Mapping[tuple[str, str | None], int],
) -> PublishedCells:
    """Apply the small-count rule (module docstring) to trend cells; `group_sizes[(region, area)]` is the number of
    member stores of the area (area None: of the whole region)."""
    if k < 1:
        raise ValueError("k must be at least 1")
    if any(isinstance(size, bool) or not isinstance(size, int) or size < 0 for size in group_sizes.values()):
        raise ValueError("a group size is a count of member stores (an int, not negative)")
    area_sizes: dict[str, int] = {}  # per region, its areas' stores (the rest of the region has no area)
    for (region, area), size in group_sizes.items():
        if area is not None:
            area_sizes[region] = area_sizes.get(region, 0) + size
    rows: dict[tuple[str, str, str], dict[str | None, Collection[Hashable] | int]] = {}
    for (region, area, week, incident_type), value in cells.items():
        if _size(value):
            rows.setdefault((region, week, incident_type), {})[area] = value
    published: dict[TrendCell, int] = {}
    suppressed: set[TrendCell] = set()
    for (region, week, incident_type), members in rows.items():
        region_cell = TrendCell(region, None, week, incident_type)
        areas = {area: _size(value) for area, value in members.items() if area is not None}
        values = list(members.values())
        if all(not isinstance(value, int) for value in values):
            total = len(set().union(*values))
        else:
            total = sum(_size(value) for value in values)
        region_size = group_sizes.get((region, None), 0)
        if not cell_publishable(total, region_size, k=k):
            suppressed.add(region_cell)
            suppressed.update(TrendCell(region, area, week, incident_type) for area in areas)
            continue
        sizes = {area: group_sizes.get((region, area), 0) for area in areas}
        candidates = sorted(
            ((count, area) for area, count in areas.items() if cell_publishable(count, sizes[area], k=k)),
            key=lambda item: (item[0], item[1]),
        )
        withheld = [area for area, count in areas.items() if not cell_publishable(count, sizes[area], k=k)]
        residual = total - sum(count for count, _ in candidates)
        # The groups behind the residual that have shares (cells with no share were dropped above).
        unknown_group = sum(sizes[area] for area in withheld)
        if None in members:
            unknown_group += region_size - area_sizes.get(region, 0)  # the stores without an area
        row_published = True
        while residual and not cell_publishable(residual, unknown_group, k=k):
            if not candidates:
                row_published = False
                break
            count, area = candidates.pop(0)
            withheld.append(area)
            residual += count
            unknown_group += sizes[area]
        if not row_published:
            suppressed.add(region_cell)
            suppressed.update(TrendCell(region, area, week, incident_type) for area in areas)
            continue
        published[region_cell] = total
        for count, area in candidates:
            published[TrendCell(region, area, week, incident_type)] = count
        suppressed.update(TrendCell(region, area, week, incident_type) for area in withheld)
    return PublishedCells(published=published, suppressed=frozenset(suppressed))


def round_base5(n: int) -> int:
    """Round a count to the nearest multiple of 5 (1, 2 → 0; 3, 4 → 5), as Statistics Canada does for public
    tables; used for TLP:CLEAR exports after the small-count rule, never instead of it."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError("round_base5 takes an int")
    if n < 0:
        raise ValueError("a count cannot be negative")
    return 5 * ((n + 2) // 5)
