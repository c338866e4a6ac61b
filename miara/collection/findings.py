"""Findings: what a person must fix (errors) or explain (warnings) in collected values,
computed and counted in one place.

`findings(cycle=..., unit=..., variable=...)` computes the findings of a set of values
of a cycle — every participant's (the board, the quality report), one unit's (a
submission: the questionnaire page, submitting, the Excel upload, the API) or one
field's (after an autosave) — by one call of the quality engine on what that scope
reads, and decides justification by one rule (`engine.quality.justify`: a warning with
a comment on one of the variables it reads is justified; justified warnings do not
block). `finding_counts` (the engine's) counts errors and open warnings, per unit, for
the form, the board and the submission alike.

Two caches keep what a full computation costs (Django's cache, `django.core.cache`):

* the questionnaire's findings, so that an autosave recomputes only the saved field's
  findings and those of the rules reading it (`field_findings_after_save`);
* the board's per-unit figures and findings, so that a read after a save recomputes
  only the units written since (`cycle_checked`).

**Why a cached entry cannot miss a commit.** Every write of values bumps, inside the
writer's own transaction, a counter per (unit, period) it changed
(`collection.Revision`, `services._revisions_bump`). The bump is an `UPDATE ... SET
number = number + 1` (an upsert for the first write): a second writer of the same row
waits for the first one's commit and then adds one to the committed number, so the
numbers follow the order of commits, and a reader that sees number n sees the values
of every write numbered up to n (each committed before the write that made n).
A cache entry records the numbers it read *before* it read the values it was built
from, so it holds at least every write counted in them; a reader takes the entry only
while the numbers it reads now are the same (the board: recomputes only the units whose
numbers moved). A write that commits later moves its unit's number, whatever the order
in which transactions began — unlike ids from a sequence, which are drawn before the
commit, so that a lower id can commit after a reader saw a higher one. The counter row
is one per unit and period: only writers of the same unit's period (who already take
turns on their advisory locks) wait on it, from the bump to their commit; no
programme-wide row. The other inputs of the findings key the entries too: the
catalogue's checks (`quality.Checks.fingerprint`) and, for the board, the cycle's
participants, their types and the questionnaire (`selectors.cycle_shape`).
Submission states do not change findings (the board reads them afresh). Entries are
kept by reads made after the write they follow has committed (the views call these
functions once the write's transaction is over), never from inside a transaction that
wrote values and might still roll back.
"""

from __future__ import annotations

import datetime as dt
import uuid

import polars as pl
from django.core.cache import cache

from miara.collection import quality, selectors
from miara.collection.models import Cycle, Submission
from miara.collection.selectors import VALUE_SCHEMA, values_frame
from miara.engine import quality as engine_quality
from miara.engine.periods import Period
from miara.units.models import Unit

finding_counts = engine_quality.finding_counts
NO_FINDINGS = {"errors": 0, "open_warnings": 0}

# --- the one computation ---------------------------------------------------------------


def findings(
    *,
    cycle: Cycle,
    unit: Unit | None = None,
    variable: str | None = None,
    checks: quality.Checks | None = None,
) -> pl.DataFrame:
    """The findings (`engine.quality.JUSTIFIED_SCHEMA`: the engine's columns with
    `justified` and `blocking`) of the values of `cycle`'s period:

    * of every unit taking part (`unit=None`), from one read of the values and one
      vectorised pass of the engine; each unit is compared for outliers within its
      class (`quality.outlier_classes`);
    * of one unit (a submission), against the units of its class;
    * of one field (`unit` and `variable`): the findings on that variable and those of
      the validation rules that read it, from a small read (the unit's values of the
      variables needed, this period and the previous one, and the distribution of that
      one variable).

    Whatever the scope, a unit's findings are the same (tests compare them). `checks`
    when the caller has read them already. System read: callers authorise first.
    """
    checks = checks or quality.catalogue_checks()
    if unit is None:
        return _cycle_findings(cycle, checks)[1]
    if variable is None:
        return _unit_findings(cycle, unit, checks)
    return _field_findings(cycle, unit, variable, checks)


