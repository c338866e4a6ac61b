"""Writes of targets: set by hand, derived from the benchmark, deleted, loaded from a file.

An office plans for itself: only the unit's managers (and the operator at the command
line) set its targets. Each function authorises, checks the whole input first, writes in
one transaction, appends a `TargetChange` and records an audit entry. A change that
names a version other than the stored one is refused (`TargetConflict`), so two people
editing one target never silently overwrite each other.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from miara.accounts.audit import audit_record, load_recorded
from miara.accounts.models import User
from miara.accounts.scope import can_see_unit, is_operator, manages_unit, reads_all_units
from miara.analytics.selectors import results_frame
from miara.catalogue.models import Indicator
from miara.engine.errors import PeriodError
from miara.engine.periods import Period
from miara.engine.targets import STATISTICS, DerivationRule, TargetError
from miara.engine.targets import derive as derive_points
from miara.fileio import FileProblem, LoadReport, Problem, read_table
from miara.fileio.tables import LINE
from miara.targets.models import Target, TargetChange, TargetPoint, TargetSettings
from miara.units.models import Unit


class TargetInputError(ValueError):
    """Input that cannot be a target; `field` names what is wrong (indicator, unit,
    period, points, owner, rule)."""

    def __init__(self, message: str, field: str = ""):
        self.field = field
        super().__init__(message)


class TargetConflict(Exception):
    """The target was changed by someone else since the version the change was based on."""

    def __init__(self, *, indicator: str, unit: str, given: int, stored: int):
        self.indicator, self.unit, self.given, self.stored = indicator, unit, given, stored
        super().__init__(
            _(
                "The target of %(indicator)s for %(unit)s was changed meanwhile (you had "
                "version %(given)s, stored is version %(stored)s); reload it and try again."
            )
            % {"indicator": indicator, "unit": unit, "given": given, "stored": stored}
        )


# --- who may do what -------------------------------------------------------------------


def may_plan(user, unit: Unit) -> bool:
    """An office plans for itself: the unit's managers set its targets (and the operator)."""
    return is_operator(user) or manages_unit(user, unit.pk)


def shares_targets(unit: Unit) -> bool:
    return TargetSettings.objects.filter(unit=unit, shares_targets=True).exists()


def may_read_targets(user, unit: Unit) -> bool:
    """The unit's own users read its targets; coordinators and experts only where the
    office shares them."""
    if is_operator(user):
        return True
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.units.filter(pk=unit.pk).exists():
        return True
    return reads_all_units(user) and shares_targets(unit)


def unit_for(*, unit_code: str, acting_user) -> Unit:
    """The unit of that code if the user may see it; a hidden unit is answered as an
    unknown code, so nothing is learnt of other offices."""
    unit = Unit.objects.filter(code=unit_code).first()
    if unit is None or not (is_operator(acting_user) or can_see_unit(acting_user, unit)):
        raise TargetInputError(
            _("there is no unit with the code “%(code)s”") % {"code": unit_code}, "unit"
        )
    return unit


def _authorise(acting_user, unit: Unit) -> None:
    if not may_plan(acting_user, unit):
        raise PermissionDenied(
            _("Only the managers of %(unit)s may change its targets.") % {"unit": unit.code}
        )


def _indicator(code: str) -> Indicator:
    indicator = Indicator.objects.filter(code=code).first()
    if indicator is None:
        raise TargetInputError(
            _("there is no indicator with the code “%(code)s”") % {"code": code}, "indicator"
        )
    if indicator.direction not in ("higher", "lower"):
        raise TargetInputError(
            _("%(code)s is a context indicator (neutral): it takes no targets") % {"code": code},
            "indicator",
        )
    return indicator


def _period(text) -> Period:
    try:
        return Period.parse(str(text))
    except PeriodError:
        raise TargetInputError(
            _(
                "“%(period)s” is not a period; write a year (2024), a quarter (2024-Q1) "
                "or a month (2024-03)"
            )
            % {"period": text},
            "period",
        ) from None


def _number(value) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number):
        raise TargetInputError(
            _("“%(text)s” is not a number (use a dot as the decimal separator)") % {"text": value},
            "target",
        )
    return number


