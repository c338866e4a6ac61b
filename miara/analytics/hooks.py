"""What analytics asks of the apps above it, without importing them (docs/architecture.md,
"Layers"): the targets of the rows and charts it draws, and the improvement projects a
scorecard row and an indicator page link to. An app that keeps them connects its answers
in its `AppConfig.ready`; with none connected, pages show no targets and no projects.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.dispatch import Signal

# Asked with user=, unit=, period=: answered with a `UnitTargets`.
unit_targets_asked = Signal()
# Asked with user=, unit=, indicator=: answered with the target of every period of the
# unit's trajectory, [(period, target), ...] oldest first.
indicator_target_asked = Signal()


@dataclass(frozen=True)
class TargetMark:
    """A target as a scorecard row shows it: its status (code and words), the target of
    the status period (or None) and where to see or set it."""

    status: str
    label: str
    target: float | None
    url: str


@dataclass(frozen=True)
class UnitTargets:
    """The targets of one unit by indicator code; `stamp` names their state (part of the
    key of a kept scorecard table); `set_url` is where a manager sets a target, with the
    indicator's code appended (empty: the user may not set targets)."""

    marks: dict[str, TargetMark]
    stamp: str
    set_url: str = ""
    page_url: str = ""  # the unit's targets page, when the user may read it


NO_TARGETS = UnitTargets(marks={}, stamp="")


def unit_targets(*, user, unit, period: str) -> UnitTargets:
    for _receiver, answer in unit_targets_asked.send(
        sender=None, user=user, unit=unit, period=period
    ):
        if answer is not None:
            return answer
    return NO_TARGETS


def indicator_target(*, user, unit, indicator) -> list[tuple[str, float]]:
    """The unit's target of the indicator in every period of its trajectory (empty when
    it has none the user may read)."""
    for _receiver, answer in indicator_target_asked.send(
        sender=None, user=user, unit=unit, indicator=indicator
    ):
        if answer:
            return answer
    return []


# Asked with user=, unit=: answered with a `UnitProjects` (improvement projects).
unit_projects_asked = Signal()
# Asked with user=, unit=, indicator=: answered with the unit's projects linked to the
# indicator that the user may read, [ProjectLink, ...].
indicator_projects_asked = Signal()


@dataclass(frozen=True)
class ProjectLink:
    """A project as the indicator page lists it: its title, its state in words, its page."""

    title: str
    state: str
    url: str


@dataclass(frozen=True)
class UnitProjects:
    """What the scorecard offers about projects: `start_url` is where a manager starts a
    project, with the indicator's code appended (empty: the user may not); `stamp` is part
    of the key of a kept scorecard table."""

    start_url: str = ""
    stamp: str = ""


NO_PROJECTS = UnitProjects()


def unit_projects(*, user, unit) -> UnitProjects:
    for _receiver, answer in unit_projects_asked.send(sender=None, user=user, unit=unit):
        if answer is not None:
            return answer
    return NO_PROJECTS


def indicator_projects(*, user, unit, indicator) -> list[ProjectLink]:
    """The unit's projects linked to the indicator that the user may read."""
    for _receiver, answer in indicator_projects_asked.send(
        sender=None, user=user, unit=unit, indicator=indicator
    ):
        if answer:
            return answer
    return []


# Asked with user=, unit=: answered with a `UnitPractices` (good practices).
unit_practices_asked = Signal()


@dataclass(frozen=True)
class UnitPractices:
    """What the scorecard offers about good practices: per indicator code, the list of
    published practices whose author unit was in the best quartile of that indicator (for
    rows where the unit is weak); `stamp` is part of the key of a kept scorecard table."""

    links: dict[str, str] = field(default_factory=dict)
    stamp: str = ""


NO_PRACTICES = UnitPractices()


def unit_practices(*, user, unit) -> UnitPractices:
    for _receiver, answer in unit_practices_asked.send(sender=None, user=user, unit=unit):
        if answer is not None:
            return answer
    return NO_PRACTICES


# Asked with user=, unit=, indicator=: answered with the unit's audit findings that touch
# the indicator and that the user may read, [FindingLink, ...].
indicator_findings_asked = Signal()
# Asked with user=, unit=, process=: answered with the findings that touch the process
# (the process page lives in processes, beside assurance in one layer, so both meet here).
process_findings_asked = Signal()


@dataclass(frozen=True)
class FindingLink:
    """A finding as an indicator or process page lists it: its title, its severity and
    state in words, whether it is overdue, its page."""

    title: str
    severity: str
    state: str
    url: str
    overdue: bool = False


def _findings(signal, **asked) -> list[FindingLink]:
    for _receiver, answer in signal.send(sender=None, **asked):
        if answer:
            return answer
    return []


def indicator_findings(*, user, unit, indicator) -> list[FindingLink]:
    """The unit's findings about the indicator that the user may read."""
    return _findings(indicator_findings_asked, user=user, unit=unit, indicator=indicator)


def process_findings(*, user, unit, process) -> list[FindingLink]:
    """The unit's findings about the process that the user may read."""
    return _findings(process_findings_asked, user=user, unit=unit, process=process)
