"""Composite indices through the whole stack: the catalogue file, `miara compute`,
`miara export index` (contracts.md), the pages, the API, and bad input.

The acceptance check reproduces the UNDP's published HDI example (Human Development
Report 2020, technical note 1: income index 0.5506 for a GNI per capita of 3,829;
dimension indices 0.6971, 0.3447, 0.5506 → HDI 0.510) with the contract's own HDI
definition, through the commands a user runs.
"""

from __future__ import annotations

import csv
import json
import math
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.urls import reverse

from miara.analytics.index_selectors import index_scope
from miara.analytics.models import IndexResult, IndexSummary
from miara.analytics.peers import pseudonym
from miara.analytics.services import compute
from miara.catalogue.models import CompositeIndex
from miara.catalogue.services import catalogue_load
from miara.fileio import FileProblem
from miara.units.models import Programme

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[3]

GREEN = textwrap.dedent(
    """
    indices:
      - code: GREEN
        name: {en: Green index, pl: Indeks zielony}
        normalisation: minmax
        components:
          - {indicator: RECYCLING_RATE}
          - {indicator: WASTE_PC, weight: 2}
    """
)


def _load(tmp_path: Path, text: str, name: str = "index.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return catalogue_load(path=path)


def _visibility(value: str) -> None:
    programme = Programme.current()
    programme.visibility = value
    programme.save()


# ------------------------------------------------------------------ catalogue file


class TestCatalogueFile:
    def test_an_index_loads_once_and_a_second_load_changes_nothing(self, programme, tmp_path):
        first = _load(tmp_path, GREEN)
        assert first.created == {"composite indices": 1}
        second = _load(tmp_path, GREEN)
        assert second.unchanged == {"composite indices": 1} and not second.changed
        index = CompositeIndex.objects.get(code="GREEN")
        assert index.components == [
            {"indicator": "RECYCLING_RATE"},
            {"indicator": "WASTE_PC", "weight": 2.0},
        ]

    @pytest.mark.parametrize(
        ("component", "message"),
        [
            ("{indicator: NO_SUCH}", "unknown indicator NO_SUCH"),
            ("{indicator: WASTE_PC, weight: 0}", "weight must be a positive number"),
            ("{indicator: WASTE_PC, weight: -1}", "weight must be a positive number"),
            ("{indicator: WASTE_PC, wieght: 2}", "unknown key wieght"),
            ("{indicator: POP}", "neutral (context) indicator"),
            ("{indicator: WASTE_PC, goalposts: [5, 1]}", "must have low < high"),
            ("{pillar: P, components: []}", "a pillar needs components"),
            ("{indicator: WASTE_PC, pillar: P}", "either indicator: CODE or pillar: CODE"),
        ],
    )
    def test_a_bad_component_is_refused_naming_its_line(
        self, programme, tmp_path, component, message
    ):
        text = f"""
        indices:
          - code: BAD
            name: Bad
            components:
              - {{indicator: RECYCLING_RATE}}
              - {component}
        """
        with pytest.raises(FileProblem) as caught:
            _load(tmp_path, text)
        report = caught.value.report()
        assert message in report
        assert "line 7" in report or "line 3" in report, report
        assert not CompositeIndex.objects.filter(code="BAD").exists()

    @pytest.mark.parametrize(
        ("lines", "message"),
        [
            (
                "normalisation: rank",
                "normalisation 'rank' must be one of minmax, goalposts, zscore",
            ),
            ("aggregation: harmonic", "aggregation 'harmonic' must be arithmetic or geometric"),
            ("normalisation: goalposts", "needs goalposts: [low, high] for every indicator"),
            (
                "normalisation: zscore\n    aggregation: geometric",
                "a geometric mean needs positive scores",
            ),
            ("max_missing_percent: 120", "max_missing_percent must be a number from 0"),
        ],
    )
    def test_bad_methods_are_refused_in_plain_words(self, programme, tmp_path, lines, message):
        text = (
            "indices:\n  - code: BAD\n    name: Bad\n    "
            + lines
            + "\n    components:\n      - {indicator: RECYCLING_RATE}\n      - {indicator: WASTE_PC}\n"
        )
        with pytest.raises(FileProblem) as caught:
            _load(tmp_path, text)
        assert message in caught.value.report()
        assert "line 2" in caught.value.report()


# ------------------------------------------------------------------ compute, export


def _miara(tmp_path: Path, database: str, *args: str) -> subprocess.CompletedProcess:
    env = dict(
        os.environ,
        MIARA_DATABASE_URL=f"sqlite:///{database}",
        MIARA_SECRET_KEY="index-test",
        PYTHONPATH=str(REPO),
    )
    return subprocess.run(
        [sys.executable, "-m", "miara.cli", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_contract_check_calls_and_the_published_hdi_through_the_commands(tmp_path):
    """The calls of contract-check --analytics, then the UNDP's HDI example."""
    database = str(tmp_path / "c.sqlite3")
    (tmp_path / "catalogue.yaml").write_text(
        textwrap.dedent(
            """
            variables:
              - {code: WASTE_T, name: W, unit: t, min: 0}
              - {code: RECYCLED_T, name: R, unit: t, min: 0}
              - {code: POPULATION, name: P, unit: persons}
              - {code: LE, name: Life expectancy, unit: years}
              - {code: EYS, name: Expected years of schooling, unit: years}
              - {code: MYS, name: Mean years of schooling, unit: years}
              - {code: LN_GNI_PC, name: Natural logarithm of GNI per capita, unit: ln PPP $}
            indicators:
              - {code: RECYCLING_RATE, name: Recycling rate, formula: RECYCLED_T / WASTE_T * 100, direction: higher}
              - {code: WASTE_PC, name: Waste per inhabitant, formula: WASTE_T / POPULATION * 1000, direction: lower}
              - {code: LIFE_EXP, name: Life expectancy, formula: LE, direction: higher}
              - {code: SCHOOL_EXPECTED, name: Expected schooling, formula: EYS, direction: higher}
              - {code: SCHOOL_MEAN, name: Mean schooling, formula: MYS, direction: higher}
              - {code: LN_INCOME, name: Log income, formula: LN_GNI_PC, direction: higher}
            """
        )
    )
    (tmp_path / "units.csv").write_text(
        "code,name,type\nA1,Alpha,city_county\nB2,Beta,city_county\nC3,Gamma,gmina_rural\n"
    )
    rows = ["unit,variable,period,value"]
    for i, u in enumerate(["A1", "B2", "C3"]):
        for y in (2023, 2024):
            rows += [
                f"{u},WASTE_T,{y},{1000 + 100 * i + y % 10}",
                f"{u},RECYCLED_T,{y},{300 + 40 * i}",
                f"{u},POPULATION,{y},{50000 + 1000 * i}",
            ]
    # A1: the published dimension indices through the goalposts; B2: GNI 3,829.
    rows += [
        f"A1,LE,2019,{20 + 0.6971 * 65}",
        f"A1,EYS,2019,{0.3447 * 18}",
        f"A1,MYS,2019,{0.3447 * 15}",
        f"A1,LN_GNI_PC,2019,{4.60517 + 0.5506 * (11.22524 - 4.60517)}",
        "B2,LE,2019,70",
        "B2,EYS,2019,12",
        "B2,MYS,2019,8",
        f"B2,LN_GNI_PC,2019,{math.log(3829)}",
    ]
    (tmp_path / "values.csv").write_text("\n".join(rows) + "\n")
    for args in (
        ("migrate",),
        ("load", "catalogue", "catalogue.yaml"),
        ("load", "units", "units.csv"),
        ("load", "values", "values.csv"),
        ("compute",),
    ):
        done = _miara(tmp_path, database, *args)
        assert done.returncode == 0, done.stderr
    (tmp_path / "index.yaml").write_text(GREEN)
    (tmp_path / "hdi.yaml").write_text(
        textwrap.dedent(
            """
            indices:
              - code: HDI
                name: {en: Human development index}
                aggregation: geometric
                normalisation: goalposts
                components:
                  - {indicator: LIFE_EXP, goalposts: [20, 85]}
                  - pillar: EDUCATION
                    name: {en: Education}
                    aggregation: arithmetic
                    components:
                      - {indicator: SCHOOL_EXPECTED, goalposts: [0, 18]}
                      - {indicator: SCHOOL_MEAN, goalposts: [0, 15]}
                  - {indicator: LN_INCOME, goalposts: [4.60517, 11.22524], weight: 1}
            """
        )
    )
    for args in (
        ("load", "catalogue", "index.yaml"),
        ("load", "catalogue", "hdi.yaml"),
        ("compute",),
    ):
        done = _miara(tmp_path, database, *args)
        assert done.returncode == 0, done.stderr
    done = _miara(
        tmp_path, database, "export", "index", "--index", "GREEN", "--period", "2024",
        "-o", "index.csv", "--format", "csv",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    with open(tmp_path / "index.csv", newline="") as f:
        green = list(csv.DictReader(f))
    assert list(green[0])[:5] == ["index", "period", "unit", "score", "rank"]
    # By hand: recycling 29.88 / 30.80 / 31.56 %, waste 20.08 / 21.65 / 23.15 kg; weights 1:2.
    assert [(r["unit"], r["rank"]) for r in green] == [("A1", "1"), ("B2", "2"), ("C3", "3")]
    assert float(green[0]["score"]) == pytest.approx(200 / 3, abs=1e-9)
    assert float(green[2]["score"]) == pytest.approx(100 / 3, abs=1e-9)

    done = _miara(tmp_path, database, "export", "index", "--index", "HDI", "-o", "hdi.json")
    assert done.returncode == 0, done.stderr
    hdi = {r["unit"]: r for r in json.loads((tmp_path / "hdi.json").read_text())}
    assert hdi["A1"]["score"] / 100 == pytest.approx(0.510, abs=5e-4)
    assert hdi["A1"]["score"] / 100 == pytest.approx(
        (0.6971 * 0.3447 * 0.5506) ** (1 / 3), abs=1e-4
    )
    assert hdi["B2"]["LN_INCOME"] / 100 == pytest.approx(0.5506, abs=1e-4)
    assert hdi["B2"]["LIFE_EXP"] / 100 == pytest.approx(50 / 65, abs=1e-9)

    for args, message in (
        (("export", "index", "--index", "NOPE", "-o", "x.csv"), "no composite index 'NOPE'"),
        (("export", "index", "-o", "x.csv"), "needs --index"),
        (
            ("export", "index", "--index", "HDI", "--period", "20x4", "-o", "x.csv"),
            "is not a period",
        ),
    ):
        done = _miara(tmp_path, database, *args)
        assert done.returncode != 0 and message in done.stderr, done.stderr
        assert "Traceback" not in done.stderr


class TestCompute:
    def test_every_compute_scores_the_index_and_keeps_a_summary(self, programme, tmp_path):
        _load(tmp_path, GREEN)
        compute()
        index = CompositeIndex.objects.get(code="GREEN")
        results = IndexResult.objects.filter(index=index, result_set__is_current=True)
        assert results.count() == 8  # 4 units x 2 periods
        summary = IndexSummary.objects.get(
            index=index, result_set__period="2024", result_set__is_current=True
        )
        assert summary.scored == 4 and summary.excluded == []
        assert set(summary.means) == {"RECYCLING_RATE", "WASTE_PC"}
        one = results.filter(result_set__period="2024").order_by("rank").first()
        weights = [w for _, w in one.components.values()]
        assert sum(weights) == pytest.approx(1.0)
        # A second computation replaces the provisional rows rather than adding to them.
        compute()
        assert IndexResult.objects.filter(index=index).count() == 8

    def test_an_index_missing_for_most_units_leaves_them_out_with_a_note_not_a_crash(
        self, programme, tmp_path
    ):
        # PERMIT_COST is missing for D4 (no permits: division by zero), and the index
        # needs all three of its indicators (max 0 % missing).
        _load(
            tmp_path,
            """
            indices:
              - code: STRICT
                name: Strict
                max_missing_percent: 0
                components:
                  - {indicator: RECYCLING_RATE}
                  - {indicator: WASTE_PC}
                  - {indicator: PERMIT_COST}
            """,
        )
        compute()
        summary = IndexSummary.objects.get(
            index__code="STRICT", result_set__period="2024", result_set__is_current=True
        )
        assert summary.scored == 3
        assert summary.excluded == [{"unit": "D4", "present": 2, "expected": 3}]

    def test_an_export_without_rows_says_why(self, programme, tmp_path, capsys):
        from argparse import Namespace

        from miara.commands import export_index

        # UNSEEN_RATE has no values at all: every unit misses half the index (> 30 %).
        _load(
            tmp_path,
            """
            variables:
              - {code: UNSEEN_T, name: Never reported, unit: t}
            indicators:
              - {code: UNSEEN_RATE, name: Never reported, formula: UNSEEN_T * 1, direction: higher}
            indices:
              - code: HALF
                name: Half
                components:
                  - {indicator: PERMIT_COST}
                  - {indicator: UNSEEN_RATE}
            """,
        )
        compute()
        args = Namespace(
            index="HALF", period=["2024"], unit=None, indicator=None, group=None,
            output=tmp_path / "half.csv", format="csv",
        )  # fmt: skip
        assert export_index(args) == 0
        err = capsys.readouterr().err
        assert "no scores of HALF" in err and "2024: UNSEEN_RATE has no values" in err
        assert "units miss more than 30 % of the indicators" in err
        assert (tmp_path / "half.csv").read_text().startswith("index,period,unit,score,rank")

    def test_an_index_made_impossible_later_is_noted_and_the_rest_computes(
        self, programme, tmp_path
    ):
        _load(tmp_path, GREEN)
        CompositeIndex.objects.filter(code="GREEN").update(
            components=[{"indicator": "RECYCLING_RATE"}, {"indicator": "POP"}]
        )
        result_sets = compute()
        assert result_sets
        summary = IndexSummary.objects.get(index__code="GREEN", result_set=result_sets[-1])
        assert summary.scored == 0 and "neutral" in summary.notes[0]["text"]


# ------------------------------------------------------------------------- pages


@pytest.fixture
def green(programme, tmp_path):
    _load(tmp_path, GREEN)
    compute()
    return CompositeIndex.objects.get(code="GREEN")


PSEUDONYM = re.compile(r"Unit ([A-Z2-9]{4}-[A-Z2-9]{2,4})")


class TestPages:
    def test_the_list_and_the_catalogue_link_to_the_ranking(self, client, alice, green):
        client.force_login(alice)
        listing = client.get(reverse("analytics:indices")).content.decode()
        assert "Green index" in listing and 'data-definition="GREEN"' in listing
        assert "66.7 %" in listing  # WASTE_PC's weight 2 of 3
        catalogue = client.get(reverse("catalogue:index")).content.decode()
        assert reverse("analytics:index", args=["GREEN"]) in catalogue

    def test_a_coordinator_sees_every_unit_named_with_its_breakdown(self, client, alice, green):
        client.force_login(alice)
        page = client.get(reverse("analytics:index", args=["GREEN"]) + "?period=2024")
        assert page.status_code == 200
        html = page.content.decode()
        for code in ("A1", "B2", "C3", "D4"):
            assert f'data-unit="{code}"' in html
        assert 'id="chart-index-ranking"' in html
        unit = client.get(reverse("analytics:index_unit", args=["GREEN", "B2"]) + "?period=2024")
        assert unit.status_code == 200
        text = unit.content.decode()
        assert 'data-indicator="RECYCLING_RATE"' in text and 'data-indicator="WASTE_PC"' in text
        assert 'id="chart-index-breakdown"' in text

    def test_in_an_anonymised_programme_others_are_pseudonyms_of_this_index_and_period(
        self, client, bob, green
    ):
        _visibility("anonymised")
        client.force_login(bob)
        html = client.get(
            reverse("analytics:index", args=["GREEN"]) + "?period=2024"
        ).content.decode()
        assert 'data-unit="A1"' in html  # bob's own unit
        for code in ("B2", "C3", "D4"):
            assert f'data-unit="{code}"' not in html
            assert f'data-unit="{pseudonym(code, scope=index_scope("GREEN", "2024"))}"' in html
        assert "Beta" not in html and "Gamma" not in html
        # The same units under another indicator's pseudonyms cannot be matched up.
        assert not set(PSEUDONYM.findall(html)) & {
            pseudonym(c, scope="indicator:RECYCLING_RATE:2024") for c in ("B2", "C3", "D4")
        }

    def test_the_scorecard_links_to_the_units_breakdown(self, client, bob, green):
        client.force_login(bob)
        html = client.get(
            reverse("analytics:benchmark", args=["A1"]) + "?period=2024"
        ).content.decode()
        assert 'data-index="GREEN"' in html
        assert reverse("analytics:index_unit", args=["GREEN", "A1"]) in html
        assert "Green index: " in html and ", rank " in html and " of 4" in html

    def test_another_units_breakdown_is_the_same_404_as_a_missing_unit(self, client, bob, green):
        client.force_login(bob)
        other = client.get(reverse("analytics:index_unit", args=["GREEN", "B2"]) + "?period=2024")
        missing = client.get(
            reverse("analytics:index_unit", args=["GREEN", "ZZ9"]) + "?period=2024"
        )
        own = client.get(reverse("analytics:index_unit", args=["GREEN", "A1"]) + "?period=2024")
        assert other.status_code == missing.status_code == 404
        assert own.status_code == 200

    def test_the_sensitivity_view_shows_rank_ranges_and_the_alternatives(self, client, erin, green):
        client.force_login(erin)
        page = client.get(reverse("analytics:index_sensitivity", args=["GREEN"]) + "?period=2024")
        assert page.status_code == 200
        html = page.content.decode()
        assert "data-ranges" in html and 'id="chart-index-ranges"' in html
        assert "Weight of Waste per inhabitant halved" in html
        assert "Normalised by z-scores" in html and "Without Recycling rate" in html

    def test_rank_ranges_use_the_rankings_pseudonyms_in_an_anonymised_programme(
        self, client, bob, green
    ):
        _visibility("anonymised")
        client.force_login(bob)
        html = client.get(
            reverse("analytics:index_sensitivity", args=["GREEN"]) + "?period=2024"
        ).content.decode()
        assert 'data-unit="A1"' in html
        for code in ("B2", "C3", "D4"):
            assert f'data-unit="{code}"' not in html
            assert f'data-unit="{pseudonym(code, scope=index_scope("GREEN", "2024"))}"' in html

    def test_an_index_that_cannot_be_computed_says_why_on_its_page(self, client, alice, green):
        CompositeIndex.objects.filter(code="GREEN").update(
            components=[{"indicator": "RECYCLING_RATE"}, {"indicator": "POP"}]
        )
        compute()
        client.force_login(alice)
        html = client.get(
            reverse("analytics:index", args=["GREEN"]) + "?period=2024"
        ).content.decode()
        assert "The index cannot be computed as defined" in html and "neutral" in html

    def test_unknown_index_or_period_is_a_404_not_a_500(self, client, alice, green):
        client.force_login(alice)
        assert client.get(reverse("analytics:index", args=["NOPE"])).status_code == 404
        assert (
            client.get(reverse("analytics:index", args=["GREEN"]) + "?period=1999").status_code
            == 404
        )

    def test_pages_in_polish(self, client, alice, green):
        client.force_login(alice)
        html = client.get(
            reverse("analytics:index", args=["GREEN"]) + "?period=2024",
            HTTP_ACCEPT_LANGUAGE="pl",
        ).content.decode()
        assert "Ranking" in html and "Indeks zielony" in html


# --------------------------------------------------------------------------- API


class TestApi:
    def test_definitions_are_public(self, client, green):
        answer = client.get("/api/v1/indices")
        assert answer.status_code == 200
        assert answer.json()[0]["code"] == "GREEN"
        assert answer.json()[0]["components"][1] == {"indicator": "WASTE_PC", "weight": 2.0}

    def test_results_need_a_login_and_give_a_participant_only_their_units(
        self, client, alice, bob, green
    ):
        assert client.get("/api/v1/indices/GREEN/results").status_code == 401
        client.force_login(alice)
        everyone = client.get("/api/v1/indices/GREEN/results?period=2024").json()
        assert everyone["count"] == 4
        assert [r["rank"] for r in everyone["items"]] == [1, 2, 3, 4]
        assert set(everyone["items"][0]["components"]) == {"RECYCLING_RATE", "WASTE_PC"}
        client.force_login(bob)
        own = client.get("/api/v1/indices/GREEN/results?period=2024").json()
        assert [r["unit"] for r in own["items"]] == ["A1"]

    def test_bad_requests_answer_json(self, client, alice, green):
        client.force_login(alice)
        assert client.get("/api/v1/indices/NOPE/results").status_code == 404
        assert client.get("/api/v1/indices/GREEN/results?period=1999").status_code == 404
        assert client.get("/api/v1/indices/GREEN/results?period=99x").status_code == 422