def _points(points) -> list[tuple[str, float]]:
    """The points in the order given: each period later than the one before (a start and a
    final period, or more), all of one kind."""
    if not points:
        raise TargetInputError(_("a target needs at least one period and value"), "points")
    checked: list[tuple[Period, float]] = []
    for period, value in points:
        period, value = _period(period), _number(value)
        if checked:
            before = checked[-1][0]
            if period.kind != before.kind:
                raise TargetInputError(
                    _(
                        "the periods of one target must be of one kind (years, quarters or "
                        "months): %(a)s and %(b)s"
                    )
                    % {"a": before.code, "b": period.code},
                    "period",
                )
            if period <= before:
                raise TargetInputError(
                    _("the final period %(final)s is not after the start period %(start)s")
                    % {"final": period.code, "start": before.code},
                    "period",
                )
        checked.append((period, value))
    return [(p.code, v) for p, v in checked]


def _owner(username: str | None, unit: Unit) -> User | None:
    if not username:
        return None
    owner = User.objects.filter(username=username).first()
    if owner is None or not owner.is_active or not may_read_targets(owner, unit):
        raise TargetInputError(
            _("%(user)s has no access to %(unit)s and cannot own its target")
            % {"user": username, "unit": unit.code},
            "owner",
        )
    return owner


# --- the one write ---------------------------------------------------------------------


@dataclass
class _Outcome:
    target: Target | None
    changed: bool
    created: bool = False


def _write(
    *,
    acting_user,
    indicator: Indicator,
    unit: Unit,
    points: list[tuple[str, float]],
    owner: User | None,
    keep_owner: bool,
    rule: str,
    rule_params: dict,
    version: int | None,
    action: str,
    channel: str,
) -> _Outcome:
    """Store the target (inside the caller's transaction): compare with what is stored,
    check the version, write only a change, append its history.

    The stored row is locked first, so of writers naming one version one wins and the
    others get TargetConflict; of racing first writes one creates the row and the others
    wait for it, then update it (no version given) or get the conflict (version 0).
    """
    target = Target.objects.select_for_update().filter(indicator=indicator, unit=unit).first()
    created = False
    if target is None and version in (None, 0):
        try:
            with transaction.atomic():
                target = Target.objects.create(
                    indicator=indicator,
                    unit=unit,
                    version=1,
                    owner=owner,
                    rule=rule,
                    rule_params=rule_params,
                )
            created = True
        except IntegrityError:  # a concurrent first write committed the row
            target = Target.objects.select_for_update().get(indicator=indicator, unit=unit)
    stored = target.version if target else 0
    if version is not None and not created and version != stored:
        raise TargetConflict(indicator=indicator.code, unit=unit.code, given=version, stored=stored)
    if not created:
        if keep_owner:
            owner = target.owner
        same = (
            target.points_list() == points
            and target.owner_id == (owner.pk if owner else None)
            and target.rule == rule
            and target.rule_params == rule_params
        )
        if same:
            return _Outcome(target, changed=False)
        target.version += 1
        target.points.all().delete()
        target.owner, target.rule, target.rule_params = owner, rule, rule_params
        target.save()
    TargetPoint.objects.bulk_create(
        TargetPoint(target=target, period=p, ordinal=Period.parse(p).ordinal, value=v)
        for p, v in points
    )
    _history(acting_user, indicator, unit, action, target.version, points, owner, rule, channel)
    return _Outcome(target, changed=True, created=created)


def _history(acting_user, indicator, unit, action, version, points, owner, rule, channel):
    TargetChange.objects.create(
        indicator=indicator,
        unit=unit,
        action=action,
        version=version,
        points=[[p, v] for p, v in points],
        owner=owner.username if owner else "",
        rule=rule,
        changed_by=acting_user if isinstance(acting_user, User) else None,
        channel=channel,
    )


def target_set(
    *,
    acting_user,
    indicator_code: str,
    unit_code: str,
    points,
    owner: str | None = None,
    version: int | None = None,
    rule: str = "",
    channel: str = "web",
) -> Target:
    """Set the target of an indicator for a unit: `points` is [(period, value), ...], one
    for a single period, or a start and a final period (and any between) for a
    trajectory. `version`: the version the change is based on (0: expect no target;
    None: no check). Changing nothing changes nothing."""
    unit = unit_for(unit_code=unit_code, acting_user=acting_user)
    _authorise(acting_user, unit)
    indicator = _indicator(indicator_code)
    checked = _points(points)
    owner_user = _owner(owner, unit)
    if len(rule) > 300:
        raise TargetInputError(_("the rule is longer than 300 characters"), "rule")
    with transaction.atomic():
        outcome = _write(
            acting_user=acting_user,
            indicator=indicator,
            unit=unit,
            points=checked,
            owner=owner_user,
            keep_owner=False,
            rule=rule,
            rule_params={},
            version=version,
            action=TargetChange.Action.SET,
            channel=channel,
        )
        if outcome.changed:
            audit_record(
                user=acting_user,
                action="targets.set",
                channel=channel,
                summary=f"{indicator.code} {unit.code}: {_points_text(checked)}",
                details={"indicator": indicator.code, "unit": unit.code, "points": checked},
            )
    return outcome.target


