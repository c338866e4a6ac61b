"""Similar units: the page, its CSV, the defaults, and the benchmark group `similar`,
its figures checked against numpy on the stored values."""

import csv
import io
import json
import re

import numpy as np
import pytest
from django.urls import reverse

from miara.accounts.models import AuditEntry
from miara.analytics.benchmark import benchmark_table, unit_peer_groups
from miara.analytics.models import SimilarityDefaults
from miara.analytics.peers import pseudonym, similar_scope
from miara.analytics.selectors import results_frame
from miara.analytics.similar import SimilarChoice, similar_choice, similar_codes
from miara.catalogue.models import Indicator
from miara.collection.selectors import values_frame
from miara.testing.urls import url_with_query
from miara.units.models import Programme, Unit

pytestmark = pytest.mark.django_db

OTHERS = {"B2": "Beta", "C3": "Gamma", "D4": "Delta"}


def similar_url(code="A1", **params):
    return url_with_query("analytics:similar", code, **params)


def similar_csv_url(code="A1", **params):
    return url_with_query("analytics:similar_csv", code, **params)


def chart_data(page: str) -> str:
    """Everything the page hands to the chart library."""
    return " ".join(
        re.findall(r'<script type="application/json" data-chart="[^"]+">(.*?)</script>', page, re.S)
    )


def set_visibility(value):
    programme = Programme.current()
    programme.visibility = value
    programme.save()


def numpy_distances(unit: str, period: str, variables: list[str]) -> dict[str, float]:
    """Independent: z-scores per variable over every unit having it, Euclidean distance."""
    values = values_frame(periods=[period], variables=variables).to_pandas()
    wide = values.pivot(index="unit", columns="variable", values="value")[variables]
    z = (wide - wide.mean()) / wide.std(ddof=1)
    own = z.loc[unit]
    return {u: float(np.sqrt(((z.loc[u] - own) ** 2).sum())) for u in z.index if u != unit}


