"""Pages of efficiency models: the list, the form, a model (scores ranked, the frontier
drawn, or the Malmquist figures explained), one unit's page, and the exports.

Thin: authorise (the selectors' and services' own checks), call a service, render.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_POST

from miara.catalogue.models import Variable
from miara.efficiency import charts, selectors, services
from miara.efficiency.forms import EfficiencyModelForm
from miara.efficiency.models import EfficiencyModel
from miara.fileio.writing import write_frame
from miara.presentation.downloads import XLSX, csv_response, file_response
from miara.presentation.numbers import fixed

FIGURE_LABELS = {
    "effch": gettext_lazy("efficiency change"),
    "techch": gettext_lazy("technical change"),
    "pech": gettext_lazy("pure efficiency change"),
    "sech": gettext_lazy("scale efficiency change"),
    "tfpch": gettext_lazy("total factor productivity change"),
}


def _labels(codes: list[str]) -> dict[str, str]:
    return {v.code: v.label for v in Variable.objects.filter(code__in=codes)}


@login_required
def model_list(request):
    return render(
        request,
        "efficiency/model_list.html",
        {
            "models": selectors.models_visible_to(request.user),
            "may_define": services.may_define(request.user),
        },
    )


@login_required
def model_new(request):
    if not services.may_define(request.user):
        raise PermissionDenied
    form = EfficiencyModelForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                model = services.model_create(acting_user=request.user, **data)
            except selectors.EfficiencyInputError as error:
                field = error.field if error.field in form.fields else None
                form.add_error(field, str(error))
            else:
                if model.state == EfficiencyModel.State.FAILED:
                    messages.error(
                        request,
                        _("The model could not be computed: %(error)s") % {"error": model.error},
                    )
                else:
                    messages.success(request, _("The model was saved."))
                return redirect("efficiency:model", pk=model.pk)
        status = 422
    return render(request, "efficiency/model_new.html", {"form": form}, status=status)


def _explanations(model, means: dict) -> list[dict]:
    """One sentence per figure of the Malmquist index, with the group's geometric mean."""
    p1, p2 = model.period, model.period_to
    texts = {
        "tfpch": _(
            "Total factor productivity changed by a factor of %(value)s from %(p1)s to %(p2)s "
            "(%(percent)s %%): above 1, the units produce more output per unit of input."
        ),
        "effch": _(
            "Efficiency change %(value)s (%(percent)s %%): how much closer to their period's "
            "frontier the units came (catching up) under constant returns."
        ),
        "techch": _(
            "Technical change %(value)s (%(percent)s %%): how far the frontier itself moved, "
            "the best practice getting better (above 1) or worse (below 1)."
        ),
        "pech": _(
            "Pure efficiency change %(value)s (%(percent)s %%): the catching up measured under "
            "variable returns, that is, better management rather than a better size."
        ),
        "sech": _(
            "Scale efficiency change %(value)s (%(percent)s %%): the part of the catching up "
            "that comes from moving towards the most productive size."
        ),
    }
    out = []
    for figure in ("tfpch", "effch", "techch", "pech", "sech"):
        value = means.get(figure)
        if value is None:
            continue
        out.append(
            {
                "figure": figure,
                "label": FIGURE_LABELS[figure],
                "value": value,
                "text": texts[figure]
                % {
                    "value": fixed(value, 4),
                    "percent": fixed(100 * (value - 1), 1),
                    "p1": p1,
                    "p2": p2,
                },
            }
        )
    return out


def _excluded_text(entry: dict) -> str:
    reason = entry.get("reason")
    if reason == "missing":
        return _("no value of %(variable)s") % entry
    if reason == "not_positive":
        return _("%(variable)s is zero or negative (the frontier needs positive values)") % entry
    if reason == "absent_before":
        return _("no complete data in the first period")
    if reason == "absent_after":
        return _("no complete data in the second period")
    return str(reason)


