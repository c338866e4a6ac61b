"""The targets page of a unit, the scorecard's target column and the indicator page's
target line, through Django's test client."""

from __future__ import annotations

import pytest
from django.test import Client

from miara.targets.models import Target
from miara.targets.services import target_set, target_sharing_set

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_manager_sets_a_target_from_the_page(mike):
    client = logged_in(mike)
    page = client.get("/units/A1/targets/")
    assert page.status_code == 200
    assert "No targets yet." in page.text and "Set a target" in page.text
    response = client.post(
        "/units/A1/targets/set/",
        {
            "indicator": "RECYCLING_RATE",
            "start_period": "2024",
            "start_value": "31",
            "final_period": "2026",
            "final_value": "40,5",
            "owner": "mike",
            "version": "0",
        },
    )
    assert response.status_code == 302
    target = Target.objects.get()
    assert target.points_list() == [("2024", 31.0), ("2026", 40.5)]
    page = client.get("/units/A1/targets/")
    assert "The target of RECYCLING_RATE was saved." in page.text
    assert 'class="target-status target-status--on_track"' in page.text
    assert "on track" in page.text
    assert "2024: 31.0 → 2026: 40.5" in page.text
    assert "version 1" in page.text and "changed by mike" in page.text  # the history


def test_the_page_says_what_is_wrong_and_saves_nothing(mike):
    client = logged_in(mike)
    response = client.post(
        "/units/A1/targets/set/",
        {
            "indicator": "RECYCLING_RATE",
            "start_period": "2026",
            "start_value": "31",
            "final_period": "2024",
            "final_value": "40",
        },
    )
    assert response.status_code == 422
    assert "the final period 2024 is not after the start period 2026" in response.text
    assert Target.objects.count() == 0


def test_a_stale_form_gets_a_message_not_an_overwrite(mike):
    target_set(acting_user=mike, indicator_code="WASTE_PC", unit_code="A1", points=[("2024", 9)])
    target_set(acting_user=mike, indicator_code="WASTE_PC", unit_code="A1", points=[("2024", 8)])
    response = logged_in(mike).post(
        "/units/A1/targets/set/",
        {"indicator": "WASTE_PC", "start_period": "2024", "start_value": "7", "version": "1"},
    )
    assert response.status_code == 409
    assert "changed meanwhile" in response.text
    assert Target.objects.get().points_list() == [("2024", 8.0)]


def test_derive_and_delete_from_the_page(mike):
    client = logged_in(mike)
    response = client.post(
        "/units/A1/targets/derive/",
        {
            "indicator": "RECYCLING_RATE",
            "statistic": "q3",
            "group": "all",
            "share": "0.5",
            "final_period": "2027",
        },
    )
    assert response.status_code == 302, response.text[:3000]
    target = Target.objects.get()
    assert target.rule_params["fraction"] == 0.5
    page = client.get("/units/A1/targets/")
    assert (
        "close 50 % of the gap to the group&#x27;s third quartile (q3) (all) of 2024 by 2027"
        in page.text
    )
    response = client.post(
        "/units/A1/targets/delete/", {"indicator": "RECYCLING_RATE", "version": str(target.version)}
    )
    assert response.status_code == 302
    assert Target.objects.count() == 0
    assert "deleted" in client.get("/units/A1/targets/").text


def test_who_sees_the_page(mike, bob, carol, alice):
    target_set(acting_user=mike, indicator_code="WASTE_PC", unit_code="A1", points=[("2024", 9)])
    assert logged_in(carol).get("/units/A1/targets/").status_code == 404
    assert logged_in(alice).get("/units/A1/targets/").status_code == 403
    page = logged_in(bob).get("/units/A1/targets/")
    assert page.status_code == 200 and "Set a target" not in page.text
    assert logged_in(bob).post("/units/A1/targets/set/", {}).status_code == 403
    target_sharing_set(acting_user=mike, unit_code="A1", shared=True)
    assert logged_in(alice).get("/units/A1/targets/").status_code == 200


def test_the_scorecard_row_shows_the_status_or_a_link_to_set_one(mike, bob):
    target_set(
        acting_user=mike,
        indicator_code="RECYCLING_RATE",
        unit_code="A1",
        points=[("2023", 40), ("2025", 50)],
    )
    page = logged_in(mike).get("/units/A1/benchmark/").text
    row = page[page.index('data-indicator="RECYCLING_RATE"') :]
    row = row[: row.index("</tr>")]
    # 2024: target 45, value 31.68; the line through 30 and 31.68 reaches 33.4 in 2025: off.
    assert "target-status--off_track" in row and "off track" in row and "target 45.0" in row
    other = page[page.index('data-indicator="WASTE_PC"') :]
    assert "/units/A1/targets/?indicator=WASTE_PC" in other[: other.index("</tr>")]
    neutral = page[page.index('data-indicator="POP"') :]
    assert "set a target" not in neutral[: neutral.index("</tr>")]
    # an editor reads the status but gets no link to set a target
    page = logged_in(bob).get("/units/A1/benchmark/").text
    assert "target-status--off_track" in page and "?indicator=WASTE_PC" not in page


def test_the_indicator_page_draws_the_target_line(mike):
    target_set(
        acting_user=mike,
        indicator_code="RECYCLING_RATE",
        unit_code="A1",
        points=[("2023", 30), ("2026", 45)],
    )
    page = logged_in(mike).get("/indicators/RECYCLING_RATE/?unit=A1").text
    assert "The dotted line is the unit's target: 45.0 in 2026." in page
    assert 'data-col="target">35.0<' in page  # 2024 in the trend table, 30 → 45 over 3 years
    assert 'data-period="2026"' in page
    assert '"target": 45.0' in page or '"target":45.0' in page


def test_a_manager_loads_a_spreadsheet_and_downloads_the_targets(mike, bob):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = logged_in(mike)
    bad = SimpleUploadedFile(
        "plan.csv", b"indicator,unit,period,target\nRECYCLING_RATE,A1,2024,31\nPOP,A1,2024,1\n"
    )
    response = client.post("/units/A1/targets/upload/", {"file": bad})
    assert response.status_code == 400
    assert "line 3, column indicator: POP is a context indicator" in response.text
    assert Target.objects.count() == 0
    good = SimpleUploadedFile(
        "plan.csv",
        b"indicator,unit,period,target\nRECYCLING_RATE,A1,2024,31\nRECYCLING_RATE,A1,2026,40\n",
    )
    assert client.post("/units/A1/targets/upload/", {"file": good}).status_code == 302
    assert Target.objects.get().points_list() == [("2024", 31.0), ("2026", 40.0)]
    # another office's line is refused as an unknown unit
    other = SimpleUploadedFile("o.csv", b"indicator,unit,period,target\nWASTE_PC,B2,2024,1\n")
    response = client.post("/units/A1/targets/upload/", {"file": other})
    assert "line 2, column unit: there is no unit with the code “B2”" in response.text
    csv = logged_in(bob).get("/units/A1/targets.csv")
    lines = csv.content.decode().splitlines()
    assert lines[0] == "indicator,unit,period,target,value,status"
    assert lines[1].startswith("RECYCLING_RATE,A1,2024,31.0,31.68") and lines[1].endswith(
        ",on_track"
    )
