"""Comparisons: chosen units (or a unit's similar units / peer group) side by side.

A `Selection` is what a comparison's link encodes; `comparison_units` decides, for the
acting user, which units it may show (methodology.md, "Publication and anonymity":
participants of an anonymised programme compare their own units with the median of a
peer group of their own unit, never with other units one by one); `comparison_table` reads the stored values
of those units and the median of the reference group (stored, or from the engine for
similar units). Saved comparisons are written by `saved_comparison_create/delete`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

import polars as pl
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from miara.accounts.audit import audit_record
from miara.accounts.scope import can_see_unit, visible_unit_ids
from miara.analytics.context import median_intervals
from miara.analytics.models import GroupStatistic, SavedComparison, UnitResult
from miara.analytics.peers import ShownUnit, may_pick_other_units, unit_presenter
from miara.analytics.selectors import current_result_sets, results_frame
from miara.analytics.similar import (
    SIMILAR,
    SimilarChoice,
    similar_codes,
    similar_group_statistics,
    similarity_defaults,
)
from miara.catalogue.models import Indicator, PeerGroup
from miara.engine.context import SMALL_GROUP, bootstrap_median_intervals
from miara.lib.collation import sorted_by_name
from miara.units.models import Unit

ALL_UNITS = "all"
MAX_UNITS = 25
MAX_INDICATORS = 12


class SelectionNotFound(Exception):
    """A unit, indicator, period or peer group of the selection that does not exist."""


class SelectionInvalid(Exception):
    """A selection a page cannot show as asked; the message says what to change."""


class SelectionTooLarge(SelectionInvalid):
    """More units or indicators than one page can compare legibly."""


@dataclass(frozen=True)
class Selection:
    """What a comparison shows; `query()` is its shareable link's query string."""

    period: str
    units: tuple[str, ...] = ()
    indicators: tuple[str, ...] = ()
    focus: str = ""
    peers: str = ""
    similar: SimilarChoice | None = None

    def query(self) -> str:
        params = {"period": self.period}
        if self.focus:
            params["unit"] = self.focus
        if self.peers:
            params["peers"] = self.peers
        if self.peers == SIMILAR and self.similar is not None:
            params["variables"] = ",".join(self.similar.variables)
            params["k"] = str(self.similar.k)
        if self.units:
            params["units"] = ",".join(self.units)
        if self.indicators:
            params["indicators"] = ",".join(self.indicators)
        return urlencode(params, safe=",")

    @property
    def is_complete(self) -> bool:
        return bool(self.indicators) and bool(self.units or (self.focus and self.peers))


def check_selection(selection: Selection) -> None:
    """Raise `SelectionNotFound` for a code that does not exist, `SelectionTooLarge` for
    too many indicators (units are counted in `comparison_units`, after peers)."""
    known = set(
        Unit.objects.filter(code__in=[*selection.units, selection.focus]).values_list(
            "code", flat=True
        )
    )
    for code in [*selection.units, *([selection.focus] if selection.focus else [])]:
        if code not in known:
            raise _no_unit(code)
    indicators = set(
        Indicator.objects.filter(code__in=selection.indicators).values_list("code", flat=True)
    )
    for code in selection.indicators:
        if code not in indicators:
            raise SelectionNotFound(
                _("There is no indicator with the code “%(code)s”.") % {"code": code}
            )
    if (
        selection.peers
        and selection.peers != SIMILAR
        and not PeerGroup.objects.filter(code=selection.peers).exists()
    ):
        raise SelectionNotFound(
            _("There is no peer group with the code “%(code)s”.") % {"code": selection.peers}
        )
    if selection.peers and not selection.focus:
        raise SelectionInvalid(_("Choose the unit whose peers are compared."))
    if len(selection.indicators) > MAX_INDICATORS:
        raise SelectionTooLarge(
            _(
                "You chose %(count)s indicators; a comparison shows at most %(max)s at once. "
                "Untick some, or save several comparisons."
            )
            % {"count": len(selection.indicators), "max": MAX_INDICATORS}
        )


