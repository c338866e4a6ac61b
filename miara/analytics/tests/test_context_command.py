"""`miara export context`: the expected values of every unit, as the independent fit."""

import polars as pl
import pytest

from miara.analytics.tests.test_context_page import independent_fit, wider  # noqa: F401
from miara.cli import main

pytestmark = pytest.mark.django_db


def test_it_writes_every_units_expected_value(tmp_path, wider, capsys):  # noqa: F811
    out = tmp_path / "context.csv"
    args = ["export", "context", "--indicator", "RECYCLING_RATE", "--period", "2024"]
    assert main([*args, "--variable", "POPULATION", "-o", str(out)]) == 0
    frame = pl.read_csv(out)
    expected, r2, n = independent_fit()
    assert frame.height == n
    for row in frame.iter_rows(named=True):
        assert row["expected"] == pytest.approx(expected[row["unit"]], rel=1e-9)
        assert row["r_squared"] == pytest.approx(r2, rel=1e-9)
    assert "10 units" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        (["--indicator", "NOPE", "--period", "2024"], "unknown indicator NOPE"),
        (["--indicator", "RECYCLING_RATE", "--period", "1999"], "no computed results"),
        (
            ["--indicator", "RECYCLING_RATE", "--period", "2024", "--variable", "WASTE_T"],
            "WASTE_T: not a context variable",
        ),
        (["--indicator", "RECYCLING_RATE", "--period", "2024", "--group", "NOPE"], "unknown group"),
    ],
)
def test_bad_input_is_named(tmp_path, wider, capsys, extra, says):  # noqa: F811
    out = tmp_path / "context.csv"
    assert main(["export", "context", *extra, "-o", str(out)]) == 1
    assert says in capsys.readouterr().err
    assert not out.exists()


def test_too_few_units_is_said(tmp_path, programme, capsys):
    out = tmp_path / "context.csv"
    args = ["export", "context", "--indicator", "RECYCLING_RATE", "--period", "2024"]
    assert main([*args, "-o", str(out)]) == 1
    assert "too few units (4 units have every value" in capsys.readouterr().err
