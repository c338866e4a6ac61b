"""GET /values/history: every change of one value, newest first, in the caller's scope."""

import json

import pytest

from miara.collection.services import values_load

pytestmark = pytest.mark.django_db

A1_WASTE = "/api/v1/values/history?unit=A1&variable=WASTE_T&period=2024"


def write(client, value, comment=None):
    item = {"unit": "A1", "variable": "WASTE_T", "period": "2024", "value": value}
    if comment is not None:
        item["comment"] = comment
    response = client.post(
        "/api/v1/values", json.dumps({"values": [item]}), content_type="application/json"
    )
    assert response.status_code == 200, response.content


def history(client, path=A1_WASTE):
    response = client.get(path)
    assert response.status_code == 200, response.content
    return response.json()


def test_it_answers_401_to_anonymous(anonymous):
    assert anonymous.get(A1_WASTE).status_code == 401


def test_it_shows_the_file_load_that_created_the_value(as_bob):
    body = history(as_bob)
    assert (body["unit"], body["variable"], body["period"]) == ("A1", "WASTE_T", "2024")
    [entry] = body["items"]
    assert {k: v for k, v in entry.items() if k != "at"} == {
        "version": 1,
        "old_value": None,
        "new_value": 1010.0,
        "old_comment": "",
        "new_comment": "",
        "channel": "import",
        "user": None,  # loaded from the command line
        "source": "values.csv",
    }


def test_it_shows_api_and_file_changes_newest_first(as_bob, alice, tmp_path):
    from miara.collection.cycles import cycle_open

    # Editors write the periods of an open collection of their unit.
    cycle_open(
        period="2024", name="2024", variable_codes=["WASTE_T"], unit_codes=["A1"], acting_user=alice
    )
    write(as_bob, 1111, comment="corrected")
    upload = tmp_path / "fix.csv"
    upload.write_text("unit,variable,period,value,comment\nA1,WASTE_T,2024,1212,audited\n")
    values_load(path=upload, acting_user=alice)
    items = history(as_bob)["items"]
    assert [
        (e["version"], e["old_value"], e["new_value"], e["channel"], e["user"], e["source"])
        for e in items
    ] == [
        (3, 1111.0, 1212.0, "import", "alice", "fix.csv"),
        (2, 1010.0, 1111.0, "api", "bob", "api"),
        (1, None, 1010.0, "import", None, "values.csv"),
    ]
    assert (items[0]["old_comment"], items[0]["new_comment"]) == ("corrected", "audited")
    assert items[0]["at"] >= items[1]["at"] >= items[2]["at"]


def test_it_answers_404_for_another_units_value(as_bob):
    """As for a unit that does not exist (it answered 403 before), so codes cannot be probed."""
    response = as_bob.get("/api/v1/values/history?unit=B2&variable=WASTE_T&period=2024")
    assert response.status_code == 404
    assert "B2" in response.json()["detail"]


def test_experts_and_coordinators_read_any_units_history(as_erin, as_alice):
    for client in (as_erin, as_alice):
        body = history(client, "/api/v1/values/history?unit=B2&variable=WASTE_T&period=2024")
        assert [e["new_value"] for e in body["items"]] == [1510.0]


def test_it_answers_an_empty_list_for_a_value_never_stored(as_bob):
    assert (
        history(as_bob, "/api/v1/values/history?unit=A1&variable=WASTE_T&period=2030")["items"]
        == []
    )


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("unit=ZZ9&variable=WASTE_T&period=2024", 404),
        ("unit=A1&variable=NOPE&period=2024", 404),
        ("unit=A1&variable=WASTE_T&period=2024-13", 422),
        ("unit=A1&variable=WASTE_T", 422),
    ],
)
def test_it_answers_what_is_wrong_with_the_query(as_bob, query, status):
    response = as_bob.get(f"/api/v1/values/history?{query}")
    assert response.status_code == status
    assert "detail" in response.json()