def rule_text(params: dict) -> str:
    """The rule of a derived target in words, in the active language."""
    rule = DerivationRule.from_params(params)
    statistic = {
        "q1": _("the group's first quartile (q1)"),
        "median": _("the group's median"),
        "q3": _("the group's third quartile (q3)"),
        "mean": _("the group's mean"),
        "best": _("the group's best value"),
    }[rule.statistic]
    words = {
        "statistic": statistic,
        "group": rule.group,
        "base": rule.base_period,
        "final": rule.final_period,
        "share": f"{rule.fraction * 100:g}",
    }
    if rule.fraction == 1:
        return _("reach %(statistic)s (%(group)s) of %(base)s by %(final)s") % words
    return (
        _("close %(share)s %% of the gap to %(statistic)s (%(group)s) of %(base)s by %(final)s")
        % words
    )


def target_derive(
    *,
    acting_user,
    indicator_code: str,
    unit_code: str,
    statistic: str,
    final_period: str | None = None,
    periods: int | None = None,
    group: str = "all",
    fraction: float = 1.0,
    base_period: str | None = None,
    owner: str | None = None,
    version: int | None = None,
    channel: str = "web",
) -> Target:
    """Derive a unit's target from the benchmark (methodology.md): close `fraction` of the
    gap between the unit's value and the group's `statistic` in the base period (default:
    the latest period in which the unit has a value) by `final_period` (or `periods`
    periods after the base). The rule is kept with the target, which keeps its values."""
    unit = unit_for(unit_code=unit_code, acting_user=acting_user)
    _authorise(acting_user, unit)
    indicator = _indicator(indicator_code)
    if statistic not in STATISTICS:
        raise TargetInputError(
            _("unknown statistic “%(name)s”; use one of %(names)s")
            % {"name": statistic, "names": ", ".join(STATISTICS)},
            "rule",
        )
    fraction = _number(fraction)
    mine = results_frame(
        user=acting_user, indicators=[indicator.code], groups=[group], units=[unit.code], few=True
    )
    if base_period is None:
        if mine.is_empty():
            raise TargetInputError(
                _("%(unit)s has no computed value of %(indicator)s to start from")
                % {"unit": unit.code, "indicator": indicator.code},
                "period",
            )
        base_period = max(Period.parse(p) for p in mine["period"]).code
    base = _period(base_period).code
    if final_period is None:
        if not periods or periods < 1:
            raise TargetInputError(_("give a final period or a number of periods"), "period")
        final = Period.parse(base).shifted(int(periods)).code
    else:
        final = _period(final_period).code
    try:
        rule = DerivationRule(statistic, base, final, group, fraction)
        row = mine.filter(mine["period"] == base)
        figures = row.select(*STATISTICS).row(0, named=True) if row.height else {}
        points = derive_points(
            rule,
            value=row["value"][0] if row.height else None,
            figures=figures,
            direction=indicator.direction,
        )
    except TargetError as error:
        raise TargetInputError(str(error), "rule") from None
    owner_user = _owner(owner, unit)
    params = rule.params()
    with transaction.atomic():
        outcome = _write(
            acting_user=acting_user,
            indicator=indicator,
            unit=unit,
            points=points,
            owner=owner_user,
            keep_owner=False,
            rule=_canonical_rule(rule),
            rule_params=params,
            version=version,
            action=TargetChange.Action.DERIVED,
            channel=channel,
        )
        if outcome.changed:
            audit_record(
                user=acting_user,
                action="targets.derive",
                channel=channel,
                summary=f"{indicator.code} {unit.code}: {_canonical_rule(rule)}",
                details={"indicator": indicator.code, "unit": unit.code, "rule": params},
            )
    return outcome.target


def _canonical_rule(rule: DerivationRule) -> str:
    """The rule as stored text (the page shows it in the reader's language, `rule_text`)."""
    share = "reach" if rule.fraction == 1 else f"close {rule.fraction * 100:g} % of the gap to"
    return f"{share} {rule.group} {rule.statistic} of {rule.base_period} by {rule.final_period}"


