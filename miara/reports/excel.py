"""A unit's benchmark report as an Excel workbook: the PDF's figures, at full precision.

One sheet per service area plus a summary and a methodology sheet. Every number is
stored as the exact float of the result set; the cell's number format shows it at the
indicator's decimals, so the sheet reads like the PDF and computes like the export.
"""

from __future__ import annotations

import io
import re

from django.utils import formats, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from miara.analytics.benchmark import ROW_FIGURES, BenchmarkRow
from miara.analytics.templatetags.results_status import provisional_note
from miara.fileio.formulas import xlsx_inert
from miara.presentation import labels
from miara.reports.content import UnitReport
from miara.reports.pdf import methodology_items

HEADER_FILL = PatternFill("solid", fgColor="DBE6EF")
BOLD = Font(bold=True)
# The figures of each indicator row, in the column order of the benchmark table's CSV.
FIGURE_FIELDS = ROW_FIGURES
_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _headings() -> list[str]:
    return [
        _("Code"),
        _("Indicator"),
        _("Unit of measure"),
        _("Direction"),
        _("Value"),
        _("Units in the group (n)"),
        _("Median"),
        _("Q1"),
        _("Q3"),
        _("Best"),
        _("Rank"),
        _("Percentile"),
        _("Quartile"),
        _("Change"),
    ]


def _number_format(decimals: int) -> str:
    return "#,##0" + ("." + "0" * decimals if decimals else "")


def _sheet_title(text: str, taken: set[str]) -> str:
    base = " ".join(_FORBIDDEN.sub(" ", text).split())[:31].rstrip() or "-"
    title, n = base, 2
    while title.lower() in taken:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(title.lower())
    return title


def _header(sheet, row: int, headings: list[str]) -> None:
    for column, text in enumerate(headings, start=1):
        cell = sheet.cell(row=row, column=column, value=text)
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _figure_row(sheet, row_number: int, row: BenchmarkRow) -> None:
    ind = row.indicator
    sheet.cell(row=row_number, column=1, value=ind.code)
    sheet.cell(row=row_number, column=2, value=ind.label)
    sheet.cell(row=row_number, column=3, value=ind.unit)
    sheet.cell(row=row_number, column=4, value=ind.get_direction_display())
    measured = _number_format(ind.decimals)
    for offset, name in enumerate(FIGURE_FIELDS):
        value = getattr(row, name)
        cell = sheet.cell(row=row_number, column=5 + offset, value=value)
        if name in ("value", "median", "q1", "q3", "best", "change") and value is not None:
            cell.number_format = measured
        elif name == "percentile" and value is not None:
            cell.number_format = "0.0"


def unit_report_xlsx(report: UnitReport) -> bytes:
    with translation.override(report.language):
        workbook = Workbook()
        taken: set[str] = set()
        summary = workbook.active
        summary.title = _sheet_title(_("Summary"), taken)
        _summary_sheet(summary, report)
        for section in report.sections:
            title = section.area.label if section.area else _("Other indicators")
            sheet = workbook.create_sheet(_sheet_title(title, taken))
            sheet["A1"] = title
            sheet["A1"].font = Font(bold=True, size=13)
            sheet["A2"] = _("%(unit)s · %(period)s · compared with %(group)s") % {
                "unit": report.unit.name,
                "period": report.period,
                "group": report.group_label,
            } + (" · " + _("provisional results") if _is_provisional(report) else "")
            _header(sheet, 4, _headings())
            for index, row in enumerate(section.rows, start=5):
                _figure_row(sheet, index, row)
            _widths(sheet)
            sheet.freeze_panes = "C5"
        methodology = workbook.create_sheet(_sheet_title(_("Methodology"), taken))
        _header(methodology, 1, [_("Term"), _("Definition")])
        for index, (term, text) in enumerate(methodology_items(), start=2):
            methodology.cell(row=index, column=1, value=term).font = BOLD
            cell = methodology.cell(row=index, column=2, value=text)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        methodology.column_dimensions["A"].width = 26
        methodology.column_dimensions["B"].width = 100
        xlsx_inert(workbook)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()


def _is_provisional(report: UnitReport) -> bool:
    return report.result_set is not None and report.result_set.is_provisional


def _summary_sheet(sheet, report: UnitReport) -> None:
    result_set = report.result_set
    sheet["A1"] = _("Benchmark report")
    sheet["A1"].font = Font(bold=True, size=14)
    facts = [
        (_("Programme"), report.programme),
        (_("Unit"), report.unit.name),
        (_("Unit code"), report.unit.code),
        (_("Unit type"), labels.unit_type_label(report.unit.type)),
        (_("Period"), report.period),
        (_("Compared with"), report.group_label),
        (_("Results"), result_set.get_status_display() if result_set else "—"),
        (
            _("Computed on"),
            formats.date_format(result_set.created_at, "DATE_FORMAT") if result_set else "—",
        ),
        (_("Report produced on"), formats.date_format(report.generated_at, "DATE_FORMAT")),
    ]
    if _is_provisional(report):
        facts.append((_("Note"), provisional_note(report.period)))
    for index, (name, value) in enumerate(facts, start=3):
        sheet.cell(row=index, column=1, value=name).font = BOLD
        sheet.cell(row=index, column=2, value=value)
    row = len(facts) + 4
    for title, rows in ((_("Strengths"), report.strengths), (_("Weaknesses"), report.weaknesses)):
        sheet.cell(row=row, column=1, value=title).font = Font(bold=True, size=12)
        row += 1
        if not rows:
            sheet.cell(row=row, column=1, value=_("None"))
            row += 2
            continue
        _header(sheet, row, _headings())
        for item in rows:
            row += 1
            _figure_row(sheet, row, item)
        row += 2
    _widths(sheet)


def _widths(sheet) -> None:
    widths = {1: 16, 2: 48, 3: 14, 4: 16}
    for column in range(1, 15):
        sheet.column_dimensions[get_column_letter(column)].width = widths.get(column, 12)