class TestPage:
    def test_it_lists_the_nearest_units_with_the_engines_distances(self, client, alice):
        client.force_login(alice)
        response = client.get(similar_url(period="2024", variables="POPULATION", k=2))
        assert response.status_code == 200
        result = response.context["result"]
        expected = numpy_distances("A1", "2024", ["POPULATION"])
        nearest = sorted(expected, key=lambda u: (expected[u], u))[:2]
        assert [row.unit.key for row in result.rows] == nearest == ["D4", "B2"]
        for row in result.rows:
            assert row.distance == pytest.approx(expected[row.unit.key], rel=1e-12)
        page = response.content.decode()
        assert "Delta" in page and "Beta" in page and "Gamma" not in page
        assert "Population" in page  # says which variables
        assert f"{expected['D4']:.2f}" in page  # and how far each unit is
        # The chart carries the same distances, nearest first.
        data = json.loads(re.search(r'data-chart="similar-distance">(.*?)</script>', page, re.S)[1])
        bars = data["data"]["values"]
        assert [b["label"] for b in bars] == ["Delta", "Beta"]
        assert [b["value"] for b in bars] == [r.distance for r in result.rows]
        assert "chart-summary" in page and "Nearest: Delta" in page

    def test_it_shows_values_and_z_scores(self, client, alice):
        client.force_login(alice)
        response = client.get(similar_url(variables="POPULATION", k=3))
        result = response.context["result"]
        pops = values_frame(periods=["2024"], variables=["POPULATION"]).to_pandas()
        pops = pops.set_index("unit")["value"]
        for row in [result.own, *result.rows]:
            code = row.unit.key
            assert row.values == (pops[code],)
            z = (pops[code] - pops.mean()) / pops.std(ddof=1)
            assert row.zscores[0] == pytest.approx(z, rel=1e-12)

    def test_its_csv_holds_full_precision(self, client, alice):
        client.force_login(alice)
        response = client.get(similar_csv_url(variables="POPULATION", k=3))
        assert response.status_code == 200
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        assert [r["unit"] for r in rows] == ["A1", "D4", "B2", "C3"]
        expected = numpy_distances("A1", "2024", ["POPULATION"])
        for row in rows[1:]:
            assert float(row["distance"]) == pytest.approx(expected[row["unit"]], rel=1e-12)
        assert rows[0]["POPULATION"] == "120100.0"

    def test_an_anonymised_programme_shows_pseudonyms_and_no_values(self, client, bob):
        set_visibility(Programme.Visibility.ANONYMISED)
        client.force_login(bob)
        response = client.get(similar_url(variables="POPULATION", k=3))
        assert response.status_code == 200
        page = response.content.decode()
        for code, name in OTHERS.items():
            assert name not in page
            assert f'"{code}"' not in page and f">{code}<" not in page
            assert pseudonym(code, scope=similar_scope("A1", "2024")) in page
        # Pseudonyms are keyed by the installation's secret, so one may happen to hold a
        # code's letters ("USC3-XIVI"): look for codes only in what is not a pseudonym.
        data = re.sub(r"[A-Z2-9]{4}-[A-Z2-9]{4}", "", chart_data(page))
        for code, name in OTHERS.items():
            assert name not in data and code not in data
        # Other units' raw values would identify them: none in the page or its charts.
        for value in ("200100", "200,100", "15100", "15,100", "60100", "60,100"):
            assert value not in page
        csv_text = client.get(similar_csv_url(variables="POPULATION", k=3)).content.decode()
        for code, name in OTHERS.items():
            assert name not in csv_text and f"\n{code}," not in csv_text
        assert "200100" not in csv_text

    def test_a_named_programme_shows_names_to_participants(self, client, bob):
        set_visibility(Programme.Visibility.NAMED)
        client.force_login(bob)
        page = client.get(similar_url(variables="POPULATION", k=3)).content.decode()
        assert "Beta" in page and "Gamma" in page

    def test_it_forbids_another_units_similar_units(self, client, bob):
        client.force_login(bob)
        response = client.get(similar_url("B2"))
        assert response.status_code == 404  # as for a unit that does not exist
        assert "Beta" not in response.content.decode()
        assert client.get(similar_csv_url("B2")).status_code == 404

    def test_it_sends_anonymous_visitors_to_the_login(self, client, programme):
        assert client.get(similar_url()).status_code == 302

    def test_it_explains_bad_input(self, client, alice):
        client.force_login(alice)
        response = client.get(similar_url("ZZ9"))
        assert response.status_code == 404
        assert "There is no unit with the code “ZZ9”" in response.content.decode()
        response = client.get(similar_url(period="2031"))
        assert response.status_code == 404
        assert "No results have been computed for the period “2031”" in response.content.decode()
        response = client.get(similar_url(k=500))
        assert response.status_code == 400
        assert "from 1 to 50" in response.content.decode()
        response = client.get(similar_url(variables="WASTE_T"))
        assert response.status_code == 400
        assert "WASTE_T: not a structural variable" in response.content.decode()

    def test_it_speaks_polish(self, client, alice):
        client.force_login(alice)
        client.cookies["django_language"] = "pl"
        page = client.get(similar_url(variables="POPULATION", k=2)).content.decode()
        assert "Podobne jednostki" in page
        assert "Liczba ludności" in page


class TestDefaults:
    def test_a_coordinator_sets_the_default(self, client, alice):
        client.force_login(alice)
        url = reverse("analytics:similar_defaults", args=["A1"])
        response = client.post(url, {"variables": ["POPULATION"], "k": "2", "period": "2024"})
        assert response.status_code == 302
        assert SimilarityDefaults.objects.get().k == 2
        assert AuditEntry.objects.filter(action="similar.defaults_set", user=alice).exists()
        assert similar_choice() == SimilarChoice(("POPULATION",), 2)

    def test_others_may_not(self, client, mike):
        client.force_login(mike)
        url = reverse("analytics:similar_defaults", args=["A1"])
        assert client.post(url, {"variables": ["POPULATION"], "k": "2"}).status_code == 403
        assert not SimilarityDefaults.objects.exists()

    def test_without_defaults_every_structural_variable_and_ten(self, programme):
        assert similar_choice() == SimilarChoice(("POPULATION",), 10)


