"""A unit's PDF and workbook show exactly the benchmark table's figures, in the chosen
language, with user-provided names printed as written."""

from __future__ import annotations

import io
import math
import re

import openpyxl
import pandas as pd
import pytest
from pypdf import PdfReader
from python_calamine import CalamineWorkbook

from miara.analytics.benchmark import benchmark_table
from miara.analytics.selectors import results_frame
from miara.reports.content import unit_report
from miara.reports.excel import FIGURE_FIELDS, unit_report_xlsx
from miara.reports.pdf import unit_report_pdf
from miara.units.models import Programme, Unit

pytestmark = pytest.mark.django_db

NASTY = "Gmina #1 *Nowa* _x_ $y$ [z] `k` <b> @a \\ ąęłńóśźż čřšžůě"


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def squash(text: str) -> str:
    # Typst may break lines and uses no-break spaces in grouped numbers.
    return re.sub(r"\s+", " ", text.replace("\u00a0", " "))


def report_of(user, code="A1", *, period="2024", group="all", language="en"):
    unit = Unit.objects.get(code=code)
    return unit_report(user=user, unit=unit, period=period, group=group, language=language)


def decimal_comma(value: float, decimals: int) -> str:
    text = f"{value:,.{decimals}f}"
    return text.replace(",", " ").replace(".", ",")


def test_the_pdf_is_a_pdf_with_the_unit_and_every_area(alice):
    content = unit_report_pdf(report_of(alice))
    assert content.startswith(b"%PDF")
    text = squash(pdf_text(content))
    assert "Alpha" in text
    for area in ("Municipal waste", "Building permits", "Methodology", "Strengths", "Weaknesses"):
        assert area in text


def test_it_prints_polish_and_czech_with_decimal_commas(alice):
    sections = benchmark_table(
        user=alice, unit=Unit.objects.get(code="A1"), period="2024", group="all"
    )
    rows = {row.indicator.code: row for s in sections for row in s.rows}
    recycling = rows["RECYCLING_RATE"]
    for language, heading in (("pl", "Gospodarka odpadami"), ("cs", "Odpadové hospodářství")):
        text = squash(pdf_text(unit_report_pdf(report_of(alice, language=language))))
        assert heading in text
        assert decimal_comma(recycling.value, 1) in text
        assert decimal_comma(recycling.median, 1) in text
        assert f"{recycling.value:.1f}" not in text  # no decimal point in pl/cs


def test_names_with_typst_markup_are_printed_as_written(alice):
    Unit.objects.filter(code="A1").update(name=NASTY)
    text = squash(pdf_text(unit_report_pdf(report_of(alice, language="pl"))))
    assert NASTY in text


def test_the_summary_lists_the_best_and_worst_quarters_ordered_by_percentile(alice):
    listed = 0
    for code in ("A1", "B2", "C3", "D4"):
        report = report_of(alice, code, group="all")
        frame = results_frame(user=alice, periods=["2024"], groups=["all"], units=[code])
        frame = frame.to_pandas()
        best = frame[frame.quartile == 1].sort_values(
            ["percentile", "indicator"], ascending=[False, True]
        )
        worst = frame[frame.quartile == 4].sort_values(["percentile", "indicator"])
        assert [r.indicator.code for r in report.strengths] == list(best.indicator)
        assert [r.indicator.code for r in report.weaknesses] == list(worst.indicator)
        listed += len(report.strengths) + len(report.weaknesses)
    assert listed > 0


def sheet_rows(values) -> dict[str, list]:
    """Indicator code -> its row of figures, from rows read back from a sheet."""
    found = {}
    for row in values[4:]:
        if row and isinstance(row[0], str) and row[0]:
            found[row[0]] = list(row[4 : 4 + len(FIGURE_FIELDS)])
    return found


def same(stored, read) -> bool:
    if stored is None:
        return read in (None, "")
    # openpyxl writes floats with 17 significant digits: equal, or within one ulp or so.
    return math.isclose(float(read), float(stored), rel_tol=1e-15, abs_tol=0)


