"""Efficiency models over the shared programme (miara/conftest.py): services, scoped pages,
exports, API, the background path and the commands of contracts.md.

The programme's 2024 data, by hand (input WASTE_T, output RECYCLED_T):
  A1 1010 → 320 (0.31683), B2 1510 → 620 (0.41060), C3 310 → 80 (0.25806),
  D4 710 → 300 (0.42254). Under constant returns the input-oriented score is the unit's
  ratio over the best ratio (D4's): A1 0.74983, B2 0.97175, C3 0.61075, D4 1.
PERMITS_ISSUED is 0 for D4: a model with it leaves D4 out, and says why.
"""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.core.exceptions import PermissionDenied

from miara.accounts.models import AuditEntry
from miara.analytics.peers import pseudonym
from miara.api.tests.conftest import client_for
from miara.cli import main
from miara.efficiency import services
from miara.efficiency.models import EfficiencyModel
from miara.efficiency.selectors import EfficiencyInputError, model_scope

pytestmark = pytest.mark.django_db

RATIOS = {"A1": 320 / 1010, "B2": 620 / 1510, "C3": 80 / 310, "D4": 300 / 710}
SCORES = {code: ratio / max(RATIOS.values()) for code, ratio in RATIOS.items()}
PSEUDONYM = re.compile(r"\b[A-Z2-9]{4}-[A-Z2-9]{4}\b")


def waste_model(user, **extra):
    data = {"name": "Waste", "inputs": ["WASTE_T"], "outputs": ["RECYCLED_T"], "period": "2024"}
    return services.model_create(acting_user=user, **{**data, **extra})


def test_an_expert_defines_a_model_and_the_stored_scores_are_the_ratios(erin):
    model = waste_model(erin)
    assert model.state == EfficiencyModel.State.DONE
    scores = {r.unit.code: r.score for r in model.results.select_related("unit")}
    assert scores == pytest.approx(SCORES, abs=1e-9)
    a1 = model.results.get(unit__code="A1")
    assert a1.peers == pytest.approx({"D4": 320 / 300})
    assert a1.targets["WASTE_T"] == pytest.approx(SCORES["A1"] * 1010)
    d4 = model.results.get(unit__code="D4")
    assert d4.super_score == pytest.approx(RATIOS["D4"] / RATIOS["B2"])  # next best ratio
    assert model.warnings == [{"code": "few_units", "units": 4, "minimum": 6}]
    assert AuditEntry.objects.filter(action="efficiency.model_create").count() == 1


def test_units_with_zero_or_missing_data_are_listed_not_scored(alice):
    model = services.model_create(
        acting_user=alice,
        name="Permits",
        inputs="PERMIT_STAFF_COST",
        outputs="PERMITS_ISSUED",
        period="2024",
    )
    assert sorted(r.unit.code for r in model.results.all()) == ["A1", "B2", "C3"]
    assert model.excluded == [
        {"unit": "D4", "variable": "PERMITS_ISSUED", "reason": "not_positive"}
    ]


def test_participants_may_not_define_models(bob, mike):
    for user in (bob, mike):
        with pytest.raises(PermissionDenied):
            waste_model(user)
    assert not EfficiencyModel.objects.exists()


@pytest.mark.parametrize(
    "change,field",
    [
        ({"inputs": ["NOPE"]}, "inputs"),
        ({"outputs": ["WASTE_T"]}, "inputs"),  # a variable on both sides
        ({"period": "20x4"}, "period"),
        ({"group": "NOPE"}, "group"),
        ({"name": " "}, "name"),
    ],
)
def test_bad_definitions_are_refused_naming_the_field_and_nothing_is_stored(erin, change, field):
    data = {"name": "Waste", "inputs": ["WASTE_T"], "outputs": ["RECYCLED_T"], "period": "2024"}
    with pytest.raises(EfficiencyInputError) as caught:
        services.model_create(acting_user=erin, **{**data, **change})
    assert caught.value.field == field
    assert not EfficiencyModel.objects.exists()


def test_a_period_without_data_ends_as_a_failed_model_with_the_reason(erin):
    model = waste_model(erin, period="2030")
    assert model.state == EfficiencyModel.State.FAILED
    assert "2030" in model.error
    assert not model.results.exists()


def test_a_group_restricts_the_frontier(erin):
    model = waste_model(erin, group="CITIES")
    scores = {r.unit.code: r.score for r in model.results.select_related("unit")}
    assert set(scores) == {"A1", "B2"}
    assert scores["B2"] == pytest.approx(1.0)


def test_the_model_page_ranks_names_and_draws_for_an_expert(client, erin):
    model = waste_model(erin)
    client.force_login(erin)
    page = client.get(f"/efficiency/{model.pk}/").content.decode()
    assert page.index("Delta") < page.index("Beta") < page.index("Alpha") < page.index("Gamma")
    assert 'data-chart="efficiency-frontier"' in page
    assert "the frontier line runs through the 1 efficient units: Delta" in page


