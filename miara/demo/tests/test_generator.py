"""Tests of the demo programme generator: shape, determinism, consistency, file formats."""

from __future__ import annotations

import csv
import importlib
import math
import re
from collections import Counter

import polars as pl
import pytest
import yaml

from miara.demo import catalogue as cat
from miara.demo.generator import (
    BUNDLED_MAINTENANCE,
    OUTLIERS,
    PERIODS,
    VALUES_HEADER,
    ZERO_DENOMINATORS,
    demo_catalogue,
    demo_units,
    demo_values,
    format_number,
    write_demo_files,
)

CODE = re.compile(r"^[A-Z][A-Z0-9_]*$")
CODE_IN_FORMULA = re.compile(r"\b[A-Z][A-Z0-9_]*\b")
WORD_IN_FORMULA = re.compile(r"\b[a-z_]+\b")
FUNCTIONS = {"abs", "min", "max", "round", "if", "coalesce", "prev", "and", "or", "not"}
LANGUAGES = {"en", "pl", "cs"}


@pytest.fixture(scope="module")
def catalogue() -> dict:
    return demo_catalogue()


@pytest.fixture(scope="module")
def units() -> list[dict]:
    return demo_units()


@pytest.fixture(scope="module")
def values() -> pl.DataFrame:
    return demo_values()


@pytest.fixture(scope="module")
def wide(values: pl.DataFrame) -> pl.DataFrame:
    """One row per unit and period, one column per variable."""
    return values.pivot(on="variable", index=["unit", "period"], values="value")


def _engine_formula(function: str):
    """The engine's formula function, or skip while another engineer is still writing it."""
    try:
        module = importlib.import_module("miara.engine.formula")
    except ImportError as exc:
        pytest.skip(f"miara.engine.formula cannot be imported yet: {exc}")
    if not hasattr(module, function):
        pytest.skip(f"miara.engine.formula.{function} is not available yet")
    return getattr(module, function)


def _types(units: list[dict]) -> dict[str, str]:
    return {u["code"]: u["type"] for u in units}


# --- units ------------------------------------------------------------------------------------


def test_units_are_17_cities_20_gminas_6_counties(units):
    assert len(units) == 43
    counts = Counter(u["type"] for u in units)
    assert counts["city_county"] == 17
    assert counts["gmina_urban"] + counts["gmina_rural"] + counts["gmina_mixed"] == 20
    assert min(counts["gmina_urban"], counts["gmina_rural"], counts["gmina_mixed"]) >= 3
    assert counts["county"] == 6
    assert set(counts) == set(cat.ALL_TYPES)


def test_units_have_unique_teryt_like_codes_and_contract_keys(units):
    codes = [u["code"] for u in units]
    assert len(set(codes)) == len(codes)
    assert all(re.fullmatch(r"\d{7}", c) for c in codes)
    assert len({u["name"] for u in units}) == 43
    for u in units:
        assert set(u) == {"code", "name", "type", "country", "parent"}
        assert u["country"] == "PL"
        assert u["parent"] is None
    assert units[0]["name"] == "Katowice"  # the demo logins are attached to the first unit
    assert any("Ś" in u["name"] or "ś" in u["name"] for u in units)


def test_populations_are_plausible(units, values):
    ranges = {
        "city_county": (50_000, 300_000),
        "gmina_urban": (5_000, 50_000),
        "gmina_rural": (5_000, 50_000),
        "gmina_mixed": (5_000, 50_000),
        "county": (60_000, 170_000),
    }
    types = _types(units)
    pop = values.filter(pl.col("variable") == "POPULATION")
    assert pop.height == 43 * len(PERIODS)
    assert pop["value"].null_count() == 0
    for unit, value in pop.select("unit", "value").iter_rows():
        low, high = ranges[types[unit]]
        assert low <= value <= high, (unit, value)


# --- catalogue --------------------------------------------------------------------------------


def _assert_names(entry: dict, key: str = "name") -> None:
    name = entry[key]
    assert isinstance(name, dict), entry["code"]
    assert set(name) == LANGUAGES, entry["code"]
    assert all(isinstance(v, str) and v.strip() for v in name.values()), entry["code"]


