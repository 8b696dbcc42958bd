"""The small-count rule: unit tests for each step, and Hypothesis properties over arbitrary stores and facts.

The step tests written before the group-disclosure rule (issue #17 item 2) pass `LARGE`: groups so big that "at
least k stores did not report" always holds, so they keep testing what they were written for (the lower bound and
complementary suppression); the group-disclosure tests below give real group sizes."""

from __future__ import annotations

from collections import defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anonymize import TrendCell, cell_publishable, publishable_cells, round_base5

W = "2024-W10"


def cell(area, incident_type="casing", region="North", week=W):
    return TrendCell(region, area, week, incident_type)


def ids(prefix: str, n: int) -> set[str]:
    return {f"{prefix}{i}" for i in range(n)}


# Every region and area big enough that the upper bound (n <= N - k) never decides (see the module docstring).
LARGE = {(region, area): 1000 if area is None else 100 for region in ("North", "South") for area in (None, *"ABCD")}


def test_a_row_under_k_publishes_nothing():
    result = publishable_cells({cell("A"): ids("a", 3), cell(None): ids("x", 1)}, k=5, group_sizes=LARGE)
    assert result.published == {}
    assert result.suppressed == {cell("A"), cell(None)}


def test_area_cells_at_k_are_published_with_their_region():
    result = publishable_cells({cell("A"): ids("a", 5), cell("B"): ids("b", 6)}, k=5, group_sizes=LARGE)
    assert result.published == {cell("A"): 5, cell("B"): 6, cell(None): 11}
    assert result.suppressed == frozenset()


def test_a_small_area_rolls_up_and_its_lone_gap_is_covered():
    # A=6 alone published would give B = 8 - 6 = 2 away; so A is suppressed too and only the region shows.
    result = publishable_cells({cell("A"): ids("a", 6), cell("B"): ids("b", 2)}, k=5, group_sizes=LARGE)
    assert result.published == {cell(None): 8}
    assert result.suppressed == {cell("A"), cell("B")}


def test_complementary_suppression_takes_the_smallest_published_cell():
    cells = {cell("A"): ids("a", 9), cell("B"): ids("b", 5), cell("C"): ids("c", 6), cell("D"): ids("d", 2)}
    result = publishable_cells(cells, k=5, group_sizes=LARGE)
    assert result.published == {cell(None): 22, cell("A"): 9, cell("C"): 6}
    assert result.suppressed == {cell("B"), cell("D")}  # residual 22 - 15 = 7: two unknowns, at least k


def test_stores_without_an_area_count_in_the_residual():
    # Five stores in A and two stores with no area: publishing A would reveal the two.
    result = publishable_cells({cell("A"): ids("a", 5), cell(None): ids("x", 2)}, k=5, group_sizes=LARGE)
    assert result.published == {cell(None): 7}
    assert result.suppressed == {cell("A")}
    # With five stores without an area, A can be shown: the residual rests on five stores.
    result = publishable_cells({cell("A"): ids("a", 5), cell(None): ids("x", 5)}, k=5, group_sizes=LARGE)
    assert result.published == {cell(None): 10, cell("A"): 5}


def test_counts_and_sets_give_the_same_answer():
    as_sets = {cell("A"): ids("a", 7), cell("B"): ids("b", 1), cell("C"): ids("c", 6), cell(None): ids("x", 3)}
    as_counts = {key: len(value) for key, value in as_sets.items()}
    assert publishable_cells(as_sets, k=5, group_sizes=LARGE) == publishable_cells(as_counts, k=5, group_sizes=LARGE)


def test_the_region_counts_distinct_stores():
    # The same store reporting twice (listed under two areas after a move) is one store.
    result = publishable_cells({cell("A"): {"s1", "s2", "s3"}, cell("B"): {"s3", "s4"}}, k=5, group_sizes=LARGE)
    assert result.published == {} and cell(None) in result.suppressed
    assert publishable_cells({cell("A"): ["s1", "s1", "s2"]}, k=2, group_sizes=LARGE).published[cell(None)] == 2


