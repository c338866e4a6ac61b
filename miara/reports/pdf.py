"""A unit's benchmark report as PDF, typeset in-process by Typst.

The layout is `templates/reports/unit_report.typ`; this module hands it one JSON document
(`sys.inputs.data`) with every text already translated and every number already formatted
in the report's language. Passing data rather than generating markup is what keeps names
such as "Gmina #1 *Nowa*" from being read as Typst code: a JSON string is always text.

Charts are drawn as SVG by `reports.figures`, with the marks and colours of the pages'
Vega-Lite charts (`miara.analytics.charts`) but without a JavaScript engine, which made
most of a report's time; Typst embeds its own fonts (Libertinus), which cover Polish and
Czech.
"""

from __future__ import annotations

import json
from pathlib import Path

import typst
from django.utils import formats, translation
from django.utils.translation import gettext as _

from miara.analytics.benchmark import BenchmarkRow
from miara.analytics.templatetags.results_status import provisional_note
from miara.presentation import labels, numbers
from miara.reports import figures
from miara.reports.content import UnitReport
from miara.reports.errors import ReportError

TEMPLATE = Path(__file__).resolve().parent / "templates" / "reports" / "unit_report.typ"
# Indicators per composed figure: few enough that a figure never needs more than a page.
CHARTS_PER_FIGURE = 3


def unit_report_pdf(report: UnitReport) -> bytes:
    with translation.override(report.language):
        document = _document(report)
    try:
        return typst.compile(
            TEMPLATE.read_bytes(),
            sys_inputs={"data": json.dumps(document, ensure_ascii=False)},
            ignore_system_fonts=True,
        )
    except typst.TypstError as error:  # pragma: no cover - a bug in the template
        raise ReportError(f"Typst could not typeset the report: {error}") from error


def _rank(row: BenchmarkRow) -> str:
    if not row.has_value:
        return "—"
    if row.indicator.direction == "neutral":
        return _("not ranked")
    if row.rank is None or (row.n or 0) < 2:
        return "—"
    return _("%(rank)s of %(n)s") % {"rank": row.rank, "n": row.n}


def _row(row: BenchmarkRow) -> dict:
    ind, d = row.indicator, row.indicator.decimals
    return {
        "direction": labels.DIRECTION_SYMBOLS.get(ind.direction, ""),
        "name": ind.label,
        "measure": ind.unit,
        "has_value": row.has_value,
        "value": numbers.fixed(row.value, d) if row.has_value else _("no data"),
        "median": numbers.fixed(row.median, d),
        "q1q3": f"{numbers.fixed(row.q1, d)} – {numbers.fixed(row.q3, d)}"
        if row.q1 is not None
        else "—",
        "best": numbers.fixed(row.best, d) if ind.direction != "neutral" else "—",
        "rank": _rank(row),
        "quartile": str(labels.QUARTILES.get(row.quartile, "—")),
        "change": numbers.signed(row.change, d),
    }


def _summary_line(row: BenchmarkRow) -> str:
    d = row.indicator.decimals
    parts = []
    if row.has_value:
        parts.append(_("Value: %(value)s") % {"value": numbers.fixed(row.value, d)})
    else:
        parts.append(_("No value for this unit"))
    if row.median is not None:
        parts.append(_("group median: %(median)s") % {"median": numbers.fixed(row.median, d)})
    if row.has_value and row.rank is not None and row.indicator.direction != "neutral":
        parts.append(_("rank %(rank)s of %(n)s") % {"rank": row.rank, "n": row.n})
    return "; ".join(parts) + "."


def _area_title(section) -> str:
    return section.area.label if section.area else _("Other indicators")


