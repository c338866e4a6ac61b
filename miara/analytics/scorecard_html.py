"""The scorecard's table rows as HTML, written in Python rather than by the template engine.

A national scorecard has 200 rows of eleven cells. Through Django's template engine each
row costs about a millisecond (some sixty variable lookups, filters and `blocktranslate`
nodes), which made the page's own rendering the larger part of a request; here a row
costs a tenth of that. The markup is the one `analytics/benchmark.html` had for its rows:
the browser tests and the CSS read the same classes and `data-col` cells.

Presentation only, like the template: every figure is read from the `Scorecard` that
`scorecard.unit_scorecard()` built from the stored result set; the texts are the same
translatable strings (`gettext`), looked up once per table.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from urllib.parse import quote

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from miara.accounts.scope import require_unit_access
from miara.analytics.hooks import (
    UnitPractices,
    UnitProjects,
    UnitTargets,
    unit_practices,
    unit_projects,
    unit_targets,
)
from miara.analytics.scorecard import (
    TREND_PERIODS,
    Scorecard,
    ScorecardRow,
    context_dots_hidden,
    unit_scorecard,
)
from miara.analytics.selectors import current_result_sets_up_to, result_sets_stamp
from miara.catalogue.models import Direction
from miara.lib import memo
from miara.presentation import labels, numbers
from miara.presentation.html import escape

COLUMNS = 12


@dataclass(frozen=True)
class ScorecardTable:
    """What the scorecard page shows of a `Scorecard`: its rows as HTML and the few facts
    around them. Small and plain, so that it can be kept in the page cache."""

    body: SafeString
    has_any_value: bool
    areas: tuple[tuple[str, str], ...]  # (code, label) of the service areas, catalogue order
    trend_periods: tuple[str, ...]
    targets_url: str = ""  # the unit's targets page, for whoever may read it


def scorecard_table(
    *, user, unit, period: str, group: str, similar=None, area: str | None, sort: str
) -> ScorecardTable:
    """The scorecard table of `unit`, from the page cache when the same table (unit,
    period, group, area, order, language and the very result sets) was rendered within
    `MIARA_PAGE_CACHE_SECONDS` (`lib.memo`); else built from `unit_scorecard` and kept.

    The caller has authorised the user for the unit; the table holds only the unit's own
    figures and its group's, the same for everyone who may see the unit. The group
    `similar` is computed from the current values, so it is never cached.
    """
    require_unit_access(user, unit)
    # The unit's targets as this user may read them (an app above analytics answers,
    # `analytics.hooks`); their state is part of the key of the kept table.
    targets = unit_targets(user=user, unit=unit, period=period)
    projects = unit_projects(user=user, unit=unit)
    practices = unit_practices(user=user, unit=unit)

    def render() -> ScorecardTable:
        card = unit_scorecard(
            user=user, unit=unit, period=period, group=group, similar=similar, area=area, sort=sort
        )
        return ScorecardTable(
            body=table_body(
                card,
                unit_code=unit.code,
                period=period,
                group=group,
                area=area,
                sort=sort,
                targets=targets,
                projects=projects,
                practices=practices,
            ),
            has_any_value=card.has_any_value,
            areas=tuple((a.code, a.label) for a in card.areas),
            trend_periods=tuple(card.trend_periods),
            targets_url=targets.page_url,
        )

    if group == "similar" or not memo.enabled():
        return render()
    stamp = result_sets_stamp(current_result_sets_up_to(period)[-TREND_PERIODS:])
    key = "scorecard:" + "|".join(
        [
            str(unit.pk),
            unit.code,
            period,
            group,
            area or "",
            sort,
            get_language(),
            stamp,
            "own-context" if context_dots_hidden(user) else "context",
            targets.stamp,
            projects.stamp,
            practices.stamp,
        ]
    )
    return memo.get_or_build(key, render)


class _Texts:
    """The table's fixed texts in the active language, translated once per table."""

    def __init__(
        self,
        targets: UnitTargets | None = None,
        projects: UnitProjects | None = None,
        practices: UnitPractices | None = None,
    ):
        self.targets = targets
        self.projects = projects
        self.practices = practices
        self.fixed = numbers.localised()
        self.no_data = escape(_("no data"))
        self.not_applicable = escape(_("n/a"))
        self.not_ranked = escape(_("not ranked (context indicator)"))
        self.no_rank = escape(_("no rank: no other unit in the group has a value"))
        self.at_median = escape(_("at the median"))
        self.interval = _("90 %% interval %(low)s – %(high)s")
        self.better = _("better")
        self.worse = _("worse")
        self.directions = {value: str(label) for value, label in Direction.choices}
        self.quartiles = {q: escape(str(label)) for q, label in labels.QUARTILES.items()}
        self.set_target = escape(_("set a target"))
        self.target_of = _("target %(target)s")
        self.start_project = escape(_("start a project"))
        self.best_practices = escape(_("units in the best quartile describe these practices"))


