"""The small-count rule: unit tests for each step, and Hypothesis properties over arbitrary stores and facts."""

from __future__ import annotations

from collections import defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anonymize import TrendCell, publishable_cells, round_base5

W = "2024-W10"


def cell(area, incident_type="casing", region="North", week=W):
    return TrendCell(region, area, week, incident_type)


def ids(prefix: str, n: int) -> set[str]:
    return {f"{prefix}{i}" for i in range(n)}


def test_a_row_under_k_publishes_nothing():
    result = publishable_cells({cell("A"): ids("a", 3), cell(None): ids("x", 1)}, k=5)
    assert result.published == {}
    assert result.suppressed == {cell("A"), cell(None)}


def test_area_cells_at_k_are_published_with_their_region():
    result = publishable_cells({cell("A"): ids("a", 5), cell("B"): ids("b", 6)}, k=5)
    assert result.published == {cell("A"): 5, cell("B"): 6, cell(None): 11}
    assert result.suppressed == frozenset()


def test_a_small_area_rolls_up_and_its_lone_gap_is_covered():
    # A=6 alone published would give B = 8 - 6 = 2 away; so A is suppressed too and only the region shows.
    result = publishable_cells({cell("A"): ids("a", 6), cell("B"): ids("b", 2)}, k=5)
    assert result.published == {cell(None): 8}
    assert result.suppressed == {cell("A"), cell("B")}


def test_complementary_suppression_takes_the_smallest_published_cell():
    cells = {cell("A"): ids("a", 9), cell("B"): ids("b", 5), cell("C"): ids("c", 6), cell("D"): ids("d", 2)}
    result = publishable_cells(cells, k=5)
    assert result.published == {cell(None): 22, cell("A"): 9, cell("C"): 6}
    assert result.suppressed == {cell("B"), cell("D")}  # residual 22 - 15 = 7: two unknowns, at least k


def test_stores_without_an_area_count_in_the_residual():
    # Five stores in A and two stores with no area: publishing A would reveal the two.
    result = publishable_cells({cell("A"): ids("a", 5), cell(None): ids("x", 2)}, k=5)
    assert result.published == {cell(None): 7}
    assert result.suppressed == {cell("A")}
    # With five stores without an area, A can be shown: the residual rests on five stores.
    result = publishable_cells({cell("A"): ids("a", 5), cell(None): ids("x", 5)}, k=5)
    assert result.published == {cell(None): 10, cell("A"): 5}


def test_counts_and_sets_give_the_same_answer():
    as_sets = {cell("A"): ids("a", 7), cell("B"): ids("b", 1), cell("C"): ids("c", 6), cell(None): ids("x", 3)}
    as_counts = {key: len(value) for key, value in as_sets.items()}
    assert publishable_cells(as_sets, k=5) == publishable_cells(as_counts, k=5)


def test_the_region_counts_distinct_stores():
    # The same store reporting twice (listed under two areas after a move) is one store.
    result = publishable_cells({cell("A"): {"s1", "s2", "s3"}, cell("B"): {"s3", "s4"}}, k=5)
    assert result.published == {} and cell(None) in result.suppressed
    assert publishable_cells({cell("A"): ["s1", "s1", "s2"]}, k=2).published[cell(None)] == 2


def test_rows_are_independent_per_week_type_and_region():
    cells = {
        cell("A", "casing"): ids("a", 5),
        cell("A", "distraction"): ids("a", 2),
        cell("A", week="2024-W11"): ids("a", 6),
        cell("A", region="South"): ids("z", 5),
    }
    result = publishable_cells(cells, k=5)
    assert cell("A", "distraction") in result.suppressed and cell(None, "distraction") in result.suppressed
    assert result.published[cell("A", week="2024-W11")] == 6
    assert result.published[cell("A", region="South")] == 5


def test_empty_cells_are_ignored_and_bad_input_refused():
    assert publishable_cells({cell("A"): set(), cell("B"): 0}, k=5).suppressed == frozenset()
    with pytest.raises(ValueError):
        publishable_cells({cell("A"): -1}, k=5)
    with pytest.raises(ValueError):
        publishable_cells({}, k=0)
    with pytest.raises(TypeError):
        publishable_cells({cell("A"): True}, k=5)


