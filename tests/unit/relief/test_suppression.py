"""Small-count suppression: primary (<5 recipients), complementary, and consistent across
every coarser grouping so reports cannot be subtracted from each other."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from itertools import combinations, count

from hypothesis import given
from hypothesis import strategies as st

from ledger.relief.suppression import (
    COMPLEMENTARY,
    FEWER_THAN_5,
    Grouping,
    Key,
    Recipients,
    suppress_lattice,
)

_names = count()


def apart(n: int) -> Recipients:
    """``n`` recipients that no other cell shares."""
    return Recipients(n, frozenset(next(_names) for _ in range(n)) if n < 5 else frozenset())


def one_way(counts: dict[str, int]) -> dict[Grouping, dict[Key, Recipients]]:
    return {
        (): {(): apart(sum(counts.values()))},
        (0,): {(k,): apart(n) for k, n in counts.items()},
    }


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


def two_way(cells: dict[tuple[str, str], int]) -> dict[Grouping, dict[Key, Recipients]]:
    rows: dict[Key, int] = defaultdict(int)
    cols: dict[Key, int] = defaultdict(int)
    for (r, c), n in cells.items():
        rows[(r,)] += n
        cols[(c,)] += n
    return {
        (): {(): apart(sum(cells.values()))},
        (0,): {k: apart(n) for k, n in rows.items()},
        (1,): {k: apart(n) for k, n in cols.items()},
        (0, 1): {k: apart(n) for k, n in cells.items()},
    }


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
    lattice = {g: {k: r.count for k, r in c.items()} for g, c in two_way(cells).items()}
    hidden = suppress_lattice(two_way(cells))
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


def who_got_what(handed: Mapping[Key, set[str]]) -> dict[Grouping, dict[Key, Recipients]]:
    """Every grouping of cells given as the recipients in each, counted as distinct people."""
    ids = {name: i for i, name in enumerate(sorted(set().union(*handed.values())))}
    width = len(next(iter(handed)))
    lattice: dict[Grouping, dict[Key, Recipients]] = {}
    for size in range(width + 1):
        for grouping in combinations(range(width), size):
            people: dict[Key, set[str]] = defaultdict(set)
            for key, names in handed.items():
                people[tuple(key[i] for i in grouping)] |= names
            lattice[grouping] = {
                k: Recipients(len(n), frozenset(ids[x] for x in n) if len(n) < 5 else frozenset())
                for k, n in people.items()
            }
    return lattice


def test_one_person_handed_five_items_counts_as_one_recipient_not_five() -> None:
    rice = {f"P-{i}" for i in range(10)}
    handed = {("rice",): rice} | {(item,): {"P-SOLE"} for item in "abcde"}
    hidden = suppress_lattice(who_got_what(handed))
    # The five cells of one person cannot protect each other: rice hides with them.
    assert {k for g, k in hidden if g == (0,)} == {("rice",), *((item,) for item in "abcde")}
    assert hidden[((0,), ("rice",))] == COMPLEMENTARY
    assert ((), ()) not in hidden


def test_hidden_groups_reaching_five_only_by_counting_someone_twice_take_another_with_them() -> (
    None
):
    handed = {
        ("a",): {"X", "Y"},
        ("b",): {"X", "Y", "Z"},
        ("c",): {f"C-{i}" for i in range(6)},
        ("d",): {f"D-{i}" for i in range(30)},
    }
    hidden = suppress_lattice(who_got_what(handed))
    assert {k for g, k in hidden if g == (0,)} == {("a",), ("b",), ("c",)}


def test_the_total_less_the_shown_groups_never_leaves_one_to_four_recipients() -> None:
    # a and b (3 each) cover 5 together, with one of them in both and in the shown group d.
    handed = {
        ("a",): {"X", "Y", "S"},
        ("b",): {"Z", "W", "S"},
        ("d",): {"S", "X", "Y", "Z", *(f"D-{i}" for i in range(10))},
    }
    hidden = suppress_lattice(who_got_what(handed))
    # total 15 - d 14 = 1 person (W) in a hidden group only: d must hide too.
    assert hidden[((0,), ("d",))] == COMPLEMENTARY


@given(
    st.dictionaries(
        st.tuples(st.sampled_from("abc"), st.sampled_from("xyz")),
        st.frozensets(st.sampled_from("PQRSTUVWXYZ"), max_size=8),
        min_size=1,
    )
)
def test_no_shown_parent_reveals_fewer_than_five_distinct_recipients_by_subtraction(
    handed: dict[tuple[str, str], frozenset[str]],
) -> None:
    lattice = who_got_what({k: set(v) for k, v in handed.items()})
    hidden = suppress_lattice(lattice)
    for grouping, cells in lattice.items():
        for drop in range(len(grouping)):
            parent_grouping = grouping[:drop] + grouping[drop + 1 :]
            families: dict[Key, list[Key]] = defaultdict(list)
            for key, cell in cells.items():
                if cell.count:
                    families[key[:drop] + key[drop + 1 :]].append(key)
            for parent, children in families.items():
                hid = [k for k in children if (grouping, k) in hidden]
                shown = [k for k in children if (grouping, k) not in hidden]
                if not hid or not shown or (parent_grouping, parent) in hidden:
                    continue
                behind = set().union(*(handed[k] for k in _finest(handed, grouping, hid)))
                assert len(behind) >= 5
                outside = lattice[parent_grouping][parent].count - sum(
                    cells[k].count for k in shown
                )
                assert not 0 < outside < 5


def _finest(
    handed: dict[tuple[str, str], frozenset[str]], grouping: Grouping, keys: list[Key]
) -> list[tuple[str, str]]:
    return [k for k in handed if tuple(k[i] for i in grouping) in keys]
