"""How many warnings a clerk meets who enters last year's values + 2 %.

Loads the demo programme (units, catalogue, 2020-2024 values) into the current database,
opens a 2025 cycle asking every variable of every unit, enters for every unit its 2024
values × 1.02 through the one write path (`values_save`) and counts the warnings of each
questionnaire as the form shows them (`submission_findings`).

Used by the test `miara/demo/tests/test_plus_two_percent.py` and by
`benchmarks/warnings.py`. Needs a database with no units yet.
"""

from __future__ import annotations

from pathlib import Path

from miara.fileio.numbers import number_text

PERIOD = "2025"
FACTOR = 1.02


def plus_two_percent_frame(values, *, kinds: dict[str, str] | None = None):
    """`values` (unit, variable, period, value) of 2024 as a clerk would type them for 2025:
    × 1.02, whole numbers for counts (and for values that were whole), else 2 decimals."""
    import polars as pl

    kinds = kinds or {}
    whole = pl.col("variable").replace_strict(kinds, default="").eq("count") | (
        pl.col("value") == pl.col("value").round(0)
    )
    scaled = pl.col("value") * FACTOR
    return values.filter(pl.col("value").is_not_null()).select(
        "unit",
        "variable",
        pl.lit(PERIOD).alias("period"),
        pl.when(whole).then(scaled.round(0)).otherwise(scaled.round(2)).alias("value"),
    )


def plus_two_percent_warnings(directory: Path) -> dict[str, int]:
    """Per unit code, the number of warnings of its 2025 questionnaire (see module doc)."""
    return {
        unit: sum(f["severity"] == "warning" for f in findings)
        for unit, findings in plus_two_percent_findings(directory).items()
    }


def plus_two_percent_findings(directory: Path) -> dict[str, list[dict]]:
    """Per unit code, the findings of its 2025 questionnaire (see module doc)."""
    import polars as pl

    from miara.catalogue.models import Variable
    from miara.catalogue.services import catalogue_load
    from miara.collection.cycles import cycle_open
    from miara.collection.findings import submission_findings
    from miara.collection.models import Submission, Value
    from miara.collection.services import OPERATOR, values_load, values_save
    from miara.demo.generator import write_demo_files
    from miara.units.models import Unit
    from miara.units.services import units_load

    files = write_demo_files(Path(directory))
    units_load(path=files["units"])
    catalogue_load(path=files["catalogue"])
    values_load(path=files["values"])
    variables = list(Variable.objects.values_list("code", flat=True))
    kinds = dict(Variable.objects.values_list("code", "kind"))
    units = sorted(Unit.objects.values_list("code", flat=True))
    cycle = cycle_open(
        period=PERIOD,
        name="Trial 2025",
        variable_codes=variables,
        unit_codes=units,
        required_codes=[],
        channel="import",
    )
    last_year = pl.DataFrame(
        list(
            Value.objects.filter(period=str(int(PERIOD) - 1)).values_list(
                "unit__code", "variable__code", "period", "value"
            )
        ),
        schema={"unit": pl.String, "variable": pl.String, "period": pl.String, "value": pl.Float64},
        orient="row",
    )
    typed = plus_two_percent_frame(last_year, kinds=kinds).with_columns(
        pl.col("value").map_elements(number_text, return_dtype=pl.String)
    )
    values_save(
        acting_user=OPERATOR,
        rows=typed.with_row_index("__line", offset=2),
        channel="import",
        source="trial 2025",
    )
    return {
        submission.unit.code: submission_findings(submission)
        for submission in Submission.objects.filter(cycle=cycle).select_related("unit", "cycle")
    }
