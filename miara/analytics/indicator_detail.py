"""Selectors of the indicator page: one indicator, one period, one peer group, and
optionally the unit the reader is looking from.

What a reader gets follows their scope (`accounts.scope`, `analytics.peers`):
coordinators and experts see every unit by name with the raw variable values behind
each figure; a manager or editor sees the other units' indicator values only — labelled
in an anonymised programme with pseudonyms of this indicator and period, and there not
at all for a context (neutral) indicator, whose group figures alone are shown — and raw
values only of their own units.
Every figure is read from the stored result set or from the stored values; nothing is
computed here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl
from django.core.exceptions import PermissionDenied
from django.utils.translation import get_language

from miara.accounts.scope import require_unit_access, visible_unit_ids
from miara.analytics.benchmark import ALL_UNITS, current_result_set
from miara.analytics.models import GroupStatistic, UnitResult
from miara.analytics.peers import indicator_scope, unit_presenter
from miara.analytics.selectors import (
    current_result_sets_up_to,
    result_set_key,
    result_sets_stamp,
)
from miara.catalogue.models import Indicator, Variable
from miara.collection.selectors import values_frame
from miara.engine import stats
from miara.engine.formula import current_references, parse, prev_references
from miara.engine.periods import Period
from miara.lib import memo
from miara.units.models import Unit


@dataclass(frozen=True)
class UnitLabel:
    """What the page may show of a unit (`analytics.peers`): its label, its code only when
    the reader may see it, and `own` when the reader may see its raw values too (their own
    units; every unit for coordinators and experts)."""

    label: str
    code: str | None
    own: bool


def unit_labeller(user, indicator: Indicator, period: str):
    """Labels of the units of one indicator's figures in one period, as `user` sees them;
    `labeller.only_own` when the user may see no other unit's figure of it at all."""
    presenter = unit_presenter(user)
    sees_all = presenter.visible is None
    scope = indicator_scope(indicator.code, period)

    def label(unit_id: int, code: str, name: str) -> UnitLabel:
        shown = presenter.show(Unit(pk=unit_id, code=code, name=name), scope=scope)
        own = sees_all or shown.own
        return UnitLabel(label=shown.label, code=code if own else shown.code, own=own)

    label.visible = presenter.visible
    # One question for the whole indicator: another unit's figure is shown, or none is.
    label.only_own = not presenter.shows_unit_values(Unit(pk=None), indicator.direction)
    return label


@dataclass(frozen=True)
class Input:
    """One code the formula reads: a stored variable, or another indicator."""

    code: str
    label: str
    measure: str
    kind: str  # "variable" | "indicator"
    previous: bool  # read through prev(): the value of the previous period

    @property
    def key(self) -> str:
        return f"prev:{self.code}" if self.previous else self.code


@dataclass(frozen=True)
class LineageItem:
    input: Input
    period: str
    value: float | None
    stored: bool  # False: nothing is stored for this unit, code and period


@dataclass
class Member:
    label: UnitLabel
    value: float
    rank: int | None
    percentile: float | None
    quartile: int | None
    highlight: bool
    inputs: dict[str, float | None] | None = None  # raw values, when the reader may see them


@dataclass
class IndicatorDetail:
    indicator: Indicator
    period: str
    previous_period: str
    group: str
    unit: Unit | None
    stats: GroupStatistic | None
    members: list[Member]
    inputs: list[Input]
    lineage: list[LineageItem]
    trend: list[dict]
    raw_for_all: bool
    highlighted: Member | None = None
    dropped: int = field(default=0)
    # The rows of the page's table: every member, or for a large group the best and the
    # weakest and those around the unit, with None where rows are left out (the CSV has all).
    table: list[Member | None] | None = None
    # How many units have a value; with `excerpt`, `members` of a group larger than
    # TABLE_ALL_UP_TO holds only the units the page shows (the ends, the unit and its
    # neighbours), `histogram` the group's shape and `unit_options` every unit's
    # (code, name) when the reader may look from any of them.
    count: int = 0
    ranking: list[Member] = field(default_factory=list)
    ranking_shortened: bool = False
    histogram: tuple[dict, ...] | None = None
    unit_options: tuple[tuple[str, str], ...] = ()
    rows_key: str = ""
    # The reader sees no other unit's figure of it (a context indicator, anonymised).
    only_own: bool = False

    @property
    def table_rows(self) -> list[Member | None]:
        return self.members if self.table is None else self.table

    @property
    def table_shortened(self) -> bool:
        return self.table is not None

    @property
    def n(self) -> int:
        return self.stats.n if self.stats else 0

    @property
    def ranked(self) -> bool:
        return self.indicator.direction != "neutral" and self.n >= 2