def test_an_anonymised_participant_sees_pseudonyms_no_weights_and_only_their_own_page(
    client, erin, bob
):
    model = waste_model(erin)
    client.force_login(bob)
    page = client.get(f"/efficiency/{model.pk}/").content.decode()
    for name in ("Beta", "Gamma", "Delta"):
        assert name not in page
    assert "Alpha" in page
    assert 'data-chart="efficiency-frontier"' not in page  # other units' raw values
    d4 = pseudonym("D4", scope=model_scope(model))
    assert d4 in PSEUDONYM.findall(page)
    assert "(1.067)" not in page  # A1's weight on D4 would give D4's values away
    assert client.get(f"/efficiency/{model.pk}/units/{d4}/").status_code == 404
    assert client.get(f"/efficiency/{model.pk}/units/D4/").status_code == 404
    own = client.get(f"/efficiency/{model.pk}/units/A1/").content.decode()
    assert f"To be efficient like a combination of Unit {d4}, Alpha would need" in own
    rows = list(
        csv.reader(io.StringIO(client.get(f"/efficiency/{model.pk}/export.csv").content.decode()))
    )
    assert rows[0][:4] == ["unit", "score", "peers", "targets"]
    by_unit = {row[0]: row for row in rows[1:]}
    assert by_unit["A1"][2] == d4  # the peer, without its weight
    assert by_unit[d4][3] == ""  # another unit's targets are its values


def test_the_unit_sentence_says_how_much_less_input(client, erin):
    model = waste_model(erin)
    client.force_login(erin)
    page = client.get(f"/efficiency/{model.pk}/units/A1/").content.decode()
    less = 100 * (1 - SCORES["A1"])
    assert f"To be efficient like 1.07 × Delta, Alpha would need {less:.1f} % less" in page
    assert "for the same output." in page


def test_the_web_form_creates_and_refuses_participants(client, erin, bob):
    data = {
        "name": "Waste",
        "kind": "dea",
        "inputs": ["WASTE_T"],
        "outputs": ["RECYCLED_T"],
        "returns": "variable",
        "orientation": "output",
        "period": "2024",
        "group": "",
    }
    client.force_login(bob)
    assert client.post("/efficiency/new/", data).status_code == 403
    client.force_login(erin)
    response = client.post("/efficiency/new/", data)
    model = EfficiencyModel.objects.get()
    assert response.status_code == 302 and model.returns == "variable"
    bad = client.post("/efficiency/new/", {**data, "period": "soon"})
    assert bad.status_code == 422 and "is not a period" in bad.content.decode()


def test_malmquist_page_explains_each_figure(client, erin):
    model = services.model_create(
        acting_user=erin,
        name="Waste change",
        kind="malmquist",
        inputs=["WASTE_T"],
        outputs=["RECYCLED_T"],
        period="2023",
        period_to="2024",
        orientation="output",
    )
    assert model.state == EfficiencyModel.State.DONE
    a1 = model.results.get(unit__code="A1").figures
    assert a1["tfpch"] == pytest.approx((320 / 1010) / (300 / 1000))  # one input, one output
    client.force_login(erin)
    page = client.get(f"/efficiency/{model.pk}/").content.decode()
    for figure in ("tfpch", "effch", "techch", "pech", "sech"):
        assert f'data-figure="{figure}"' in page
    assert "Total factor productivity changed by a factor of" in page


def test_large_models_run_in_the_background(erin, monkeypatch):
    from miara.reports import runner

    monkeypatch.setattr(services, "INLINE_UNITS", 1)
    model = waste_model(erin)
    assert model.state == EfficiencyModel.State.QUEUED and not model.results.exists()
    assert runner.run_pending() >= 1
    model.refresh_from_db()
    assert model.state == EfficiencyModel.State.DONE and model.results.count() == 4