@dataclass(frozen=True)
class ComparedUnit:
    unit: Unit
    shown: ShownUnit
    focus: bool = False

    @property
    def highlight(self) -> bool:
        """Marked in the accent colour: the unit whose peers these are, or the user's own."""
        return self.focus or self.shown.own


def _no_unit(code: str) -> SelectionNotFound:
    """What a unit the user may not see answers: the words of a code that does not exist."""
    return SelectionNotFound(_("There is no unit with the code “%(code)s”.") % {"code": code})


def comparison_units(*, user, selection: Selection) -> list[ComparedUnit]:
    """The units of the selection the user may compare, in order: the focus unit, the
    units chosen, then its peers (nearest first for similar units).

    Raises `SelectionNotFound` when the focus unit is not the user's to see, or when the
    user names another unit that the programme does not let them pick (anonymised) —
    worded as for a code that does not exist, so that codes cannot be probed — and for a
    group the focus unit is not in; `SelectionTooLarge` for
    more than `MAX_UNITS` units.
    """
    check_selection(selection)
    by_code = Unit.objects.in_bulk([*selection.units, selection.focus], field_name="code")
    codes: list[str] = []
    if selection.focus:
        focus = by_code[selection.focus]
        if not can_see_unit(user, focus):
            raise _no_unit(selection.focus)
        codes.append(focus.code)
    picking_others = may_pick_other_units(user)
    for code in selection.units:
        if not (picking_others or can_see_unit(user, by_code[code])):
            raise _no_unit(code)
        codes.append(code)
    if selection.peers:
        codes += _peer_codes(by_code[selection.focus], selection)
    codes = list(dict.fromkeys(codes))
    if len(codes) > MAX_UNITS:
        raise SelectionTooLarge(
            _(
                "This comparison has %(count)s units; a comparison shows at most %(max)s at "
                "once. Choose fewer units, fewer similar units or a smaller peer group."
            )
            % {"count": len(codes), "max": MAX_UNITS}
        )
    units = Unit.objects.in_bulk(codes, field_name="code")
    presenter = unit_presenter(user)
    if not presenter.named:
        # Anonymised, a participant: a column follows one unit across indicators (and the
        # nearest-first order of similar units is reproducible from public statistics),
        # so other units are not shown one by one; their figures reach the comparison
        # only through the reference group's median (methodology.md, "Anonymity").
        codes = [c for c in codes if presenter.is_own(units[c])]
    return [
        ComparedUnit(
            units[c], presenter.show(units[c], scope="comparison"), focus=c == selection.focus
        )
        for c in codes
    ]


def _peer_codes(focus: Unit, selection: Selection) -> list[str]:
    if selection.peers == SIMILAR:
        choice = selection.similar or similarity_defaults()
        if choice is None:
            return []
        return similar_codes(unit=focus, period=selection.period, choice=choice)
    result_sets = current_result_sets([selection.period])
    if not result_sets:
        return []
    members = list(
        UnitResult.objects.filter(result_set=result_sets[0], group=selection.peers)
        .values_list("unit__code", flat=True)
        .distinct()
    )
    if focus.code not in members:
        raise SelectionNotFound(
            _("%(unit)s is not in the group “%(group)s” in %(period)s.")
            % {"unit": focus.name, "group": selection.peers, "period": selection.period}
        )
    return sorted(c for c in members if c != focus.code)


@dataclass
class ComparisonRow:
    """One indicator: each unit's stored value (None: no data) and the reference median."""

    indicator: Indicator
    values: list[float | None]
    median: float | None = None
    n: int | None = None
    cells: list[tuple[ComparedUnit, float | None]] = field(default_factory=list)
    # (low, high): the 90 % bootstrap interval of a small reference group's median.
    interval: tuple[float, float] | None = None


