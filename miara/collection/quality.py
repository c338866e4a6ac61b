"""What the data-quality checks of collected values are: the catalogue's range limits
and validation rules as the engine takes them, the variables each rule reads, and the
classes of units whose values are compared for outliers. Loading only: the findings are
computed in `findings.py`.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from miara.catalogue.models import ValidationRule, Variable
from miara.collection.models import Submission
from miara.engine import formula as formulas
from miara.engine import quality


@dataclass(frozen=True)
class Checks:
    """The catalogue's checks: per variable code its limits (`quality.VariableRule`),
    the validation rules, and a fingerprint of both (a change of the catalogue changes
    the findings as much as a change of a value)."""

    limits: dict[str, quality.VariableRule]
    rules: list[quality.ValidationRule]
    fingerprint: str


# The last catalogue read and the checks built from it: every save reads the catalogue
# again (so a change is seen at once, however it was made), but builds and fingerprints
# the checks only when what it read differs (one dict per process, replaced whole).
_last: dict[str, tuple] = {}


def catalogue_checks() -> Checks:
    """The catalogue's checks as they are now (two queries)."""
    variables = list(
        Variable.objects.order_by("code").values_list(
            "code", "min_value", "max_value", "kind", "per__code"
        )
    )
    rules = list(ValidationRule.objects.values_list("code", "expression", "severity", "name"))
    read = (variables, rules)
    last = _last.get("checks")
    if last is not None and last[0] == read:
        return last[1]
    limits = _variable_rules(variables)
    checks_rules = _validation_rules(rules)
    text = repr(
        sorted((c, r.min, r.max, r.change_threshold, r.kind, r.per) for c, r in limits.items())
    )
    text += repr([(r.code, r.text, r.severity) for r in checks_rules])
    checks = Checks(limits, checks_rules, hashlib.sha1(text.encode()).hexdigest()[:16])
    _last["checks"] = (read, checks)
    return checks


def outlier_classes(cycle) -> dict[str, str | None]:
    """Per participating unit's code, the class its values are compared within for the
    outlier check: its unit type, or None (all participants) for a type with too few.

    The counts and costs of a city of 300,000 are not outliers among rural gminas'
    (domain.md: a unit is not compared blindly with units unlike it), so a unit is
    compared with the cycle's units of its own type, as long as at least the engine's
    minimum of other units share it.
    """
    return classes_of(list(cycle.submissions.values_list("unit__code", "unit__type")))


def classes_of(participants: list[tuple[str, str]]) -> dict[str, str | None]:
    """`outlier_classes` from the participants' (unit code, unit type) already read."""
    counts = Counter(type_ for _code, type_ in participants)
    return {
        code: type_ if counts[type_] - 1 >= quality.MIN_PEERS else None
        for code, type_ in participants
    }


def outlier_peers(submission: Submission) -> list[int]:
    """Ids of the other units a submission's values are compared with (outlier_classes)."""
    own_class = outlier_classes(submission.cycle).get(submission.unit.code)
    others = submission.cycle.submissions.exclude(unit_id=submission.unit_id)
    if own_class is not None:
        others = others.filter(unit__type=own_class)
    return list(others.values_list("unit_id", flat=True))


def variable_rules() -> dict[str, quality.VariableRule]:
    return _variable_rules(
        Variable.objects.values_list("code", "min_value", "max_value", "kind", "per__code")
    )


def _variable_rules(rows) -> dict[str, quality.VariableRule]:
    return {
        code: quality.VariableRule(
            code=code, min=low, max=high, change_threshold=None, kind=kind, per=per
        )
        for code, low, high, kind, per in rows
    }


def size_variables(codes, limits: dict[str, quality.VariableRule] | None = None) -> list[str]:
    """The size variables (`Variable.per`) that the outlier check of `codes` divides by."""
    limits = variable_rules() if limits is None else limits
    return sorted({limits[c].per for c in codes if c in limits and limits[c].per})


def validation_rules() -> list[quality.ValidationRule]:
    return _validation_rules(
        ValidationRule.objects.values_list("code", "expression", "severity", "name")
    )


def _validation_rules(rows) -> list[quality.ValidationRule]:
    rules = []
    for code, expression, severity, name in rows:
        left, op, right = quality.parse_rule(expression)
        rules.append(
            quality.ValidationRule(
                code=code, left=left, op=op, right=right, severity=severity, message=name
            )
        )
    return rules


@lru_cache(maxsize=4096)
def _reads(side: str) -> frozenset[str]:
    """The variable codes one side of a rule reads (a programme has the same few rules
    on every save: parsed once)."""
    return frozenset(formulas.references(formulas.parse(side)))


def rule_inputs(rules: list[quality.ValidationRule] | None = None) -> dict[str, set[str]]:
    """Per validation rule code, the variable codes it reads (both sides, prev() too)."""
    return {
        rule.code: set(_reads(rule.left) | _reads(rule.right))
        for rule in (validation_rules() if rules is None else rules)
    }