def test_the_api_lists_creates_and_reads_scoped(erin, bob):
    api = client_for(erin)
    body = {"name": "Waste", "inputs": ["WASTE_T"], "outputs": ["RECYCLED_T"], "period": "2024"}
    created = api.post(
        "/api/v1/efficiency/models", json.dumps(body), content_type="application/json"
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    bad = api.post(
        "/api/v1/efficiency/models",
        json.dumps({**body, "inputs": ["NOPE"]}),
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert (
        bad.json()["detail"][0]["field"] == "inputs"
        and "NOPE" in bad.json()["detail"][0]["message"]
    )
    results = api.get(f"/api/v1/efficiency/models/{pk}").json()
    assert {i["unit"]: i["score"] for i in results["items"]} == pytest.approx(SCORES)
    participant = client_for(bob)
    refused = participant.post(
        "/api/v1/efficiency/models", json.dumps(body), content_type="application/json"
    )
    assert refused.status_code == 403
    seen = participant.get(f"/api/v1/efficiency/models/{pk}").json()
    units = {i["unit"] for i in seen["items"]}
    assert "A1" in units and not {"B2", "C3", "D4"} & units
    a1 = next(i for i in seen["items"] if i["unit"] == "A1")
    assert list(a1["peers"].values()) == [None]
    assert participant.get("/api/v1/efficiency/models/999").status_code == 404


def test_the_commands_write_the_columns_of_contracts(tmp_path, programme, capsys):
    out = tmp_path / "dea.csv"
    assert (
        main(
            [
                "dea",
                "--inputs",
                "WASTE_T",
                "--outputs",
                "RECYCLED_T",
                "--period",
                "2024",
                "-o",
                str(out),
            ]
        )
        == 0
    )
    rows = list(csv.DictReader(out.open()))
    assert list(rows[0])[:4] == ["unit", "score", "peers", "targets"]
    assert {r["unit"]: float(r["score"]) for r in rows} == pytest.approx(SCORES)
    assert "discriminates weakly" in capsys.readouterr().err
    sup = tmp_path / "super.csv"
    assert (
        main(
            [
                "dea",
                "--inputs",
                "WASTE_T",
                "--outputs",
                "RECYCLED_T",
                "--period",
                "2024",
                "--returns",
                "variable",
                "--super",
                "-o",
                str(sup),
            ]
        )
        == 0
    )
    statuses = {r["unit"]: (r["score"], r["status"]) for r in csv.DictReader(sup.open())}
    assert statuses["B2"] == ("", "infeasible")  # largest output: no other unit reaches it
    malm = tmp_path / "malm.csv"
    assert (
        main(
            [
                "malmquist",
                "--inputs",
                "WASTE_T",
                "--outputs",
                "RECYCLED_T",
                "--from",
                "2023",
                "--to",
                "2024",
                "-o",
                str(malm),
            ]
        )
        == 0
    )
    header = next(csv.reader(malm.open()))
    assert header[:6] == ["unit", "effch", "techch", "pech", "sech", "tfpch"]
    assert (
        main(
            [
                "dea",
                "--inputs",
                "NOPE",
                "--outputs",
                "RECYCLED_T",
                "--period",
                "2024",
                "-o",
                str(tmp_path / "x.csv"),
            ]
        )
        == 1
    )
    assert "NOPE" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()


@pytest.mark.parametrize(
    "language,expected",
    [
        (
            "pl",
            [
                "Jak dojść do granicy efektywności",
                "Aby być efektywną jak 1,07 × Delta",
                "przy tych samych efektach.",
            ],
        ),
        (
            "cs",
            [
                "Jak dosáhnout hranice efektivity",
                "Aby byla efektivní jako 1,07 × Delta",
                "při stejných výstupech.",
            ],
        ),
    ],
)
def test_the_unit_page_speaks_polish_and_czech(erin, language, expected):
    from django.test import Client

    model = waste_model(erin)
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(erin)
    page = client.get(f"/efficiency/{model.pk}/units/A1/").content.decode()
    for text in expected:
        assert text in page


@pytest.mark.parametrize(
    "inputs,outputs",
    [
        (["WASTE_T"], ["RECYCLED_T"]),
        (["WASTE_T"], ["RECYCLED_T", "POPULATION"]),
        (["WASTE_T", "POPULATION"], ["RECYCLED_T"]),
    ],
)
def test_the_frontier_charts_are_valid_vega_lite(erin, inputs, outputs):
    import altair as alt

    from miara.efficiency import charts
    from miara.efficiency.selectors import shown_results

    model = waste_model(erin, inputs=inputs, outputs=outputs)
    points = charts.frontier_points(model, shown_results(erin, model))
    assert len(points) == 4
    spec = charts.frontier_chart(model, points)
    alt.LayerChart.from_dict(spec, validate=True)
    assert "efficient units" in charts.frontier_summary(model, points)


def test_drafts_never_feed_a_model(alice, erin):
    """In a period with a collection cycle only submitted or accepted data count, as in a
    result set: A1 and B2 have draft submissions of 2024 and C3 and D4 none, so nothing
    of 2024 may be used, while 2023 (no cycle) still is."""
    from miara.testing.cycles import cycle_2024

    cycle_2024(alice, ["WASTE_T", "RECYCLED_T"])
    model = waste_model(erin)
    assert model.state == EfficiencyModel.State.FAILED and not model.results.exists()
    assert "2024" in model.error
    earlier = waste_model(erin, period="2023")
    assert earlier.results.count() == 4


def test_a_solver_failure_ends_as_a_failed_model_not_an_error_page(client, erin, monkeypatch):
    from miara.engine import dea as engine_dea

    def broken(*args, **kwargs):
        raise RuntimeError("solver lost")

    monkeypatch.setattr(engine_dea, "dea", broken)
    client.force_login(erin)
    data = {
        "name": "Waste",
        "kind": "dea",
        "inputs": ["WASTE_T"],
        "outputs": ["RECYCLED_T"],
        "returns": "constant",
        "orientation": "input",
        "period": "2024",
        "group": "",
    }
    response = client.post("/efficiency/new/", data, follow=True)
    assert response.status_code == 200
    model = EfficiencyModel.objects.get()
    assert model.state == EfficiencyModel.State.FAILED and "solver lost" in model.error
    assert "The model could not be computed" in response.content.decode()
