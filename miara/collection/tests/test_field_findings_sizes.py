"""With variables compared per unit of size (Variable.per) and declared kinds, one field's
findings still equal the full computation's, and the coordinator's report (findings(cycle=...))
finds what each questionnaire finds."""

import random

import polars as pl
import pytest

from miara.catalogue.models import Variable
from miara.collection.findings import findings, submission_findings
from miara.collection.models import Submission
from miara.collection.tests.test_field_findings import (  # noqa: F401
    VARIABLES,
    field_findings,
    scramble,
    world,
)

pytestmark = pytest.mark.django_db
UNITS = ["A1", "B2", "C3", "D4", "E5", "F6", "G7", "H8"]


def sized() -> None:
    population = Variable.objects.get(code="POPULATION")
    Variable.objects.filter(code__in=["WASTE_T", "PERMITS_ISSUED"]).update(per=population)
    # A kind declared after the values were stored: their fractions are found, not lost.
    Variable.objects.filter(code="PERMITS_ISSUED").update(kind="count")


@pytest.mark.parametrize("seed", range(4))
def test_one_fields_findings_equal_the_full_computations_with_sizes(world, alice, seed):  # noqa: F811
    rng = random.Random(100 + seed)
    scramble(rng, alice, UNITS)
    sized()
    seen = set()
    for unit in rng.sample(UNITS, 4):
        submission = Submission.objects.select_related("cycle", "unit").get(
            cycle=world, unit__code=unit
        )
        full = submission_findings(submission)
        seen |= {(f["check"], f["scale"] is not None) for f in full}
        for code in VARIABLES:
            own, rules = field_findings(submission, code)
            expected = [
                f
                for f in full
                if (f["check"] != "rule" and f["variable"] == code)
                or (f["check"] == "rule" and f["variable"] in rules)
            ]
            assert own == expected, (seed, unit, code)
    assert ("kind", False) in seen
    assert ("outlier", True) in seen


def test_the_coordinators_report_finds_the_same_outliers_per_size(world, alice):  # noqa: F811
    found_any = False
    for seed in range(6):
        Variable.objects.filter(code="PERMITS_ISSUED").update(kind="amount")
        Variable.objects.filter(code="WASTE_T").update(max_value=None)
        scramble(random.Random(200 + seed), alice, UNITS)
        sized()
        report = findings(cycle=world)
        for unit in UNITS:
            submission = Submission.objects.select_related("cycle", "unit").get(
                cycle=world, unit__code=unit
            )
            mine = sorted(
                (f["variable"], f["check"], f["median"], f["scale"])
                for f in submission_findings(submission)
                if f["check"] in ("outlier", "kind")
            )
            theirs = sorted(
                report.filter((pl.col("unit") == unit) & pl.col("check").is_in(["outlier", "kind"]))
                .select("variable", "check", "median", "scale")
                .rows()
            )
            assert mine == theirs, (seed, unit)
            found_any |= any(scale is not None for *_rest, scale in mine)
    assert found_any  # some outlier was judged per unit of size
