"""Selectors of the indicator page: one indicator, one period, one peer group, and
optionally the unit the reader is looking from.

What a reader gets follows their scope (`accounts.scope`, `analytics.peers`):
coordinators and experts see every unit by name with the raw variable values behind
each figure; a manager or editor sees the other units' indicator values only — labelled
with pseudonyms in an anonymised programme — and raw values only of their own units.
Every figure is read from the stored result set or from the stored values; nothing is
computed here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied

from miara.accounts.scope import require_unit_access, visible_unit_ids
from miara.analytics.benchmark import ALL_UNITS, current_result_set
from miara.analytics.models import GroupStatistic, UnitResult
from miara.analytics.peers import unit_presenter
from miara.analytics.selectors import current_result_sets
from miara.catalogue.models import Indicator, Variable
from miara.collection.selectors import values_frame
from miara.engine.formula import current_references, parse, prev_references
from miara.engine.periods import Period
from miara.units.models import Unit


@dataclass(frozen=True)
class UnitLabel:
    """What the page may show of a unit (`analytics.peers`): its label, its code only when
    the reader may see it, and `own` when the reader may see its raw values too (their own
    units; every unit for coordinators and experts)."""

    label: str
    code: str | None
    own: bool


def unit_labeller(user):
    presenter = unit_presenter(user)
    sees_all = presenter.visible is None

    def label(unit_id: int, code: str, name: str) -> UnitLabel:
        shown = presenter.show(Unit(pk=unit_id, code=code, name=name))
        own = sees_all or shown.own
        return UnitLabel(label=shown.label, code=code if own else shown.code, own=own)

    label.visible = presenter.visible
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
    """The codes the indicator's formula reads, this period's first, then prev() ones."""
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


def table_excerpt(members: list[Member]) -> list[Member | None] | None:
    """The best and the weakest TABLE_ENDS and TABLE_AROUND on each side of the unit, in
    rank order with None for each run left out; None when the group is small enough."""
    if len(members) <= TABLE_ALL_UP_TO:
        return None
    keep = set(range(TABLE_ENDS)) | set(range(len(members) - TABLE_ENDS, len(members)))
    for i, m in enumerate(members):
        if m.highlight:
            keep |= set(range(max(0, i - TABLE_AROUND), min(len(members), i + TABLE_AROUND + 1)))
    excerpt: list[Member | None] = []
    for i, m in enumerate(members):
        if i in keep:
            excerpt.append(m)
        elif excerpt and excerpt[-1] is not None:
            excerpt.append(None)
    return excerpt


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
    stats = (
        GroupStatistic.objects.filter(
            result_set=result_set, indicator=indicator, group=group
        ).first()
        if result_set
        else None
    )
    labeller = unit_labeller(user)
    rows = (
        UnitResult.objects.filter(
            result_set=result_set, indicator=indicator, group=group
        ).values_list(
            "unit_id", "unit__code", "unit__name", "value", "rank", "percentile", "quartile"
        )
        if result_set
        else []
    )
    members = [
        Member(
            label=labeller(unit_id, code, name),
            value=value,
            rank=rank,
            percentile=percentile,
            quartile=quartile,
            highlight=unit is not None and unit_id == unit.pk,
        )
        for unit_id, code, name, value, rank, percentile, quartile in rows
    ]
    # Best first (rank); a neutral indicator has no rank: highest value first.
    members.sort(
        key=lambda m: (
            m.rank is None,
            m.rank or 0,
            -m.value if m.rank is None else 0,
            m.label.label,
        )
    )
    inputs = formula_inputs(indicator)
    table = table_excerpt(members) if excerpt else None
    shown = members if table is None else [m for m in table if m is not None]
    _attach_inputs(user, shown, inputs, period, previous_period)
    highlighted = next((m for m in members if m.highlight), None)
    lineage = _lineage(user, unit, inputs, period, previous_period) if unit else []
    return IndicatorDetail(
        indicator=indicator,
        period=period,
        previous_period=previous_period,
        group=group,
        unit=unit,
        stats=stats,
        members=members,
        inputs=inputs,
        lineage=lineage,
        trend=_trend(indicator, group, unit, period),
        raw_for_all=labeller.visible is None,
        highlighted=highlighted,
        table=table,
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
    half, and the unit's value."""
    kind = Period.parse(period).kind
    sets = [
        r
        for r in current_result_sets()
        if Period.parse(r.period).kind == kind and Period.parse(r.period) <= Period.parse(period)
    ]
    sets.sort(key=lambda r: Period.parse(r.period))
    by_set = {r.pk: r.period for r in sets}
    stats = {
        by_set[s.result_set_id]: s
        for s in GroupStatistic.objects.filter(
            result_set_id__in=list(by_set), indicator=indicator, group=group
        )
    }
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
            "period": p,
            "value": mine.get(p),
            "n": stats[p].n if p in stats else None,
            "median": stats[p].median if p in stats else None,
            "q1": stats[p].q1 if p in stats else None,
            "q3": stats[p].q3 if p in stats else None,
        }
        for p in (r.period for r in sets)
    ]
