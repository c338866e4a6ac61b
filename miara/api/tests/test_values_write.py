"""POST /values: all-or-nothing writes through values_save, with 403, 409 and 422."""

import json

import pytest

from miara.accounts.models import AuditEntry
from miara.collection.models import Value, ValueHistory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def collection_2024(cycle):
    """Editors and managers write the periods of an open collection of their unit
    (test_values_scope.py covers the others): here 2024, from A1 and B2."""
    return cycle


def open_collection(alice, period: str):
    from miara.collection.cycles import cycle_open

    return cycle_open(
        period=period,
        name=f"Collection {period}",
        variable_codes=["WASTE_T", "RECYCLED_T"],
        unit_codes=["A1", "B2"],
        acting_user=alice,
    )


def post(client, *values):
    return client.post(
        "/api/v1/values", json.dumps({"values": list(values)}), content_type="application/json"
    )


def item(unit="A1", variable="WASTE_T", period="2024", value=1234.5, **extra):
    return {"unit": unit, "variable": variable, "period": period, "value": value, **extra}


def stored(unit, variable="WASTE_T", period="2024"):
    return Value.objects.get(unit__code=unit, variable__code=variable, period=period)


def test_it_writes_an_editors_own_unit(alice, as_bob):
    open_collection(alice, "2025")
    response = post(as_bob, item(value=1234.5), item(variable="RECYCLED_T", period="2025", value=7))
    assert response.status_code == 200, response.content
    assert response.json() == {
        "created": 1,
        "updated": 1,
        "unchanged": 0,
        "versions": [
            {"unit": "A1", "variable": "WASTE_T", "period": "2024", "version": 2},
            {"unit": "A1", "variable": "RECYCLED_T", "period": "2025", "version": 1},
        ],
    }
    value = stored("A1")
    assert (value.value, value.version, value.channel) == (1234.5, 2, "api")
    assert ValueHistory.objects.filter(unit__code="A1", channel="api").count() == 2


def test_it_counts_unchanged_values(as_bob):
    response = post(as_bob, item(value=1010))
    assert response.json()["unchanged"] == 1
    assert stored("A1").version == 1


def test_it_records_an_audit_entry(bob, as_bob):
    post(as_bob, item())
    entry = AuditEntry.objects.get(action="values.write")
    assert (entry.user, entry.channel) == (bob, "api")
    assert entry.details["updated"] == 1


def test_it_lets_a_manager_and_a_coordinator_write(as_mike, as_alice):
    assert post(as_mike, item(value=1)).status_code == 200
    assert post(as_alice, item(unit="D4", value=2)).status_code == 200


def test_it_refuses_an_editor_another_unit(as_bob):
    response = post(as_bob, item(unit="B2"))
    assert response.status_code == 403
    assert "B2" in response.json()["detail"]
    assert stored("B2").value == 1510


def test_it_writes_nothing_when_one_unit_is_forbidden(as_bob):
    response = post(as_bob, item(unit="A1", value=1), item(unit="B2", value=2))
    assert response.status_code == 403
    assert stored("A1").value == 1010 and stored("B2").value == 1510


def test_it_refuses_experts_any_write(as_erin):
    response = post(as_erin, item())
    assert response.status_code == 403
    assert "may not write" in response.json()["detail"]
    assert stored("A1").value == 1010


def test_it_answers_401_to_anonymous(anonymous):
    assert post(anonymous, item()).status_code == 401
    assert stored("A1").value == 1010


def test_it_answers_409_when_someone_changed_the_value_meanwhile(bob, mike):
    from miara.api.tests.conftest import client_for

    first, second = client_for(bob), client_for(mike)
    read = {
        v["variable"]: v["version"]
        for v in first.get("/api/v1/values?unit=A1&period=2024").json()["items"]
    }
    assert post(first, item(value=1111, version=read["WASTE_T"])).status_code == 200
    response = post(
        second,
        item(value=2222, version=read["WASTE_T"]),
        item(variable="RECYCLED_T", value=333, version=read["RECYCLED_T"]),
    )
    assert response.status_code == 409
    body = response.json()
    assert "changed by someone else" in body["detail"]
    assert body["conflicts"] == [
        {
            "unit": "A1",
            "variable": "WASTE_T",
            "period": "2024",
            "given_version": 1,
            "stored_version": 2,
            "given_value": 2222.0,
            "stored_value": 1111.0,
        }
    ]
    # All or nothing: the item without a conflict was not written either.
    assert stored("A1").value == 1111
    assert stored("A1", "RECYCLED_T").value == 320


def test_it_treats_version_0_as_expecting_no_value(alice, as_bob):
    open_collection(alice, "2030")
    assert post(as_bob, item(period="2030", version=0)).status_code == 200
    assert post(as_bob, item(period="2030", value=9, version=0)).status_code == 409