def indicator_groups(*, indicator: Indicator, period: str) -> list[str]:
    """The groups with statistics for the indicator in the period: `all` first."""
    result_set = current_result_set(period)
    if result_set is None:
        return []
    codes = set(
        GroupStatistic.objects.filter(result_set=result_set, indicator=indicator).values_list(
            "group", flat=True
        )
    )
    codes.discard(ALL_UNITS)
    return [ALL_UNITS, *sorted(codes)]


def formula_inputs(indicator: Indicator) -> list[Input]:
    """The codes the indicator's formula reads, this period's first, then prev() ones
    (kept in the page cache under the formula's text and the reader's language: names
    and units of measure are in that language, at most the cache's seconds old)."""
    return list(
        memo.get_or_build(
            f"formula-inputs:{indicator.pk}:{get_language()}:{indicator.formula}",
            lambda: tuple(_formula_inputs(indicator)),
        )
    )


def _formula_inputs(indicator: Indicator) -> list[Input]:
    tree = parse(indicator.formula)
    now, before = current_references(tree), prev_references(tree)
    codes = now | before
    variables = {v.code: v for v in Variable.objects.filter(code__in=codes)}
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=codes)}
    found = []
    for previous, group in ((False, now), (True, before)):
        for code in sorted(group):
            entry = variables.get(code) or indicators.get(code)
            if entry is None:
                continue
            found.append(
                Input(
                    code=code,
                    label=entry.label,
                    measure=entry.unit,
                    kind="variable" if code in variables else "indicator",
                    previous=previous,
                )
            )
    return found


def default_unit(user) -> Unit | None:
    """The unit a manager or editor looks from when the address names none."""
    visible = visible_unit_ids(user)
    if visible is None:
        return None
    unit = Unit.objects.filter(pk__in=visible).order_by("name").first()
    if unit is None:
        raise PermissionDenied
    return unit


# A national group has thousands of units: a page lists at most this many of them (the
# ends of the ranking and the unit's neighbours); the CSV download lists them all.
TABLE_ALL_UP_TO = 60
TABLE_ENDS = 10
TABLE_AROUND = 5
# The ranking chart shows every unit up to this many, else the best and weakest ten.
RANKING_ALL_UP_TO = 40
RANKING_ENDS = 10
# Above this many units the distribution is drawn as a histogram, not one dot per unit.
DOTS_UP_TO = 400
HISTOGRAM_BINS = 30


def _excerpt_positions(count: int, highlight: int | None) -> list[int]:
    """Positions (in rank order) of the table's rows for a group of `count` units."""
    if count <= TABLE_ALL_UP_TO:
        return list(range(count))
    keep = set(range(TABLE_ENDS)) | set(range(count - TABLE_ENDS, count))
    if highlight is not None:
        keep |= set(
            range(max(0, highlight - TABLE_AROUND), min(count, highlight + TABLE_AROUND + 1))
        )
    return sorted(keep)


def excerpt_positions(count: int, highlight: int | None) -> list[int | None] | None:
    """Positions (in rank order) of the page table's rows for a group of `count` units:
    the best and the weakest TABLE_ENDS and TABLE_AROUND on each side of the unit at
    `highlight`, with None for each run left out; None when the group is listed whole."""
    if count <= TABLE_ALL_UP_TO:
        return None
    out: list[int | None] = []
    for i in _excerpt_positions(count, highlight):
        if out and out[-1] is not None and i != out[-1] + 1:
            out.append(None)
        out.append(i)
    return out


def _ranking_positions(count: int, highlight: int | None) -> list[int]:
    if count <= RANKING_ALL_UP_TO:
        return list(range(count))
    keep = set(range(RANKING_ENDS)) | set(range(count - RANKING_ENDS, count))
    if highlight is not None:
        keep.add(highlight)
    return sorted(keep)


def _rank_key(row: tuple) -> tuple:
    # row: (unit_id, code, name, value, rank, percentile, quartile). Best first (rank);
    # a neutral indicator has no rank: highest value first.
    return (row[4] is None, row[4] or 0, -row[3] if row[4] is None else 0)


def group_rows(result_set, indicator: Indicator, group: str) -> tuple[tuple, ...]:
    """Every unit's stored figures of the indicator in the group, in rank order (ties by
    name): `(unit_id, code, name, value, rank, percentile, quartile)`. Kept in the page
    cache (`lib.memo`) under the result set, so a national group is read once, not once
    per page; never filtered by a reader — callers label the units through `unit_labeller`.
    """
    if result_set is None:
        return ()

    def read() -> tuple[tuple, ...]:
        rows = list(
            UnitResult.objects.filter(
                result_set=result_set, indicator=indicator, group=group
            ).values_list(
                "unit_id", "unit__code", "unit__name", "value", "rank", "percentile", "quartile"
            )
        )
        rows.sort(key=lambda r: (*_rank_key(r), r[2]))
        return tuple(rows)

    return memo.get_or_build("indicator-rows:" + rows_key(result_set, indicator, group), read)