@dataclass
class Comparison:
    selection: Selection
    units: list[ComparedUnit]
    rows: list[ComparisonRow] = field(default_factory=list)
    reference_label: str = ""


def comparison_table(*, user, selection: Selection) -> Comparison:
    """The selection's values side by side, as the user may see them.

    Values are the stored figures of the current result set (group `all`); the median
    is the reference group's: the focus unit's similar units (from the engine) or peer
    group (stored), else all units (stored).
    """
    units = comparison_units(user=user, selection=selection)
    codes = [u.unit.code for u in units]
    # The system's read of exactly the units authorised above.
    stored = results_frame(
        periods=[selection.period],
        groups=[ALL_UNITS],
        units=codes,
        indicators=list(selection.indicators),
    )
    values = {(r["indicator"], r["unit"]): r["value"] for r in stored.iter_rows(named=True)}
    medians, label, intervals = _reference(selection)
    indicators = Indicator.objects.in_bulk(list(selection.indicators), field_name="code")
    presenter = unit_presenter(user)
    rows = []
    for code in selection.indicators:
        median, n = medians.get(code, (None, None))
        interval = intervals.get(code)
        if interval is not None and not _interval_shown(presenter, selection, indicators[code]):
            interval = None
        row_values = [values.get((code, unit)) for unit in codes]
        rows.append(
            ComparisonRow(
                indicator=indicators[code],
                values=row_values,
                median=median,
                n=n,
                cells=list(zip(units, row_values, strict=True)),
                interval=interval,
            )
        )
    return Comparison(selection=selection, units=units, rows=rows, reference_label=label)


def _interval_shown(presenter, selection: Selection, indicator: Indicator) -> bool:
    """Whether the median's interval may be shown: the bounds of a small group's interval
    are often single units' values, so a participant of an anonymised programme gets it
    only where they see the group's values one by one anyway — a stored group's
    performance indicator (under pseudonyms on the indicator page), not a context figure,
    nor a similar-units group, whose members must not be chained to those pseudonyms."""
    if presenter.named:
        return True
    return selection.peers != SIMILAR and indicator.direction != "neutral"


def _reference(
    selection: Selection,
) -> tuple[dict[str, tuple[float | None, int]], str, dict[str, tuple[float, float]]]:
    """Median and n per indicator of the reference group, the group's name, and the 90 %
    bootstrap interval of each median of fewer than SMALL_GROUP units."""
    if selection.peers == SIMILAR:
        choice = selection.similar or similarity_defaults()
        focus = Unit.objects.get(code=selection.focus)
        stats = similar_group_statistics(
            unit=focus,
            period=selection.period,
            choice=choice,
            indicators=list(selection.indicators),
        )
        medians = {
            r["indicator"]: (r["median"], r["n"]) for r in stats.groups.iter_rows(named=True)
        }
        small = bootstrap_median_intervals(stats.units.select("indicator", "value"), ["indicator"])
        intervals = {code: (low, high) for code, _n, low, high in small.rows()}
        # Fewer than k units may have every variable: say how many there are.
        found = len(similar_codes(unit=focus, period=selection.period, choice=choice))
        label = _("%(unit)s and its %(k)s similar units") % {"unit": focus.name, "k": found}
        return medians, label, intervals
    group = selection.peers or ALL_UNITS
    result_sets = current_result_sets([selection.period])
    if not result_sets:
        return {}, "", {}
    stored = list(
        GroupStatistic.objects.filter(
            result_set=result_sets[0], group=group, indicator__code__in=selection.indicators
        ).values_list("indicator__code", "median", "n", "indicator_id")
    )
    medians = {code: (median, n) for code, median, n, _id in stored}
    by_id = median_intervals(result_sets[0], group)
    intervals = {code: by_id[i] for code, _m, n, i in stored if n < SMALL_GROUP and i in by_id}
    if group == ALL_UNITS:
        return medians, _("All units"), intervals
    entry = PeerGroup.objects.filter(code=group).first()
    return medians, entry.label if entry else group, intervals