def target_delete(
    *,
    acting_user,
    indicator_code: str,
    unit_code: str,
    version: int | None = None,
    channel: str = "web",
) -> None:
    """Delete a unit's target of an indicator; its history stays."""
    unit = unit_for(unit_code=unit_code, acting_user=acting_user)
    _authorise(acting_user, unit)
    indicator = Indicator.objects.filter(code=indicator_code).first()
    if indicator is None:
        raise TargetInputError(
            _("there is no indicator with the code “%(code)s”") % {"code": indicator_code},
            "indicator",
        )
    with transaction.atomic():
        target = Target.objects.select_for_update().filter(indicator=indicator, unit=unit).first()
        if target is None:
            raise TargetInputError(
                _("%(unit)s has no target of %(indicator)s")
                % {"unit": unit.code, "indicator": indicator.code},
                "indicator",
            )
        if version is not None and version != target.version:
            raise TargetConflict(
                indicator=indicator.code, unit=unit.code, given=version, stored=target.version
            )
        _history(
            acting_user,
            indicator,
            unit,
            TargetChange.Action.DELETED,
            target.version + 1,
            [],
            None,
            "",
            channel,
        )
        target.delete()
        audit_record(
            user=acting_user,
            action="targets.delete",
            channel=channel,
            summary=f"{indicator.code} {unit.code}",
            details={"indicator": indicator.code, "unit": unit.code},
        )


def target_sharing_set(*, acting_user, unit_code: str, shared: bool, channel: str = "web") -> None:
    """Whether the office shares its targets with the programme's coordinators and experts."""
    unit = unit_for(unit_code=unit_code, acting_user=acting_user)
    _authorise(acting_user, unit)
    with transaction.atomic():
        settings, _created = TargetSettings.objects.select_for_update().get_or_create(unit=unit)
        if settings.shares_targets == shared:
            return
        settings.shares_targets = shared
        settings.save()
        audit_record(
            user=acting_user,
            action="targets.sharing",
            channel=channel,
            summary=f"{unit.code}: {'shared' if shared else 'not shared'}",
            details={"unit": unit.code, "shared": shared},
        )


def _points_text(points) -> str:
    return ", ".join(f"{p}: {v:g}" for p, v in points)


# --- the targets file -------------------------------------------------------------------


@dataclass
class _Plan:
    indicator: Indicator
    unit: Unit
    points: list[tuple[Period, float, int]] = field(default_factory=list)  # period, value, line


def targets_load(*, path: str | Path, acting_user, channel: str = "cli") -> LoadReport:
    """Load a targets file (CSV/XLSX `indicator,unit,period,target`, contracts.md): one
    target value per indicator, unit and period; the rows of one indicator and unit are
    its target (one period, or a trajectory), replacing the points stored before. All or
    nothing; every bad line is named; loading the same file again changes nothing."""
    path = Path(path)
    frame = read_table(path, required=["indicator", "unit", "period", "target"])
    if frame.is_empty():
        raise FileProblem(path.name, [Problem(_("the file has a header but no targets"))])
    indicators = {i.code: i for i in Indicator.objects.all()}
    units = {u.code: u for u in Unit.objects.filter(code__in=frame["unit"].drop_nulls().unique())}
    problems: list[Problem] = []
    plans: dict[tuple[str, str], _Plan] = {}
    first_line: dict[tuple[str, str, str], int] = {}
    for raw in frame.to_dicts():
        line = raw[LINE]
        code, unit_code = raw["indicator"] or "", raw["unit"] or ""
        before = len(problems)
        indicator = indicators.get(code)
        if indicator is None:
            problems.append(
                Problem(
                    _("there is no indicator with the code “%(code)s”") % {"code": code},
                    line=line,
                    column="indicator",
                )
            )
        elif indicator.direction not in ("higher", "lower"):
            problems.append(
                Problem(
                    _("%(code)s is a context indicator (neutral): it takes no targets")
                    % {"code": code},
                    line=line,
                    column="indicator",
                )
            )
        unit = units.get(unit_code)
        if unit is None or not (is_operator(acting_user) or can_see_unit(acting_user, unit)):
            problems.append(
                Problem(
                    _("there is no unit with the code “%(code)s”") % {"code": unit_code},
                    line=line,
                    column="unit",
                )
            )
            unit = None
        elif not may_plan(acting_user, unit):
            problems.append(
                Problem(
                    _("Only the managers of %(unit)s may change its targets.")
                    % {"unit": unit.code},
                    line=line,
                    column="unit",
                )
            )
        try:
            period = _period(raw["period"] or "")
        except TargetInputError as error:
            problems.append(Problem(str(error), line=line, column="period"))
            period = None
        try:
            value = _number(raw["target"] or "")
        except TargetInputError as error:
            problems.append(Problem(str(error), line=line, column="target"))
        if len(problems) > before:
            continue
        key = (code, unit_code, period.code)
        if key in first_line:
            problems.append(
                Problem(
                    _("%(indicator)s, %(unit)s, %(period)s appears twice (first on line %(line)s)")
                    % {
                        "indicator": code,
                        "unit": unit_code,
                        "period": period.code,
                        "line": first_line[key],
                    },
                    line=line,
                    column="period",
                )
            )
            continue
        first_line[key] = line
        plan = plans.setdefault((code, unit_code), _Plan(indicator, unit))
        if plan.points and plan.points[0][0].kind != period.kind:
            problems.append(
                Problem(
                    _(
                        "the periods of one target must be of one kind (years, quarters or "
                        "months): %(a)s (line %(first)s) and %(b)s"
                    )
                    % {"a": plan.points[0][0].code, "first": plan.points[0][2], "b": period.code},
                    line=line,
                    column="period",
                )
            )
            continue
        plan.points.append((period, value, line))
    if problems:
        raise FileProblem(path.name, problems)
    report = LoadReport()
    with transaction.atomic():
        for plan in plans.values():
            points = [(p.code, v) for p, v, _line in sorted(plan.points)]
            outcome = _write(
                acting_user=acting_user,
                indicator=plan.indicator,
                unit=plan.unit,
                points=points,
                owner=None,
                keep_owner=True,
                rule="",
                rule_params={},
                version=None,
                action=TargetChange.Action.LOADED,
                channel=channel,
            )
            outcome_name = (
                "created" if outcome.created else "updated" if outcome.changed else "unchanged"
            )
            report.count("targets", outcome_name)
        if report.changed:
            load_recorded(
                user=acting_user,
                action="targets.load",
                channel=channel,
                file=path.name,
                report=report,
            )
    return report


