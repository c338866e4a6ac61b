"""Reads of efficiency models and the data they are computed from.

The data of a model are the stored values of its variables in its period for the units
of its peer group, read as the system (`values_frame(user=None)`): a frontier is drawn
by every unit of the group, whoever asks. What a person then sees of other units is
decided here too (`shown_results`): coordinators and experts see every unit by name;
participants see other units by name only in a named programme, else as pseudonyms that
belong to this one model (`model_scope`), and never other units' raw values nor the
weights that would give them away.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from miara.accounts.scope import reads_all_units, visible_unit_ids
from miara.analytics.peers import UnitPresenter, pseudonym
from miara.analytics.services import PROVISIONAL, data_basis, group_memberships
from miara.catalogue.models import PeerGroup, Variable
from miara.collection.selectors import VALUE_SCHEMA, values_frame
from miara.efficiency.models import EfficiencyModel, EfficiencyResult
from miara.engine.errors import EngineError, PeriodError
from miara.engine.malmquist import FIGURES
from miara.engine.periods import Period
from miara.engine.stats import ALL


class EfficiencyInputError(EngineError, ValueError):
    """A model that names something that does not exist (a variable, a group, a period);
    `field` names the form field at fault."""

    def __init__(self, message: str, field: str = ""):
        self.field = field
        super().__init__(message)


def check_variables(codes: list[str], field: str) -> None:
    known = set(Variable.objects.filter(code__in=codes).values_list("code", flat=True))
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise EfficiencyInputError(
            _("No catalogue variable has the code %(codes)s.") % {"codes": ", ".join(unknown)},
            field,
        )


def group_units(group: str, period: str) -> set[str] | None:
    """The codes of the group's members in the period; None for every unit."""
    if not group or group == ALL:
        return None
    peer_group = PeerGroup.objects.select_related("context_variable").filter(code=group).first()
    if peer_group is None:
        raise EfficiencyInputError(_("There is no peer group %(code)s.") % {"code": group}, "group")
    if peer_group.context_variable:
        context = values_frame(periods=[period], variables=[peer_group.context_variable.code])
    else:
        context = pl.DataFrame(schema=VALUE_SCHEMA)
    members = group_memberships(context, [period])
    return set(members.filter((pl.col("group") == group) & (pl.col("period") == period))["unit"])


def vouched(values: pl.DataFrame) -> pl.DataFrame:
    """Only the values a result set would use (methodology.md, "Which data a result set
    uses"): in a period with a collection cycle, those of submitted or accepted
    submissions; drafts, returned and reopened ones never feed a model either."""
    included, basis = data_basis(PROVISIONAL)
    if not basis:
        return values
    in_cycle = pl.col("period").is_in(list(basis))
    return pl.concat(
        [
            values.filter(~in_cycle),
            values.filter(in_cycle).join(included, on=["period", "unit"], how="semi"),
        ]
    )


def model_data(*, variables: list[str], period: str, group: str = "") -> pl.DataFrame:
    """One row per unit of the group with a value of any of the variables in the period,
    one column per variable (null where missing): the engine's input."""
    check_variables(variables, "inputs")
    try:
        period = str(Period.parse(str(period).strip()))
    except PeriodError as error:
        raise EfficiencyInputError(str(error), "period") from error
    long = vouched(values_frame(periods=[period], variables=variables))
    members = group_units(group, period)
    if members is not None:
        long = long.filter(pl.col("unit").is_in(sorted(members)))
    schema = {"unit": pl.String} | {v: pl.Float64 for v in variables}
    if long.is_empty():
        raise EfficiencyInputError(
            _("No unit%(group)s has values of %(codes)s in %(period)s.")
            % {
                "group": _(" of the group %(code)s") % {"code": group}
                if members is not None
                else "",
                "codes": ", ".join(variables),
                "period": period,
            },
            "period",
        )
    wide = long.pivot(on="variable", index="unit", values="value", aggregate_function="first")
    for code in variables:
        if code not in wide.columns:
            wide = wide.with_columns(pl.lit(None, dtype=pl.Float64).alias(code))
    return wide.select("unit", *variables).cast(schema).sort("unit")


# --- models as people see them ----------------------------------------------------------


def models_visible_to(user) -> QuerySet[EfficiencyModel]:
    """Every model: its figures are shown through `shown_results`, unit by unit."""
    return EfficiencyModel.objects.select_related("created_by").order_by("-created_at", "-id")


def model_get(user, pk: int) -> EfficiencyModel:
    if user is None or not user.is_authenticated:
        raise Http404
    model = EfficiencyModel.objects.filter(pk=pk).first()
    if model is None:
        raise Http404(_("No such efficiency model."))
    return model


