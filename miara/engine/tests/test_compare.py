import polars as pl

from miara.engine.compare import compare_results


def frame(rows):
    return pl.DataFrame(rows, schema=["indicator", "unit", "value"], orient="row")


def test_it_finds_added_and_removed_units_and_changed_values():
    before = frame([("A", "u1", 10.0), ("A", "u2", 20.0), ("B", "u1", 1.0), ("B", "u3", 5.0)])
    after = frame([("A", "u1", 10.0), ("A", "u2", 30.0), ("B", "u1", 4.0), ("A", "u4", 7.0)])
    diff = compare_results(before, after)
    assert diff.units_added == ["u4"]
    assert diff.units_removed == ["u3"]
    assert diff.values_changed == 2
    assert diff.values_added == 1
    assert diff.values_removed == 1
    # B/u1 tripled (+300 %), A/u2 grew by half: the larger relative change first.
    assert diff.largest.select("indicator", "unit", "before", "after").rows() == [
        ("B", "u1", 1.0, 4.0),
        ("A", "u2", 20.0, 30.0),
    ]
    assert diff.largest.get_column("relative").to_list() == [3.0, 0.5]
    assert not diff.is_empty


def test_identical_computations_are_no_change_even_with_float_noise():
    before = frame([("A", "u1", 0.1 + 0.2), ("A", "u2", 2.0)])
    after = frame([("A", "u1", 0.3), ("A", "u2", 2.0)])
    diff = compare_results(before, after)
    assert diff.values_changed == 0
    assert diff.is_empty
    assert diff.largest.is_empty()


def test_a_change_from_zero_has_no_relative_size_and_comes_last():
    before = frame([("A", "u1", 0.0), ("A", "u2", 100.0)])
    after = frame([("A", "u1", 5.0), ("A", "u2", 101.0)])
    diff = compare_results(before, after, largest=1)
    assert diff.values_changed == 2
    assert diff.largest.select("unit").to_series().to_list() == ["u2"]


def test_a_first_computation_adds_everything():
    after = frame([("A", "u1", 1.0), ("B", "u2", 2.0)])
    diff = compare_results(frame([]), after)
    assert diff.units_added == ["u1", "u2"]
    assert diff.values_added == 2
    assert diff.values_changed == 0
