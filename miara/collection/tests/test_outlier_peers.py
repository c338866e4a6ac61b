"""The outlier check compares a unit with participants of its own type, not with everyone.

A city's counts are large; among rural gminas they would always look like outliers, and a
clerk would have to justify every figure (domain.md: a unit is not compared blindly with
units unlike it). With fewer same-type peers than the engine needs, all participants count.
"""

import polars as pl
import pytest

from miara.collection.cycles import cycle_open
from miara.collection.findings import findings, submission_findings
from miara.collection.models import Submission
from miara.collection.quality import outlier_peers
from miara.collection.services import values_save
from miara.collection.tests.test_field_findings import field_findings
from miara.engine.quality import MIN_PEERS
from miara.units.models import Unit

pytestmark = pytest.mark.django_db
CITIES = [f"C{i:02d}" for i in range(MIN_PEERS + 1)]
GMINAS = [f"G{i:02d}" for i in range(4 * MIN_PEERS)]  # many more gminas than cities


def open_cycle(alice, cities, gminas):
    for code in cities:
        Unit.objects.create(code=code, name=code, type="city_county", country="PL")
    for code in gminas:
        Unit.objects.create(code=code, name=code, type="gmina_rural", country="PL")
    cycle = cycle_open(
        period="2024",
        name="2024",
        variable_codes=["WASTE_T"],
        unit_codes=[*cities, *gminas],
        acting_user=alice,
    )
    # Cities collect about 100,000 t, gminas about 3,000 t.
    rows = [(c, "WASTE_T", "2024", str(100_000 + 1_000 * i)) for i, c in enumerate(cities)]
    rows += [(g, "WASTE_T", "2024", str(3_000 + 100 * i)) for i, g in enumerate(gminas)]
    frame = pl.DataFrame(
        rows, schema=["unit", "variable", "period", "value"], orient="row"
    ).with_row_index("__line", offset=2)
    values_save(acting_user=alice, rows=frame, channel="import", source="test")
    return cycle


def outliers(findings):
    return [f for f in findings if f["check"] == "outlier"]


def test_a_city_among_enough_cities_is_not_an_outlier(programme, alice):
    cycle = open_cycle(alice, CITIES, GMINAS)
    city = Submission.objects.select_related("cycle", "unit").get(cycle=cycle, unit__code="C00")
    peers = set(Unit.objects.filter(pk__in=outlier_peers(city)).values_list("code", flat=True))
    assert peers == set(CITIES) - {"C00"}
    assert outliers(submission_findings(city)) == []
    assert outliers(field_findings(city, "WASTE_T")[0]) == []


def test_with_too_few_of_its_type_a_unit_is_compared_with_all(programme, alice):
    cycle = open_cycle(alice, ["C00"], GMINAS)
    city = Submission.objects.select_related("cycle", "unit").get(cycle=cycle, unit__code="C00")
    peers = set(Unit.objects.filter(pk__in=outlier_peers(city)).values_list("code", flat=True))
    assert peers == set(GMINAS)
    # Among gminas only, the city's 100,000 t is far beyond 3.5 robust z: a warning,
    # the same from the full computation and from the one-field path of the form.
    assert [f["variable"] for f in outliers(submission_findings(city))] == ["WASTE_T"]
    assert [f["variable"] for f in outliers(field_findings(city, "WASTE_T")[0])] == ["WASTE_T"]


def test_the_cycle_wide_outliers_agree_with_each_submissions_own(programme, alice):
    # Cities (enough of them), many gminas, and one county (too few of its type: it is
    # compared with everyone). One large gmina and one small city are real outliers.
    cycle = open_cycle(alice, CITIES, GMINAS)
    Unit.objects.create(code="K01", name="County", type="county", country="PL")
    cycle.submissions.create(unit=Unit.objects.get(code="K01"))
    rows = [("K01", "WASTE_T", "2024", "250000"), ("G03", "WASTE_T", "2024", "90000")]
    rows += [("C02", "WASTE_T", "2024", "20000")]
    frame = pl.DataFrame(
        rows, schema=["unit", "variable", "period", "value"], orient="row"
    ).with_row_index("__line", offset=2)
    values_save(acting_user=alice, rows=frame, channel="import", source="test")

    found = findings(cycle=cycle)
    together = sorted(
        (row["unit"], row["detail"])
        for row in found.iter_rows(named=True)
        if row["check"] == "outlier"
    )
    alone = sorted(
        (f["unit"], f["detail"])
        for s in cycle.submissions.select_related("cycle", "unit")
        for f in outliers(submission_findings(s))
    )
    assert together == alone
    assert {unit for unit, _detail in together} == {"K01", "G03", "C02"}
