"""`miara load processes`, `miara load costing` and `miara export costing` exactly as
contracts.md writes them, on the hand-worked office of files.py."""

from __future__ import annotations

import json

import openpyxl
import polars as pl
import pytest

from miara.cli import main
from miara.processes.models import CostPool, Process
from miara.processes.tests.files import ALLOCATION, EXPECTED, costing_file, map_file

pytestmark = pytest.mark.django_db

COLUMNS = [
    "process",
    "department_cost",
    "support_cost",
    "direct_cost",
    "cost",
    "output",
    "unit_cost",
]


@pytest.fixture
def loaded(programme, tmp_path, capsys):
    assert main(["load", "processes", str(map_file(tmp_path)), "--unit", "A1"]) == 0
    assert (
        main(["load", "costing", str(costing_file(tmp_path)), "--unit", "A1", "--period", "2025"])
        == 0
    )
    capsys.readouterr()
    return tmp_path


def test_it_loads_and_reports_what_it_did(programme, tmp_path, capsys):
    assert main(["load", "processes", str(map_file(tmp_path)), "--unit", "A1"]) == 0
    assert (
        "map.csv (A1): created 4 process groups, 2 departments, 4 processes"
        in capsys.readouterr().out
    )
    assert (
        main(["load", "costing", str(costing_file(tmp_path)), "--unit", "A1", "--period", "2025"])
        == 0
    )
    out = capsys.readouterr().out
    assert (
        "costing.xlsx (A1, 2025): created 1 departments, 3 cost pools, 3 allocations, 3 outputs"
        in out
    )


def test_loading_the_same_files_again_changes_nothing(loaded, capsys):
    assert main(["load", "processes", str(loaded / "map.csv"), "--unit", "A1"]) == 0
    assert (
        main(["load", "costing", str(loaded / "costing.xlsx"), "--unit", "A1", "--period", "2025"])
        == 0
    )
    out = capsys.readouterr().out
    assert "unchanged 4 processes" in out
    assert "unchanged 3 cost pools, 3 allocations, 3 outputs" in out
    assert "created" not in out and "updated" not in out


def expected_rows() -> list[dict]:
    return [
        dict(zip(COLUMNS, (process, *values), strict=True))
        for process, values in sorted(EXPECTED.items())
    ]


def close(got: list[dict], want: list[dict]) -> None:
    assert [r["process"] for r in got] == [r["process"] for r in want]
    for row, expected in zip(got, want, strict=True):
        for column in COLUMNS[1:]:
            if expected[column] is None:
                assert row[column] is None, (row["process"], column)
            else:
                assert row[column] == pytest.approx(expected[column], rel=1e-12), (
                    row["process"],
                    column,
                )


