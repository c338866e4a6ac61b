"""Saving one field recomputes only that field's findings: they must equal what the full
computation of the questionnaire gives for that field, and the totals answered to the
page must equal the full computation's."""

import random

import polars as pl
import pytest

from miara.catalogue.models import ValidationRule, Variable
from miara.collection import quality
from miara.collection.findings import findings, submission_findings
from miara.collection.models import Submission, Value
from miara.collection.services import values_save
from miara.testing.cycles import cycle_2024
from miara.units.models import Unit

pytestmark = pytest.mark.django_db


def field_findings(submission, code):
    """One field's findings (`findings(variable=code)`) as rows, and the codes of the
    validation rules that read the field."""
    rules = {r for r, reads in quality.rule_inputs().items() if code in reads}
    found = findings(cycle=submission.cycle, unit=submission.unit, variable=code)
    return found.to_dicts(), rules


VARIABLES = ["WASTE_T", "RECYCLED_T", "POPULATION", "PERMITS_ISSUED", "PERMIT_STAFF_COST"]
EXTRA_UNITS = ["E5", "F6", "G7", "H8"]


@pytest.fixture
def world(alice):
    for code in EXTRA_UNITS:
        Unit.objects.create(code=code, name=f"Unit {code}", type="gmina_rural", country="PL")
    ValidationRule.objects.create(
        code="R_RECYCLED",
        name={"en": "recycled within collected"},
        expression="RECYCLED_T <= WASTE_T",
    )
    ValidationRule.objects.create(
        code="R_PREV",
        name={"en": "population stable"},
        expression="POPULATION <= prev(POPULATION) * 1.5",
        severity="warning",
    )
    cycle = cycle_2024(alice, VARIABLES, ["A1", "B2", "C3", "D4", *EXTRA_UNITS])
    cycle.items.filter(variable__code="PERMITS_ISSUED").update(required=True)
    return cycle


def scramble(rng: random.Random, alice, units: list[str]) -> None:
    rows = []
    for unit in units:
        for variable in VARIABLES:
            for period in ("2023", "2024"):
                roll = rng.random()
                if roll < 0.15:
                    value = ""
                elif roll < 0.25:
                    value = str(rng.choice([0, 10**9]))
                else:
                    value = str(round(rng.lognormvariate(6, 1.5), 1))
                comment = "explained" if rng.random() < 0.2 else ""
                rows.append((unit, variable, period, value, comment))
    frame = pl.DataFrame(
        rows, schema=["unit", "variable", "period", "value", "comment"], orient="row"
    ).with_row_index("__line", offset=1)
    frame = frame.with_columns(pl.col("__line").cast(pl.Int64))
    values_save(acting_user=alice, rows=frame, channel="import", source="test")
    # Range findings: a limit set after the values were stored.
    Variable.objects.filter(code="WASTE_T").update(max_value=10**8)


@pytest.mark.parametrize("seed", range(6))
def test_one_fields_findings_equal_the_full_computations(world, alice, seed):
    rng = random.Random(seed)
    units = ["A1", "B2", "C3", "D4", *EXTRA_UNITS]
    scramble(rng, alice, units)
    for unit in rng.sample(units, 3):
        submission = Submission.objects.select_related("cycle", "unit").get(
            cycle=world, unit__code=unit
        )
        full = submission_findings(submission)
        for code in VARIABLES:
            own, rules = field_findings(submission, code)
            expected = [
                f
                for f in full
                if (f["check"] != "rule" and f["variable"] == code)
                or (f["check"] == "rule" and f["variable"] in rules)
            ]
            assert own == expected, (seed, unit, code)


def test_the_autosave_totals_equal_the_full_computation(client, world, alice, bob):
    rng = random.Random(7)
    scramble(rng, alice, ["A1", "B2", "C3", "D4", *EXTRA_UNITS])
    client.force_login(bob)
    url = f"/collection/{world.pk}/A1/"
    assert client.get(url).status_code == 200  # the full computation the saves build on
    submission = Submission.objects.select_related("cycle", "unit").get(
        cycle=world, unit__code="A1"
    )
    for _ in range(12):
        code = rng.choice(VARIABLES)
        stored = Value.objects.filter(unit__code="A1", variable__code=code, period="2024").first()
        answer = client.post(
            url + "field/",
            {
                "variable": code,
                "value": rng.choice(["", "0", "5", "1000000000", str(rng.randint(1, 10**6))]),
                "comment": rng.choice(["", "", "why"]),
                "version": stored.version if stored else 0,
            },
        ).json()
        assert answer["status"] == "saved"
        full = submission_findings(submission)
        assert answer["progress"]["errors"] == sum(f["severity"] == "error" for f in full)
        assert answer["progress"]["open_warnings"] == sum(
            f["severity"] == "warning" and not f["justified"] for f in full
        )
        own = [f for f in full if f["variable"] == code and f["check"] != "rule"]
        assert [(f["severity"], f["justified"]) for f in answer["findings"]] == [
            (f["severity"], f["justified"]) for f in own
        ]
