"""Hypothesis properties of trend cells and the TLP:CLEAR export, whatever the facts and group sizes: no published
cell rests on fewer than k distinct contributors or on all but fewer than k member stores of its region or area,
and no suppressed cell can be recovered from the other numbers of the export."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from trends import RegionTrend, Series, export_rows, trend_cells

REGIONS = (1, 2)
WEEKS = ("2026-W01", "2026-W02")
TYPES = ("casing", "distraction")

facts = st.lists(
    st.tuples(
        st.sampled_from(REGIONS),
        st.sampled_from((None, 10, 11, 12)),
        st.sampled_from(WEEKS),
        st.sampled_from(TYPES),
        st.integers(0, 25).map(lambda i: f"c{i}"),
    ),
    max_size=120,
)
ks = st.fixed_dictionaries({1: st.integers(1, 8), 2: st.integers(1, 8)})
# Member stores per area, and per region beyond its areas (the stores without an area); at least the 26
# contributors could be anywhere, so sizes are drawn freely (a store that left makes n > N possible too).
extra = st.fixed_dictionaries({(r, a): st.integers(0, 30) for r in REGIONS for a in (None, 10, 11, 12)})


def region_sizes(drawn: dict) -> dict:
    sizes = {key: n for key, n in drawn.items() if key[1] is not None}
    for r in REGIONS:
        sizes[(r, None)] = sum(n for (region, _a), n in drawn.items() if region == r)
    return sizes


@settings(max_examples=300, deadline=None)
@given(facts, ks, extra)
def test_no_published_cell_rests_on_fewer_than_k_contributors(rows, k_by_region, drawn):
    sizes = region_sizes(drawn)
    published = trend_cells(rows, k_by_region, sizes)
    for region_id, cells in published.items():
        for cell, count in cells.published.items():
            behind = {
                c
                for r, a, w, t, c in rows
                if r == region_id
                and w == cell.iso_week
                and t == cell.incident_type
                and (cell.area is None or str(a) == cell.area)
            }
            assert count == len(behind) >= k_by_region[region_id]
            area = None if cell.area is None else int(cell.area)
            assert sizes[(region_id, area)] - count >= k_by_region[region_id]  # group disclosure


# One area per contributor (a store is in one area), as the facts of one week are.
area_of = st.fixed_dictionaries({f"c{i}": st.sampled_from((None, 10, 11, 12)) for i in range(26)})


@settings(max_examples=300, deadline=None)
@given(facts, ks, area_of, extra)
def test_no_suppressed_cell_can_be_recovered_from_the_export(rows, k_by_region, areas, drawn):
    rows = [(r, areas[c], w, t, c) for r, _a, w, t, c in rows]
    sizes = region_sizes(drawn)
    published = trend_cells(rows, k_by_region, sizes)
    trends = [
        RegionTrend(r, f"R{r}", k_by_region[r], list(WEEKS), Series("All", []), cells=published[r], area_names={})
        for r in REGIONS
    ]
    exported = export_rows(trends)
    assert all(set(row) == {"region", "area", "iso_week", "incident_type", "stores"} for row in exported)
    for region_id in REGIONS:
        k = k_by_region[region_id]
        for w in WEEKS:
            for t in TYPES:
                stores: dict[str | None, set[str]] = {}
                for r, a, week, typ, c in rows:
                    if (r, week, typ) == (region_id, w, t):
                        stores.setdefault(None if a is None else str(a), set()).add(c)
                cells = {
                    cell.area: n
                    for cell, n in published[region_id].published.items()
                    if (cell.iso_week, cell.incident_type) == (w, t)
                }
                if None not in cells:
                    assert cells == {}  # region withheld: nothing of the row is published
                    continue
                # What is not published: suppressed areas and the stores without an area.
                unknown = [len(ids) for area, ids in stores.items() if area is None or area not in cells]
                residual = cells[None] - sum(n for area, n in cells.items() if area is not None)
                assert residual == sum(unknown)
                assert residual == 0 or residual >= k
                # Nor nearly every member store of the groups behind the residual that had shares.
                behind = sum(
                    sizes[(region_id, int(a))] if a is not None else drawn[(region_id, None)]
                    for a, ids in stores.items()
                    if ids and (a is None or a not in cells)
                )
                assert residual == 0 or behind - residual >= k
                suppressed_areas = [area for area in stores if area is not None and area not in cells]
                if suppressed_areas:
                    assert len([n for n in unknown if n]) >= 2  # never one unknown that the residual equals
        exported_rows = [row for row in exported if row["region"] == f"R{region_id}"]
        assert len(exported_rows) == len(published[region_id].published)
