"""Small-count suppression: primary (<5 recipients), complementary, and consistent across
every coarser grouping so reports cannot be subtracted from each other."""

from __future__ import annotations

from collections import defaultdict

from hypothesis import given
from hypothesis import strategies as st

from ledger.relief.suppression import (
    COMPLEMENTARY,
    FEWER_THAN_5,
    Grouping,
    Key,
    suppress_lattice,
)


def one_way(counts: dict[str, int]) -> dict[Grouping, dict[Key, int]]:
    return {(): {(): sum(counts.values())}, (0,): {(k,): n for k, n in counts.items()}}


def hidden_keys(counts: dict[str, int]) -> dict[str, str]:
    return {k[0]: r for (g, k), r in suppress_lattice(one_way(counts)).items() if g == (0,)}


def test_groups_of_five_or_more_are_shown_and_two_small_ones_reaching_five_hidden() -> None:
    assert hidden_keys({"a": 5, "b": 3, "c": 40, "d": 2}) == {"b": FEWER_THAN_5, "d": FEWER_THAN_5}


def test_a_single_small_group_takes_the_smallest_other_group_with_it() -> None:
    assert hidden_keys({"a": 100, "b": 3, "c": 20}) == {"b": FEWER_THAN_5, "c": COMPLEMENTARY}


def test_groups_without_recipients_are_never_hidden() -> None:
    assert hidden_keys({"a": 0, "b": 0}) == {}
    assert hidden_keys({"a": 0, "b": 3, "c": 9}) == {"b": FEWER_THAN_5, "c": COMPLEMENTARY}


def test_two_hidden_groups_must_together_reach_five() -> None:
    assert hidden_keys({"a": 1, "b": 2, "c": 7, "d": 50}) == {
        "a": FEWER_THAN_5,
        "b": FEWER_THAN_5,
        "c": COMPLEMENTARY,
    }


def two_way(cells: dict[tuple[str, str], int]) -> dict[Grouping, dict[Key, int]]:
    rows: dict[Key, int] = defaultdict(int)
    cols: dict[Key, int] = defaultdict(int)
    for (r, c), n in cells.items():
        rows[(r,)] += n
        cols[(c,)] += n
    return {(): {(): sum(cells.values())}, (0,): dict(rows), (1,): dict(cols), (0, 1): dict(cells)}


def test_a_hidden_district_is_never_the_sum_of_its_shown_items() -> None:
    # 843 (3 people) needs a complement and 844 (8) is the smallest other district; in the
    # district x item grouping 844's only cell must hide too, or it would equal district 844.
    cells = {("842", "rice"): 20, ("842", "noodles"): 6, ("843", "rice"): 3, ("844", "oil"): 8}
    hidden = suppress_lattice(two_way(cells))
    assert hidden[((0,), ("843",))] == FEWER_THAN_5
    assert hidden[((0,), ("844",))] == COMPLEMENTARY
    assert ((0, 1), ("844", "oil")) in hidden
    assert ((0,), ("842",)) not in hidden


@given(
    st.dictionaries(
        st.tuples(st.sampled_from("abc"), st.sampled_from("xyz")),
        st.integers(min_value=0, max_value=12),
        min_size=1,
    )
)
def test_no_shown_parent_ever_reveals_a_hidden_child_by_subtraction(
    cells: dict[tuple[str, str], int],
) -> None:
    lattice = two_way(cells)
    hidden = suppress_lattice(lattice)
    for grouping, counts in lattice.items():
        for key, n in counts.items():
            if 0 < n < 5:
                assert (grouping, key) in hidden
        for drop in range(len(grouping)):
            parent_grouping = grouping[:drop] + grouping[drop + 1 :]
            families: dict[tuple[str, ...], list[tuple[str, ...]]] = defaultdict(list)
            for key in counts:
                families[key[:drop] + key[drop + 1 :]].append(key)
            for parent, children in families.items():
                with_people = [k for k in children if counts[k] > 0]
                hid = [k for k in with_people if (grouping, k) in hidden]
                if (parent_grouping, parent) in hidden:
                    assert hid or not with_people
                elif hid and len(hid) < len(with_people):
                    assert len(hid) >= 2 and sum(counts[k] for k in hid) >= 5