def test_catalogue_has_the_contract_structure(catalogue):
    assert list(catalogue) == [
        "service_areas",
        "variables",
        "indicators",
        "peer_groups",
        "validation_rules",
    ]
    for area in catalogue["service_areas"]:
        assert set(area) == {"code", "name"}
    for var in catalogue["variables"]:
        assert set(var) <= {"code", "name", "unit", "area", "min", "max", "kind", "per"}
        _assert_names(var, "unit")
    for ind in catalogue["indicators"]:
        assert set(ind) == {
            "code",
            "name",
            "formula",
            "direction",
            "unit",
            "decimals",
            "area",
            "description",
        }
        assert ind["direction"] in {"higher", "lower", "neutral"}
        assert isinstance(ind["decimals"], int) and 0 <= ind["decimals"] <= 4
        assert ind["formula"].strip()
    for group in catalogue["peer_groups"]:
        assert set(group) <= {"code", "name", "unit_types", "members"}
        assert group.get("unit_types") or group.get("members")


def test_catalogue_sizes(catalogue):
    areas = [a["code"] for a in catalogue["service_areas"]]
    assert len(areas) >= 11
    for expected in ("PERMITS", "BUSINESS", "CIVIL", "WASTE", "PROPTAX", "VEHICLES"):
        assert expected in areas
    for expected in ("CITIZENS", "SCHOOLS", "NGO", "HR", "LIGHTING"):
        assert expected in areas
    per_area = Counter(i["area"] for i in catalogue["indicators"])
    assert set(per_area) == set(areas)
    for area, n in per_area.items():
        assert 3 <= n <= 6, (area, n)
    # The questionnaire asks for 40 to 80 variables; process costing and the Czech
    # office's key processes add their own.
    asked = [v for v in catalogue["variables"] if v.get("area") not in cat.PROCESS_AREAS]
    assert 40 <= len(asked) <= 80
    variables = {v["code"] for v in catalogue["variables"]}
    assert {"POPULATION", "AREA_KM2", "BUDGET_TOTAL", "STAFF_FTE"} <= variables


def test_codes_match_the_pattern_and_are_unique(catalogue):
    for section in ("service_areas", "variables", "indicators", "peer_groups"):
        codes = [e["code"] for e in catalogue[section]]
        assert len(set(codes)) == len(codes), section
        assert all(CODE.match(c) for c in codes), section
    variables = {v["code"] for v in catalogue["variables"]}
    indicators = {i["code"] for i in catalogue["indicators"]}
    assert not variables & indicators


def test_areas_of_variables_and_indicators_exist(catalogue):
    areas = {a["code"] for a in catalogue["service_areas"]}
    assert areas == set(cat.AREA_UNIT_TYPES)
    assert all(v["area"] in areas for v in catalogue["variables"] if "area" in v)
    assert all(i["area"] in areas for i in catalogue["indicators"])
    assert all(v["min"] == 0 for v in catalogue["variables"])


def test_every_name_and_description_is_in_three_languages(catalogue):
    for section in ("service_areas", "variables", "indicators", "peer_groups"):
        for entry in catalogue[section]:
            _assert_names(entry)
    for ind in catalogue["indicators"]:
        _assert_names(ind, "description")
        assert all(d.rstrip().endswith(".") for d in ind["description"].values()), ind["code"]
    permits = next(a for a in catalogue["service_areas"] if a["code"] == "PERMITS")
    assert permits["name"] == {
        "en": "Building permits",
        "pl": "Pozwolenia na budowę",
        "cs": "Stavební povolení",
    }
    polish = " ".join(v["name"]["pl"] for v in catalogue["variables"])
    czech = " ".join(v["name"]["cs"] for v in catalogue["variables"])
    assert set("ąęłńóśźż") & set(polish.lower())
    assert set("áčďéěíňóřšťúůýž") & set(czech.lower())