def _document(report: UnitReport) -> dict:
    unit = report.unit
    areas = []
    for section in report.sections:
        rows = []
        for row in section.rows:
            ind = row.indicator
            title = f"{ind.label} ({ind.unit})" if ind.unit else ind.label
            points = report.distributions.get(ind.code, [])
            strip = trend = None
            if len(points) >= 2:
                strip = {
                    "points": points,
                    "value_title": title,
                    "median": row.median,
                    "q1": row.q1,
                    "q3": row.q3,
                }
            trend_rows = report.trends.get(ind.code, [])
            if any(r["value"] is not None for r in trend_rows):
                trend = {"rows": trend_rows, "value_title": ind.unit or ""}
            if strip or trend:
                rows.append(
                    {
                        "name": ind.label,
                        "summary": _summary_line(row),
                        "strip": strip,
                        "trend": trend,
                    }
                )
        areas.append(
            {
                "title": _area_title(section),
                "rows": [_row(r) for r in section.rows],
                "figures": [
                    figures.figure(rows[start : start + CHARTS_PER_FIGURE])
                    for start in range(0, len(rows), CHARTS_PER_FIGURE)
                ],
            }
        )

    area_of = {
        row.indicator.code: _area_title(section)
        for section in report.sections
        for row in section.rows
    }

    def short(row: BenchmarkRow) -> dict:
        full = _row(row)
        return {
            "name": full["name"],
            "area": area_of[row.indicator.code],
            "value": full["value"],
            "median": full["median"],
            "rank": full["rank"],
        }

    result_set = report.result_set
    status = result_set.get_status_display() if result_set else "—"
    computed = formats.date_format(result_set.created_at, "DATE_FORMAT") if result_set else "—"
    document = {
        "lang": report.language,
        "title": _("Benchmark report: %(unit)s, %(period)s")
        % {"unit": unit.name, "period": report.period},
        "programme": report.programme,
        "period": report.period,
        "group": report.group_label,
        # Provisional figures say so on every page (running header) and on the cover.
        "status_mark": _("provisional results")
        if result_set is not None and result_set.is_provisional
        else "",
        "unit": {
            "name": unit.name,
            "code": unit.code,
            "type": labels.unit_type_label(unit.type),
        },
        "cover": [
            [_("Period"), report.period],
            [_("Compared with"), report.group_label],
            [
                _("Results"),
                _("%(status)s, computed on %(date)s") % {"status": status, "date": computed},
            ],
            [_("Report produced on"), formats.date_format(report.generated_at, "DATE_FORMAT")],
        ],
        "cover_note": (
            (
                provisional_note(report.period) + " "
                if result_set is not None and result_set.is_provisional
                else ""
            )
            + _(
                "Every figure in this report is read from the stored result set of the "
                "programme; the methodology appendix defines each of them."
            )
            + (
                ""
                if report.names_shown
                else " "
                + _("The programme is anonymised: other units appear in the charts without names.")
            )
        ),
        "summary_intro": _(
            "Strengths are the indicators in which the unit is in the best quarter of "
            "the group, weaknesses those in the weakest quarter; each list starts with the "
            "most marked one (by percentile). Context indicators are not ranked."
        ),
        "strengths": [short(r) for r in report.strengths],
        "weaknesses": [short(r) for r in report.weaknesses],
        "areas": areas,
        "methodology": [[term, text] for term, text in methodology_items()],
        "labels": {
            "report_title": _("Benchmark report"),
            "summary": _("Summary"),
            "strengths": _("Strengths"),
            "weaknesses": _("Weaknesses"),
            "no_strengths": _("No indicator is in the best quarter of the group."),
            "no_weaknesses": _("No indicator is in the weakest quarter of the group."),
            "indicator": _("Indicator"),
            "area": _("Service area"),
            "value": _("Value"),
            "median": _("Median"),
            "q1q3": _("Q1–Q3"),
            "best": _("Best"),
            "rank": _("Rank"),
            "quartile": _("Quartile"),
            "change": _("Change"),
            "methodology": _("Methodology"),
            "page": _("Page"),
            "chart_key": _(
                "Strip: grey points are the group's units, the diamond is %(unit)s, the "
                "vertical line the median and the band Q1–Q3. Trend: the solid line is "
                "%(unit)s, the dashed line the group's median, the band its Q1–Q3."
            )
            % {"unit": unit.name},
        },
    }
    return document


def methodology_items() -> list[tuple[str, str]]:
    """The definitions behind the report's figures (docs/methodology.md, in short)."""
    return [
        (
            _("Peer group"),
            _(
                "The units the unit is compared with in the period: all units, or a group "
                "defined by the coordinator (listed units, or a rule on unit type or size)."
            ),
        ),
        (
            _("Median, Q1–Q3"),
            _(
                "The middle value of the group and its quartiles, by linear interpolation "
                "between sorted values (as QUARTILE.INC in a spreadsheet). Half of the units "
                "lie between Q1 and Q3."
            ),
        ),
        (
            _("Best"),
            _(
                "The best value in the group: the highest where higher is better, the "
                "lowest where lower is better. Context indicators have no best value."
            ),
        ),
        (
            _("Rank"),
            _(
                "1 + the number of units with a strictly better value; units with equal "
                "values share the better rank."
            ),
        ),
        (
            _("Percentile and quartile"),
            _(
                "Percentile = 100 × (n − rank) / (n − 1): the best unit has 100, the worst 0. "
                "Quartile 1 (percentile 75 or more) is the best quarter of the group, "
                "quartile 4 (below 25) the weakest, whatever the direction of the indicator."
            ),
        ),
        (
            _("Change"),
            _("The difference from the unit's own value in the previous period."),
        ),
        (
            _("Charts"),
            _(
                "The strip shows every value of the group (grey), the unit (a diamond), the "
                "median (a vertical line) and the Q1–Q3 band. The trend shows the unit's "
                "value over the periods against the group's median and Q1–Q3 band."
            ),
        ),
        (
            _("Result sets"),
            _(
                "Figures come from one computation per period. Provisional results may still "
                "change; final results are published; a revision replaces them after a "
                "correction."
            ),
        ),
    ]
