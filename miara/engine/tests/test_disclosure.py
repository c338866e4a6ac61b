"""The differencing audit against hand-worked cases and an independent brute force."""

from __future__ import annotations

import itertools
import random

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from miara.engine import disclosure
from miara.engine.disclosure import DIFFERENCING, THRESHOLD


def units(text: str) -> frozenset[str]:
    return frozenset(text)


def leaks_by_adding_and_subtracting(members, published, k) -> list[frozenset[str]]:
    """Every ±1/0 combination of published totals that is the total of 1..k-1 units.

    Independent of the engine: it never forms atoms or a row space, it just adds and
    subtracts the groups' member counts unit by unit.
    """
    published = list(published)
    universe = sorted(set().union(*(members[g] for g in published))) if published else []
    found = []
    for signs in itertools.product((-1, 0, 1), repeat=len(published)):
        weight = {
            u: sum(s for s, g in zip(signs, published, strict=True) if u in members[g])
            for u in universe
        }
        if all(w in (0, 1) for w in weight.values()):
            chosen = frozenset(u for u, w in weight.items() if w == 1)
            if 0 < len(chosen) < k:
                found.append(chosen)
    return found


def derivable_by_rank(members, published, chosen) -> bool:
    """Row-space membership by ranks over units (not atoms): independent of the engine."""
    universe = sorted(set().union(*(members[g] for g in published)))
    matrix = np.array([[u in members[g] for u in universe] for g in published], dtype=float)
    target = np.array([[u in chosen for u in universe]], dtype=float)
    return np.linalg.matrix_rank(np.vstack([matrix, target])) == np.linalg.matrix_rank(matrix)


def test_a_group_of_fewer_than_k_units_is_withheld_by_the_threshold():
    members = {"all": units("ABCDEFGH"), "SMALL": units("ABC")}
    assert disclosure.audit(members, 5) == {"SMALL": THRESHOLD}


@pytest.mark.parametrize("difference", [1, 2, 3, 4])
def test_a_group_and_its_part_differing_by_fewer_than_k_units(difference):
    whole = units("ABCDEFGHIJ"[: 6 + difference])
    part = units("ABCDEF")
    members = {"WHOLE": whole, "PART": part}
    [found] = disclosure.disclosures(members, ["WHOLE", "PART"], 5)
    assert found.units == whole - part
    assert dict(found.combination) == {"WHOLE": 1.0, "PART": -1.0}
    withheld = disclosure.audit(members, 5)
    assert withheld == {"PART": DIFFERENCING}  # the smaller of the two
    assert disclosure.disclosures(members, ["WHOLE"], 5) == []


def test_a_group_and_its_part_differing_by_k_units_are_both_published():
    members = {"WHOLE": units("ABCDEFGHIJK"), "PART": units("ABCDEF")}
    assert disclosure.audit(members, 5) == {}


def test_two_listed_groups_differing_by_one_unit():
    members = {"NORTH": units("ABCDEFG"), "NORTH_PLUS": units("ABCDEFGX")}
    found = {d.units for d in disclosure.disclosures(members, list(members), 5)}
    assert units("X") in found
    assert len(disclosure.audit(members, 5)) == 1


def test_all_against_a_partition_by_type_gives_away_the_small_type():
    members = {
        "all": units("ABCDEFGHIJKLM"),
        "CITY": units("AB"),  # withheld by the threshold ...
        "RURAL": units("CDEFG"),
        "URBAN": units("HIJKLM"),
    }
    # ... yet all − RURAL − URBAN is the cities' total.
    found = {d.units for d in disclosure.disclosures(members, ["all", "RURAL", "URBAN"], 5)}
    assert units("AB") in found
    withheld = disclosure.audit(members, 5)
    assert withheld["CITY"] == THRESHOLD
    assert withheld["RURAL"] == DIFFERENCING  # the smaller of the two candidates
    assert "all" not in withheld and "URBAN" not in withheld
    published = [g for g in members if g not in withheld]
    assert leaks_by_adding_and_subtracting(members, published, 5) == []


def test_overlapping_groups_that_only_together_give_away_a_unit():
    # Neither pair alone isolates X, but G1 + G2 − G3 does: X is in G1 and G2, not in G3.
    members = {
        "G1": units("XABCDE"),
        "G2": units("XFGHIJ"),
        "G3": units("ABCDEFGHIJ"),
    }
    found = {d.units for d in disclosure.disclosures(members, list(members), 5)}
    assert units("X") in found  # (G1 + G2 − G3) / 2 ... or, by ±1 alone, never
    published = [g for g in members if g not in disclosure.audit(members, 5)]
    assert not derivable_by_rank(members, published, units("X"))