def test_formulas_reference_existing_codes_and_known_functions(catalogue):
    variables = {v["code"] for v in catalogue["variables"]}
    indicators = {i["code"] for i in catalogue["indicators"]}
    used_functions: Counter[str] = Counter()
    for ind in catalogue["indicators"]:
        formula = ind["formula"]
        codes = set(CODE_IN_FORMULA.findall(formula))
        assert codes, ind["code"]
        assert codes <= variables | indicators, (ind["code"], codes - variables - indicators)
        assert ind["code"] not in codes
        words = set(WORD_IN_FORMULA.findall(formula))
        assert words <= FUNCTIONS, (ind["code"], words - FUNCTIONS)
        used_functions.update(words)
        assert formula.count("(") == formula.count(")"), ind["code"]
        assert re.fullmatch(r"[A-Za-z0-9_+\-*/^(),.<>=! ]+", formula), ind["code"]
    assert used_functions["prev"] >= 1
    assert used_functions["coalesce"] >= 1
    assert used_functions["if"] >= 1
    population = next(i for i in catalogue["indicators"] if i["formula"] == "POPULATION")
    assert population["direction"] == "neutral"


def test_formulas_validate_with_the_engine(catalogue):
    validate_catalogue = _engine_formula("validate_catalogue")
    variables = {v["code"] for v in catalogue["variables"]}
    formulas = {i["code"]: i["formula"] for i in catalogue["indicators"]}
    order = validate_catalogue(variables, formulas)
    assert set(order) == set(formulas)


def test_peer_groups(catalogue, units):
    groups = {g["code"]: g for g in catalogue["peer_groups"]}
    assert groups["CITIES"]["unit_types"] == ["city_county"]
    assert groups["GMINAS"]["unit_types"] == ["gmina_urban", "gmina_rural", "gmina_mixed"]
    assert groups["COUNTIES"]["unit_types"] == ["county"]
    codes = {u["code"] for u in units}
    members = groups["PILOT"]["members"]
    assert 3 <= len(members) <= 10
    assert set(members) <= codes
    types = {t for g in groups.values() for t in g.get("unit_types", [])}
    assert types <= set(cat.ALL_TYPES)


# --- values -----------------------------------------------------------------------------------


def test_values_schema_and_periods(values):
    assert values.schema == pl.Schema(
        {
            "unit": pl.String,
            "variable": pl.String,
            "period": pl.String,
            "value": pl.Float64,
            "comment": pl.String,
        }
    )
    assert sorted(values["period"].unique()) == ["2020", "2021", "2022", "2023", "2024"]
    assert values.select("unit", "variable", "period").is_duplicated().sum() == 0


def test_generation_is_deterministic():
    first, second = demo_values(), demo_values()
    assert first.equals(second, null_equal=True)
    assert demo_catalogue() == demo_catalogue()
    assert demo_units() == demo_units()


def test_units_report_exactly_the_areas_of_their_type(catalogue, units, values):
    types = _types(units)
    area_of = {v["code"]: v.get("area") for v in catalogue["variables"]}
    expected = set()
    for unit in types:
        for var, area in area_of.items():
            if area is None or types[unit] in cat.AREA_UNIT_TYPES[area]:
                expected.update((unit, var, p) for p in PERIODS)
    got = set(values.select("unit", "variable", "period").iter_rows())
    assert got == expected
    counties = {u for u, t in types.items() if t == "county"}
    gminas = {u for u, t in types.items() if t.startswith("gmina_")}
    by_area = values.with_columns(
        pl.col("variable").replace_strict(area_of, default=None).alias("area")
    )
    assert by_area.filter(
        pl.col("unit").is_in(gminas) & pl.col("area").is_in(["PERMITS", "VEHICLES"])
    ).is_empty()
    assert by_area.filter(
        pl.col("unit").is_in(counties)
        & pl.col("area").is_in(["WASTE", "PROPTAX", "CIVIL", "BUSINESS", "LIGHTING"])
    ).is_empty()


def test_no_negative_values_and_only_finite_numbers(values):
    present = values.drop_nulls("value")
    assert present.filter(pl.col("value") < 0).is_empty()
    assert all(math.isfinite(v) for v in present["value"])