def model_scope(model: EfficiencyModel) -> str:
    """The place a pseudonym belongs to: one model."""
    return f"efficiency:{model.pk}"


@dataclass(frozen=True)
class ShownResult:
    """One unit's result as the acting user may see it."""

    key: str
    label: str
    named: bool
    own: bool
    result: EfficiencyResult
    rank: int | None
    peers: list[tuple[str, str, float | None]]  # (key, label, λ or None when withheld)
    shows_values: bool


def shown_results(user, model: EfficiencyModel) -> list[ShownResult]:
    """The model's results ranked (DEA: by score, ties by super-efficiency; Malmquist: by
    tfpch), each unit shown as the user may see it."""
    presenter = UnitPresenter(user)
    scope = model_scope(model)
    results = list(model.results.select_related("unit"))
    by_code = {r.unit.code: r.unit for r in results}

    def key_of(r):
        if model.kind == EfficiencyModel.Kind.MALMQUIST:
            value = r.figures.get("tfpch")
            return (value is None, -(value or 0))
        return (r.score is None, -(r.score or 0), -(r.super_score or 0))

    results.sort(key=key_of)
    shown = []
    rank = 0
    for r in results:
        unit = presenter.show(r.unit, scope=scope)
        scored = r.score is not None or bool(r.figures.get("tfpch"))
        rank += 1 if scored else 0
        full = presenter.named or reads_all_units(user)
        peers = []
        for code, weight in r.peers.items():
            peer = by_code.get(code)
            if peer is None:
                continue
            shown_peer = presenter.show(peer, scope=scope)
            peers.append((shown_peer.key, shown_peer.label, weight if full else None))
        shown.append(
            ShownResult(
                key=unit.key,
                label=unit.label,
                named=unit.named,
                own=unit.own,
                result=r,
                rank=rank if scored else None,
                peers=peers,
                shows_values=full or unit.own,
            )
        )
    return shown


def shown_unit(user, model: EfficiencyModel, key: str) -> ShownResult:
    """One unit's result by the key the user sees it under. Coordinators and experts open
    any unit's page; a participant only their own units' pages. Any other key answers
    the same 404 as a key that is not there."""
    for item in shown_results(user, model):
        if item.key == key and (reads_all_units(user) or item.own):
            return item
    raise Http404(_("No such unit in this model."))


def own_result_keys(user, model: EfficiencyModel) -> set[str]:
    ids = visible_unit_ids(user)
    if ids is None:
        return set()
    return set(model.results.filter(unit_id__in=ids).values_list("unit__code", flat=True))


def excluded_shown(user, model: EfficiencyModel) -> list[dict]:
    """The units left out and why, named only to those who see other units by name."""
    presenter = UnitPresenter(user)
    if presenter.named or reads_all_units(user):
        return list(model.excluded)
    return [{**e, "unit": pseudonym(e["unit"], scope=model_scope(model))} for e in model.excluded]


def _pairs(pairs) -> str:
    return ";".join(f"{key}:{value!r}" if value is not None else key for key, value in pairs)


def export_frame(user, model: EfficiencyModel) -> pl.DataFrame:
    """The model's results as the user may see them, with the columns of contracts.md
    first (DEA: unit, score, peers, targets; Malmquist: unit, effch … tfpch). Another
    unit's targets (its own values moved) are written only for those who see its values;
    a peer's weight only for those who see other units' values."""
    rows = []
    for item in shown_results(user, model):
        r = item.result
        if model.kind == EfficiencyModel.Kind.MALMQUIST:
            rows.append(
                {"unit": item.key, **{f: r.figures.get(f) for f in FIGURES}, "status": r.status}
            )
            continue
        targets = _pairs(r.targets.items()) if item.shows_values else None
        rows.append(
            {
                "unit": item.key,
                "score": r.score,
                "peers": _pairs((key, weight) for key, _label, weight in item.peers),
                "targets": targets,
                "super_score": r.super_score,
                "status": r.status,
                "efficient": r.efficient,
            }
        )
    if model.kind == EfficiencyModel.Kind.MALMQUIST:
        schema = {"unit": pl.String} | {f: pl.Float64 for f in FIGURES} | {"status": pl.String}
    else:
        schema = {
            "unit": pl.String,
            "score": pl.Float64,
            "peers": pl.String,
            "targets": pl.String,
            "super_score": pl.Float64,
            "status": pl.String,
            "efficient": pl.Boolean,
        }
    return pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)