def test_nothing_to_check_when_k_is_one():
    members = {"A": units("AB"), "B": units("A")}
    assert disclosure.audit(members, 1) == {}


def test_the_frame_form_audits_each_indicator_and_repeats_shared_structures_once():
    rows = [("I1", "WHOLE", u) for u in "ABCDEFG"] + [("I1", "PART", u) for u in "ABCDEF"]
    rows += [("I2", "WHOLE", u) for u in "ABCDEFGHIJK"] + [("I2", "PART", u) for u in "ABCDEF"]
    frame = pl.DataFrame(rows, schema=disclosure.MEMBERS_SCHEMA, orient="row")
    assert disclosure.withheld_frame(frame, 5).rows() == [("I1", "PART", DIFFERENCING)]


@st.composite
def small_programmes(draw):
    unit_codes = "ABCDEFGHIJ"[: draw(st.integers(4, 10))]
    groups = draw(
        st.lists(
            st.frozensets(st.sampled_from(unit_codes), min_size=1),
            min_size=1,
            max_size=5,
            unique=True,
        )
    )
    members = {f"G{i}": frozenset(g) for i, g in enumerate(groups)}
    members["all"] = frozenset(unit_codes)
    return members, draw(st.integers(2, 5))


@settings(max_examples=120, deadline=None)
@given(small_programmes())
def test_after_the_audit_no_sum_or_difference_of_published_totals_gives_away_a_small_set(case):
    members, k = case
    withheld = disclosure.audit(members, k)
    published = [g for g in members if g not in withheld]
    assert all(len(members[g]) >= k for g in published)
    assert leaks_by_adding_and_subtracting(members, published, k) == []
    # Exhaustively, by rank over units: no set of 1..k-1 units is derivable at all.
    if published:
        universe = sorted(set().union(*(members[g] for g in published)))
        for size in range(1, k):
            for chosen in itertools.combinations(universe, size):
                assert not derivable_by_rank(members, published, frozenset(chosen))


@settings(max_examples=120, deadline=None)
@given(small_programmes())
def test_the_search_finds_a_leak_whenever_adding_and_subtracting_finds_one(case):
    members, k = case
    published = [g for g in members if len(members[g]) >= k]
    brute = leaks_by_adding_and_subtracting(members, published, k)
    found = disclosure.disclosures(members, published, k)
    if brute:
        assert found
    for item in found:  # whatever it reports is a real leak
        assert 0 < len(item.units) < k
        assert derivable_by_rank(members, published, item.units)


def test_every_near_copy_in_a_large_programme_is_caught():
    """A regression guard of the search's completeness at a size where a solver's
    shortcut once missed them: 1,500 units, random types, listed groups and near copies
    of some of them missing 1..3 units."""
    rng = random.Random(7)
    codes = [f"U{i:04d}" for i in range(1500)]
    members = {"all": frozenset(codes)}
    for kind in "ABCDE":
        members[f"TYPE_{kind}"] = frozenset(c for c in codes if rng.choice("ABCDE") == kind)
    pairs = []
    for j in range(12):
        members[f"LIST_{j}"] = frozenset(rng.sample(codes, rng.randint(5, 300)))
        if j % 3 == 0:
            base = sorted(members[f"LIST_{j}"])
            members[f"NEAR_{j}"] = frozenset(base[: -rng.randint(1, 3)])
            pairs.append(j)
    published_all = [g for g in members if len(members[g]) >= 5]
    found = {d.units for d in disclosure.disclosures(members, published_all, 5, limit=1000)}
    for j in pairs:
        assert members[f"LIST_{j}"] - members[f"NEAR_{j}"] in found
    withheld = disclosure.audit(members, 5)
    published = [g for g in members if g not in withheld]
    for j in pairs:
        difference = members[f"LIST_{j}"] - members[f"NEAR_{j}"]
        assert not derivable_by_rank(members, published, difference)


def test_a_search_too_large_to_finish_says_so_instead_of_passing(monkeypatch):
    monkeypatch.setattr(disclosure, "MAX_TRIES", 3)
    members = {f"G{i}": frozenset({f"U{i}", "X", "Y", "Z", "W"}) for i in range(6)}
    with pytest.raises(disclosure.AuditTooLarge):
        disclosure.audit(members, 5)
    frame = pl.DataFrame(
        [("I1", g, u) for g, units in members.items() for u in units],
        schema=disclosure.MEMBERS_SCHEMA,
        orient="row",
    )
    with pytest.raises(disclosure.AuditTooLarge, match="of I1"):
        disclosure.withheld_frame(frame, 5)