@pytest.mark.parametrize(
    ("part", "whole"),
    [
        ("PERMITS_IN_DEADLINE", "PERMITS_ISSUED"),
        ("PERMITS_APPEALED", "PERMITS_ISSUED"),
        ("PERMITS_OVERTURNED", "PERMITS_APPEALED"),
        ("BUSINESS_NEXT_DAY", "BUSINESS_APPLICATIONS"),
        ("CIVIL_ONLINE_REQUESTS", "CIVIL_CERTIFICATES"),
        ("WASTE_RECYCLED_T", "WASTE_COLLECTED_T"),
        ("PROPTAX_ARREARS", "PROPTAX_DUE"),
        ("PROPTAX_ENFORCEMENT", "PROPTAX_REMINDERS"),
        ("VEH_ONLINE_BOOKINGS", "VEH_VISITS"),
        ("CIT_ID_ONLINE", "CIT_ID_APPLICATIONS"),
        ("NGO_CONTRACTS", "NGO_OFFERS"),
        ("NGO_RETURNED", "NGO_GRANTS_AMOUNT"),
        ("SCH_CLASSES", "SCH_PUPILS"),
        ("HR_LEAVERS", "HR_HEADCOUNT_AVG"),
        ("LIGHT_LED", "LIGHT_POINTS"),
        ("OFFICE_EDOCS", "OFFICE_DOCS_TOTAL"),
        ("OFFICE_ADMIN_COST", "BUDGET_TOTAL"),
        ("STAFF_FTE", "HR_HEADCOUNT_AVG"),
    ],
)
def test_parts_never_exceed_their_whole(wide, part, whole):
    both = wide.drop_nulls([part, whole])
    assert both.height > 50
    bad = both.filter(pl.col(part) > pl.col(whole))
    assert bad.is_empty(), bad.select("unit", "period", part, whole)


def test_service_staff_fits_in_the_office(wide):
    services = ["PERMIT_FTE", "BUSINESS_FTE", "CIVIL_FTE", "VEH_FTE", "CIT_FTE"]
    total = wide.select(
        "unit",
        "period",
        "STAFF_FTE",
        pl.sum_horizontal(pl.col(services).fill_null(0)).alias("services"),
    ).drop_nulls("STAFF_FTE")
    assert total.filter(pl.col("services") > 0.5 * pl.col("STAFF_FTE")).is_empty()


def test_costs_scale_with_volume(wide):
    """Bigger units spend more: staff cost rises with cases in the same year."""
    for cost, volume in [
        ("PERMIT_STAFF_COST", "PERMITS_ISSUED"),
        ("WASTE_SYSTEM_COST", "WASTE_COLLECTED_T"),
        ("LIGHT_ENERGY_COST", "LIGHT_ENERGY_MWH"),
    ]:
        rows = wide.filter(pl.col("period") == "2021").drop_nulls([cost, volume])
        corr = rows.select(pl.corr(cost, volume, method="spearman")).item()
        assert corr > 0.8, (cost, volume, corr)


def test_a_few_values_are_missing(values):
    share = values["value"].null_count() / values.height
    assert 0.005 <= share <= 0.03, share


def test_outliers_are_marked_and_stand_out(values):
    for unit, variable, period, _factor, comment in OUTLIERS:
        series = values.filter((pl.col("unit") == unit) & (pl.col("variable") == variable))
        row = series.filter(pl.col("period") == period).row(0, named=True)
        assert row["comment"] == comment
        assert comment.startswith("verify: unusually")
        others = series.filter(pl.col("period") != period)["value"].drop_nulls()
        ratio = row["value"] / others.median()
        assert ratio > 2 or ratio < 0.5, (unit, variable, ratio)
    verify = values.filter(pl.col("comment").str.starts_with("verify:"))
    assert verify.height == len(OUTLIERS)