def group_positions(result_set, indicator: Indicator, group: str) -> dict[int, int]:
    """Unit id -> its position in `group_rows` (read-only: it is shared)."""
    return memo.get_or_build(
        "indicator-positions:" + rows_key(result_set, indicator, group),
        lambda: {r[0]: i for i, r in enumerate(group_rows(result_set, indicator, group))},
    )


def rows_key(result_set, indicator: Indicator, group: str) -> str:
    """What `group_rows` of these arguments are kept under (for what is derived from them)."""
    if result_set is None:
        return "none"
    # The reader's language too: labels in the kept rows (pseudonyms' wording, names of
    # groups) are written in it.
    return f"{result_set_key(result_set)}:{indicator.pk}:{group}:{get_language()}"


def group_unit_options(result_set, indicator: Indicator, group: str) -> tuple:
    """`(code, name)` of every unit of `group_rows`, by name: whom a reader who sees every
    unit may look from."""
    return memo.get_or_build(
        "indicator-options:" + rows_key(result_set, indicator, group),
        lambda: tuple(
            sorted(
                ((r[1], r[2]) for r in group_rows(result_set, indicator, group)),
                key=lambda o: (o[1], o[0]),
            )
        ),
    )


def _labelled_order(rows: tuple[tuple, ...], labeller, sees_all: bool) -> list[tuple]:
    """`rows` with units of equal rank ordered by what the reader sees (their name, or
    their pseudonym), as the page has always ordered them: for a reader who sees every
    name the cached order is already that one."""
    if sees_all or len(rows) < 2:
        return list(rows)
    ordered: list[tuple] = []
    start = 0
    for end in range(1, len(rows) + 1):
        if end == len(rows) or _rank_key(rows[end]) != _rank_key(rows[start]):
            run = rows[start:end]
            if len(run) > 1:
                run = sorted(run, key=lambda r: labeller(r[0], r[1], r[2]).label)
            ordered.extend(run)
            start = end
    return ordered


def indicator_detail(
    *,
    user,
    indicator: Indicator,
    period: str,
    group: str,
    unit: Unit | None,
    excerpt: bool = False,
) -> IndicatorDetail:
    """The indicator page's figures; `excerpt` bounds the table of a large group (the
    page), else every member carries its raw inputs (the CSV)."""
    if unit is not None:
        require_unit_access(user, unit)
    elif visible_unit_ids(user) is not None:
        # Managers and editors compare from one of their units, never a group they're not in.
        raise PermissionDenied
    result_set = current_result_set(period)
    previous_period = Period.parse(period).previous().code
    stats_row = (
        GroupStatistic.objects.filter(
            result_set=result_set, indicator=indicator, group=group
        ).first()
        if result_set
        else None
    )
    labeller = unit_labeller(user, indicator, period)
    rows = group_rows(result_set, indicator, group)
    if labeller.only_own:  # a context indicator in an anonymised programme: group figures
        rows = tuple(r for r in rows if r[0] in labeller.visible)
    rows = _labelled_order(rows, labeller, labeller.visible is None)
    count = len(rows)
    highlight = None
    if unit is not None:
        if labeller.visible is None:  # the cached order: look the unit up in its index
            highlight = group_positions(result_set, indicator, group).get(unit.pk)
        else:
            highlight = next((i for i, r in enumerate(rows) if r[0] == unit.pk), None)
    if excerpt and count > TABLE_ALL_UP_TO:
        # A large group: only the units the page shows are labelled and carried.
        shown_positions = sorted(
            set(_excerpt_positions(count, highlight)) | set(_ranking_positions(count, highlight))
        )
    else:
        shown_positions = list(range(count))
    by_position = {
        i: Member(
            label=labeller(rows[i][0], rows[i][1], rows[i][2]),
            value=rows[i][3],
            rank=rows[i][4],
            percentile=rows[i][5],
            quartile=rows[i][6],
            highlight=i == highlight,
        )
        for i in shown_positions
    }
    members = [by_position[i] for i in shown_positions]
    inputs = formula_inputs(indicator)
    table = None
    if excerpt and count > TABLE_ALL_UP_TO:
        table = [None if i is None else by_position[i] for i in excerpt_positions(count, highlight)]
    shown = members if table is None else [m for m in table if m is not None]
    _attach_inputs(user, shown, inputs, period, previous_period)
    highlighted = by_position.get(highlight) if highlight is not None else None
    lineage = _lineage(user, unit, inputs, period, previous_period) if unit else []
    ranking_positions = _ranking_positions(count, highlight)
    histogram = None
    if excerpt and count > DOTS_UP_TO:
        histogram = memo.get_or_build(
            f"indicator-histogram:{HISTOGRAM_BINS}:" + rows_key(result_set, indicator, group),
            lambda: tuple(
                stats.histogram(pl.Series("value", [r[3] for r in rows]), HISTOGRAM_BINS).iter_rows(
                    named=True
                )
            ),
        )
    return IndicatorDetail(
        indicator=indicator,
        period=period,
        previous_period=previous_period,
        group=group,
        unit=unit,
        stats=stats_row,
        members=members,
        inputs=inputs,
        lineage=lineage,
        trend=_trend(indicator, group, unit, period),
        raw_for_all=labeller.visible is None,
        highlighted=highlighted,
        table=table,
        count=count,
        ranking=[by_position[i] for i in ranking_positions],
        ranking_shortened=len(ranking_positions) < count,
        histogram=histogram,
        unit_options=group_unit_options(result_set, indicator, group)
        if labeller.visible is None
        else (),
        rows_key=rows_key(result_set, indicator, group),
        only_own=labeller.only_own,
    )