def test_it_exports_the_hand_worked_costs_in_three_formats(loaded):
    for fmt in ("csv", "xlsx", "json"):
        out = loaded / f"costing.{fmt}"
        args = [
            "export",
            "costing",
            "--unit",
            "A1",
            "--period",
            "2025",
            "-o",
            str(out),
            "--format",
            fmt,
        ]
        assert main(args) == 0
    text = (loaded / "costing.csv").read_text()
    assert text.splitlines()[0] == ",".join(COLUMNS)
    # unit_cost is empty when the output is 0 (ZONING) or missing (REGISTER, ARCHIVE).
    assert text.splitlines()[4].startswith("ZONING,120000.0,") and text.splitlines()[4].endswith(
        ",0.0,"
    )
    close(pl.read_csv(loaded / "costing.csv").to_dicts(), expected_rows())
    close(json.loads((loaded / "costing.json").read_text()), expected_rows())
    sheet = openpyxl.load_workbook(loaded / "costing.xlsx", read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == COLUMNS
    # A row's empty cells at its end are not stored in the sheet at all.
    padded = [(*row, *[None] * (len(COLUMNS) - len(row))) for row in rows[1:]]
    close([dict(zip(COLUMNS, row, strict=True)) for row in padded], expected_rows())


def test_a_process_without_data_is_exported_with_zero_costs(loaded):
    assert (
        main(["export", "costing", "--unit", "A1", "--period", "2025", "-o", str(loaded / "c.csv")])
        == 0
    )
    archive = (
        pl.read_csv(loaded / "c.csv").filter(pl.col("process") == "ARCHIVE").row(0, named=True)
    )
    assert archive == {
        **dict.fromkeys(COLUMNS[1:5], 0.0),
        "process": "ARCHIVE",
        "output": None,
        "unit_cost": None,
    }


def test_a_bad_workbook_exits_1_naming_sheet_row_and_column(loaded, capsys):
    path = costing_file(loaded, allocation=[*ALLOCATION, ["IT", "PERMIT", 10]], name="bad.xlsx")
    assert main(["load", "costing", str(path), "--unit", "A1", "--period", "2026"]) == 1
    err = capsys.readouterr().err
    assert (
        "bad.xlsx, sheet allocation, row 5, cell A5, column department: IT is a support department"
        in err
    )
    assert not CostPool.objects.filter(period="2026").exists()


def test_a_bad_map_exits_1_naming_line_and_column(programme, tmp_path, capsys):
    path = map_file(tmp_path, "code,name,owner\nP1,One,\n")
    assert main(["load", "processes", str(path), "--unit", "A1"]) == 1
    assert (
        "map.csv, line 2, column owner: process P1 has no owner department"
        in capsys.readouterr().err
    )
    assert not Process.objects.exists()


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["load", "costing", "costing.xlsx", "--unit", "A1", "--period", "2025-Q5"],
            1,
            "“2025-Q5” is not a period",
        ),
        (
            ["load", "costing", "costing.xlsx", "--unit", "ZZ", "--period", "2025"],
            1,
            "no unit with the code “ZZ”",
        ),
        (["load", "costing", "costing.xlsx", "--unit", "A1"], 2, "needs --period"),
        (["load", "processes", "map.csv"], 2, "needs --unit"),
        (["export", "costing", "--unit", "A1", "-o", "x.csv"], 2, "needs --period"),
        (
            ["export", "costing", "--unit", "ZZ", "--period", "2025", "-o", "x.csv"],
            1,
            "no unit with the code “ZZ”",
        ),
        (
            ["export", "costing", "--unit", "A1", "--period", "2024", "-o", "x.csv"],
            1,
            "A1 has no costing data for 2024",
        ),
    ],
)
def test_it_refuses_bad_requests_in_plain_words(loaded, capsys, monkeypatch, args, code, message):
    monkeypatch.chdir(loaded)
    assert main(args) == code
    assert message in capsys.readouterr().err
    assert not (loaded / "x.csv").exists()


def test_a_costing_refused_by_a_submitted_questionnaire_says_why_and_stores_nothing(
    programme, tmp_path, capsys
):
    from miara.collection.cycles import cycle_open, submission_submit
    from miara.collection.models import Submission

    cycle = cycle_open(
        period="2025",
        name="Year 2025",
        variable_codes=["PERMITS_ISSUED"],
        unit_codes=["A1"],
        required_codes=[],
    )
    submission = Submission.objects.get(cycle=cycle)
    from miara.accounts.services import user_add

    alice, _ = user_add(username="alice", role="coordinator", password="Correct-horse-42")
    submission_submit(submission=submission, acting_user=alice)
    assert main(["load", "processes", str(map_file(tmp_path)), "--unit", "A1"]) == 0
    code = main(
        ["load", "costing", str(costing_file(tmp_path)), "--unit", "A1", "--period", "2025"]
    )
    err = capsys.readouterr().err
    assert code == 1
    assert "error: Nothing of the costing was stored" in err
    assert "submitted or accepted questionnaire" in err
    # The command line acts as the operator, who may write any period; a submitted
    # questionnaire is locked for everyone, so the operator is refused all the same.
    assert not CostPool.objects.exists()
