"""`miara publish` as a coordinator runs it at the command line (contracts.md)."""

from __future__ import annotations

import datetime as dt

import pytest

from miara.testing.cli import programme_files_write
from miara.tests.test_cli import loaded, miara


@pytest.fixture
def computed(tmp_path):
    programme_files_write(tmp_path)
    return loaded(tmp_path)


def test_it_publishes_a_loaded_period_computing_its_final_results_first(computed):
    done = miara(computed, "publish", "--period", "2024")
    assert done.returncode == 0, done.stderr
    assert "computed final results first" in done.stdout
    assert "2024: published result set" in done.stdout and "threshold 5" in done.stdout
    again = miara(computed, "publish", "--period", "2024")
    assert again.returncode == 0 and "nothing changed" in again.stdout


REFUSALS = [
    (("--period", "2031"), "2031 has no results"),
    (("--period", "24"), "is not a period"),
    (("--period", "2024", "--embargo-until", "2000-01-01"), "not in the future"),
    (("--period", "2024", "--embargo-until", "soon"), "is not a date"),
    (("--period", "2024", "--threshold", "1"), "threshold must be a whole number"),
    (("--period", "2024", "--retract"), "Say why"),
    (("--period", "2023", "--retract", "--reason", "x"), "not published"),
]


def test_it_refuses_bad_input_in_plain_words(computed):
    for args, message in REFUSALS:
        done = miara(computed, "publish", *args)
        assert done.returncode == 1, args
        assert message in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert miara(computed, "publish").returncode == 2  # --period is required
    mixed = miara(computed, "publish", "--period", "2024", "--reason", "why")
    assert mixed.returncode == 2 and "--retract" in mixed.stderr


def test_it_embargoes_retracts_and_republishes(computed):
    until = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    done = miara(
        computed, "publish", "--period", "2024", "--embargo-until", until, "--threshold", "3"
    )
    assert done.returncode == 0, done.stderr
    assert f"public from {until}" in done.stdout
    done = miara(computed, "publish", "--period", "2024", "--retract", "--reason", "typo in A1")
    assert done.returncode == 0 and "retracted" in done.stdout
    again = miara(computed, "publish", "--period", "2024", "--retract", "--reason", "again")
    assert again.returncode == 1 and "already retracted" in again.stderr
    done = miara(computed, "publish", "--period", "2024", "--threshold", "3")
    assert done.returncode == 0 and "published again" in done.stdout