@pytest.mark.parametrize("group", ["all", "CITIES"])
def test_the_workbook_carries_every_figure_of_the_benchmark_table(alice, group):
    unit = Unit.objects.get(code="A1")
    content = unit_report_xlsx(report_of(alice, group=group, language="pl"))
    sections = benchmark_table(user=alice, unit=unit, period="2024", group=group)
    expected = {
        row.indicator.code: [getattr(row, f) for f in FIGURE_FIELDS]
        for s in sections
        for row in s.rows
    }
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    assert workbook.sheetnames[0] == "Podsumowanie"
    assert workbook.sheetnames[-1] == "Metodologia"
    area_sheets = workbook.sheetnames[1:-1]
    assert len(area_sheets) == len(sections)
    assert "Gospodarka odpadami" in area_sheets
    read_openpyxl: dict[str, list] = {}
    for name in area_sheets:
        rows = list(workbook[name].iter_rows(values_only=True))
        read_openpyxl |= sheet_rows(rows)
    calamine = CalamineWorkbook.from_filelike(io.BytesIO(content))
    read_calamine: dict[str, list] = {}
    for name in area_sheets:
        read_calamine |= sheet_rows(calamine.get_sheet_by_name(name).to_python())
    assert set(read_openpyxl) == set(expected) == set(read_calamine)
    for code, figures in expected.items():
        for stored, a, b in zip(figures, read_openpyxl[code], read_calamine[code], strict=True):
            assert same(stored, a), (code, stored, a)
            assert same(stored, b), (code, stored, b)
    # Full precision in the cell, the indicator's decimals in its format.
    sheet = workbook[area_sheets[0]]
    value_cell = sheet.cell(row=5, column=5)
    if value_cell.value is not None:
        assert value_cell.number_format.startswith("#,##0")


def test_the_workbook_has_no_sheet_name_excel_rejects(alice):
    from miara.catalogue.models import ServiceArea

    ServiceArea.objects.filter(code="WASTE").update(
        name={"en": "Waste: collection / recycling [all] * ? that is a very long name"}
    )
    workbook = openpyxl.load_workbook(io.BytesIO(unit_report_xlsx(report_of(alice))))
    for name in workbook.sheetnames:
        assert len(name) <= 31 and not set(name) & set("[]:*?/\\")


def test_anonymised_reports_name_no_other_unit(alice):
    assert Programme.current().visibility == Programme.Visibility.ANONYMISED
    report = report_of(alice)
    others = {"Beta", "Gamma", "Delta"}
    labels = {p["label"] for points in report.distributions.values() for p in points}
    assert labels == {"Alpha", ""}
    text = squash(pdf_text(unit_report_pdf(report)))
    assert not any(name in text for name in others)


def test_named_programmes_show_the_other_units_in_the_charts(alice):
    programme = Programme.current()
    programme.visibility = Programme.Visibility.NAMED
    programme.save()
    report = report_of(alice)
    labels = {p["label"] for p in report.distributions["RECYCLING_RATE"]}
    assert {"Alpha", "Beta", "Gamma", "Delta"} <= labels


def test_the_distribution_holds_the_stored_values_of_the_group(alice):
    report = report_of(alice, group="CITIES")
    stored = results_frame(user=alice, periods=["2024"], groups=["CITIES"]).to_pandas()
    for code, points in report.distributions.items():
        expected = sorted(stored[stored.indicator == code].value)
        assert sorted(p["value"] for p in points) == expected
        assert sum(p["highlight"] for p in points) == 1


def test_the_trend_holds_the_stored_values_and_medians_per_period(alice):
    report = report_of(alice)
    frame = results_frame(user=alice, groups=["all"], units=["A1"]).to_pandas()
    rows = report.trends["RECYCLING_RATE"]
    assert [r["period"] for r in rows] == ["2023", "2024"]
    for row in rows:
        stored = frame[(frame.indicator == "RECYCLING_RATE") & (frame.period == row["period"])]
        assert row["value"] == stored.value.item()
        assert row["median"] == stored["median"].item()
    assert isinstance(pd.DataFrame(rows), pd.DataFrame)
