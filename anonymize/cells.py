"""The small-count rule for trend counts, with complementary suppression, and base-5 rounding for TLP:CLEAR.

A trend cell is (region, area or None, ISO week, incident type) and its value is the number of distinct stores
behind it (given as the set of store ids, or as that count). Input cells with area None hold the stores that have
no area. The output has two levels for each (region, week, type) "row": the region cell (area None in the output
means the whole region) and the named-area cells that add up to it.

The exact rule, per row:
1. The region total R is the number of distinct stores in the row (the union of the id sets; the sum of the counts
   when counts are given, since a store belongs to one area). If R < k, nothing of the row is published: the region
   cell and every area cell are suppressed.
2. Otherwise the region cell is published, and so is every area cell resting on at least k stores, except:
3. Complementary suppression. Anyone can compute the residual, R minus the published area cells: it is what the
   suppressed areas and the stores without an area add up to. While that residual is between 1 and k-1 (an
   aggregate resting on fewer than k stores, and a single suppressed cell's exact value when it is alone), the
   smallest published area cell (ties: by area name) is suppressed as well and added to the residual.
   This ends with the residual 0 (nothing hidden) or at least k; and since a cell under k alone never reaches k,
   a residual of k or more always rests on at least two unknowns, so no suppressed cell can be solved for.
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


def publishable_cells(
    cells: Mapping[tuple[str, str | None, str, str], Collection[Hashable] | int], *, k: int
) -> PublishedCells:
    """Apply the small-count rule (module docstring) to trend cells."""
    if k < 1:
        raise ValueError("k must be at least 1")
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
        if total < k:
            suppressed.add(region_cell)
            suppressed.update(TrendCell(region, area, week, incident_type) for area in areas)
            continue
        published[region_cell] = total
        candidates = sorted(
            ((count, area) for area, count in areas.items() if count >= k), key=lambda item: (item[0], item[1])
        )
        withheld = [area for area, count in areas.items() if count < k]
        residual = total - sum(count for count, _ in candidates)
        while 0 < residual < k and candidates:
            count, area = candidates.pop(0)
            withheld.append(area)
            residual += count
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