def test_denominators_are_zero_only_where_deliberate(catalogue, values):
    denominators = set()
    for ind in catalogue["indicators"]:
        denominators.update(re.findall(r"/\s*([A-Z][A-Z0-9_]*)", ind["formula"]))
        for group in re.findall(r"/\s*\(([^()]*)\)", ind["formula"]):
            denominators.update(CODE_IN_FORMULA.findall(group))
    zeros = values.filter(pl.col("variable").is_in(denominators) & (pl.col("value") == 0))
    expected = {(u, "NGO_COMPETITIONS", p) for u, p, _ in ZERO_DENOMINATORS}
    assert set(zeros.select("unit", "variable", "period").iter_rows()) == expected
    assert 1 <= len(expected) <= 2


def test_bundled_maintenance_is_missing_with_a_reason(values):
    rows = values.filter(
        pl.col("unit").is_in(BUNDLED_MAINTENANCE) & (pl.col("variable") == "LIGHT_MAINT_COST")
    )
    assert rows.height == len(BUNDLED_MAINTENANCE) * len(PERIODS)
    assert rows["value"].null_count() == rows.height
    assert rows["comment"].null_count() == 0


def test_evaluates_with_the_engine_when_available(catalogue, values):
    evaluate = _engine_formula("evaluate")
    formulas = {i["code"]: i["formula"] for i in catalogue["indicators"]}
    result = evaluate(values.select("unit", "variable", "period", "value"), formulas)
    issues = result.issues.filter(pl.col("kind") == "division_by_zero")
    assert set(issues.select("indicator", "unit", "period").iter_rows()) == {
        ("NGO_OFFERS_PER_COMPETITION", u, p) for u, p, _ in ZERO_DENOMINATORS
    }
    computed = set(result.values["indicator"].unique())
    # Process costs and cases are not in the questionnaire's values (test_offices.py).
    asked = {i["code"] for i in catalogue["indicators"] if i["area"] not in cat.PROCESS_AREAS}
    assert computed == asked


# --- files ------------------------------------------------------------------------------------


def test_format_number_keeps_full_precision_without_exponents():
    for x in [0.1 + 0.2, 1234567.89, 1e-7, 3.0, 2.5e17, 123456789012.34567, 0.0]:
        text = format_number(x)
        assert "e" not in text.lower()
        assert float(text) == x
    assert format_number(None) == ""
    assert format_number(42.0) == "42"


def test_written_files_follow_the_contracts(tmp_path, catalogue, units, values):
    paths = write_demo_files(tmp_path / "demo")
    assert set(paths) == {"catalogue", "units", "values"}
    assert [p.name for p in paths.values()] == ["catalogue.yaml", "units.csv", "values.csv"]

    text = paths["catalogue"].read_text(encoding="utf-8")
    assert "Pozwolenia na budowę" in text  # allow_unicode: no \u escapes
    assert yaml.safe_load(text) == catalogue

    raw = paths["units"].read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert raw.decode("utf-8").splitlines()[0] == "code,name,type,parent,country"
    with paths["units"].open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [{**r, "parent": r["parent"] or None} for r in rows] == [
        {k: u[k] for k in ("code", "name", "type", "parent", "country")} for u in units
    ]

    lines = paths["values"].read_text(encoding="utf-8").splitlines()
    assert lines[0] == ",".join(VALUES_HEADER)
    assert len(lines) == values.height + 1
    reread = pl.read_csv(paths["values"], infer_schema=False).with_columns(
        pl.col("value").cast(pl.Float64)
    )
    assert reread.columns == list(VALUES_HEADER)
    assert reread.equals(values, null_equal=True)
    assert not any("e" in line.split(",")[3].lower() for line in lines[1:])


def test_written_values_round_trip_with_the_csv_module(tmp_path, values):
    paths = write_demo_files(tmp_path)
    with paths["values"].open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    expected = values.iter_rows()
    for row, (unit, variable, period, value, comment) in zip(rows, expected, strict=True):
        assert (row["unit"], row["variable"], row["period"]) == (unit, variable, period)
        assert (float(row["value"]) if row["value"] else None) == value
        assert (row["comment"] or None) == comment