def test_rows_are_independent_per_week_type_and_region():
    cells = {
        cell("A", "casing"): ids("a", 5),
        cell("A", "distraction"): ids("a", 2),
        cell("A", week="2024-W11"): ids("a", 6),
        cell("A", region="South"): ids("z", 5),
    }
    result = publishable_cells(cells, k=5, group_sizes=LARGE)
    assert cell("A", "distraction") in result.suppressed and cell(None, "distraction") in result.suppressed
    assert result.published[cell("A", week="2024-W11")] == 6
    assert result.published[cell("A", region="South")] == 5


def test_empty_cells_are_ignored_and_bad_input_refused():
    assert publishable_cells({cell("A"): set(), cell("B"): 0}, k=5, group_sizes=LARGE).suppressed == frozenset()
    with pytest.raises(ValueError):
        publishable_cells({cell("A"): -1}, k=5, group_sizes=LARGE)
    with pytest.raises(ValueError):
        publishable_cells({}, k=0, group_sizes=LARGE)
    with pytest.raises(TypeError):
        publishable_cells({cell("A"): True}, k=5, group_sizes=LARGE)


# ---------------------------------------------------------------------------------------------------------------
# Group disclosure (issue #17 item 2): a cell covering a whole group, or all but fewer than k of it, is withheld.


def sizes(region: int, **areas: int) -> dict:
    return {("North", None): region, **{("North", area): n for area, n in areas.items()}}


def test_a_region_of_exactly_k_stores_all_reporting_is_withheld():
    # "casing: 5" in a region of 5 says every store reported casing that week.
    result = publishable_cells({cell(None): ids("s", 5)}, k=5, group_sizes=sizes(5))
    assert result.published == {} and result.suppressed == {cell(None)}


def test_a_region_of_seven_with_six_reporting_is_withheld_at_k5():
    # 7 - 6 = 1 store did not report: fewer than k, so the count pins casing on all but one.
    result = publishable_cells({cell(None): ids("s", 6)}, k=5, group_sizes=sizes(7))
    assert result.published == {} and result.suppressed == {cell(None)}


def test_half_a_region_of_ten_is_published_at_k2():
    result = publishable_cells({cell(None): ids("s", 5)}, k=2, group_sizes=sizes(10))
    assert result.published == {cell(None): 5} and result.suppressed == frozenset()


def test_the_rule_for_one_cell():
    assert cell_publishable(5, 10, k=5) and cell_publishable(5, 10, k=2)
    assert not cell_publishable(5, 5, k=5) and not cell_publishable(6, 7, k=5) and not cell_publishable(4, 100, k=5)
    assert not cell_publishable(5, 0, k=5)  # a group unknown to the registry: nothing is published


def test_an_area_of_nearly_all_its_stores_is_withheld_and_its_gap_covered():
    # Region 30 stores: A has 6 stores and 5 of them reported (withheld), B 20 stores with 7 reporting. Publishing
    # B would leave the residual 12 - 7 = 5 resting on A alone (the only other group with shares): 5 of its 6.
    cells = {cell("A"): ids("a", 5), cell("B"): ids("b", 7)}
    result = publishable_cells(cells, k=5, group_sizes=sizes(30, A=6, B=20))
    assert result.published == {cell(None): 12} and result.suppressed == {cell("A"), cell("B")}
    # With 14 stores without an area, 3 of them reporting, the residual 8 rests on 20 stores: B can be shown.
    cells[cell(None)] = ids("x", 3)
    result = publishable_cells(cells, k=5, group_sizes=sizes(40, A=6, B=20))
    assert result.published == {cell(None): 15, cell("B"): 7} and result.suppressed == {cell("A")}


def test_a_region_published_alone_must_not_pin_its_only_area_with_shares():
    # Region 30 with A (10 stores, 6 reporting) and B (20 stores, none): "6 of 30" is fine for the region, but A
    # is the only group with shares, so the region's 6 would be A's 6 of 10 (all but 4 < k): the row is withheld.
    result = publishable_cells({cell("A"): ids("a", 6)}, k=5, group_sizes=sizes(30, A=10, B=20))
    assert result.published == {} and result.suppressed == {cell(None), cell("A")}


