"""Similar units (methodology.md, "Peer groups"): reads, the group's statistics, defaults.

The k units nearest to a unit in the space of chosen structural variables come from the
engine (`engine.groups.similar_units`), on the stored values of the period. The statistics
of a unit within its similar units come from the engine too (`engine.stats`), on the
indicator values of the current result set (rows of the group `all` hold each unit's
value). Other units' raw values leave here only for users who see them named.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from miara.accounts.audit import audit_record
from miara.accounts.scope import is_coordinator, require_unit_access
from miara.analytics.models import SimilarityDefaults
from miara.analytics.peers import ShownUnit, similar_scope, unit_presenter
from miara.analytics.selectors import computed_periods, results_frame
from miara.catalogue.models import Indicator, Variable
from miara.collection.selectors import values_frame
from miara.engine import groups as engine_groups
from miara.engine import stats as engine_stats
from miara.engine.periods import Period
from miara.units.models import Unit

SIMILAR = "similar"
DEFAULT_K = 10
MIN_K = 1
MAX_K = 50
# In an anonymised programme a participant comparing with one or two similar units could
# tell who is behind each pseudonym (the structural variables are public statistics):
# participants there compare with at least this many (methodology.md, "Similar units").
MIN_K_PSEUDONYMISED = 3


def min_k(user=None) -> int:
    """The fewest similar units `user` may compare with (None: the system, no limit)."""
    from miara.analytics.peers import others_named

    if user is None or others_named(user):
        return MIN_K
    return max(MIN_K, MIN_K_PSEUDONYMISED)


class SimilarChoiceError(ValueError):
    """A choice of variables or k that a page cannot use; the message is for people."""


@dataclass(frozen=True)
class SimilarChoice:
    """Which structural variables (codes, in the chosen order) and how many units."""

    variables: tuple[str, ...]
    k: int

    def query(self) -> str:
        """The choice as query-string parameters (`variables=A,B&k=10`)."""
        return f"variables={','.join(self.variables)}&k={self.k}"


def structural_variables() -> list[Variable]:
    """The context variables of the catalogue (no service area: population, area, budget...),
    which every unit reports and similar units are chosen by."""
    return list(Variable.objects.filter(area__isnull=True).order_by("code"))


def similarity_defaults() -> SimilarChoice | None:
    """The coordinator's default choice, else every structural variable and k = 10;
    None when the catalogue has no structural variable."""
    available = [v.code for v in structural_variables()]
    if not available:
        return None
    saved = SimilarityDefaults.objects.order_by("-updated_at", "-id").first()
    if saved is not None:
        chosen = [code for code in saved.variables if code in available]
        if chosen:
            return SimilarChoice(tuple(chosen), min(max(saved.k, MIN_K), MAX_K))
    return SimilarChoice(tuple(available), DEFAULT_K)


def similar_choice(variables=None, k=None, *, user=None) -> SimilarChoice | None:
    """The choice a request makes (`variables`: codes as a list or comma-separated text;
    `k`: text or int), the defaults filling what it leaves out. Raises
    `SimilarChoiceError` for an unknown variable or a k out of range; for a participant
    of an anonymised programme (`user`) the range starts at MIN_K_PSEUDONYMISED, and a
    smaller default is raised to it."""
    defaults = similarity_defaults()
    if defaults is None:
        return None
    if isinstance(variables, str):
        variables = [v for v in variables.split(",")]
    codes = [v.strip() for v in variables or [] if v and v.strip()]
    codes = list(dict.fromkeys(codes))  # keep the order, drop repeats
    available = {v.code for v in structural_variables()}
    unknown = [c for c in codes if c not in available]
    if unknown:
        raise SimilarChoiceError(
            _("%(codes)s: not a structural variable. Choose from: %(available)s.")
            % {"codes": ", ".join(unknown), "available": ", ".join(sorted(available))}
        )
    low = min_k(user)
    if k in (None, ""):
        count = max(defaults.k, low)
    else:
        try:
            count = int(k)
        except (TypeError, ValueError):
            count = None
        if count is not None and MIN_K <= count < low:
            raise SimilarChoiceError(
                _(
                    "Other units are shown under pseudonyms, so compare with at least "
                    "%(low)s similar units: with fewer, a pseudonym could be told apart."
                )
                % {"low": low}
            )
        if count is None or not low <= count <= MAX_K:
            raise SimilarChoiceError(
                _("The number of similar units must be a whole number from %(low)s to %(high)s.")
                % {"low": low, "high": MAX_K}
            )
    return SimilarChoice(tuple(codes) if codes else defaults.variables, count)


def choice_label(choice: SimilarChoice) -> str:
    """The group's name as pages show it: "Similar units (10 nearest by Population, Area)"."""
    names = {v.code: v.label for v in Variable.objects.filter(code__in=choice.variables)}
    return _("Similar units (%(k)s nearest by %(variables)s)") % {
        "k": choice.k,
        "variables": ", ".join(names.get(c, c) for c in choice.variables),
    }