def submission_findings(submission: Submission) -> list[dict]:
    """The findings of one submission, as rows (`findings(unit=...)`)."""
    return findings(cycle=submission.cycle, unit=submission.unit).to_dicts()


def blocking_findings(submission: Submission) -> list[dict]:
    """What keeps a submission from being submitted: errors and unjustified warnings."""
    return [f for f in submission_findings(submission) if f["blocking"]]


def _empty() -> pl.DataFrame:
    return pl.DataFrame(schema=engine_quality.JUSTIFIED_SCHEMA)


def _commented(frame: pl.DataFrame) -> pl.DataFrame:
    """`unit, variable` of the values in `frame` whose comment holds more than blanks."""
    if "commented" in frame.columns:
        return frame.filter(pl.col("commented") == 1).select("unit", "variable")
    return frame.filter(pl.col("comment").fill_null("").str.strip_chars() != "").select(
        "unit", "variable"
    )


def _cycle_findings(
    cycle: Cycle, checks: quality.Checks
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame | None]:
    """(the cycle's questionnaire values of both periods, as `selectors.cycle_values`,
    with `unit` and `variable` codes; every finding on this period's; the sizes the
    questionnaire does not ask for)."""
    participants, items, _fingerprint = selectors.cycle_shape(cycle)
    previous = Period.parse(cycle.period).previous().code
    both = _with_codes(selectors.cycle_values(cycle=cycle, previous=previous), participants, items)
    if not participants or not items:
        return both, _empty(), None
    values = both.filter(pl.col("period") == cycle.period)
    units = sorted(code for _id, code, _type in participants)
    asked = {code for _id, code, _required in items}
    sizes = _unasked_sizes(cycle, previous, asked, units, checks)
    found = engine_quality.check_values(
        values.select(*VALUE_SCHEMA),
        variables=checks.limits,
        rules=checks.rules,
        history=both.filter(pl.col("period") == previous).select(*VALUE_SCHEMA),
        # The checked values are the whole peer distribution already.
        peers=None,
        peer_classes=quality.classes_of([(code, type_) for _id, code, type_ in participants]),
        required={code for _id, code, required in items if required},
        units=units,
        periods=[cycle.period],
        sizes=sizes,
    )
    justified = engine_quality.justify(found, _commented(values), quality.rule_inputs(checks.rules))
    return both, justified, sizes


def _with_codes(frame: pl.DataFrame, participants, items) -> pl.DataFrame:
    units = {unit_id: code for unit_id, code, _type in participants}
    variables = {variable_id: code for variable_id, code, _required in items}
    return frame.with_columns(
        unit=pl.col("unit_id").replace_strict(units, return_dtype=pl.String),
        variable=pl.col("variable_id").replace_strict(variables, return_dtype=pl.String),
    )


def _unasked_sizes(cycle, previous, asked, units, checks) -> pl.DataFrame | None:
    """Sizes the questionnaire does not ask for (Variable.per), read on their own."""
    unasked = [c for c in quality.size_variables(asked, checks.limits) if c not in asked]
    if not unasked:
        return None
    return values_frame(periods=[cycle.period, previous], units=units, variables=unasked)


def _unit_findings(cycle: Cycle, unit: Unit, checks: quality.Checks) -> pl.DataFrame:
    items = list(cycle.items.select_related("variable"))
    codes = [i.variable.code for i in items]
    required = {i.variable.code for i in items if i.required}
    submission = Submission(cycle=cycle, unit=unit)
    peer_units = list(
        Unit.objects.filter(pk__in=quality.outlier_peers(submission)).values_list("code", flat=True)
    )
    previous = Period.parse(cycle.period).previous().code
    values = values_frame(periods=[cycle.period], units=[unit.code], variables=codes)
    history = values_frame(periods=[previous], units=[unit.code], variables=codes)
    peers = values_frame(periods=[cycle.period], units=peer_units, variables=codes)
    peers = peers.filter(pl.col("unit") != unit.code)
    # The sizes of the unit and its peers, this period and the previous one, for the
    # variables compared per unit of size (a size not entered yet is last period's).
    per = quality.size_variables(codes, checks.limits)
    sizes = None
    if per:
        sizes = values_frame(
            periods=[cycle.period, previous], units=[unit.code, *peer_units], variables=per
        )
    found = engine_quality.check_values(
        values,
        variables=checks.limits,
        rules=checks.rules,
        history=history,
        peers=peers,
        required=required,
        units=[unit.code],
        periods=[cycle.period],
        sizes=sizes,
    )
    comments = pl.DataFrame(
        list(
            selectors.value_comments(unit_id=unit.pk, period=cycle.period, variables=codes).items()
        ),
        schema={"variable": pl.String, "comment": pl.String},
        orient="row",
    ).with_columns(unit=pl.lit(unit.code))
    return engine_quality.justify(found, _commented(comments), quality.rule_inputs(checks.rules))


