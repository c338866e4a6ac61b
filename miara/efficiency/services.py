"""Writes of efficiency models: define, compute (now or in the background), delete.

Experts and coordinators (who read every unit) define models. Each function authorises,
checks the whole input first, writes in one transaction and records an audit entry. A
model of up to INLINE_UNITS units is computed at once (a second or two); a larger one is
queued for the background runner, and its page shows the state until it is done.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from miara.accounts.audit import audit_record
from miara.accounts.scope import is_operator, reads_all_units
from miara.efficiency.models import EfficiencyModel, EfficiencyResult
from miara.efficiency.selectors import (
    EfficiencyInputError,
    check_variables,
    group_units,
    model_data,
)
from miara.engine import dea as engine_dea
from miara.engine import malmquist as engine_malmquist
from miara.engine.errors import EngineError, PeriodError
from miara.engine.periods import Period
from miara.lib.jobs import job_queued_announce
from miara.units.models import Unit

log = logging.getLogger(__name__)

INLINE_UNITS = 600


def may_define(user) -> bool:
    """Experts and coordinators (and the operator) define and compute models."""
    return is_operator(user) or reads_all_units(user)


def _codes(value, field: str) -> list[str]:
    if isinstance(value, str):
        value = value.replace(";", ",").split(",")
    codes = [str(c).strip().upper() for c in (value or []) if str(c).strip()]
    if not codes:
        raise EfficiencyInputError(
            _("Name at least one input.") if field == "inputs" else _("Name at least one output."),
            field,
        )
    return codes


def _period(text: str, field: str) -> str:
    try:
        return str(Period.parse(str(text).strip()))
    except PeriodError as error:
        raise EfficiencyInputError(str(error), field) from error


def model_create(
    *,
    acting_user,
    name: str,
    inputs,
    outputs,
    period: str,
    kind: str = "dea",
    returns: str = "constant",
    orientation: str = "input",
    period_to: str = "",
    group: str = "",
    channel: str = "web",
) -> EfficiencyModel:
    """Define a model and compute it (at once when small, else in the background)."""
    if not may_define(acting_user):
        raise PermissionDenied(_("Only experts and coordinators define efficiency models."))
    name = (name or "").strip()
    if not name:
        raise EfficiencyInputError(_("Give the model a name."), "name")
    if kind not in EfficiencyModel.Kind.values:
        raise EfficiencyInputError(_("Choose a kind of model."), "kind")
    inputs, outputs = _codes(inputs, "inputs"), _codes(outputs, "outputs")
    try:
        engine_dea.DeaModel(tuple(inputs), tuple(outputs), orientation, returns)
    except engine_dea.DeaInputError as error:
        raise EfficiencyInputError(str(error), "inputs") from error
    check_variables(inputs, "inputs")
    check_variables(outputs, "outputs")
    period = _period(period, "period")
    if kind == EfficiencyModel.Kind.MALMQUIST:
        period_to = _period(period_to, "period_to")
        if period_to == period:
            raise EfficiencyInputError(_("Choose two different periods."), "period_to")
        returns = EfficiencyModel.Returns.CONSTANT
    else:
        period_to = ""
    group = (group or "").strip().upper()
    if group.lower() == "all":
        group = ""
    group_units(group, period)  # refuses an unknown group
    with transaction.atomic():
        model = EfficiencyModel.objects.create(
            name=name[:200],
            kind=kind,
            inputs=inputs,
            outputs=outputs,
            returns=returns,
            orientation=orientation,
            period=period,
            period_to=period_to,
            group=group,
            created_by=None if is_operator(acting_user) else acting_user,
            language=translation.get_language() or "",
        )
        audit_record(
            user=acting_user,
            action="efficiency.model_create",
            channel=channel,
            summary=f"{model.name}: {','.join(inputs)} -> {','.join(outputs)} {period}",
            details={"model": model.pk, "kind": kind},
        )
    model_queue(model)
    return model


def model_queue(model: EfficiencyModel) -> None:
    """Compute a small model now; queue a large one for the background runner."""
    if Unit.objects.count() <= INLINE_UNITS:
        model_compute(model)
        return
    EfficiencyModel.objects.filter(pk=model.pk).update(state=EfficiencyModel.State.QUEUED)
    job_queued_announce()


def model_recompute(*, acting_user, model: EfficiencyModel, channel: str = "web") -> None:
    """Compute again from the stored values as they are now."""
    if not may_define(acting_user):
        raise PermissionDenied(_("Only experts and coordinators compute efficiency models."))
    with transaction.atomic():
        EfficiencyModel.objects.filter(pk=model.pk).update(
            state=EfficiencyModel.State.QUEUED, error=""
        )
        audit_record(
            user=acting_user,
            action="efficiency.model_compute",
            channel=channel,
            summary=model.name,
            details={"model": model.pk},
        )
    model.refresh_from_db()
    model_queue(model)


def model_delete(*, acting_user, model: EfficiencyModel, channel: str = "web") -> None:
    if not may_define(acting_user):
        raise PermissionDenied(_("Only experts and coordinators delete efficiency models."))
    with transaction.atomic():
        audit_record(
            user=acting_user,
            action="efficiency.model_delete",
            channel=channel,
            summary=model.name,
            details={"model": model.pk},
        )
        model.delete()


def model_compute(model: EfficiencyModel) -> EfficiencyModel:
    """Compute the model from the stored values and replace its results in one
    transaction. Bad data end as a failed model with the reason, never half-written."""
    EfficiencyModel.objects.filter(pk=model.pk).update(
        state=EfficiencyModel.State.RUNNING, started_at=timezone.now(), heartbeat_at=timezone.now()
    )
    try:
        if model.kind == EfficiencyModel.Kind.MALMQUIST:
            rows, excluded, warnings, summary = _compute_malmquist(model)
        else:
            rows, excluded, warnings, summary = _compute_dea(model)
    except EngineError as error:  # bad data or definition: the reason, in plain words
        return _failed(model, str(error))
    except Exception as error:  # a solver failure must not end as a page's 500
        log.exception("efficiency model %s failed", model.pk)
        return _failed(model, _("the computation failed: %(error)s") % {"error": error})
    units = dict(Unit.objects.filter(code__in=[r["unit"] for r in rows]).values_list("code", "id"))
    with transaction.atomic():
        EfficiencyResult.objects.filter(model=model).delete()
        EfficiencyResult.objects.bulk_create(
            [EfficiencyResult(model=model, unit_id=units[r.pop("unit")], **r) for r in rows],
            batch_size=1000,
        )
        EfficiencyModel.objects.filter(pk=model.pk).update(
            state=EfficiencyModel.State.DONE,
            excluded=[
                {"unit": e.unit, "variable": e.variable, "reason": e.reason} for e in excluded
            ],
            warnings=[{"code": w.code, "units": w.units, "minimum": w.minimum} for w in warnings],
            summary=summary,
            error="",
            progress_done=1,
            finished_at=timezone.now(),
        )
    model.refresh_from_db()
    return model


def _failed(model: EfficiencyModel, message: str) -> EfficiencyModel:
    EfficiencyModel.objects.filter(pk=model.pk).update(
        state=EfficiencyModel.State.FAILED, error=message[:2000], finished_at=timezone.now()
    )
    model.refresh_from_db()
    return model


def _compute_dea(model: EfficiencyModel):
    frame = model_data(variables=model.variables, period=model.period, group=model.group)
    spec = engine_dea.DeaModel(
        tuple(model.inputs), tuple(model.outputs), model.orientation, model.returns
    )
    result = engine_dea.dea(frame, spec)
    ranked = engine_dea.dea(
        frame,
        engine_dea.DeaModel(spec.inputs, spec.outputs, spec.orientation, spec.returns, True),
    )
    supers = {u.unit: u.score for u in ranked.units}
    values = {
        row["unit"]: {v: row[v] for v in model.variables} for row in frame.iter_rows(named=True)
    }
    rows = [
        {
            "unit": u.unit,
            "status": u.status,
            "score": u.score,
            "super_score": supers.get(u.unit),
            "efficient": u.efficient,
            "peers": u.peers,
            "targets": u.targets,
            "slacks": u.slacks,
            "values": values[u.unit],
        }
        for u in result.units
    ]
    return rows, result.excluded, result.warnings, {}


def _compute_malmquist(model: EfficiencyModel):
    before = model_data(variables=model.variables, period=model.period, group=model.group)
    after = model_data(variables=model.variables, period=model.period_to, group=model.group)
    result = engine_malmquist.malmquist(
        before, after, model.inputs, model.outputs, model.orientation
    )
    rows = [
        {
            "unit": u.unit,
            "status": u.status,
            "figures": {f: getattr(u, f) for f in engine_malmquist.FIGURES},
        }
        for u in result.units
    ]
    return rows, result.excluded, result.warnings, engine_malmquist.geometric_means(result)