def _input_values(user, unit_codes, inputs, period, previous_period) -> dict:
    """`(unit code, input key) -> value` for the given units: variables from the stored
    values (scoped to the user), indicators from the result set's group `all`."""
    found: dict[tuple[str, str], float | None] = {}
    if not unit_codes or not inputs:
        return found
    variables = [i for i in inputs if i.kind == "variable"]
    if variables:
        frame = values_frame(
            user=user,
            periods=sorted({previous_period if i.previous else period for i in variables}),
            units=unit_codes,
            variables=sorted({i.code for i in variables}),
            few=True,
        )
        stored = {
            (r["unit"], r["variable"], r["period"]): r["value"] for r in frame.iter_rows(named=True)
        }
        for i in variables:
            wanted = previous_period if i.previous else period
            for code in unit_codes:
                if (code, i.code, wanted) in stored:
                    found[(code, i.key)] = stored[(code, i.code, wanted)]
    visible = visible_unit_ids(user)
    for i in (i for i in inputs if i.kind == "indicator"):
        result_set = current_result_set(previous_period if i.previous else period)
        if result_set is None:
            continue
        rows = UnitResult.objects.filter(
            result_set=result_set,
            indicator__code=i.code,
            group=ALL_UNITS,
            unit__code__in=unit_codes,
        )
        if visible is not None:
            rows = rows.filter(unit_id__in=visible)
        for code, value in rows.values_list("unit__code", "value"):
            found[(code, i.key)] = value
    return found


def _attach_inputs(user, members, inputs, period, previous_period) -> None:
    """Raw inputs on each member whose values the user may read (all, or only their own);
    the others keep `inputs = None`, so a template cannot show what was never read."""
    own = [m for m in members if m.label.own]
    if not inputs or not own:
        return
    values = _input_values(user, [m.label.code for m in own], inputs, period, previous_period)
    for member in own:
        member.inputs = {i.key: values.get((member.label.code, i.key)) for i in inputs}


def _lineage(user, unit, inputs, period, previous_period) -> list[LineageItem]:
    values = _input_values(user, [unit.code], inputs, period, previous_period)
    return [
        LineageItem(
            input=i,
            period=previous_period if i.previous else period,
            value=values.get((unit.code, i.key)),
            stored=(unit.code, i.key) in values,
        )
        for i in inputs
    ]


def _trend(indicator: Indicator, group: str, unit: Unit | None, period: str) -> list[dict]:
    """Per computed period of the same kind up to `period`: the group's median and middle
    half (kept in the page cache under the result sets, `lib.memo`), and the unit's value."""
    sets = current_result_sets_up_to(period)
    by_set = {r.pk: r.period for r in sets}
    stamp = result_sets_stamp(sets)

    def group_part() -> tuple[dict, ...]:
        found = {
            by_set[rs]: (n, median, q1, q3)
            for rs, n, median, q1, q3 in GroupStatistic.objects.filter(
                result_set_id__in=list(by_set), indicator=indicator, group=group
            ).values_list("result_set_id", "n", "median", "q1", "q3")
        }
        return tuple(
            dict(
                zip(
                    ("period", "n", "median", "q1", "q3"),
                    (p, *found.get(p, (None,) * 4)),
                    strict=True,
                )
            )
            for p in (r.period for r in sets)
        )

    rows = memo.get_or_build(
        f"indicator-trend:{stamp}:{indicator.pk}:{group}:{get_language()}", group_part
    )
    mine = {}
    if unit is not None:
        mine = {
            by_set[rs]: value
            for rs, value in UnitResult.objects.filter(
                result_set_id__in=list(by_set), indicator=indicator, group=group, unit=unit
            ).values_list("result_set_id", "value")
        }
    return [
        {
            "period": row["period"],
            "value": mine.get(row["period"]),
            "n": row["n"],
            "median": row["median"],
            "q1": row["q1"],
            "q3": row["q3"],
        }
        for row in rows
    ]