def _field_findings(cycle: Cycle, unit: Unit, code: str, checks: quality.Checks) -> pl.DataFrame:
    inputs_all = quality.rule_inputs(checks.rules)
    rules = [r for r in checks.rules if code in inputs_all[r.code]]
    inputs = {r.code: inputs_all[r.code] for r in rules}
    # The size variable the outlier check divides this one by (Variable.per), if any.
    per = checks.limits[code].per if code in checks.limits else None
    needed = sorted({code, *([per] if per else [])}.union(*inputs.values()))
    ids, required, participants = selectors.field_check_context(
        cycle=cycle, needed=needed, code=code
    )
    classes = quality.classes_of([(u, type_) for _id, u, type_ in participants])
    own_class = classes.get(unit.code)
    units = {unit_id: u for unit_id, u, _type in participants} | {unit.pk: unit.code}
    variables = {variable_id: c for c, variable_id in ids.items()}
    peers = [
        unit_id
        for unit_id, _u, type_ in participants
        if unit_id != unit.pk and (own_class is None or type_ == own_class)
    ]
    rows = selectors.field_check_rows(
        cycle=cycle,
        unit_id=unit.pk,
        variable_ids=[ids[c] for c in needed if c in ids],
        variable_id=ids.get(code, 0),
        size_id=ids.get(per) if per else None,
        peer_ids=peers,
    )
    # The few rows are sorted into the engine's inputs in Python: as Polars filters,
    # each would be a query of its own, costing more than the rows.
    previous = Period.parse(cycle.period).previous().code
    own_rows, history_rows, peer_rows, size_rows = [], [], [], []
    for unit_id, variable_id, period, value, comment in rows:
        row = (units.get(unit_id), variables[variable_id], period, value)
        if unit_id == unit.pk:
            if period == cycle.period:
                own_rows.append((*row, comment))
            elif period == previous:
                history_rows.append(row)
        elif row[1] == code:
            peer_rows.append(row)
        if per and row[1] == per:
            size_rows.append(row)
    own = pl.DataFrame(own_rows, schema=VALUE_SCHEMA | {"comment": pl.String}, orient="row")

    def frame(rows):
        return pl.DataFrame(rows, schema=VALUE_SCHEMA, orient="row")

    found = engine_quality.check_values(
        own.select(*VALUE_SCHEMA),
        variables={c: checks.limits[c] for c in needed if c in checks.limits},
        rules=rules,
        history=frame(history_rows),
        peers=frame(peer_rows),
        required={code} if required else set(),
        units=[unit.code],
        periods=[cycle.period],
        sizes=frame(size_rows) if per else None,
    )
    found = found.filter(
        pl.when(pl.col("check") == "rule")
        .then(pl.col("variable").is_in(sorted(inputs)))
        .otherwise(pl.col("variable") == code)
    )
    return engine_quality.justify(found, _commented(own), inputs)


# --- the questionnaire: kept for autosaves -----------------------------------------------

# The findings of a questionnaire's last full computation (the page load), kept so that
# saving one field recomputes only that field's findings (`field_findings_after_save`).
FINDINGS_CACHE_SECONDS = 60 * 60


def _entry_key(submission: Submission) -> str:
    return f"miara:entry-findings:{submission.pk}"


