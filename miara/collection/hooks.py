"""What collection asks of the apps above it, without importing them (docs/architecture.md,
"Layers"): which variables are an office's own data rather than the programme's.

`values_save` applies the period rule (collection.cycles.values_write_refusals) to what
the programme collects. A variable that an office's process map names as the cost or the
output of one of its processes is the office's own figure: the office computes it (its
costing writes it) for any period. An app that keeps process maps connects its answer in
its `AppConfig.ready`; with none connected, no variable is an office's own.
"""

from __future__ import annotations

from django.dispatch import Signal

# Asked with unit_ids=: answered with a set of (unit_id, variable_id), the variables that
# are those units' own data.
office_variables_asked = Signal()


def office_variables(unit_ids: set[int]) -> set[tuple[int, int]]:
    found: set[tuple[int, int]] = set()
    for _receiver, answer in office_variables_asked.send(sender=None, unit_ids=unit_ids):
        found |= set(answer or ())
    return found
