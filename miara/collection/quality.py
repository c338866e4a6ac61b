"""Data-quality checks of stored values: load what the engine needs, call it, explain.

Used on every save (the form), on every import, and before a submission.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

import polars as pl
from django.db import connection

from miara.catalogue.models import ValidationRule, Variable
from miara.collection.models import Submission, Value
from miara.collection.selectors import values_frame
from miara.engine import formula as formulas
from miara.engine import quality
from miara.engine.periods import Period
from miara.units.models import Unit


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
    return {
        code: quality.VariableRule(
            code=code, min=low, max=high, change_threshold=None, kind=kind, per=per
        )
        for code, low, high, kind, per in Variable.objects.values_list(
            "code", "min_value", "max_value", "kind", "per__code"
        )
    }


def size_variables(codes, limits: dict[str, quality.VariableRule] | None = None) -> list[str]:
    """The size variables (`Variable.per`) that the outlier check of `codes` divides by."""
    limits = variable_rules() if limits is None else limits
    return sorted({limits[c].per for c in codes if c in limits and limits[c].per})


def validation_rules() -> list[quality.ValidationRule]:
    rules = []
    for rule in ValidationRule.objects.all():
        left, op, right = quality.parse_rule(rule.expression)
        rules.append(
            quality.ValidationRule(
                code=rule.code,
                left=left,
                op=op,
                right=right,
                severity=rule.severity,
                message=rule.name,
            )
        )
    return rules


def check_unit_period(
    *,
    unit_code: str,
    period: str,
    variables: list[str],
    required: set[str] = frozenset(),
    peer_units: list[str] | None = None,
) -> pl.DataFrame:
    """Findings for one unit's values of one period (the questionnaire's variables)."""
    values = values_frame(periods=[period], units=[unit_code], variables=variables)
    history = values_frame(
        periods=[Period.parse(period).previous().code], units=[unit_code], variables=variables
    )
    peers = values_frame(periods=[period], units=peer_units, variables=variables)
    peers = peers.filter(pl.col("unit") != unit_code)
    limits = variable_rules()
    # The sizes of the unit and its peers, this period and the previous one, for the
    # variables compared per unit of size (a size not entered yet is last period's).
    per = size_variables(variables, limits)
    sizes = None
    if per:
        sizes = values_frame(
            periods=[period, Period.parse(period).previous().code],
            units=None if peer_units is None else [unit_code, *peer_units],
            variables=per,
        )
    return quality.check_values(
        values,
        variables=limits,
        rules=validation_rules(),
        history=history,
        peers=peers,
        required=set(required),
        units=[unit_code],
        periods=[period],
        sizes=sizes,
    )


def submission_findings(submission: Submission) -> list[dict]:
    """Every finding of a submission, with whether it blocks submitting.

    Errors always block; a warning blocks until the value carries a comment that
    justifies it (methodology.md: a warning may be kept with a written justification).
    """
    cycle = submission.cycle
    items = list(cycle.items.select_related("variable"))
    codes = [i.variable.code for i in items]
    required = {i.variable.code for i in items if i.required}
    peer_units = list(
        Unit.objects.filter(pk__in=outlier_peers(submission)).values_list("code", flat=True)
    )
    findings = check_unit_period(
        unit_code=submission.unit.code,
        period=cycle.period,
        variables=codes,
        required=required,
        peer_units=peer_units,
    )
    comments = dict(
        Value.objects.filter(unit=submission.unit, period=cycle.period, variable__code__in=codes)
        .exclude(comment="")
        .values_list("variable__code", "comment")
    )
    # A rule's finding names the rule, not a value: a comment on any value the rule reads
    # justifies it, as a clerk explains a rule warning next to the figure it is about.
    return _justify(findings, comments, rule_inputs())


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


def field_findings(
    submission: Submission, code: str, *, checks=None
) -> tuple[list[dict], set[str]]:
    """The findings of one questionnaire field, as `submission_findings` gives them, from
    a small read: the unit's values (this period and the previous one) of the field's
    variable and of the variables read by the validation rules that read it, and the
    cycle's distribution of that one variable (for the outlier check). One call of the
    quality engine on a few rows.

    `checks` is the catalogue's `(limits, rules, fingerprint)` when the caller has read
    them already (`selectors._cycle_rules()`); else they are read here. Three queries
    besides: the variables' ids and the field's item, the participants (for the outlier
    peers) and the values.

    Returns `(findings, rules)`: the findings on the variable itself and those of the
    rules that read it (named by the rule's code), and the codes of those rules, so that
    a caller can replace exactly these findings in an earlier full computation.
    """
    cycle = submission.cycle
    unit_code = submission.unit.code
    if checks is None:
        checks = (variable_rules(), validation_rules())
    limits_all, all_rules = checks[0], checks[1]
    inputs_all = rule_inputs(all_rules)
    rules = [r for r in all_rules if code in inputs_all[r.code]]
    inputs = {r.code: inputs_all[r.code] for r in rules}
    # The size variable the outlier check divides this one by (Variable.per), if any.
    per = limits_all[code].per if code in limits_all else None
    needed = sorted({code, *([per] if per else [])}.union(*inputs.values()))
    previous = Period.parse(cycle.period).previous().code
    marks = ", ".join(["%s"] * len(needed))
    with connection.cursor() as cursor:
        # The variables' ids, and whether the field is required in this questionnaire.
        cursor.execute(
            "SELECT x.id, x.code, i.required FROM catalogue_variable x "
            "LEFT JOIN collection_questionnaireitem i ON i.variable_id = x.id AND i.cycle_id = %s "
            f"WHERE x.code IN ({marks})",
            [cycle.pk, *needed],
        )
        found_variables = cursor.fetchall()
        # The participants, for the outlier peers (as outlier_peers() chooses them).
        cursor.execute(
            "SELECT s.unit_id, u.code, u.type FROM collection_submission s "
            "JOIN units_unit u ON u.id = s.unit_id WHERE s.cycle_id = %s",
            [cycle.pk],
        )
        participants = cursor.fetchall()
    ids = {row[1]: row[0] for row in found_variables}
    codes_of = {row[0]: row[1] for row in found_variables}
    required = {code} if any(row[1] == code and row[2] for row in found_variables) else set()
    classes = classes_of([(unit, type_) for _id, unit, type_ in participants])
    own_class = classes.get(unit_code)
    unit_codes = {unit_id: unit for unit_id, unit, _type in participants}
    unit_codes[submission.unit_id] = unit_code
    peers = [
        unit_id
        for unit_id, unit, type_ in participants
        if unit_id != submission.unit_id and (own_class is None or type_ == own_class)
    ]
    # One small query by the values' keys (an ordinary fetch: COPY costs more than it
    # saves on a few hundred rows): the unit's values of the variables needed, this
    # period and the previous one, and this one variable's values of the outlier peers.
    variable_ids = [ids[c] for c in needed if c in ids] or [0]  # no row has id 0
    peers_or_none = peers or [0]
    sql = (
        "SELECT v.unit_id, v.variable_id, v.period, v.value, v.comment FROM collection_value v "
        f"WHERE (v.unit_id = %s AND v.variable_id IN ({', '.join(['%s'] * len(variable_ids))}) "
        "AND v.period IN (%s, %s)) "
        "OR (v.variable_id = %s AND v.period = %s "
        f"AND v.unit_id IN ({', '.join(['%s'] * len(peers_or_none))})) "
        "OR (v.variable_id = %s AND v.period IN (%s, %s) "
        f"AND v.unit_id IN ({', '.join(['%s'] * len(peers_or_none))}))"
    )
    params = [
        submission.unit_id,
        *variable_ids,
        cycle.period,
        previous,
        ids.get(code, 0),
        cycle.period,
        *peers_or_none,
        ids.get(per, 0) if per else 0,  # no row has id 0
        cycle.period,
        previous,
        *peers_or_none,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = [
            (unit_codes.get(unit_id), codes_of[variable_id], period, value, comment)
            for unit_id, variable_id, period, value, comment in cursor.fetchall()
        ]
    frame = pl.DataFrame(
        rows,
        schema={
            "unit": pl.String,
            "variable": pl.String,
            "period": pl.String,
            "value": pl.Float64,
            "comment": pl.String,
        },
        orient="row",
    )
    mine = pl.col("unit") == unit_code
    own = frame.filter(mine & (pl.col("period") == cycle.period))
    history = frame.filter(mine & (pl.col("period") == previous)).drop("comment")
    peers = frame.filter(~mine & (pl.col("variable") == code)).drop("comment")
    sizes = frame.filter(pl.col("variable") == per).drop("comment") if per else None
    limits = {c: limits_all[c] for c in needed if c in limits_all}
    found = quality.check_values(
        own.select("unit", "variable", "period", "value"),
        variables=limits,
        rules=rules,
        history=history,
        peers=peers,
        required=required,
        units=[unit_code],
        periods=[cycle.period],
        sizes=sizes,
    )
    rule_codes = {r.code for r in rules}
    found = found.filter(
        pl.when(pl.col("check") == "rule")
        .then(pl.col("variable").is_in(sorted(rule_codes)))
        .otherwise(pl.col("variable") == code)
    )
    comments = {
        row["variable"]: row["comment"] or ""
        for row in own.select("variable", "comment").iter_rows(named=True)
    }
    return _justify(found, comments, inputs), rule_codes


def _justify(findings: pl.DataFrame, comments: dict[str, str], inputs: dict[str, set[str]]):
    out = []
    for row in findings.iter_rows(named=True):
        explained_by = (
            inputs.get(row["variable"], {row["variable"]})
            if row["check"] == "rule"
            else {row["variable"]}
        )
        justified = row["severity"] == "warning" and any(
            comments.get(c, "").strip() for c in explained_by
        )
        out.append(
            row | {"justified": justified, "blocking": row["severity"] == "error" or not justified}
        )
    return out