def similarity_defaults_set(*, user, choice: SimilarChoice) -> SimilarityDefaults:
    """Make `choice` the programme's default similar units (coordinators only)."""
    if not is_coordinator(user):
        raise PermissionDenied
    with transaction.atomic():
        saved = SimilarityDefaults.objects.create(
            variables=list(choice.variables), k=choice.k, updated_by=user
        )
        audit_record(
            user=user,
            action="similar.defaults_set",
            channel="web",
            summary=f"similar units by {', '.join(choice.variables)}, k = {choice.k}",
            details={"variables": list(choice.variables), "k": choice.k},
        )
    return saved


@dataclass(frozen=True)
class SimilarRow:
    """A unit of the table: distance and, per variable, the raw value and z-score
    (None where the viewer may not see another unit's values)."""

    unit: ShownUnit
    distance: float
    values: tuple[float | None, ...]
    zscores: tuple[float | None, ...]

    @property
    def cells(self) -> list[tuple[float | None, float | None]]:
        """(value, z-score) per variable, for a table row."""
        return list(zip(self.values, self.zscores, strict=True))


@dataclass
class SimilarUnits:
    unit: Unit
    period: str
    choice: SimilarChoice
    variables: list[Variable]
    own: SimilarRow
    rows: list[SimilarRow] = field(default_factory=list)
    values_shown: bool = True


def _structural(period: str, variables) -> pl.DataFrame:
    # The system's read: z-scores need every unit of the period; what leaves this module
    # is filtered by the viewer's visibility below.
    return values_frame(periods=[period], variables=list(variables))


def _nearest(unit: Unit, period: str, choice: SimilarChoice, include_unit: bool = False):
    """The engine's k nearest units by the chosen variables, nearest first."""
    return engine_groups.similar_units(
        _structural(period, choice.variables),
        unit=unit.code,
        period=period,
        variables=list(choice.variables),
        k=choice.k,
        include_unit=include_unit,
    )


def similar_units_for(*, user, unit: Unit, period: str, choice: SimilarChoice) -> SimilarUnits:
    """The unit's k nearest units by the chosen variables, as the user may see them.

    Raises `PermissionDenied` when the user may not see the unit and the engine's
    `SimilarUnitsError` when the unit lacks a chosen variable in the period.
    """
    require_unit_access(user, unit)
    nearest = _nearest(unit, period, choice, include_unit=True)
    presenter = unit_presenter(user)
    units = Unit.objects.in_bulk(nearest.get_column("unit").to_list(), field_name="code")
    by_code = {v.code: v for v in Variable.objects.filter(code__in=choice.variables)}
    rows = []
    # Pseudonyms of this list only: the distances are reproducible from public statistics,
    # so a pseudonym shared with an indicator page would name whose figure that is.
    scope = similar_scope(unit.code, period)
    for record in nearest.iter_rows(named=True):
        shown = presenter.show(units[record["unit"]], scope=scope)
        visible = shown.named
        rows.append(
            SimilarRow(
                unit=shown,
                distance=record["distance"],
                values=tuple(record[v] if visible else None for v in choice.variables),
                zscores=tuple(record[f"z_{v}"] if visible else None for v in choice.variables),
            )
        )
    return SimilarUnits(
        unit=unit,
        period=period,
        choice=choice,
        variables=[by_code[c] for c in choice.variables],
        own=rows[0],
        rows=rows[1:],
        values_shown=all(r.unit.named for r in rows),
    )


def similar_codes(*, unit: Unit, period: str, choice: SimilarChoice) -> list[str]:
    """Codes of the unit's similar units, nearest first (for the system: no user scope;
    callers show them through a `UnitPresenter`)."""
    nearest = _nearest(unit, period, choice)
    return nearest.get_column("unit").to_list()


def similar_group_statistics(
    *, unit: Unit, period: str, choice: SimilarChoice, indicators: list[str] | None = None
) -> engine_stats.Statistics:
    """Statistics of the group "the unit and its k similar units" for every indicator,
    computed by the engine on the current result set's values (group `all` rows), with
    `change` from the previous period's result set. Only the group `similar` is returned.

    No user scope here: callers authorise the unit and show only the unit's own figures
    and the group's aggregates, as for any stored peer group.
    """
    members = engine_groups.similar_members(
        _structural(period, choice.variables),
        group=SIMILAR,
        unit=unit.code,
        period=period,
        variables=list(choice.variables),
        k=choice.k,
    )
    codes = members.get_column("unit").to_list()
    current = _indicator_values(period, codes, indicators)
    previous_code = Period.parse(period).previous().code
    previous = (
        _indicator_values(previous_code, codes, indicators)
        if previous_code in computed_periods()
        else None
    )
    directions = dict(Indicator.objects.values_list("code", "direction"))
    result = engine_stats.compute_statistics(current, members, directions, previous=previous)
    return engine_stats.Statistics(
        result.groups.filter(pl.col("group") == SIMILAR),
        result.units.filter(pl.col("group") == SIMILAR),
    )


def _indicator_values(period: str, codes: list[str], indicators: list[str] | None):
    stored = results_frame(periods=[period], groups=["all"], units=codes, indicators=indicators)
    return stored.select("indicator", "unit", "period", "value")
