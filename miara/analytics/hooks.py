"""What analytics asks of the apps above it, without importing them (docs/architecture.md,
"Layers"): the targets of the rows and charts it draws. An app that keeps targets connects
its answers in its `AppConfig.ready`; with none connected, pages show no targets.
"""

from __future__ import annotations

from dataclasses import dataclass

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