def test_it_answers_422_with_one_error_per_offending_item(as_bob):
    response = post(
        as_bob,
        item(value=1),  # fine
        item(unit="ZZ9"),
        item(variable="NOPE"),
        item(value=-5, variable="RECYCLED_T"),  # RECYCLED_T has min 0
        item(value=1),  # the same as item 0
        item(value="12", variable="POPULATION"),
        item(value=True, variable="PERMITS_ISSUED"),
    )
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert [(e["index"], e["field"]) for e in detail] == [
        (1, "unit"),
        (2, "variable"),
        (3, "value"),
        (4, "period"),
        (5, "value"),
        (6, "value"),
    ]
    assert "unknown unit 'ZZ9'" in detail[0]["message"]
    assert "below the minimum" in detail[2]["message"]
    assert "already item 0" in detail[3]["message"]
    assert "'12' is not a number" in detail[4]["message"]
    # All or nothing: the fine item was not written.
    assert stored("A1").value == 1010


def test_it_refuses_a_malformed_period_by_the_schema(as_bob):
    # The period's pattern is in the published schema: every item breaking it is named.
    response = post(as_bob, item(period="2024-13"), item(variable="RECYCLED_T", period="24"))
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert [(e["index"], e["field"]) for e in detail] == [(0, "period"), (1, "period")]
    assert "is not a period; write 2024, 2024-Q1 or 2024-03" in detail[0]["message"]
    assert stored("A1").value == 1010


def test_it_answers_422_per_item_for_a_malformed_item(as_bob):
    # Missing keys are found while reading the request, before the contents are checked.
    response = post(as_bob, item(), {"unit": "A1", "variable": "WASTE_T", "period": "2024"})
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"index": 1, "field": "value", "message": "Field required"}
    ]


def test_it_refuses_non_finite_numbers(as_bob):
    # Python's json (and so the API) reads NaN and Infinity; they must never be stored.
    body = (
        '{"values": [{"unit": "A1", "variable": "WASTE_T", "period": "2024", "value": NaN},'
        ' {"unit": "A1", "variable": "RECYCLED_T", "period": "2024", "value": Infinity}]}'
    )
    response = as_bob.post("/api/v1/values", body, content_type="application/json")
    assert response.status_code == 422
    assert [(e["index"], e["field"]) for e in response.json()["detail"]] == [
        (0, "value"),
        (1, "value"),
    ]
    assert "finite" in response.json()["detail"][0]["message"]
    assert stored("A1").value == 1010


def test_it_stores_null_as_not_available(as_bob):
    assert post(as_bob, item(value=None)).status_code == 200
    assert stored("A1").value is None


def test_it_keeps_the_stored_comment_when_none_is_given(as_bob):
    post(as_bob, item(value=1, comment="estimated"))
    post(as_bob, item(value=2))
    assert stored("A1").comment == "estimated"
    post(as_bob, item(value=2, comment=""))
    assert stored("A1").comment == ""


def test_it_refuses_too_many_values_at_once(as_alice):
    response = post(as_alice, *[item(period=str(1000 + i)) for i in range(10_001)])
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "values"


def test_it_answers_422_for_a_body_without_values(as_bob):
    response = as_bob.post("/api/v1/values", {"rows": []}, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "values"


def test_it_answers_409_with_the_locked_values_of_a_submitted_questionnaire(cycle, mike, as_bob):
    from miara.api.tests.conftest import submission_of
    from miara.collection.cycles import submission_submit

    submission_submit(submission=submission_of(cycle, "A1"), acting_user=mike)
    history = ValueHistory.objects.count()
    response = post(
        as_bob,
        item(variable="PERMITS_ISSUED", value=9),  # not in the questionnaire: free
        item(value=1),
        item(variable="POPULATION", value=2),
    )
    assert response.status_code == 409
    body = response.json()
    assert "locked" in body["detail"] and "conflicts" not in body
    assert body["locked"] == [
        {"unit": "A1", "variable": "WASTE_T", "period": "2024"},
        {"unit": "A1", "variable": "POPULATION", "period": "2024"},
    ]
    # All or nothing: not even the free value was written.
    assert stored("A1").value == 1010
    assert stored("A1", "PERMITS_ISSUED").value == 401
    assert ValueHistory.objects.count() == history
    assert not AuditEntry.objects.filter(action="values.write").exists()


def test_it_writes_values_of_a_returned_questionnaire_again(cycle, mike, alice, as_bob):
    from miara.api.tests.conftest import submission_of
    from miara.collection.cycles import submission_return, submission_submit

    submission_submit(submission=submission_of(cycle, "A1"), acting_user=mike)
    submission_return(submission=submission_of(cycle, "A1"), acting_user=alice, comment="check")
    assert post(as_bob, item(value=1)).status_code == 200
    assert stored("A1").value == 1
