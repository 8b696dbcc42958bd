"""Place labels below k (issue 17 item 1, ANONYMIZATION.md rule 3): the pure rule `place_level` / `coarsen_place`.

Every label a bulletin can carry names a set of ready member stores; the attacks below are the ways a label used
to name one store: a one-store region, the only store outside the named areas of a region, a region of exactly k.
"""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anonymize import Level, PlaceContext, PlaceHeld, coarsen_place, place_level, place_names_to_scrub


def _place(area, area_count, region_count, area_counts, region_counts, k=5, region="North Coast"):
    return PlaceContext(
        region,
        area,
        area_count,
        k=k,
        region_store_count=region_count,
        region_area_counts=tuple(area_counts),
        association_name="Jewellers of the Coast",
        association_region_counts=tuple(region_counts),
    )


def test_a_one_store_region_is_labelled_by_the_association_not_the_region():
    # The region holds 1 store; two other small regions bring the association's remainder to 1 + 2 + 3 = 6 >= 5.
    place = _place(None, 0, 1, [], [1, 2, 3, 9])
    assert coarsen_place(place).label == "Jewellers of the Coast"
    # The region's name is scrubbed from the text too: the label is not all that could name it.
    assert "North Coast" in place_names_to_scrub(place)


def test_a_one_store_region_is_held_when_the_association_remainder_is_under_k():
    # 31 member stores in the association, but the one-store region is its only region under k: the association's
    # name on a bulletin would point at that store exactly as the region's name did.
    with pytest.raises(PlaceHeld, match="fewer than 5 member stores .* it will be shared when more stores join"):
        coarsen_place(_place(None, 0, 1, [], [1, 10, 20]))


def test_an_association_smaller_than_k_holds_every_share():
    with pytest.raises(PlaceHeld):
        coarsen_place(_place("Harbourside", 3, 4, [3], [4]))


def test_the_only_store_outside_named_areas_gets_the_same_label_as_everyone_else():
    # Two areas of 5 each and one store outside both, k = 5: "<Region>" alone would name that one store.
    regions = [11]
    outside = coarsen_place(_place(None, 0, 11, [5, 5], regions))
    inside = coarsen_place(_place("Harbourside", 5, 11, [5, 5], regions))
    assert outside.label == inside.label == "North Coast"


def test_a_region_of_exactly_k_with_an_area_of_k_minus_one_names_no_area():
    assert coarsen_place(_place("Harbourside", 4, 5, [4], [5])).label == "North Coast"
    assert coarsen_place(_place(None, 0, 5, [4], [5])).label == "North Coast"


def test_an_area_of_k_in_a_region_of_k_plus_one_is_not_named():
    # The area rests on k stores, but it leaves one store of the region alone under "<Region>".
    assert coarsen_place(_place("Harbourside", 5, 6, [5], [6])).area is None


def test_areas_are_named_when_the_remainder_is_empty_or_at_least_k():
    assert coarsen_place(_place("Harbourside", 5, 5, [5], [5])).label == "Harbourside, North Coast"
    assert coarsen_place(_place("Harbourside", 5, 10, [5, 2], [10])).label == "Harbourside, North Coast"
    # Remainder: 10 - 5 = 5 stores (the area of 2 and three outside any area) share "North Coast".
    assert coarsen_place(_place("Old Quay", 2, 10, [5, 2], [10])).label == "North Coast"


# --- property ---------------------------------------------------------------------------------------------------

_region = st.tuples(st.lists(st.integers(0, 8), max_size=4), st.integers(0, 8))  # (named area sizes, outside)


@settings(max_examples=400, deadline=None)
@given(regions=st.lists(_region, min_size=1, max_size=5), k=st.integers(2, 6))
def test_every_published_label_rests_on_k_stores_and_leaves_no_small_remainder(regions, k):
    region_counts = [sum(areas) + outside for areas, outside in regions]
    labels: Counter[str] = Counter()
    for index, (areas, outside) in enumerate(regions):
        stores = [(f"A{index}.{a}", size) for a, size in enumerate(areas) for _ in range(size)]
        stores += [(None, 0)] * outside
        finer = 0  # stores of the region covered by an area label
        for area, area_count in stores:
            level = place_level(
                area_count=area_count if area else None,
                region_area_counts=areas,
                region_count=region_counts[index],
                association_region_counts=region_counts,
                k=k,
            )
            if level is Level.HELD:
                continue  # nothing is published
            label = {Level.AREA: f"{area}, R{index}", Level.REGION: f"R{index}", Level.ASSOCIATION: "assoc"}[level]
            labels[label] += 1
            finer += level is Level.AREA
        remainder = region_counts[index] - finer
        assert finer == 0 or remainder == 0 or remainder >= k, (areas, outside, k)
    assert all(count >= k for count in labels.values()), (labels, regions, k)