def numpy_group_figures(values: dict[str, float], unit: str, direction: str) -> dict:
    """methodology.md's figures of `unit` in a group with `values`, independently."""
    x = np.array(list(values.values()))
    n = len(x)
    q1, median, q3 = np.quantile(x, [0.25, 0.5, 0.75], method="linear")
    own = values[unit]
    figures = {"n": n, "median": median, "q1": q1, "q3": q3}
    if direction == "neutral":
        return figures | {"best": None, "rank": None, "percentile": None, "quartile": None}
    better = (x > own) if direction == "higher" else (x < own)
    rank = 1 + int(better.sum())
    percentile = 100 * (n - rank) / (n - 1) if n >= 2 else None
    quartile = None
    if percentile is not None:
        quartile = (
            1 if percentile >= 75 else 2 if percentile >= 50 else 3 if percentile >= 25 else 4
        )
    best = x.max() if direction == "higher" else x.min()
    return figures | {"best": best, "rank": rank, "percentile": percentile, "quartile": quartile}


@pytest.fixture
def larger_programme(programme, tmp_path):
    """Sixteen more units with random values, computed: groups big enough to rank in."""
    from miara.analytics.services import compute
    from miara.collection.services import values_load
    from miara.units.services import units_load

    rng = np.random.default_rng(7)
    units = ["code,name,type"] + [f"U{i:02d},Unit {i:02d},gmina_urban" for i in range(16)]
    (tmp_path / "more-units.csv").write_text("\n".join(units) + "\n", encoding="utf-8")
    units_load(path=tmp_path / "more-units.csv")
    rows = ["unit,variable,period,value"]
    for i in range(16):
        for year in (2023, 2024):
            waste = rng.uniform(200, 2000)
            rows += [
                f"U{i:02d},WASTE_T,{year},{waste:.3f}",
                f"U{i:02d},RECYCLED_T,{year},{waste * rng.uniform(0.1, 0.6):.3f}",
                f"U{i:02d},POPULATION,{year},{rng.integers(5_000, 250_000)}",
                f"U{i:02d},PERMITS_ISSUED,{year},{rng.integers(10, 600)}",
                f"U{i:02d},PERMIT_STAFF_COST,{year},{rng.uniform(5_000, 100_000):.2f}",
            ]
    (tmp_path / "more-values.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    values_load(path=tmp_path / "more-values.csv")
    compute()
    return programme


class TestBenchmarkGroup:
    def test_it_is_offered_as_a_peer_group(self, bob):
        unit = Unit.objects.get(code="A1")
        assert unit_peer_groups(user=bob, unit=unit, period="2024")[-1] == "similar"

    @pytest.mark.parametrize(("unit_code", "k"), [("A1", 2), ("U03", 5), ("U11", 10)])
    def test_its_figures_match_numpy_on_the_stored_values(
        self, larger_programme, alice, unit_code, k
    ):
        unit = Unit.objects.get(code=unit_code)
        choice = SimilarChoice(("POPULATION",), k)
        members = [unit_code, *similar_codes(unit=unit, period="2024", choice=choice)]
        assert len(members) == k + 1
        expected_members = numpy_distances(unit_code, "2024", ["POPULATION"])
        assert set(members[1:]) == set(
            sorted(expected_members, key=lambda u: (expected_members[u], u))[:k]
        )
        stored = results_frame(periods=["2024"], groups=["all"], units=members)
        previous = results_frame(periods=["2023"], groups=["all"], units=[unit_code])
        sections = benchmark_table(
            user=alice, unit=unit, period="2024", group="similar", similar=choice
        )
        rows = {row.indicator.code: row for s in sections for row in s.rows}
        directions = dict(Indicator.objects.values_list("code", "direction"))
        checked = 0
        for code, direction in directions.items():
            group = {
                r["unit"]: r["value"]
                for r in stored.filter(stored["indicator"] == code).iter_rows(named=True)
            }
            row = rows[code]
            if unit_code not in group:
                assert row.value is None
                continue
            expected = numpy_group_figures(group, unit_code, direction)
            assert row.value == group[unit_code]
            assert row.n == expected["n"]
            for name in ("median", "q1", "q3", "best", "percentile"):
                if expected[name] is None:
                    assert getattr(row, name) is None, name
                else:
                    assert getattr(row, name) == pytest.approx(expected[name], rel=1e-12), name
            assert row.rank == expected["rank"]
            assert row.quartile == expected["quartile"]
            before = previous.filter(previous["indicator"] == code)["value"].to_list()
            if before:
                assert row.change == pytest.approx(group[unit_code] - before[0], rel=1e-12)
            checked += 1
        assert checked >= 3

    def test_the_page_shows_the_group_with_its_variables(self, client, larger_programme, bob):
        client.force_login(bob)
        url = reverse("analytics:benchmark", args=["A1"])
        response = client.get(url + "?group=similar&variables=POPULATION&k=5")
        assert response.status_code == 200
        page = response.content.decode()
        assert "Similar units (5 nearest by Population)" in page
        row = re.search(r'data-indicator="RECYCLING_RATE">(.*?)</tr>', page, re.S)[1]
        assert "of 6" in row  # the unit and its five similar units
        csv_response = client.get(
            reverse("analytics:benchmark_csv", args=["A1"])
            + "?group=similar&variables=POPULATION&k=5"
        )
        rows = list(csv.DictReader(io.StringIO(csv_response.content.decode())))
        recycling = next(r for r in rows if r["indicator"] == "RECYCLING_RATE")
        assert recycling["group"] == "similar" and recycling["n"] == "6"

    def test_the_page_explains_a_bad_choice(self, client, alice):
        client.force_login(alice)
        url = reverse("analytics:benchmark", args=["A1"])
        response = client.get(url + "?group=similar&variables=NOPE")
        assert response.status_code == 404
        assert "NOPE: not a structural variable" in response.content.decode()


class TestAnonymity:
    """In an anonymised programme a participant compares with at least MIN_K_PSEUDONYMISED
    similar units: with one or two, the public structural figures would betray who is
    behind each pseudonym. Named programmes and all-seeing roles keep the full range."""

    def test_a_participant_may_not_narrow_an_anonymised_group(self, client, bob):
        from miara.analytics.similar import MIN_K_PSEUDONYMISED

        set_visibility(Programme.Visibility.ANONYMISED)
        client.force_login(bob)
        for k in range(1, MIN_K_PSEUDONYMISED):
            response = client.get(similar_url(variables="POPULATION", k=k))
            assert response.status_code == 400
            page = response.content.decode()
            assert f"compare with at least {MIN_K_PSEUDONYMISED} similar units" in page
            for name in OTHERS.values():
                assert name not in page
            benchmark = client.get(
                reverse("analytics:benchmark", args=["A1"])
                + f"?group=similar&variables=POPULATION&k={k}"
            )
            assert benchmark.status_code == 404
            assert f"at least {MIN_K_PSEUDONYMISED} similar units" in benchmark.content.decode()
        assert (
            client.get(similar_url(variables="POPULATION", k=MIN_K_PSEUDONYMISED)).status_code
            == 200
        )
        assert f'min="{MIN_K_PSEUDONYMISED}"' in client.get(similar_url()).content.decode()

    def test_named_programmes_and_coordinators_keep_every_k(self, client, bob, alice):
        set_visibility(Programme.Visibility.NAMED)
        client.force_login(bob)
        assert client.get(similar_url(variables="POPULATION", k=1)).status_code == 200
        set_visibility(Programme.Visibility.ANONYMISED)
        client.force_login(alice)
        assert client.get(similar_url(variables="POPULATION", k=1)).status_code == 200