def table_body(
    card: Scorecard,
    *,
    unit_code: str,
    period: str,
    group: str,
    area: str | None,
    sort: str,
    targets: UnitTargets | None = None,
    projects: UnitProjects | None = None,
    practices: UnitPractices | None = None,
) -> SafeString:
    """The `<tbody>` of each section of `card`, with its heading row and its rows."""
    texts = _Texts(targets, projects, practices)
    query = f"?unit={quote(unit_code)}&period={quote(period)}"
    if group != "similar":
        query += f"&group={quote(group)}"
    out: list[str] = []
    for section in card.sections:
        if sort == "gap":
            heading = _("All indicators, largest shortfall against the median first")
            if area and section.rows:
                heading = f"{section.rows[0].area.label} — {heading}"
        elif section.area is not None:
            heading = section.area.label
        else:
            heading = _("Other indicators")
        out.append(
            f'<tbody><tr class="area-row"><th scope="colgroup" colspan="{COLUMNS}">'
            f"{escape(heading)}</th></tr>"
        )
        for row in section.rows:
            out.append(_row(row, texts, query=query, note_area=sort == "gap" and not area))
        if not section.rows:
            empty = escape(_("No indicators in this service area."))
            out.append(f'<tr><td colspan="{COLUMNS}" class="empty">{empty}</td></tr>')
        out.append("</tbody>")
    return mark_safe("".join(out))


@functools.lru_cache(maxsize=4096)
def _indicator_url(code: str) -> str:
    return reverse("analytics:indicator", args=[code])


def _row(row: ScorecardRow, texts: _Texts, *, query: str, note_area: bool) -> str:
    fixed = texts.fixed
    indicator = row.indicator
    d = indicator.decimals
    direction = indicator.direction
    direction_label = escape(texts.directions.get(direction, direction))
    muted_dash = '<span class="muted">—</span>'
    cells: list[str] = []

    href = _indicator_url(indicator.code) + query
    name = (
        f'<th scope="row" class="cell-name">'
        f'<span class="direction direction--{escape(direction)}" title="{direction_label}"'
        f' aria-hidden="true">{labels.DIRECTION_SYMBOLS.get(direction, "")}</span> '
        f'<a class="indicator-name" href="{escape(href)}">{escape(indicator.label)}</a>'
    )
    if indicator.unit:
        name += f' <span class="measure">({escape(indicator.unit)})</span>'
    name += f' <span class="visually-hidden">— {direction_label}</span>'
    if note_area and row.area is not None:
        name += f' <span class="cell-note">{escape(row.area.label)}</span>'
    cells.append(name + "</th>")

    has_value = row.value is not None
    if has_value:
        cells.append(f'<td class="num value" data-col="value">{fixed(row.value, d)}</td>')
    else:
        cells.append(f'<td class="num value"><span class="no-data">{texts.no_data}</span></td>')

    median = fixed(row.median, d)
    if row.strip:
        if has_value:
            said = _("This unit %(value)s, group median %(median)s") % {
                "value": fixed(row.value, d),
                "median": median,
            }
            if row.quartile:
                said += ", " + texts.quartiles.get(row.quartile, "")
        else:
            said = _("No value for this unit; group median %(median)s") % {"median": median}
        strip = f'{row.strip}<span class="visually-hidden">{escape(said)}</span>'
    else:
        strip = muted_dash
    cells.append(f'<td class="strip-cell" data-col="strip">{strip}</td>')
    if row.median_interval is not None:
        low, high = row.median_interval
        median += (
            '<span class="median-interval">'
            + escape(texts.interval % {"low": fixed(low, d), "high": fixed(high, d)})
            + "</span>"
        )
    cells.append(f'<td class="num" data-col="median">{median}</td>')
    q1q3 = "—"
    if row.q1 is not None:
        q1q3 = f"{fixed(row.q1, d)} – {fixed(row.q3, d)}"
    cells.append(f'<td class="num range" data-col="q1q3">{q1q3}</td>')
    if direction == "neutral":
        best = f'<span class="muted">{texts.not_applicable}</span>'
    else:
        best = fixed(row.best, d)
    cells.append(f'<td class="num" data-col="best">{best}</td>')

    if not has_value:
        rank = muted_dash
    elif direction == "neutral":
        rank = f'<span class="muted">{texts.not_ranked}</span>'
    elif (row.n or 0) < 2:
        rank = f'<span class="muted">{texts.no_rank}</span>'
    elif row.rank:
        rank = escape(_("%(rank)s of %(n)s") % {"rank": row.rank, "n": row.n})
    else:
        rank = "—"
    cells.append(f'<td class="rank" data-col="rank">{rank}</td>')

    if row.quartile:
        quartile = (
            f'<span class="badge badge--q{int(row.quartile)}"><span class="badge__dot"'
            f' aria-hidden="true"></span>{texts.quartiles.get(row.quartile, "")}</span>'
        )
    else:
        quartile = muted_dash
    cells.append(f'<td data-col="quartile">{quartile}</td>')

    if row.gap_to_median is None:
        gap = muted_dash
    else:
        gap = f'<span class="change__figure">{numbers.signed(row.gap_to_median, d, fixed=fixed)}</span>'
        relative = row.relative_gap
        if relative is not None:
            share = numbers.percent_share(relative, fixed=fixed)
            if relative > 0:
                gap += _verdict("better", _("%(share)s %% better") % {"share": share})
            elif relative < 0:
                gap += _verdict("worse", _("%(share)s %% worse") % {"share": share})
            else:
                gap += f' <span class="change__verdict">{texts.at_median}</span>'
    cells.append(f'<td class="num gap" data-col="gap">{gap}</td>')

    if row.change is None:
        change = muted_dash
    else:
        change = f'<span class="change__figure">{numbers.signed(row.change, d, fixed=fixed)}</span>'
        if direction != "neutral" and row.change != 0:
            if (row.change > 0) == (direction == "higher"):
                change += _verdict("better", texts.better)
            else:
                change += _verdict("worse", texts.worse)
    cells.append(f'<td class="num change" data-col="change">{change}</td>')

    if row.sparkline:
        said = "; ".join(f"{escape(p)}: {fixed(v, d)}" for p, v in row.trend)
        trend = f'{row.sparkline}<span class="visually-hidden">{said}</span>'
    else:
        trend = muted_dash
    cells.append(f'<td class="trend-cell" data-col="trend">{trend}</td>')
    cells.append(f'<td class="target-cell" data-col="target">{_target_cell(row, texts)}</td>')

    empty = "" if has_value else ' class="row--empty"'
    return f'<tr{empty} data-indicator="{escape(indicator.code)}">{"".join(cells)}</tr>'