def comparison_chart_rows(comparison: Comparison, row: ComparisonRow) -> list[dict]:
    """The chart's bars for one indicator: units with a value, in the table's order."""
    return [
        {"label": unit.shown.label, "value": value, "highlight": unit.highlight}
        for unit, value in zip(comparison.units, row.values, strict=True)
        if value is not None
    ]


def pickable_units(user) -> list[Unit]:
    """Units the user may tick by name in the comparison form."""
    if may_pick_other_units(user):
        return sorted_by_name(Unit.objects.all())
    visible = visible_unit_ids(user) or set()
    return sorted_by_name(Unit.objects.filter(pk__in=visible))


def focus_units(user) -> list[Unit]:
    """Units whose peers the user may compare with: the units they may see."""
    visible = visible_unit_ids(user)
    if visible is None:
        return sorted_by_name(Unit.objects.all())
    return sorted_by_name(Unit.objects.filter(pk__in=visible))


def saved_comparisons(*, user) -> list[SavedComparison]:
    return list(SavedComparison.objects.filter(owner=user))


def saved_selection(saved: SavedComparison) -> Selection:
    similar = (
        SimilarChoice(tuple(saved.similar_variables), saved.similar_k)
        if saved.peers == SIMILAR and saved.similar_variables and saved.similar_k
        else None
    )
    return Selection(
        period=saved.period,
        units=tuple(saved.units),
        indicators=tuple(saved.indicators),
        focus=saved.focus,
        peers=saved.peers,
        similar=similar,
    )


def saved_comparison_create(*, owner, name: str, selection: Selection) -> SavedComparison:
    """Save a selection under a name for its owner; only a selection the owner may open."""
    if not selection.is_complete:
        raise SelectionInvalid(_("Choose at least one unit (or a unit's peers) and one indicator."))
    comparison_units(user=owner, selection=selection)  # authorises, or raises
    name = name.strip()[:120] or _("Comparison of %(period)s") % {"period": selection.period}
    with transaction.atomic():
        saved = SavedComparison(
            owner=owner,
            name=name,
            units=list(selection.units),
            indicators=list(selection.indicators),
            period=selection.period,
            focus=selection.focus,
            peers=selection.peers,
            similar_variables=list(selection.similar.variables) if selection.similar else [],
            similar_k=selection.similar.k if selection.similar else None,
        )
        saved.full_clean()
        saved.save()
        audit_record(
            user=owner,
            action="comparison.save",
            channel="web",
            summary=f"saved comparison “{name}”",
            details={"id": saved.pk, "query": selection.query()},
        )
    return saved


def saved_comparison_delete(*, owner, saved: SavedComparison) -> None:
    if saved.owner_id != owner.pk:
        raise PermissionDenied
    with transaction.atomic():
        audit_record(
            user=owner,
            action="comparison.delete",
            channel="web",
            summary=f"deleted saved comparison “{saved.name}”",
            details={"id": saved.pk},
        )
        saved.delete()


def frame_of(comparison: Comparison) -> pl.DataFrame:
    """The comparison as rows for its CSV: one per indicator and unit."""
    records = []
    for row in comparison.rows:
        for unit, value in zip(comparison.units, row.values, strict=True):
            records.append(
                {
                    "period": comparison.selection.period,
                    "indicator": row.indicator.code,
                    "name": row.indicator.label,
                    "unit": unit.shown.key,
                    "unit_name": unit.shown.label,
                    "value": value,
                    "reference_group": comparison.reference_label,
                    "median": row.median,
                    "n": row.n,
                }
            )
    return pl.DataFrame(
        records,
        schema={
            "period": pl.String,
            "indicator": pl.String,
            "name": pl.String,
            "unit": pl.String,
            "unit_name": pl.String,
            "value": pl.Float64,
            "reference_group": pl.String,
            "median": pl.Float64,
            "n": pl.Int64,
        },
    )
