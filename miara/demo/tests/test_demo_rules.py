"""The demo data keep every rule of the demo catalogue: every validation rule holds and
every value fits its variable's kind and bounds, for 2020-2024 and for the values the demo
enters for 2025 (the draft questionnaires on the coordinator's board)."""

from __future__ import annotations

import polars as pl
import pytest

from miara.demo import catalogue as cat
from miara.demo.generator import demo_catalogue, demo_next_period, demo_values
from miara.engine import kinds
from miara.engine.quality import ValidationRule, VariableRule, check_values


@pytest.fixture(scope="module")
def catalogue() -> dict:
    return demo_catalogue()


def limits(catalogue) -> dict[str, VariableRule]:
    return {
        v["code"]: VariableRule(v["code"], min=v.get("min"), max=v.get("max"), kind=v["kind"])
        for v in catalogue["variables"]
    }


def rules(catalogue) -> list[ValidationRule]:
    return [
        ValidationRule.from_text(r["code"], r["rule"], severity=r["severity"])
        for r in catalogue["validation_rules"]
    ]


def broken(catalogue, frame: pl.DataFrame) -> pl.DataFrame:
    found = check_values(
        frame.select("unit", "variable", "period", "value"),
        variables=limits(catalogue),
        rules=rules(catalogue),
    )
    return found.filter(pl.col("check").is_in(["rule", "kind", "range", "not_finite"]))


def test_the_demo_catalogue_has_a_rule_for_every_service_area(catalogue):
    areas = {v["code"]: v.get("area") for v in catalogue["variables"]}
    covered = {
        areas[code]
        for r in catalogue["validation_rules"]
        for code in areas
        if code in r["rule"].replace("(", " ").replace(")", " ").split()
    }
    assert {code for code, *_names in cat.SERVICE_AREAS} <= covered


def test_every_variable_has_a_kind_and_counts_are_counts(catalogue):
    kind = {v["code"]: v["kind"] for v in catalogue["variables"]}
    assert set(kind.values()) <= set(kinds.KINDS)
    assert kind["PERMITS_ISSUED"] == kind["BUSINESS_NEXT_DAY"] == "count"
    assert kind["SCH_EXAM_SCORE"] == "percentage"
    assert kind["PERMIT_STAFF_COST"] == "amount"
    sized = {v["code"] for v in catalogue["variables"] if v.get("per") == "POPULATION"}
    assert "PERMITS_ISSUED" in sized and "POPULATION" not in sized


def test_the_demo_values_keep_every_rule_and_kind(catalogue):
    found = broken(catalogue, demo_values())
    assert found.is_empty(), found.head(20).to_dicts()


def test_the_demo_values_entered_for_2025_keep_every_rule_and_kind(catalogue):
    values = demo_values()
    last = values.filter(pl.col("period") == "2024")
    following = demo_next_period(last.select("unit", "variable", "value"), period="2025")
    assert following.height == last.height
    following = following.drop_nulls("value")
    assert set(following.get_column("period").unique()) == {"2025"}
    found = broken(catalogue, pl.concat([last, following.with_columns(comment=pl.lit(None))]))
    assert found.is_empty(), found.head(20).to_dicts()
    # Counts stay whole numbers: the check would otherwise have found them.
    counts = {v["code"] for v in catalogue["variables"] if v["kind"] == "count"}
    whole = following.filter(pl.col("variable").is_in(counts))
    assert (whole["value"] == whole["value"].round(0)).all()