def _target_cell(row: ScorecardRow, texts: _Texts) -> str:
    """The row's target cell, and for a row worse than the median a link to start an
    improvement project about it (when the user may)."""
    out = _target_mark(row, texts)
    projects = texts.projects
    gap = row.relative_gap
    if projects is not None and projects.start_url and gap is not None and gap < 0:
        href = projects.start_url + quote(row.indicator.code)
        out += f' <a class="start-project" href="{escape(href)}">{texts.start_project}</a>'
    practices = texts.practices
    weak = (gap is not None and gap < 0) or row.quartile == 4
    if practices is not None and weak and row.indicator.code in practices.links:
        href = practices.links[row.indicator.code]
        out += f' <a class="best-practices" href="{escape(href)}">{texts.best_practices}</a>'
    return out


def _target_mark(row: ScorecardRow, texts: _Texts) -> str:
    """The row's target: its status in words with a mark (never colour alone), the
    target of the status period, a link to the unit's targets; or a link to set one."""
    targets = texts.targets
    indicator = row.indicator
    if targets is None:
        return '<span class="muted">—</span>'
    mark = targets.marks.get(indicator.code)
    if mark is not None:
        out = (
            f'<a class="target-status target-status--{escape(mark.status)}"'
            f' href="{escape(mark.url)}"><span class="target-status__mark" aria-hidden="true">'
            f"{_TARGET_MARKS.get(mark.status, '')}</span> {escape(mark.label)}</a>"
        )
        if mark.target is not None:
            figure = texts.fixed(mark.target, indicator.decimals)
            out += f' <span class="cell-note">{escape(texts.target_of % {"target": figure})}</span>'
        return out
    if targets.set_url and indicator.direction != "neutral":
        href = targets.set_url + quote(indicator.code)
        # The row's heading (the indicator) gives the link its purpose (WCAG 2.4.4).
        return f'<a class="set-target" href="{escape(href)}">{texts.set_target}</a>'

    return '<span class="muted">—</span>'


_TARGET_MARKS = {"on_track": "✓", "at_risk": "!", "off_track": "✗", "no_data": "?"}


def _verdict(kind: str, text: str) -> str:
    return f' <span class="change__verdict change__verdict--{kind}">{escape(text)}</span>'