def _warning_texts(model) -> list[str]:
    return [
        _(
            "Only %(units)s units for %(variables)s inputs and outputs: with fewer than "
            "%(minimum)s units the model discriminates weakly and many units come out "
            "efficient."
        )
        % {"units": w["units"], "variables": w["minimum"] // 3, "minimum": w["minimum"]}
        for w in model.warnings
    ]


@login_required
def model_page(request, pk: int):
    model = selectors.model_get(request.user, pk)
    items = selectors.shown_results(request.user, model)
    context = {
        "model": model,
        "items": items,
        "input_labels": [_labels(model.inputs).get(c, c) for c in model.inputs],
        "output_labels": [_labels(model.outputs).get(c, c) for c in model.outputs],
        "may_define": services.may_define(request.user),
        "excluded": [
            {"unit": e["unit"], "text": _excluded_text(e)}
            for e in selectors.excluded_shown(request.user, model)
        ],
        "warnings": _warning_texts(model),
        "is_malmquist": model.kind == EfficiencyModel.Kind.MALMQUIST,
    }
    if model.kind == EfficiencyModel.Kind.MALMQUIST:
        context["explanations"] = _explanations(model, model.summary or {})
    elif items and all(item.shows_values for item in items):
        points = charts.frontier_points(model, items)
        context["chart"] = charts.frontier_chart(model, points)
        context["chart_summary"] = charts.frontier_summary(model, points)
    return render(request, "efficiency/model.html", context)


def _combination(item) -> str:
    """`0.6 × A + 0.4 × B`, or the peers' names alone when the weights are withheld."""
    if any(weight is None for _key, _label, weight in item.peers):
        return ", ".join(label for _key, label, _weight in item.peers)
    return " + ".join(f"{fixed(weight, 2)} × {label}" for _key, label, weight in item.peers)


def unit_sentences(model, item, labels: dict[str, str]) -> list[str]:
    """What the unit would need to change to be on the frontier, one sentence a variable."""
    r = item.result
    if r.score is None:
        return [_("This unit has no score: its programme is infeasible.")]
    if r.efficient:
        return [
            _("%(unit)s is on the frontier: no unit or combination of units does better.")
            % {"unit": item.label}
        ]
    weighted = all(weight is not None for _k, _l, weight in item.peers)
    lead = (
        _("To be efficient like %(combination)s, %(unit)s would need")
        if weighted
        else _("To be efficient like a combination of %(combination)s, %(unit)s would need")
    ) % {"combination": _combination(item), "unit": item.label}
    sentences = [lead]
    for code in model.inputs:
        own, target = r.values.get(code), r.targets.get(code)
        if own and target is not None and own - target > 1e-9 * abs(own):
            sentences.append(
                _("%(percent)s %% less %(variable)s (%(target)s instead of %(own)s)")
                % {
                    "percent": fixed(100 * (own - target) / own, 1),
                    "variable": labels.get(code, code),
                    "target": fixed(target, 2),
                    "own": fixed(own, 2),
                }
            )
    for code in model.outputs:
        own, target = r.values.get(code), r.targets.get(code)
        if own and target is not None and target - own > 1e-9 * abs(own):
            sentences.append(
                _("%(percent)s %% more %(variable)s (%(target)s instead of %(own)s)")
                % {
                    "percent": fixed(100 * (target - own) / own, 1),
                    "variable": labels.get(code, code),
                    "target": fixed(target, 2),
                    "own": fixed(own, 2),
                }
            )
    if len(sentences) == 1:
        return sentences
    text = f"{lead} {'; '.join(sentences[1:])}"
    if model.orientation == "input":
        return [_("%(changes)s for the same output.") % {"changes": text}]
    return [_("%(changes)s with the same inputs.") % {"changes": text}]


@login_required
def unit_page(request, pk: int, key: str):
    model = selectors.model_get(request.user, pk)
    item = selectors.shown_unit(request.user, model, key)
    labels = _labels(model.variables)
    context = {"model": model, "item": item, "labels": labels}
    if model.kind == EfficiencyModel.Kind.MALMQUIST:
        context["explanations"] = _explanations(model, item.result.figures)
    else:
        context["sentences"] = unit_sentences(model, item, labels)
        context["rows"] = [
            {
                "code": code,
                "label": labels.get(code, code),
                "side": pgettext("efficiency model side", "input")
                if code in model.inputs
                else pgettext("efficiency model side", "output"),
                "own": item.result.values.get(code),
                "target": item.result.targets.get(code),
                "slack": item.result.slacks.get(code),
            }
            for code in model.variables
        ]
    return render(request, "efficiency/unit.html", context)


@login_required
def model_export(request, pk: int, fmt: str):
    model = selectors.model_get(request.user, pk)
    frame = selectors.export_frame(request.user, model)
    name = f"efficiency-{model.pk}"
    if fmt == "csv":
        response, writer = csv_response(f"{name}.csv")
        writer.writerow(frame.columns)
        writer.writerows(frame.iter_rows())
        return response
    if fmt != "xlsx":
        raise Http404
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{name}.xlsx"
        write_frame(frame, path, "xlsx", sheet=model.kind)
        return file_response(path.read_bytes(), filename=f"{name}.xlsx", content_type=XLSX)


@login_required
@require_POST
def model_compute_view(request, pk: int):
    model = selectors.model_get(request.user, pk)
    services.model_recompute(acting_user=request.user, model=model)
    messages.success(request, _("The model is computed again from the stored values."))
    return redirect("efficiency:model", pk=model.pk)


@login_required
@require_POST
def model_delete_view(request, pk: int):
    model = selectors.model_get(request.user, pk)
    services.model_delete(acting_user=request.user, model=model)
    messages.success(request, _("The model was deleted."))
    return redirect("efficiency:models")