def test_a_residual_covering_nearly_its_whole_group_suppresses_a_published_area():
    # Region 20: A has 10 stores (5 reported), B 7 (6 reported, withheld), 3 stores without an area (all reported).
    # Publishing A would leave 9 for the 10 stores of B and no area: each of B's cell is then at least 6 of 7.
    cells = {cell("A"): ids("a", 5), cell("B"): ids("b", 6), cell(None): ids("x", 3)}
    result = publishable_cells(cells, k=5, group_sizes=sizes(20, A=10, B=7))
    assert result.published == {cell(None): 14} and result.suppressed == {cell("A"), cell("B")}


def test_group_sizes_must_be_counts():
    with pytest.raises(ValueError):
        publishable_cells({}, k=5, group_sizes={("North", None): -1})
    with pytest.raises(ValueError):
        publishable_cells({}, k=5, group_sizes={("North", None): True})


@settings(max_examples=500, deadline=None)
@given(st.integers(1, 50), st.integers(0, 200), st.integers(0, 200))
def test_the_pure_rule_never_publishes_a_small_count_or_a_near_whole_group(k, n, group_size):
    if cell_publishable(n, group_size, k=k):
        assert n >= k and group_size - n >= k
    else:
        assert n < k or group_size - n < k


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
    group_sizes: dict[tuple, int] = defaultdict(int)
    for region, area in store_places.values():
        group_sizes[(region, None)] += 1
        if area is not None:
            group_sizes[(region, area)] += 1
    return k, dict(cells), given_cells, dict(group_sizes)


def rows(cells):
    grouped = defaultdict(dict)
    for (region, area, week, incident_type), stores in cells.items():
        grouped[(region, week, incident_type)][area] = stores
    return grouped


@settings(max_examples=400, deadline=None)
@given(worlds())
def test_no_published_cell_rests_on_fewer_than_k_stores(world):
    """... nor on all but fewer than k stores of its group (group disclosure)."""
    k, truth, given_cells, group_sizes = world
    result = publishable_cells(given_cells, k=k, group_sizes=group_sizes)
    for (region, week, incident_type), members in rows(truth).items():
        region_stores = set().union(*members.values())
        region_cell = TrendCell(region, None, week, incident_type)
        if region_cell in result.published:
            assert result.published[region_cell] == len(region_stores) >= k
            assert group_sizes[(region, None)] - len(region_stores) >= k
        for area, stores in members.items():
            key = TrendCell(region, area, week, incident_type)
            if area is not None and key in result.published:
                assert result.published[key] == len(stores) >= k
                assert group_sizes[(region, area)] - len(stores) >= k
            if stores:  # nothing is silently dropped: each cell is either published or listed as suppressed
                assert area is None or key in result.published or key in result.suppressed
    assert not set(result.published) & result.suppressed


@settings(max_examples=400, deadline=None)
@given(worlds())
def test_no_suppressed_cell_can_be_recovered_from_totals(world):
    """The only totals in the output are the region cells (sum of their areas and area-less stores). For each
    published total, the residual (total minus published areas) must not isolate one suppressed cell and must not
    itself be an aggregate of fewer than k stores, nor of all but fewer than k stores of the groups behind it. An
    observer is assumed to know which cells are suppressed and whether any store has no area (the worst case)."""
    k, truth, given_cells, group_sizes = world
    result = publishable_cells(given_cells, k=k, group_sizes=group_sizes)
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
        # Nor a residual covering all but fewer than k stores of the groups behind it that had shares.
        no_area_size = group_sizes.get((region, None), 0) - sum(
            n for (r, a), n in group_sizes.items() if r == region and a is not None
        )
        behind = sum(group_sizes[(region, area)] for area in suppressed_areas)
        behind += no_area_size if members.get(None) else 0
        assert residual == 0 or behind - residual >= k
        unknowns = len(suppressed_areas) + (1 if members.get(None) else 0)
        if suppressed_areas:
            assert unknowns >= 2, f"{suppressed_areas} recoverable as {residual}"
