"""The data-entry pages through Django's test client: who may open and change what,
saving the whole form and one field, conflicts, Excel both ways, and submitting."""

import io
import re

import polars as pl
import pytest
from django.urls import reverse
from openpyxl import load_workbook

from miara.catalogue.models import Variable
from miara.collection.cycles import cycle_open, submission_submit
from miara.collection.forms import normalise_number, parse_number
from miara.collection.models import Submission, Value, ValueHistory
from miara.collection.services import values_save
from miara.testing.cycles import FOUR_UNITS, cycle_2024
from miara.units.models import Unit

pytestmark = pytest.mark.django_db
VARIABLES = ["WASTE_T", "RECYCLED_T", "POPULATION", "PERMITS_ISSUED", "PERMIT_STAFF_COST"]
PASSWORD = "Correct-horse-42"


@pytest.fixture
def cycle(alice):
    return cycle_2024(alice, VARIABLES, FOUR_UNITS)


def logged_in(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


def form_url(cycle, unit="A1", part=""):
    names = {
        "": "entry_form",
        "field": "entry_field",
        "excel": "entry_excel",
        "upload": "entry_upload",
        "problems": "entry_upload_problems",
        "submit": "entry_submit",
    }
    return reverse(f"collection:{names[part]}", args=[cycle.pk, unit])


def history_url(unit="A1", variable="WASTE_T", period="2024"):
    return reverse("collection:entry_value_history", args=[unit, variable, period])


def stored(variable="WASTE_T", unit="A1", period="2024") -> Value:
    return Value.objects.get(unit__code=unit, variable__code=variable, period=period)


def snapshot():
    return (
        sorted(Value.objects.values_list("unit_id", "variable_id", "period", "value", "comment")),
        ValueHistory.objects.count(),
    )


def whole_form(client, cycle, unit="A1") -> dict:
    """The form's fields as the page renders them (what a browser would post unchanged)."""
    html = client.get(form_url(cycle, unit)).content.decode()
    data = {}
    for code in VARIABLES:
        value = re.search(rf'name="{code}-value" value="([^"]*)"', html).group(1)
        comment = re.search(rf'name="{code}-comment"[^>]*>([^<]*)</textarea>', html).group(1)
        version = re.search(rf'name="{code}-version" value="(\d+)"', html).group(1)
        shown = re.search(rf'name="{code}-shown" value="([^"]*)"', html).group(1)
        data |= {
            f"{code}-value": value,
            f"{code}-comment": comment,
            f"{code}-version": version,
            f"{code}-shown": shown,
        }
    return data


def someone_else_saves(variable, value, user, unit="A1", period="2024"):
    rows = pl.DataFrame(
        {
            "unit_id": [Unit.objects.get(code=unit).pk],
            "variable_id": [Variable.objects.get(code=variable).pk],
            "period": [period],
            "value": [float(value)],
            "comment": [""],
        }
    )
    values_save(acting_user=user, rows=rows, parsed=True, channel="api")


# --- the list ----------------------------------------------------------------------------


def test_the_list_shows_bob_only_his_units_questionnaire(client, cycle, bob):
    response = logged_in(client, bob).get(reverse("collection:entry_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Year 2024" in html
    assert form_url(cycle, "A1") in html
    assert form_url(cycle, "B2") not in html
    assert "5 of 5" in html


def test_the_list_shows_the_coordinator_every_unit(client, cycle, alice):
    html = logged_in(client, alice).get(reverse("collection:entry_list")).content.decode()
    for unit in ("A1", "B2", "C3", "D4"):
        assert form_url(cycle, unit) in html


def test_the_list_says_when_there_is_nothing(client, programme, bob):
    html = logged_in(client, bob).get(reverse("collection:entry_list")).content.decode()
    assert "There is no questionnaire for your units" in html


# --- permissions -------------------------------------------------------------------------


def all_routes(cycle, unit="A1"):
    return [
        ("get", reverse("collection:entry_list")),
        ("get", form_url(cycle, unit)),
        ("post", form_url(cycle, unit)),
        ("post", form_url(cycle, unit, "field")),
        ("get", form_url(cycle, unit, "excel")),
        ("post", form_url(cycle, unit, "upload")),
        ("get", form_url(cycle, unit, "problems")),
        ("post", form_url(cycle, unit, "submit")),
        ("get", history_url(unit)),
    ]


def test_it_sends_anonymous_visitors_to_log_in(client, cycle):
    for method, url in all_routes(cycle):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


def test_it_refuses_bob_another_units_questionnaire(client, cycle, bob):
    logged_in(client, bob)
    # As for a unit that does not exist: 404, so that codes cannot be probed.
    for method, url in all_routes(cycle, "B2")[1:]:
        assert getattr(client, method)(url).status_code == 404, url


def test_it_answers_404_for_unknown_cycles_units_and_units_not_taking_part(client, alice):
    only_a1 = cycle_open(
        period="2024",
        name="Pilot",
        variable_codes=["WASTE_T"],
        unit_codes=["A1"],
        acting_user=alice,
    )
    logged_in(client, alice)
    assert client.get(reverse("collection:entry_form", args=[9999, "A1"])).status_code == 404
    assert client.get(form_url(only_a1, "ZZ")).status_code == 404
    assert client.get(form_url(only_a1, "C3")).status_code == 404
    assert client.get(history_url("ZZ")).status_code == 404
    assert client.get(history_url("A1", "NOPE")).status_code == 404
    assert client.get(history_url("A1", "WASTE_T", "last-year")).status_code == 404


def test_an_expert_reads_but_cannot_change(client, cycle, erin):
    logged_in(client, erin)
    response = client.get(form_url(cycle))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="WASTE_T-value"' not in html
    assert "You can read this questionnaire but not change it." in html
    assert "1,010" in html
    before = snapshot()
    assert client.post(form_url(cycle), {"WASTE_T-value": "5"}).status_code == 403
    field = client.post(
        form_url(cycle, part="field"), {"variable": "WASTE_T", "value": "5", "version": "1"}
    )
    assert field.status_code == 403
    assert field.json()["status"] == "locked"
    assert client.post(form_url(cycle, part="submit")).status_code == 403
    assert snapshot() == before


def test_a_submitted_questionnaire_is_read_only_and_refuses_posts(client, cycle, bob, mike):
    submission_submit(
        submission=Submission.objects.get(cycle=cycle, unit__code="A1"), acting_user=mike
    )
    logged_in(client, bob)
    html = client.get(form_url(cycle)).content.decode()
    assert 'name="WASTE_T-value"' not in html
    assert "has been submitted and waits for the coordinator" in html
    before = snapshot()
    data = {"WASTE_T-value": "5", "WASTE_T-version": "1"}
    assert client.post(form_url(cycle), data).status_code == 403
    assert (
        client.post(
            form_url(cycle, part="field"), {"variable": "WASTE_T", "value": "5", "version": "1"}
        ).status_code
        == 403
    )
    assert client.post(form_url(cycle, part="upload")).status_code == 403
    assert snapshot() == before


def test_an_editor_cannot_submit(client, cycle, bob):
    logged_in(client, bob)
    html = client.get(form_url(cycle)).content.decode()
    assert "Your unit’s manager submits the questionnaire" in html
    assert client.post(form_url(cycle, part="submit")).status_code == 403


# --- the page ----------------------------------------------------------------------------


def test_the_form_shows_sections_context_and_links(client, cycle, bob):
    html = logged_in(client, bob).get(form_url(cycle)).content.decode()
    # Areas in catalogue order, the variable without an area last.
    assert (
        html.index("Municipal waste")
        < html.index("Building permits")
        < html.index("General information")
    )
    assert (
        '<label class="entry-field__label" for="WASTE_T-value">Municipal waste collected</label>'
        in html
    )
    assert 'inputmode="decimal"' in html
    assert "Last period (2023)" in html
    # The peer median: WASTE_T 2023 (accepted: computed) of the four units: 1000, 1500, 300, 700.
    assert re.search(r"Median in 2023 of 4 units</dt><dd>about 850</dd>", html)
    assert history_url("A1", "WASTE_T") + f"?cycle={cycle.pk}" in html
    assert (
        'aria-describedby="WASTE_T-errors WASTE_T-hint WASTE_T-measure findings-WASTE_T WASTE_T-status"'
        in html
    )
    assert 'aria-live="polite"' in html


# --- saving the whole form ---------------------------------------------------------------


def test_saving_the_form_stores_the_changed_values_through_the_form_channel(client, cycle, bob):
    logged_in(client, bob)
    data = whole_form(client, cycle)
    data["WASTE_T-value"] = "1 234,5"  # a clerk's decimal comma and thousands space
    data["RECYCLED_T-comment"] = "new sorting plant"
    response = client.post(form_url(cycle), data)
    assert response.status_code == 302
    value = stored("WASTE_T")
    assert (value.value, value.channel, value.updated_by, value.version) == (1234.5, "form", bob, 2)
    assert stored("RECYCLED_T").comment == "new sorting plant"
    history = ValueHistory.objects.filter(
        variable__code="WASTE_T", period="2024", unit__code="A1"
    ).first()
    assert (history.old_value, history.new_value, history.channel, history.user) == (
        1010,
        1234.5,
        "form",
        bob,
    )
    # Untouched fields are not written.
    assert stored("POPULATION").version == 1
    assert "Saved: 2 values changed." in client.get(form_url(cycle)).content.decode()


def test_a_bad_value_saves_nothing_and_says_why_next_to_the_field(client, cycle, bob):
    logged_in(client, bob)
    data = whole_form(client, cycle)
    data["WASTE_T-value"] = "12a"
    data["RECYCLED_T-value"] = "-5"
    data["POPULATION-value"] = "130000"
    before = snapshot()
    response = client.post(form_url(cycle), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "“12a” is not a number" in html
    assert "below the minimum 0" in html
    assert 'value="12a"' in html  # the clerk's text is kept
    assert snapshot() == before


def test_a_stale_save_reports_the_conflict_with_both_values_and_saves_nothing(
    client, cycle, bob, carol, alice
):
    logged_in(client, bob)
    data = whole_form(client, cycle)
    someone_else_saves("WASTE_T", 1200, alice)
    data["WASTE_T-value"] = "1150"
    data["POPULATION-value"] = "121000"
    before = snapshot()
    response = client.post(form_url(cycle), data)
    assert response.status_code == 409
    html = response.content.decode()
    assert "alice saved 1,200 at" in html
    assert "your value 1,150 was not saved" in html
    assert snapshot() == before
    # Saving again keeps the clerk's value, now deliberately.
    again = {
        k: v
        for k, v in re.findall(r'name="([A-Z_]+-(?:value|version|shown))" value="([^"]*)"', html)
    }
    again |= {f"{code}-comment": "" for code in VARIABLES}
    assert client.post(form_url(cycle), again).status_code == 302
    assert stored("WASTE_T").value == 1150
    assert stored("POPULATION").value == 121000


def test_saving_an_unchanged_form_writes_nothing(client, cycle, bob):
    logged_in(client, bob)
    before = snapshot()
    response = client.post(form_url(cycle), whole_form(client, cycle), follow=True)
    assert "Nothing to save" in response.content.decode()
    assert snapshot() == before


# --- saving one field --------------------------------------------------------------------


def test_the_field_endpoint_saves_and_answers_with_findings_and_the_new_version(client, cycle, bob):
    logged_in(client, bob)
    response = client.post(
        form_url(cycle, part="field"),
        {"variable": "WASTE_T", "value": "3300", "comment": "", "version": "1"},
    )
    assert response.status_code == 200
    answer = response.json()
    assert answer["status"] == "saved"
    assert answer["version"] == 2
    assert stored("WASTE_T").value == 3300
    assert stored("WASTE_T").channel == "form"
    [finding] = answer["findings"]
    assert finding["severity"] == "warning"
    assert finding["justified"] is False
    assert (
        "changed by +230 % from last year (1,000 → 3,300): explain in the comment"
        in finding["text"]
    )
    assert answer["progress"] == {"filled": 5, "required": 5, "errors": 0, "open_warnings": 1}

    explained = client.post(
        form_url(cycle, part="field"),
        {
            "variable": "WASTE_T",
            "value": "3300",
            "comment": "a new landfill opened",
            "version": "2",
        },
    ).json()
    assert explained["findings"][0]["justified"] is True
    assert explained["findings"][0]["text"].endswith("(1,000 → 3,300)")
    assert explained["progress"]["open_warnings"] == 0
    assert explained["version"] == 3


def test_the_field_endpoint_accepts_a_decimal_comma_and_refuses_text(client, cycle, bob):
    logged_in(client, bob)
    url = form_url(cycle, part="field")
    ok = client.post(url, {"variable": "WASTE_T", "value": "1010,5", "version": "1"})
    assert ok.json()["status"] == "saved"
    assert stored("WASTE_T").value == 1010.5
    bad = client.post(url, {"variable": "WASTE_T", "value": "lots", "version": "2"})
    assert bad.status_code == 422
    assert bad.json()["status"] == "error"
    assert "not a number" in bad.json()["message"]
    unknown = client.post(url, {"variable": "POP", "value": "1", "version": "0"})
    assert unknown.status_code == 400


def test_the_field_endpoint_reports_a_conflict(client, cycle, bob, alice):
    logged_in(client, bob)
    someone_else_saves("WASTE_T", 1200, alice)
    response = client.post(
        form_url(cycle, part="field"), {"variable": "WASTE_T", "value": "1150", "version": "1"}
    )
    assert response.status_code == 409
    answer = response.json()
    assert answer["status"] == "conflict"
    assert answer["version"] == 2
    assert "alice saved 1,200" in answer["message"]
    assert "your value 1,150 was not saved" in answer["message"]
    assert stored("WASTE_T").value == 1200


# --- Excel -------------------------------------------------------------------------------


def test_the_excel_template_opens_and_holds_the_units_values(client, cycle, bob):
    response = logged_in(client, bob).get(form_url(cycle, part="excel"))
    assert response.status_code == 200
    assert 'filename="miara-2024-A1.xlsx"' in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["Data"]
    values = {sheet.cell(r, 8).value: sheet.cell(r, 5).value for r in range(2, sheet.max_row + 1)}
    assert values["WASTE_T"] == 1010
    assert values["POPULATION"] == 120100


def test_the_excel_template_follows_the_readers_language(client, cycle, bob):
    logged_in(client, bob)
    client.cookies["django_language"] = "pl"
    book = load_workbook(io.BytesIO(client.get(form_url(cycle, part="excel")).content))
    assert "Dane" in book.sheetnames


def filled_template(client, cycle, changes: dict) -> bytes:
    book = load_workbook(io.BytesIO(client.get(form_url(cycle, part="excel")).content))
    sheet = book["Data"]
    rows = {sheet.cell(r, 8).value: r for r in range(2, sheet.max_row + 1)}
    for code, value in changes.items():
        sheet.cell(rows[code], 5).value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, cycle, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    file = SimpleUploadedFile("q.xlsx", data, content_type="application/octet-stream")
    return client.post(form_url(cycle, part="upload"), {"file": file})


def test_an_upload_with_a_bad_cell_shows_the_cell_and_stores_nothing(client, cycle, bob):
    logged_in(client, bob)
    data = filled_template(client, cycle, {"WASTE_T": 2000, "RECYCLED_T": "about 300"})
    before = snapshot()
    response = upload(client, cycle, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "q.xlsx was not uploaded: nothing was saved" in html
    row = re.search(r"<tr><th scope=\"row\">(E\d+)</th><td>\d+</td><td>([^<]*)</td></tr>", html)
    assert row is not None
    assert "about 300" in row.group(2)
    assert snapshot() == before
    report = client.get(form_url(cycle, part="problems"))
    assert report.status_code == 200
    sheet = load_workbook(io.BytesIO(report.content)).active
    assert sheet.cell(2, 1).value == row.group(1)


def test_a_good_upload_stores_the_values(client, cycle, bob):
    logged_in(client, bob)
    response = upload(client, cycle, filled_template(client, cycle, {"WASTE_T": 1020}))
    assert response.status_code == 302
    assert stored("WASTE_T").value == 1020
    assert stored("WASTE_T").channel == "excel"
    assert client.get(form_url(cycle, part="problems")).status_code == 404


def test_an_upload_of_something_else_is_refused_in_words(client, cycle, bob):
    logged_in(client, bob)
    response = upload(client, cycle, b"not a workbook")
    assert response.status_code == 400
    assert "not an Excel .xlsx workbook" in response.content.decode()


# --- submitting --------------------------------------------------------------------------


def test_the_manager_submits_a_clean_questionnaire(client, cycle, mike):
    logged_in(client, mike)
    assert (
        'action="' + form_url(cycle, part="submit") + '"'
        in client.get(form_url(cycle)).content.decode()
    )
    response = client.post(form_url(cycle, part="submit"), follow=True)
    assert Submission.objects.get(cycle=cycle, unit__code="A1").state == "submitted"
    html = response.content.decode()
    assert "Submitted." in html
    assert "draft → <strong>submitted</strong> (mike)" in html


def test_submitting_with_problems_lists_them_with_links_to_the_fields(client, cycle, bob, mike):
    logged_in(client, bob)
    client.post(
        form_url(cycle, part="field"), {"variable": "WASTE_T", "value": "3300", "version": "1"}
    )
    client.post(
        form_url(cycle, part="field"), {"variable": "POPULATION", "value": "", "version": "1"}
    )
    logged_in(client, mike)
    response = client.post(form_url(cycle, part="submit"))
    assert response.status_code == 409
    html = response.content.decode()
    assert "The questionnaire was not submitted" in html
    assert '<a href="#WASTE_T-value">Municipal waste collected</a>' in html
    assert '<a href="#POPULATION-value">Population</a>' in html
    assert "required: enter the value" in html
    assert Submission.objects.get(cycle=cycle, unit__code="A1").state == "draft"


def test_returned_questionnaires_show_the_coordinators_notes(client, cycle, bob, mike, alice):
    from miara.collection.cycles import submission_return

    submission = Submission.objects.get(cycle=cycle, unit__code="A1")
    submission_submit(submission=submission, acting_user=mike)
    submission_return(
        submission=submission,
        acting_user=alice,
        comment="Please check the waste figures.",
        notes={"WASTE_T": "Is this in tonnes?"},
    )
    html = logged_in(client, bob).get(form_url(cycle)).content.decode()
    assert "Is this in tonnes?" in html
    assert 'name="WASTE_T-value"' in html  # editable again
    assert "Please check the waste figures." in html


# --- history -----------------------------------------------------------------------------


def test_the_history_page_lists_who_changed_what(client, cycle, bob):
    logged_in(client, bob)
    client.post(
        form_url(cycle, part="field"),
        {"variable": "WASTE_T", "value": "1020", "comment": "recount", "version": "1"},
    )
    response = client.get(history_url() + f"?cycle={cycle.pk}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "bob" in html
    assert "web form" in html
    assert "1,010" in html and "1,020" in html
    assert "recount" in html
    assert form_url(cycle) + "#field-WASTE_T" in html


# --- typing numbers ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, normal",
    [
        ("1234,5", "1234.5"),
        ("1 234,5", "1234.5"),
        ("1\u00a0234,5", "1234.5"),
        ("1.234,5", "1234.5"),
        ("1,234.5", "1234.5"),
        ("12.5", "12.5"),
        ("", ""),
        ("  ", ""),
    ],
)
def test_numbers_typed_by_a_person_are_normalised(typed, normal):
    assert normalise_number(typed) == normal


@pytest.mark.parametrize("typed", ["abc", "1,2,3", "12a", "inf", "nan", "1e999"])
def test_things_that_are_not_numbers_are_refused(typed):
    with pytest.raises(ValueError):
        parse_number(typed)
