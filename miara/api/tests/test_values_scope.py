"""POST /values writes only what the caller may write, whatever the spelling of the codes,
and only periods the caller may write (one rule with the data-entry form)."""

import pytest

from miara.collection.models import Value, ValueHistory

from .test_values_write import item, post, stored

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("spelling", [" B2", "B2 ", "\tB2", "B2\t", " B2\n"])
def test_it_refuses_another_unit_spelled_with_blanks(cycle, as_bob, spelling):
    history = ValueHistory.objects.count()
    response = post(as_bob, item(unit=spelling, value=1))
    assert response.status_code == 403, response.content
    assert "B2" in response.json()["detail"]
    assert stored("B2").value == 1510
    assert ValueHistory.objects.count() == history


@pytest.mark.parametrize("spelling", [" B2", "B2\t"])
def test_it_never_shows_another_units_values_in_a_conflict(cycle, as_bob, spelling):
    response = post(as_bob, item(unit=spelling, value=1, version=999))
    assert response.status_code == 403, response.content
    assert "1510" not in response.content.decode()
    assert "conflicts" not in response.json()


def test_it_accepts_its_own_unit_spelled_with_blanks(cycle, as_bob):
    response = post(as_bob, item(unit=" A1\t", variable=" WASTE_T ", period=" 2024 ", value=7))
    assert response.status_code == 200, response.content
    assert response.json()["versions"] == [
        {"unit": "A1", "variable": "WASTE_T", "period": "2024", "version": 2}
    ]
    assert stored("A1").value == 7


@pytest.mark.parametrize("code", ["", " ", "\t"])
def test_it_refuses_blank_codes_in_the_schema(cycle, as_bob, code):
    response = post(as_bob, item(unit=code))
    assert response.status_code == 422
    assert response.json()["detail"][0]["index"] == 0
    assert response.json()["detail"][0]["field"] == "unit"


def test_it_answers_422_for_an_empty_list_of_values(as_bob):
    response = post(as_bob)
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["field"] == "values"
    assert "at least 1" in response.json()["detail"][0]["message"]


@pytest.fixture
def closed_2023(alice):
    """A closed collection of 2023 from A1 and B2 (its values were loaded before)."""
    from miara.collection.cycles import cycle_open
    from miara.collection.models import Cycle

    cycle = cycle_open(
        period="2023",
        name="Year 2023",
        variable_codes=["WASTE_T"],
        unit_codes=["A1", "B2"],
        acting_user=alice,
    )
    Cycle.objects.filter(pk=cycle.pk).update(is_open=False)
    return cycle


def test_it_refuses_an_editor_a_closed_collection(closed_2023, cycle, as_bob, as_mike):
    for client in (as_bob, as_mike):
        response = post(client, item(period="2023", value=1))
        assert response.status_code == 403, response.content
        assert "2023" in response.json()["detail"] and "closed" in response.json()["detail"]
    assert stored("A1", period="2023").value == 1000


def test_it_refuses_an_editor_a_year_no_collection_gathers(cycle, as_bob):
    history = ValueHistory.objects.count()
    for period in ("2020", "2025"):
        response = post(as_bob, item(period=period, value=1))
        assert response.status_code == 403, (period, response.content)
        assert "open data collection" in response.json()["detail"]
    assert ValueHistory.objects.count() == history
    assert not Value.objects.filter(period__in=["2020", "2025"]).exists()


def test_it_leaves_an_editor_the_quarters_and_months_yearly_cycles_do_not_collect(cycle, as_bob):
    # An office's running data (a process's cases per quarter or month) are its own.
    for period in ("1999-Q3", "2025-03"):
        response = post(as_bob, item(period=period, value=1))
        assert response.status_code == 200, (period, response.content)
    assert Value.objects.filter(period__in=["1999-Q3", "2025-03"]).count() == 2


def test_it_writes_nothing_when_one_period_is_refused(cycle, as_bob):
    response = post(as_bob, item(value=1), item(period="2020", value=2))
    assert response.status_code == 403
    assert stored("A1").value == 1010


def test_it_lets_an_editor_write_an_open_collection(cycle, as_bob):
    assert post(as_bob, item(value=1)).status_code == 200
    assert stored("A1").value == 1


def test_it_lets_a_coordinator_write_outside_collections_but_not_a_closed_one(
    closed_2023, as_alice
):
    assert post(as_alice, item(unit="D4", period="1999-Q3", value=2)).status_code == 200
    assert post(as_alice, item(unit="C3", period="2023", value=3)).status_code == 200
    response = post(as_alice, item(unit="B2", period="2023", value=4))
    assert response.status_code == 403
    assert stored("B2", period="2023").value == 1500


def test_the_excel_upload_applies_the_same_rule(closed_2023, bob):
    from django.core.exceptions import PermissionDenied

    from miara.api.tests.conftest import submission_of
    from miara.collection.excel import template_build, template_import

    submission = submission_of(closed_2023, "A1")
    workbook = template_build(submission=submission, language="en")
    with pytest.raises(PermissionDenied):
        template_import(path_or_bytes=workbook, submission=submission, user=bob, filename="q.xlsx")


def test_a_programme_without_collections_lets_editors_write_their_units(as_bob):
    """contracts.md: an editor posts their unit's values where no collection cycle runs;
    only another unit is a 403."""
    assert post(as_bob, item(period="2022", value=900)).status_code == 200
    assert stored("A1", period="2022").value == 900
    assert post(as_bob, item(unit="B2", period="2022", value=1)).status_code == 403


def test_it_leaves_an_office_the_costs_its_process_map_names(cycle, as_bob, tmp_path):
    # The period rule guards the programme's data. The cost and output variables an
    # office's process map names (its costing writes them) are the office's own figures
    # in any year, unless a questionnaire asks for them; any other variable no
    # questionnaire asks for (a population from the statistics office, say) is not.
    from miara.accounts.scope import OPERATOR
    from miara.processes.services import processes_load

    refused = post(as_bob, item(variable="PERMITS_ISSUED", period="2020", value=12))
    assert refused.status_code == 403, refused.content
    assert not Value.objects.filter(period="2020").exists()

    path = tmp_path / "map.csv"
    path.write_text(
        "code,name,owner,cost_variable,output_variable\n"
        "PERMIT,Building permits,BUILD,PERMIT_STAFF_COST,PERMITS_ISSUED\n",
        encoding="utf-8",
    )
    processes_load(path=path, unit_code="A1", acting_user=OPERATOR)
    response = post(as_bob, item(variable="PERMITS_ISSUED", period="2020", value=12))
    assert response.status_code == 200, response.content
    assert (
        Value.objects.get(unit__code="A1", variable__code="PERMITS_ISSUED", period="2020").value
        == 12
    )
    # Beside a variable the questionnaire asks for, the period is refused as a whole.
    mixed = post(
        as_bob,
        item(variable="PERMIT_STAFF_COST", period="2019", value=5),
        item(variable="WASTE_T", period="2019", value=5),
    )
    assert mixed.status_code == 403, mixed.content
    assert "open data collection" in mixed.json()["detail"]
    assert not Value.objects.filter(period="2019").exists()
    # The unit rule still holds: B2 is not bob's (and its map names nothing).
    other = post(as_bob, item(unit="B2", variable="PERMITS_ISSUED", period="2020", value=1))
    assert other.status_code == 403, other.content
    assert not Value.objects.filter(unit__code="B2", period="2020").exists()