def _unit_revisions(submission: Submission) -> tuple[int, int]:
    """The unit's revisions of the cycle's period and the previous one (whose values
    the change check reads)."""
    periods = [submission.cycle.period, Period.parse(submission.cycle.period).previous().code]
    return selectors.revisions(periods=periods, unit_id=submission.unit_id).get(
        submission.unit_id, (0, 0)
    )


def questionnaire_findings(submission: Submission) -> pl.DataFrame:
    """Every finding of the submission (`findings(unit=...)`), computed in full and kept
    for the autosaves that follow."""
    revisions = _unit_revisions(submission)  # before reading: a later write is noticed
    checks = quality.catalogue_checks()
    found = findings(cycle=submission.cycle, unit=submission.unit, checks=checks)
    cache.set(
        _entry_key(submission),
        {"revisions": revisions, "rules": checks.fingerprint, "findings": found},
        FINDINGS_CACHE_SECONDS,
    )
    return found


def field_findings_after_save(
    submission: Submission, code: str, *, written: bool, revisions: tuple[int, int] | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(the findings of field `code`, every finding of the submission) after a save of
    that one field (`written`: whether the save changed it; `revisions`: the unit's, read
    after the save, when the caller has them: `selectors.required_filled`).

    The field's own findings are always computed afresh (`findings(variable=code)`).
    The questionnaire's totals come from the last full computation (the page load, or
    an earlier autosave) with only this field's findings, and those of the rules reading
    it, replaced: a value of one field changes no other finding of the unit except
    through those rules. That computation is used only while the unit's revisions say
    that nothing but this save was written since (its revision of the cycle's period
    moved by exactly this save, that of the previous period not at all) and the
    catalogue's checks are the same; else everything is recomputed, as on the page. As
    on the page, the other fields' outlier findings stay those of their last computation
    until the page is reloaded (the other units' values move on meanwhile).
    """
    cached = cache.get(_entry_key(submission))
    checks = quality.catalogue_checks()
    revisions = _unit_revisions(submission) if revisions is None else revisions
    usable = (
        cached is not None
        and cached["rules"] == checks.fingerprint
        and revisions == (cached["revisions"][0] + int(written), cached["revisions"][1])
    )
    if not usable:
        found = questionnaire_findings(submission)
        return _field_only(found, code), found
    own = findings(cycle=submission.cycle, unit=submission.unit, variable=code, checks=checks)
    rule_codes = sorted(_rules_reading(checks, code))
    old = cached["findings"]
    kept = old.filter(
        ~pl.when(pl.col("check") == "rule")
        .then(pl.col("variable").is_in(rule_codes))
        .otherwise(pl.col("variable") == code)
    )
    found = pl.concat([kept, own.select(old.columns)]).sort(engine_quality.ORDER)
    cache.set(
        _entry_key(submission),
        {"revisions": revisions, "rules": checks.fingerprint, "findings": found},
        FINDINGS_CACHE_SECONDS,
    )
    return _field_only(own, code), found


def _rules_reading(checks: quality.Checks, code: str) -> set[str]:
    return {rule for rule, reads in quality.rule_inputs(checks.rules).items() if code in reads}


def _field_only(found: pl.DataFrame, code: str) -> pl.DataFrame:
    """The findings shown at field `code` (rule findings are not shown at a field)."""
    return found.filter((pl.col("variable") == code) & (pl.col("check") != "rule"))


# --- the completion board ----------------------------------------------------------------

# How long a computed board state may be kept; it is brought up to date on every read.
BOARD_CACHE_SECONDS = 60 * 60
# A board state is brought up to date from the units written since it was computed
# while they are at most this many (each costs a read of its questionnaire in two
# periods); more, and everything is recomputed, as for the first read.
BOARD_UPDATE_MAX_UNITS = 25
# ... and at most this many variables of them changed (each costs the outlier check of
# the variable over every unit taking part).
BOARD_UPDATE_MAX_VARIABLES = 100


def _board_summary(values: pl.DataFrame, required: list[str]) -> dict[str, tuple]:
    """Per unit code in `values` (this period's): (filled, required filled, last change)."""
    present = values.filter(pl.col("value").is_not_null())
    filled = dict(present.group_by("unit").len().iter_rows())
    required_filled = dict(
        present.filter(pl.col("variable").is_in(required)).group_by("unit").len().iter_rows()
    )
    changed = dict(values.group_by("unit").agg(pl.col("changed").max()).iter_rows())
    return {
        unit: (filled.get(unit, 0), required_filled.get(unit, 0), changed.get(unit))
        for unit in values.get_column("unit").unique().to_list()
    }


_KEPT_VALUES = ["unit_id", "variable_id", "period", "value", "commented", "changed"]


def _pack(values: pl.DataFrame, period: str) -> pl.DataFrame:
    """The cycle's values as the board keeps them: numbers only (a tenth of the time to
    pickle, which the cache does on every write and read)."""
    return values.select(
        pl.col("unit_id").cast(pl.Int32),
        pl.col("variable_id").cast(pl.Int32),
        current=pl.col("period") == period,
        value=pl.col("value"),
        commented=pl.col("commented"),
    )


def _unpack(kept: pl.DataFrame, period: str, previous: str) -> pl.DataFrame:
    return kept.select(
        pl.col("unit_id").cast(pl.Int64),
        pl.col("variable_id").cast(pl.Int64),
        period=pl.when(pl.col("current")).then(pl.lit(period)).otherwise(pl.lit(previous)),
        value=pl.col("value"),
        commented=pl.col("commented"),
        changed=pl.lit(None, pl.Float64),
    )


def _kept_values(state: dict, period: str, previous: str):
    """A reader of the values a board state was computed from: those read by the full
    computation (kept packed under their own key, read only when a state is brought up
    to date) with the rows of the units read again since (`overrides`). The reader takes
    a filter on `unit_id` and `variable_id` and unpacks only the rows it keeps. None
    when the values were evicted."""
    base = cache.get(state["base"])
    if base is None:
        return None
    overrides = state["overrides"]
    again = overrides.get_column("unit_id").unique().implode()

    def kept(where: pl.Expr) -> pl.DataFrame:
        rows = _unpack(base.filter(where & ~pl.col("unit_id").is_in(again)), period, previous)
        return pl.concat([rows, overrides.filter(where).select(rows.columns)])

    return kept


def _board_update(state: dict, cycle: Cycle, shape, checks, unit_ids: list[int]) -> dict | None:
    """The board state `state` brought up to date with the writes of the units
    `unit_ids` since it was computed, or None when too much changed.

    The units' questionnaires (both periods) are read again and compared with the
    state's copy, which tells the variables that changed. What those changes can change,
    and only that, is recomputed: the findings other than outliers (range, required,
    rules, change against the previous period) of the units written, and the outlier
    findings of every unit taking part for the variables that changed in the cycle's
    period (their distribution over each class moved) or in the previous one (it decides
    whether a value is consistent with its history). The result is the same as
    `findings(cycle=...)` from scratch (tests compare the two).
    """
    participants, items, _fingerprint = shape
    unit_code = {unit_id: code for unit_id, code, _type in participants}
    variable_code = {variable_id: code for variable_id, code, _required in items}
    unit_ids = sorted(u for u in unit_ids if u in unit_code)
    if not unit_ids:
        return state
    if len(unit_ids) > BOARD_UPDATE_MAX_UNITS:
        return None
    previous = Period.parse(cycle.period).previous().code
    fresh = selectors.cycle_values(cycle=cycle, previous=previous, unit_ids=unit_ids)
    kept = _kept_values(state, cycle.period, previous)
    if kept is None:
        return None
    mine_ids = pl.col("unit_id").is_in(unit_ids)
    key = ["unit_id", "variable_id", "period"]
    before = kept(mine_ids)
    diff = before.join(fresh, on=key, how="full", coalesce=True, suffix="_new").filter(
        ~pl.col("value").eq_missing(pl.col("value_new"))
        | ~pl.col("commented").eq_missing(pl.col("commented_new"))
    )
    variable_ids = sorted(set(diff.get_column("variable_id").to_list()))
    size_codes = {
        checks.limits[c].per
        for c in variable_code.values()
        if c in checks.limits and checks.limits[c].per
    }
    if any(variable_code.get(v) in size_codes for v in variable_ids):
        return None  # a unit's new size moves every value it divides: recompute all
    if len(variable_ids) > BOARD_UPDATE_MAX_VARIABLES:
        return None
    # A size the questionnaire does not ask for is not among the values compared above.
    unasked = _unasked_sizes(
        cycle, previous, set(variable_code.values()), sorted(unit_code.values()), checks
    )
    if not _same_frame(unasked, state["sizes"]):
        return None
    # What the checks below read: the written units' questionnaires, and of the other
    # units the variables that changed and the sizes they are divided by.
    wanted = variable_ids + [i for i, code in variable_code.items() if code in size_codes]
    others = kept(pl.col("variable_id").is_in(wanted) & ~mine_ids)
    read = _with_codes(pl.concat([others, fresh.select(_KEPT_VALUES)]), participants, items)
    units = sorted(unit_code[u] for u in unit_ids)
    variables = sorted(variable_code[v] for v in variable_ids)
    mine = pl.col("unit").is_in(units)
    current = read.filter(pl.col("period") == cycle.period)
    required = sorted(code for _id, code, is_required in items if is_required)
    # 1. The written units' findings other than outliers (the outlier check is
    # switched off by an infinite threshold: no robust z exceeds it).
    own = engine_quality.check_values(
        current.filter(mine).select(*VALUE_SCHEMA),
        variables=checks.limits,
        rules=checks.rules,
        history=read.filter(mine & (pl.col("period") == previous)).select(*VALUE_SCHEMA),
        peers=None,
        required=set(required),
        units=units,
        periods=[cycle.period],
        outlier_threshold=float("inf"),
    ).filter(pl.col("check") != "outlier")
    # 2. Every unit's outlier findings of the variables that changed, with their
    # previous values (consistency with history) and the sizes they divide by.
    changed_vars = pl.col("variable").is_in(variables)
    sizes = read.filter(pl.col("variable").is_in(sorted(size_codes))).select(*VALUE_SCHEMA)
    if unasked is not None:
        sizes = pl.concat([sizes, unasked])
    outliers = engine_quality.check_values(
        current.filter(changed_vars).select(*VALUE_SCHEMA),
        variables={code: checks.limits[code] for code in variables if code in checks.limits},
        history=read.filter(changed_vars & (pl.col("period") == previous)).select(*VALUE_SCHEMA),
        peers=None,
        peer_classes=quality.classes_of([(code, type_) for _id, code, type_ in participants]),
        periods=[cycle.period],
        sizes=sizes if size_codes else None,
    ).filter(pl.col("check") == "outlier")
    inputs = quality.rule_inputs(checks.rules)
    commented = _commented(current)
    old = state["findings"]
    kept = old.filter(
        ~(
            (pl.col("unit").is_in(units) & (pl.col("check") != "outlier"))
            | ((pl.col("check") == "outlier") & pl.col("variable").is_in(variables))
        )
    )
    fresh_findings = pl.concat(
        [
            engine_quality.justify(own, commented, inputs),
            engine_quality.justify(outliers, commented, inputs),
        ]
    )
    found = pl.concat([kept, fresh_findings.select(old.columns)]).sort(engine_quality.ORDER)
    per_unit = dict(state["per_unit"])
    fresh_summary = _board_summary(current.filter(mine), required)
    for code in units:
        per_unit[code] = fresh_summary.get(code, (0, 0, None))
    overrides = pl.concat(
        [state["overrides"].filter(~mine_ids), fresh.select(_KEPT_VALUES)]
    ).with_columns(changed=pl.lit(None, pl.Float64))
    return state | {"overrides": overrides, "per_unit": per_unit, "findings": found}


def _same_frame(a: pl.DataFrame | None, b: pl.DataFrame | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    order = ["unit", "variable", "period"]
    return a.sort(order).equals(b.sort(order))


def cycle_checked(*, cycle: Cycle) -> tuple[dict[str, tuple], pl.DataFrame]:
    """The cycle's findings (`findings(cycle=...)`) and, per unit code, (filled,
    required filled, errors, open warnings, last value change as epoch seconds or None).

    The figures are kept (in the cache, under the cycle, its participants and items and
    the fingerprint of the catalogue's checks) with the revisions of the units' values
    they were computed from (module docstring). A read compares the units' revisions now
    with those kept (one indexed query) and recomputes only what the units whose
    revisions moved can change (`_board_update`): a save during collection costs a few
    milliseconds of checks, not a pass over every unit's values. The first read, a
    change of the catalogue's checks or of the participants, or writes of many units
    recompute everything. Either way the figures are those of the values stored now.
    System read: callers authorise first.
    """
    checks = quality.catalogue_checks()
    shape = selectors.cycle_shape(cycle)
    key = ":".join(
        str(part)
        for part in (
            "miara:board",
            cycle.pk,
            cycle.created_at.timestamp(),
            checks.fingerprint,
            shape[2],
        )
    )
    previous = Period.parse(cycle.period).previous().code
    revisions = selectors.revisions(periods=[cycle.period, previous], cycle=cycle)
    state = cache.get(key)
    if state is not None and state["revisions"] == revisions:
        cache.touch(key, BOARD_CACHE_SECONDS)  # read while nothing changed: keep it
        cache.touch(state["base"], BOARD_CACHE_SECONDS)
    elif state is not None:
        kept = state["revisions"]
        moved = [u for u in kept.keys() | revisions.keys() if kept.get(u) != revisions.get(u)]
        state = _board_update(state, cycle, shape, checks, moved)
        if state is not None:
            state = state | {"revisions": revisions}
            cache.set(key, state, BOARD_CACHE_SECONDS)
    if state is None:
        values, found, sizes = _cycle_findings(cycle, checks)
        required = [code for _id, code, is_required in shape[1] if is_required]
        state = {
            "revisions": revisions,
            "base": f"{key}:values:{uuid.uuid4().hex}",
            "overrides": values.head(0).select(_KEPT_VALUES),
            "sizes": sizes,
            "per_unit": _board_summary(values.filter(pl.col("period") == cycle.period), required),
            "findings": found,
        }
        cache.set(state["base"], _pack(values, cycle.period), BOARD_CACHE_SECONDS)
        cache.set(key, state, BOARD_CACHE_SECONDS)
    found = state["findings"]
    counts = finding_counts(found)
    summary = {}
    for _id, unit, _type in shape[0]:
        filled, required_filled, changed = state["per_unit"].get(unit, (0, 0, None))
        unit_counts = counts.get(unit, NO_FINDINGS)
        summary[unit] = (
            filled,
            required_filled,
            unit_counts["errors"],
            unit_counts["open_warnings"],
            changed,
        )
    return summary, found


def cycle_board(*, cycle: Cycle) -> list[dict]:
    """The completion board: one row per submission of the cycle, ordered by unit code,
    with its state, filled values (of the questionnaire and of its required items), open
    errors, unjustified warnings and the last activity (the latest change of one of its
    values or of its state). A fixed number of queries and one pass of the quality
    engine, whatever the number of units; the per-unit figures are kept until a value
    or the catalogue's checks change (`cycle_checked`). System read: callers authorise
    first.
    """
    submissions = list(cycle.submissions.select_related("unit").order_by("unit__code"))
    if not submissions:
        return []
    items = cycle.items.count()
    required = cycle.items.filter(required=True).count()
    summary, _findings = cycle_checked(cycle=cycle)
    moved = selectors.submission_last_moves(cycle=cycle)
    rows = []
    for s in submissions:
        filled, required_filled, errors, warnings, changed = summary.get(
            s.unit.code, (0, 0, 0, 0, None)
        )
        times = [moved.get(s.pk)]
        if changed is not None:
            times.append(dt.datetime.fromtimestamp(changed, tz=dt.UTC))
        times = [t for t in times if t is not None]
        rows.append(
            {
                "submission": s,
                "unit": s.unit,
                "state": s.state,
                "items": items,
                "filled": filled,
                "required": required,
                "required_filled": required_filled,
                "errors": errors,
                "warnings": warnings,
                "last_activity": max(times) if times else None,
            }
        )
    return rows