# --- several targets at once (the API) --------------------------------------------------


class TargetItemErrors(ValueError):
    """Items of a request that cannot be targets: (index, field, message) each."""

    def __init__(self, errors: list[tuple[int, str, str]]):
        self.errors = errors
        super().__init__("; ".join(f"item {i}, {f}: {m}" for i, f, m in errors))


@dataclass
class TargetItem:
    indicator: str
    unit: str
    points: list[tuple[str, float]]
    owner: str | None = None
    rule: str = ""
    version: int | None = None


def targets_save(*, acting_user, items: list[TargetItem], channel: str = "api") -> list[Target]:
    """Set several targets, all or nothing: units the user may not see are
    TargetInputError (field unit), units they may not plan for PermissionDenied, bad items
    TargetItemErrors (every one named by its index), a stale version TargetConflict."""
    units: dict[str, Unit] = {}
    for item in items:
        if item.unit not in units:
            units[item.unit] = unit_for(unit_code=item.unit, acting_user=acting_user)
            _authorise(acting_user, units[item.unit])
    errors: list[tuple[int, str, str]] = []
    checked = []
    seen: dict[tuple[str, str], int] = {}
    for index, item in enumerate(items):
        unit = units[item.unit]
        key = (item.indicator, item.unit)
        try:
            if key in seen:
                raise TargetInputError(
                    _("%(indicator)s of %(unit)s is already item %(index)s")
                    % {"indicator": item.indicator, "unit": item.unit, "index": seen[key]},
                    "indicator",
                )
            seen[key] = index
            indicator = _indicator(item.indicator)
            points = _points(item.points)
            owner = _owner(item.owner, unit)
            if len(item.rule or "") > 300:
                raise TargetInputError(_("the rule is longer than 300 characters"), "rule")
        except TargetInputError as error:
            errors.append((index, error.field, str(error)))
            continue
        checked.append((item, indicator, unit, points, owner))
    if errors:
        raise TargetItemErrors(errors)
    saved = []
    with transaction.atomic():
        changed = []
        for item, indicator, unit, points, owner in checked:
            outcome = _write(
                acting_user=acting_user,
                indicator=indicator,
                unit=unit,
                points=points,
                owner=owner,
                keep_owner=False,
                rule=item.rule or "",
                rule_params={},
                version=item.version,
                action=TargetChange.Action.SET,
                channel=channel,
            )
            saved.append(outcome.target)
            if outcome.changed:
                changed.append(f"{indicator.code} {unit.code}")
        if changed:
            audit_record(
                user=acting_user,
                action="targets.set",
                channel=channel,
                summary=", ".join(changed),
                details={"targets": changed},
            )
    return saved
