"""GET and POST /cycles, GET /cycles/{id} and /cycles/{id}/submissions."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from miara.api.tests.conftest import QUESTIONNAIRE, submission_of
from miara.catalogue.models import ValidationRule
from miara.collection.cycles import cycle_open, submission_submit
from miara.collection.findings import submission_findings
from miara.collection.models import Cycle, Submission

pytestmark = pytest.mark.django_db


def post(client, **body):
    return client.post("/api/v1/cycles", json.dumps(body), content_type="application/json")


def new_cycle(**extra):
    return {
        "period": "2025",
        "name": "Year 2025",
        "variables": ["WASTE_T"],
        "units": ["A1"],
    } | extra


@pytest.fixture
def c3_only(alice):
    """A cycle in which neither A1 nor B2 takes part."""
    return cycle_open(
        period="2023",
        name="Gamma only",
        variable_codes=["WASTE_T"],
        unit_codes=["C3"],
        acting_user=alice,
    )


def post_values(client, *items):
    body = {
        "values": [
            dict(zip(("unit", "variable", "period", "value"), i, strict=True)) for i in items
        ]
    }
    response = client.post("/api/v1/values", json.dumps(body), content_type="application/json")
    assert response.status_code == 200, response.content


# --- access --------------------------------------------------------------------------------


def test_it_answers_401_to_anonymous(anonymous, cycle):
    assert anonymous.get("/api/v1/cycles").status_code == 401
    assert anonymous.get(f"/api/v1/cycles/{cycle.pk}").status_code == 401
    assert anonymous.get(f"/api/v1/cycles/{cycle.pk}/submissions").status_code == 401
    assert post(anonymous, **new_cycle()).status_code == 401
    assert Cycle.objects.count() == 1


def test_it_lists_every_cycle_to_coordinators_and_experts(as_alice, as_erin, cycle, c3_only):
    for client in (as_alice, as_erin):
        response = client.get("/api/v1/cycles")
        assert response.status_code == 200
        assert [(c["name"], c["variables"], c["units"]) for c in response.json()] == [
            ("Year 2024", 3, 2),
            ("Gamma only", 1, 1),
        ]


def test_it_lists_to_an_editor_only_the_cycles_of_their_unit(as_bob, cycle, c3_only):
    assert as_bob.get("/api/v1/cycles").json() == [
        {
            "id": cycle.pk,
            "period": "2024",
            "name": "Year 2024",
            "deadline": None,
            "open": True,
            "variables": 3,
            "units": 1,  # only A1: bob does not learn who else takes part
        }
    ]


def test_it_answers_404_for_a_cycle_the_caller_does_not_take_part_in(as_bob, c3_only):
    for path in (f"/api/v1/cycles/{c3_only.pk}", f"/api/v1/cycles/{c3_only.pk}/submissions"):
        response = as_bob.get(path)
        assert response.status_code == 404
        assert "take part" in response.json()["detail"]


def test_it_answers_404_for_a_cycle_that_does_not_exist(as_alice):
    assert as_alice.get("/api/v1/cycles/999").status_code == 404
    assert as_alice.get("/api/v1/cycles/nope").status_code == 404


# --- one cycle -----------------------------------------------------------------------------


def test_it_shows_the_questionnaire(as_bob, cycle):
    cycle.items.filter(variable__code="WASTE_T").update(help={"en": "Weighed at the gate"})
    response = as_bob.get(f"/api/v1/cycles/{cycle.pk}")
    assert response.status_code == 200
    body = response.json()
    assert (body["period"], body["name"], body["open"]) == ("2024", "Year 2024", True)
    assert [i["variable"] for i in body["items"]] == QUESTIONNAIRE
    assert body["items"][0] == {
        "variable": "WASTE_T",
        "name": {"en": "Municipal waste collected", "pl": "Zebrane odpady komunalne"},
        "unit": "t",
        "required": True,
        "help": {"en": "Weighed at the gate"},
    }
    assert [i["required"] for i in body["items"]] == [True, False, True]


# --- progress of the submissions -----------------------------------------------------------


def test_it_shows_each_visible_units_progress(as_alice, cycle):
    rows = as_alice.get(f"/api/v1/cycles/{cycle.pk}/submissions").json()
    assert [r["unit"] for r in rows] == ["A1", "B2"]
    a1 = rows[0]
    assert a1["id"] == submission_of(cycle, "A1").pk
    assert {k: a1[k] for k in ("unit_name", "state", "version", "errors", "open_warnings")} == {
        "unit_name": "Alpha",
        "state": "draft",
        "version": 1,
        "errors": 0,
        "open_warnings": 0,
    }
    assert (a1["items"], a1["filled"], a1["required"], a1["required_filled"]) == (3, 3, 2, 2)


def test_it_shows_an_editor_only_their_units_submission(as_bob, cycle):
    rows = as_bob.get(f"/api/v1/cycles/{cycle.pk}/submissions").json()
    assert [r["unit"] for r in rows] == ["A1"]


def test_it_counts_missing_values_errors_and_unjustified_warnings(as_bob, as_alice, cycle):
    post_values(as_bob, ("A1", "POPULATION", "2024", None), ("A1", "WASTE_T", "2024", 5000))
    a1 = as_alice.get(f"/api/v1/cycles/{cycle.pk}/submissions").json()[0]
    assert (a1["filled"], a1["required_filled"]) == (2, 1)
    # The missing required population is an error; the jump of WASTE_T a warning.
    assert (a1["errors"], a1["open_warnings"]) == (1, 1)


def test_a_justifying_comment_closes_a_warning(as_bob, as_alice, cycle):
    body = {
        "values": [
            {
                "unit": "A1",
                "variable": "WASTE_T",
                "period": "2024",
                "value": 5000,
                "comment": "New landfill contract",
            }
        ]
    }
    as_bob.post("/api/v1/values", json.dumps(body), content_type="application/json")
    a1 = as_alice.get(f"/api/v1/cycles/{cycle.pk}/submissions").json()[0]
    assert (a1["errors"], a1["open_warnings"]) == (0, 0)


def test_the_last_activity_follows_value_changes_and_state_changes(as_bob, mike, as_alice, cycle):
    def last():
        return as_alice.get(f"/api/v1/cycles/{cycle.pk}/submissions").json()[0]["last_activity"]

    start = last()
    post_values(as_bob, ("A1", "WASTE_T", "2024", 1011))
    edited = last()
    submission_submit(submission=submission_of(cycle, "A1"), acting_user=mike)
    submitted = last()
    assert start < edited < submitted


def test_the_counts_agree_with_each_submissions_own_findings(as_bob, as_carol, as_alice, alice):
    for code, severity, expression in (
        ("RECYCLED_LE_WASTE", "error", "RECYCLED_T <= WASTE_T"),
        ("RECYCLED_HALF", "warning", "RECYCLED_T <= WASTE_T * 0.3"),
    ):
        ValidationRule.objects.create(
            code=code, name={"en": code}, expression=expression, severity=severity
        )
    # Editors write the periods of an open collection: open it first.
    everyone = cycle_open(
        period="2024",
        name="All",
        variable_codes=QUESTIONNAIRE,
        unit_codes=["A1", "B2", "C3", "D4"],
        acting_user=alice,
    )
    # A1: a rule error, a missing required value; B2: a rule warning explained by a
    # comment on a value the rule reads, and a change warning left unexplained.
    post_values(as_bob, ("A1", "RECYCLED_T", "2024", 5000), ("A1", "POPULATION", "2024", None))
    body = {
        "values": [
            {"unit": "B2", "variable": "RECYCLED_T", "period": "2024", "value": 800,
             "comment": "A new sorting plant"},
            {"unit": "B2", "variable": "WASTE_T", "period": "2024", "value": 2400},
        ]
    }  # fmt: skip
    as_carol.post("/api/v1/values", json.dumps(body), content_type="application/json")
    rows = as_alice.get(f"/api/v1/cycles/{everyone.pk}/submissions").json()
    expected, justified = [], []
    for s in Submission.objects.filter(cycle=everyone).order_by("unit__code"):
        findings = submission_findings(s)
        justified += [(s.unit.code, f["variable"]) for f in findings if f["justified"]]
        expected.append(
            (
                s.unit.code,
                sum(f["severity"] == "error" for f in findings),
                sum(f["severity"] == "warning" and not f["justified"] for f in findings),
            )
        )
    assert [(r["unit"], r["errors"], r["open_warnings"]) for r in rows] == expected
    # A1: the rule error, the missing population; the rule warning and RECYCLED_T's jump.
    assert expected[:2] == [("A1", 2, 2), ("B2", 0, 1)]
    assert justified == [("B2", "RECYCLED_HALF")]


def test_it_needs_as_many_queries_for_four_units_as_for_one(alice, as_alice):
    def open_for(units):
        return cycle_open(
            period="2024",
            name=f"{len(units)}",
            variable_codes=QUESTIONNAIRE,
            unit_codes=units,
            acting_user=alice,
        )

    def queries(cycle):
        with CaptureQueriesContext(connection) as captured:
            assert as_alice.get(f"/api/v1/cycles/{cycle.pk}/submissions").status_code == 200
        return len(captured)

    small, large = open_for(["A1"]), open_for(["A1", "B2", "C3", "D4"])
    as_alice.get("/api/v1/cycles")  # the token's first use is recorded: one more query
    assert queries(small) == queries(large)


# --- opening a cycle -----------------------------------------------------------------------


def test_a_coordinator_opens_a_cycle(as_alice):
    response = post(
        as_alice,
        **new_cycle(
            variables=["WASTE_T", "POPULATION"],
            units=["A1", "C3"],
            required=["POPULATION"],
            deadline="2026-03-31",
        ),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["period"], body["deadline"]) == ("2025", "2026-03-31")
    assert [(i["variable"], i["required"]) for i in body["items"]] == [
        ("WASTE_T", False),
        ("POPULATION", True),
    ]
    cycle = Cycle.objects.get(pk=body["id"])
    assert sorted(cycle.submissions.values_list("unit__code", "state")) == [
        ("A1", "draft"),
        ("C3", "draft"),
    ]


def test_only_a_coordinator_opens_a_cycle(as_bob, as_erin, as_mike):
    for client in (as_bob, as_erin, as_mike):
        assert post(client, **new_cycle()).status_code == 403
    assert not Cycle.objects.exists()


def test_it_names_unknown_codes(as_alice):
    response = post(as_alice, **new_cycle(variables=["WASTE_T", "NOPE"], units=["A1", "ZZ9"]))
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"index": None, "field": "variables", "message": "unknown variable NOPE"},
        {"index": None, "field": "units", "message": "unknown unit ZZ9"},
    ]
    assert not Cycle.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"period": "2025-13"}, "period"),
        ({"period": " 2025"}, "period"),
        ({"name": " "}, "name"),
        ({"variables": []}, "variables"),
        ({"units": ["A1", "A1"]}, "units"),
        ({"required": ["POPULATION"]}, "required"),
        ({"deadline": "soon"}, "deadline"),
    ],
)
def test_it_answers_422_for_a_malformed_cycle(as_alice, change, field):
    response = post(as_alice, **new_cycle(**change))
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["detail"]] == [field]
    assert not Cycle.objects.exists()