@pytest.mark.parametrize("n, rounded", [(0, 0), (1, 0), (2, 0), (3, 5), (4, 5), (5, 5), (7, 5), (8, 10), (12, 10)])
def test_round_base5(n, rounded):
    assert round_base5(n) == rounded


def test_round_base5_refuses_nonsense():
    with pytest.raises(ValueError):
        round_base5(-1)
    with pytest.raises(TypeError):
        round_base5(2.5)


# ---------------------------------------------------------------------------------------------------------------
# Properties: whatever the stores and their facts, (1) every published cell rests on at least k stores, and
# (2) no suppressed cell can be recovered from the totals in the same output.


@st.composite
def worlds(draw):
    """Stores placed in regions and areas (or no area), and for each (week, type) the stores that reported it."""
    k = draw(st.integers(min_value=1, max_value=6))
    regions = ["North", "South"][: draw(st.integers(min_value=1, max_value=2))]
    store_places = {}
    for number in range(draw(st.integers(min_value=1, max_value=40))):
        region = draw(st.sampled_from(regions))
        area = draw(st.sampled_from([None, "A", "B", "C", "D"]))
        store_places[f"s{number}"] = (region, area)
    cells: dict[tuple, set[str]] = defaultdict(set)
    for week in ("2024-W10", "2024-W11"):
        for incident_type in ("casing", "distraction"):
            reporters = draw(st.sets(st.sampled_from(sorted(store_places))))
            for store in reporters:
                region, area = store_places[store]
                cells[(region, area, week, incident_type)].add(store)
    as_counts = draw(st.booleans())
    given_cells = {key: len(value) for key, value in cells.items()} if as_counts else dict(cells)
    return k, dict(cells), given_cells


def rows(cells):
    grouped = defaultdict(dict)
    for (region, area, week, incident_type), stores in cells.items():
        grouped[(region, week, incident_type)][area] = stores
    return grouped


@settings(max_examples=400, deadline=None)
@given(worlds())
def test_no_published_cell_rests_on_fewer_than_k_stores(world):
    k, truth, given_cells = world
    result = publishable_cells(given_cells, k=k)
    for (region, week, incident_type), members in rows(truth).items():
        region_stores = set().union(*members.values())
        region_cell = TrendCell(region, None, week, incident_type)
        if region_cell in result.published:
            assert result.published[region_cell] == len(region_stores) >= k
        for area, stores in members.items():
            key = TrendCell(region, area, week, incident_type)
            if area is not None and key in result.published:
                assert result.published[key] == len(stores) >= k
            if stores:  # nothing is silently dropped: each cell is either published or listed as suppressed
                assert area is None or key in result.published or key in result.suppressed
    assert not set(result.published) & result.suppressed


@settings(max_examples=400, deadline=None)
@given(worlds())
def test_no_suppressed_cell_can_be_recovered_from_totals(world):
    """The only totals in the output are the region cells (sum of their areas and area-less stores). For each
    published total, the residual (total minus published areas) must not isolate one suppressed cell and must not
    itself be an aggregate of fewer than k stores. An observer is assumed to know which cells are suppressed and
    whether any store has no area (the worst case)."""
    k, truth, given_cells = world
    result = publishable_cells(given_cells, k=k)
    for (region, week, incident_type), members in rows(truth).items():
        region_cell = TrendCell(region, None, week, incident_type)
        suppressed_areas = [
            area
            for area in members
            if area is not None and TrendCell(region, area, week, incident_type) in result.suppressed
        ]
        if region_cell not in result.published:
            assert not any(TrendCell(region, a, week, incident_type) in result.published for a in members)
            continue
        published_areas = sum(
            result.published.get(TrendCell(region, area, week, incident_type), 0) for area in members if area
        )
        residual = result.published[region_cell] - published_areas
        assert residual == 0 or residual >= k
        unknowns = len(suppressed_areas) + (1 if members.get(None) else 0)
        if suppressed_areas:
            assert unknowns >= 2, f"{suppressed_areas} recoverable as {residual}"
