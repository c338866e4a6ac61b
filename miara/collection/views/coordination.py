"""Coordinator pages: cycles, completion board, data-quality report, review of submissions.

Thin: authorise, parse the form or query string, call one service or selector, render.
Coordinators act; experts may read the board and the quality report; everyone else
gets 403 (anonymous visitors are sent to log in).
"""

from __future__ import annotations

import datetime as dt
from functools import wraps

import polars as pl
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from miara.accounts.scope import is_coordinator, reads_all_units
from miara.catalogue.models import ValidationRule, Variable
from miara.collection import selectors
from miara.collection.board_html import board_rows
from miara.collection.cycles import (
    WorkflowError,
    cycle_open,
    submission_accept,
    submission_reopen,
    submission_return,
)
from miara.collection.findings import cycle_board, cycle_checked, submission_findings
from miara.collection.models import Channel, Cycle, Submission, SubmissionState
from miara.collection.reminders import WAITING, cycle_send_reminders
from miara.collection.views.entry import finding_text
from miara.engine.errors import PeriodError
from miara.engine.periods import Period
from miara.lib.collation import sorted_by_name
from miara.presentation import labels
from miara.presentation.downloads import csv_response
from miara.presentation.numbers import exact, significant
from miara.units.models import Unit

# --- who may do what ---------------------------------------------------------------------


def coordinator_only(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_coordinator(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def readers_only(view):
    """Coordinators and experts (who read all data but change nothing)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not reads_all_units(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


STATE_BADGES = {
    SubmissionState.DRAFT: "draft",
    SubmissionState.SUBMITTED: "submitted",
    SubmissionState.RETURNED: "returned",
    SubmissionState.ACCEPTED: "accepted",
    SubmissionState.REOPENED: "reopened",
}


# --- 1. cycles ----------------------------------------------------------------------------


@coordinator_only
def cycle_list(request):
    cycles = list(Cycle.objects.all())
    counts = selectors.cycle_state_counts(cycle_ids=[c.pk for c in cycles])
    rows = [
        {
            "cycle": c,
            "total": sum(counts[c.pk].values()),
            "states": [
                (state, label, counts[c.pk].get(state, 0))
                for state, label in SubmissionState.choices
            ],
        }
        for c in cycles
    ]
    return render(request, "collection/coordination/cycle_list.html", {"rows": rows})


class CycleOpenForm(forms.Form):
    period = forms.CharField(
        label=gettext_lazy("Period"),
        max_length=7,
        help_text=gettext_lazy("A year (2025), a quarter (2025-Q1) or a month (2025-03)."),
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    deadline = forms.DateField(
        label=gettext_lazy("Deadline"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    variables = forms.MultipleChoiceField(
        label=gettext_lazy("Questionnaire"),
        error_messages={"required": gettext_lazy("Choose at least one variable.")},
    )
    required = forms.MultipleChoiceField(required=False)
    units = forms.MultipleChoiceField(
        label=gettext_lazy("Participating units"),
        error_messages={"required": gettext_lazy("Choose at least one unit.")},
    )

    def __init__(self, *args, variables, units, **kwargs):
        super().__init__(*args, **kwargs)
        codes = [(v.code, v.code) for v in variables]
        self.fields["variables"].choices = codes
        self.fields["required"].choices = codes
        self.fields["units"].choices = [(u.code, u.code) for u in units]

    def clean_period(self):
        text = self.cleaned_data["period"].strip()
        try:
            return Period.parse(text).code
        except PeriodError:
            raise forms.ValidationError(
                _(
                    "“%(text)s” is not a period: write a year (2025), a quarter (2025-Q1) or a month (2025-03)."
                )
                % {"text": text}
            ) from None

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the cycle a name."))
        return name

    def clean_deadline(self):
        deadline = self.cleaned_data.get("deadline")
        if deadline and deadline < dt.date.today():
            raise forms.ValidationError(_("The deadline is in the past."))
        return deadline


def _open_form_context(form, variables, units) -> dict:
    chosen = set(form["variables"].value() or [])
    required = set(form["required"].value() or [])
    picked_units = set(form["units"].value() or [])
    if not form.is_bound:
        required = {v.code for v in variables}
    areas: dict = {}
    for v in variables:
        areas.setdefault(v.area, []).append(
            {"variable": v, "checked": v.code in chosen, "required": v.code in required}
        )
    types = sorted({u.type for u in units if u.type})
    return {
        "form": form,
        "areas": [
            {"area": area, "label": area.label if area else _("General information"), "rows": rows}
            for area, rows in areas.items()
        ],
        "units": [{"unit": u, "checked": u.code in picked_units} for u in units],
        "unit_types": [(t, labels.unit_type_label(t)) for t in types],
    }


@coordinator_only
def cycle_new(request):
    variables = list(Variable.objects.select_related("area"))
    # Variables without an area (context: population, area, budget) come first.
    variables.sort(
        key=lambda v: (v.area is not None, v.area.position if v.area else 0, v.area_id or 0, v.code)
    )
    units = list(Unit.objects.order_by("code"))
    form = CycleOpenForm(request.POST or None, variables=variables, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cycle = cycle_open(
                period=data["period"],
                name=data["name"],
                deadline=data["deadline"],
                variable_codes=[v.code for v in variables if v.code in set(data["variables"])],
                required_codes=[c for c in data["required"] if c in set(data["variables"])],
                unit_codes=data["units"],
                acting_user=request.user,
            )
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("The cycle “%(name)s” is open for %(units)d units.")
                % {"name": cycle.name, "units": len(data["units"])},
            )
            return redirect("collection:coord_board", cycle_id=cycle.pk)
    status = 400 if form.is_bound else 200
    return render(
        request,
        "collection/coordination/cycle_new.html",
        _open_form_context(form, variables, units),
        status=status,
    )


# --- 2. the completion board --------------------------------------------------------------

BOARD_SORTS = {
    "unit": lambda r: (r["unit"].name.lower(), r["unit"].code),
    "state": lambda r: (list(STATE_BADGES).index(r["state"]), r["unit"].name.lower()),
    "filled": lambda r: (r["required_filled"], r["filled"]),
    "errors": lambda r: r["errors"],
    "warnings": lambda r: r["warnings"],
    "activity": lambda r: r["last_activity"] or dt.datetime.min.replace(tzinfo=dt.UTC),
}


def _cycle(cycle_id: int) -> Cycle:
    return get_object_or_404(Cycle, pk=cycle_id)


@readers_only
def board(request, cycle_id: int):
    cycle = _cycle(cycle_id)
    rows = cycle_board(cycle=cycle)
    counts = {state: 0 for state in STATE_BADGES}
    for row in rows:
        counts[row["state"]] += 1
    state = request.GET.get("state", "")
    if state and state not in counts:
        state = ""
    if state:
        rows = [r for r in rows if r["state"] == state]
    sort = request.GET.get("sort", "unit")
    if sort not in BOARD_SORTS:
        sort = "unit"
    descending = request.GET.get("dir") == "desc"
    rows.sort(key=BOARD_SORTS[sort], reverse=descending)
    # Ready-made strings: 300 rows of template lookups, includes and localisation of
    # each number cost far more than the figures themselves.
    state_labels = dict(SubmissionState.choices)
    values_of = _("%(n)s of %(of)s values")
    review_url = reverse("collection:coord_review", args=[0])
    for row in rows:
        row["state_label"] = str(state_labels[row["state"]]).capitalize()
        row["filled_text"] = f"{row['required_filled']} / {row['required']}"
        row["values_text"] = values_of % {"n": row["filled"], "of": row["items"]}
        row["percent"] = str(
            round(100 * row["required_filled"] / row["required"]) if row["required"] else 100
        )
        row["errors_text"] = str(row["errors"])
        row["warnings_text"] = str(row["warnings"])
        row["review_url"] = review_url.replace("/0/", f"/{row['submission'].pk}/")
        if row["last_activity"]:
            local = timezone.localtime(row["last_activity"])
            row["activity_iso"] = local.isoformat()
            row["activity_text"] = formats.date_format(local, "SHORT_DATETIME_FORMAT")
    columns = [
        ("unit", _("Unit")),
        ("state", _("State")),
        ("filled", _("Filled")),
        ("errors", _("Errors")),
        ("warnings", _("Open warnings")),
        ("activity", _("Last activity")),
    ]
    context = {
        "cycle": cycle,
        "rows": rows,
        "state": state,
        "sort": sort,
        "descending": descending,
        "columns": [
            {
                "key": key,
                "label": label,
                "active": key == sort,
                "next_dir": "asc"
                if key == sort and descending
                else ("desc" if key == sort else "asc"),
            }
            for key, label in columns
        ],
        "states": [(s, label, counts[s]) for s, label in SubmissionState.choices],
        "total": sum(counts.values()),
        "waiting": sum(counts[s] for s in WAITING),
        "may_act": is_coordinator(request.user),
    }
    context["rows_html"] = board_rows(
        rows, may_act=context["may_act"], review_label=_("Review"), none_yet=_("none yet")
    )
    return render(request, "collection/coordination/board.html", context)


@coordinator_only
@require_POST
def send_reminders(request, cycle_id: int):
    cycle = _cycle(cycle_id)
    sent = cycle_send_reminders(
        cycle, request.user, base_url=request.build_absolute_uri("/").rstrip("/")
    )
    if sent:
        messages.success(
            request,
            ngettext(
                "%(count)d reminder sent by email.", "%(count)d reminders sent by email.", sent
            )
            % {"count": sent},
        )
    else:
        messages.info(
            request,
            _("No reminder was sent: no editor or manager with an email address is waiting."),
        )
    return redirect("collection:coord_board", cycle_id=cycle.pk)


# --- 3. the data-quality report ----------------------------------------------------------

QUALITY_COLUMNS = [
    "unit",
    "unit_name",
    "variable",
    "period",
    "check",
    "severity",
    "value",
    "detail",
    "justified",
]


def _quality_rows(cycle: Cycle, request) -> tuple[list[dict], dict]:
    _summary, findings = cycle_checked(cycle=cycle)
    filters = {
        "unit": request.GET.get("unit", ""),
        "severity": request.GET.get("severity", ""),
        "check": request.GET.get("check", ""),
        "open": request.GET.get("open", ""),
    }
    if filters["unit"]:
        findings = findings.filter(pl.col("unit") == filters["unit"])
    if filters["severity"]:
        findings = findings.filter(pl.col("severity") == filters["severity"])
    if filters["check"]:
        findings = findings.filter(pl.col("check") == filters["check"])
    if filters["open"]:
        findings = findings.filter(~pl.col("justified"))
    return findings.to_dicts(), filters


CHECK_LABELS = {
    "range": gettext_lazy("outside the allowed range"),
    "not_finite": gettext_lazy("not a number"),
    "required": gettext_lazy("required value missing"),
    "rule": gettext_lazy("validation rule"),
    "change": gettext_lazy("change against the previous period"),
    "outlier": gettext_lazy("outlier among peers"),
}


QUALITY_PAGE_SIZE = 200


@readers_only
def quality_report(request, cycle_id: int):
    cycle = _cycle(cycle_id)
    rows, filters = _quality_rows(cycle, request)
    # A cycle early in collection has thousands of findings (every missing required
    # value); a page shows one slice and the CSV has them all.
    paginator = Paginator(rows, QUALITY_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    errors = sum(1 for r in rows if r["severity"] == "error")
    warnings = sum(1 for r in rows if r["severity"] == "warning" and not r["justified"])
    total = len(rows)
    rows = list(page.object_list)
    units = {u.code: u for u in Unit.objects.filter(submissions__cycle=cycle)}
    names = {
        v.code: v.label for v in Variable.objects.filter(code__in={r["variable"] for r in rows})
    }
    rule_names = {
        r.code: r.label
        for r in ValidationRule.objects.filter(code__in={r["variable"] for r in rows})
    }
    for row in rows:
        row["unit_obj"] = units.get(row["unit"])
        row["variable_label"] = names.get(row["variable"], row["variable"])
        row["check_label"] = CHECK_LABELS.get(row["check"], row["check"])
        row["value_text"] = significant(row["value"])
        # The engine's detail is a machine-readable English note; people read the same
        # wording the questionnaire shows them.
        row["detail_text"] = finding_text(row, period=cycle.period, rule_names=rule_names)
    submissions = dict(cycle.submissions.values_list("unit__code", "pk"))
    for row in rows:
        row["submission_id"] = submissions.get(row["unit"])
    context = {
        "cycle": cycle,
        "rows": rows,
        "filters": filters,
        "units": sorted_by_name(units.values()),
        "checks": list(CHECK_LABELS.items()),
        "query": _without_page(request),
        "page": page,
        "total": total,
        "may_act": is_coordinator(request.user),
        "errors": errors,
        "warnings": warnings,
    }
    return render(request, "collection/coordination/quality.html", context)


def _without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _csv_cell(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return exact(value)


@readers_only
def quality_csv(request, cycle_id: int):
    cycle = _cycle(cycle_id)
    rows, _filters = _quality_rows(cycle, request)
    names = dict(Unit.objects.filter(submissions__cycle=cycle).values_list("code", "name"))
    response, writer = csv_response(f"miara-quality-{cycle.period}-{cycle.pk}.csv")
    writer.writerow(QUALITY_COLUMNS)
    for row in rows:
        row["unit_name"] = names.get(row["unit"], "")
        writer.writerow([_csv_cell(row.get(column)) for column in QUALITY_COLUMNS])
    return response


# --- 4. review of one submission ---------------------------------------------------------


def _submission(submission_id: int) -> Submission:
    return get_object_or_404(Submission.objects.select_related("cycle", "unit"), pk=submission_id)


@coordinator_only
def review(request, submission_id: int):
    submission = _submission(submission_id)
    rows, rule_findings, general_notes = selectors.submission_review(
        submission=submission, findings=submission_findings(submission)
    )
    for row in rows:
        row["value_text"] = significant(row["value"])
        row["previous_text"] = significant(row["previous"])
    for finding in [f for row in rows for f in row["findings"]] + rule_findings:
        finding["check_label"] = CHECK_LABELS.get(finding["check"], finding["check"])
    events = list(submission.events.select_related("user"))
    context = {
        "submission": submission,
        "cycle": submission.cycle,
        "unit": submission.unit,
        "rows": rows,
        "rule_findings": rule_findings,
        "general_notes": general_notes,
        "events": events,
        "previous_period": Period.parse(submission.cycle.period).previous().code,
        "can_accept": submission.state == SubmissionState.SUBMITTED,
        "can_return": submission.state == SubmissionState.SUBMITTED,
        "can_reopen": submission.state == SubmissionState.ACCEPTED,
    }
    return render(request, "collection/coordination/review.html", context)


def _act(request, submission_id: int, act) -> HttpResponse:
    submission = _submission(submission_id)
    try:
        act(submission)
    except WorkflowError as error:
        messages.error(request, str(error).capitalize().rstrip(".") + ".")
    return redirect("collection:coord_review", submission_id=submission.pk)


@coordinator_only
@require_POST
def review_accept(request, submission_id: int):
    def act(submission):
        submission_accept(
            submission=submission,
            acting_user=request.user,
            comment=request.POST.get("comment", "").strip(),
        )
        messages.success(
            request, _("%(unit)s: the data are accepted.") % {"unit": submission.unit.name}
        )

    return _act(request, submission_id, act)


@coordinator_only
@require_POST
def review_return(request, submission_id: int):
    def act(submission):
        codes = set(submission.cycle.items.values_list("variable__code", flat=True))
        notes = {
            key.removeprefix("note-"): text.strip()
            for key, text in request.POST.items()
            if key.startswith("note-") and key.removeprefix("note-") in codes and text.strip()
        }
        submission_return(
            submission=submission,
            acting_user=request.user,
            comment=request.POST.get("comment", "").strip(),
            notes=notes,
        )
        messages.success(
            request,
            ngettext(
                "%(unit)s: the data are returned to the unit with %(count)d note on values.",
                "%(unit)s: the data are returned to the unit with %(count)d notes on values.",
                len(notes),
            )
            % {"unit": submission.unit.name, "count": len(notes)},
        )

    return _act(request, submission_id, act)


@coordinator_only
@require_POST
def review_reopen(request, submission_id: int):
    def act(submission):
        submission_reopen(
            submission=submission,
            acting_user=request.user,
            reason=request.POST.get("reason", ""),
        )
        messages.success(
            request,
            _("%(unit)s: the accepted data are reopened for changes.")
            % {"unit": submission.unit.name},
        )

    return _act(request, submission_id, act)


@readers_only
def value_history(request, submission_id: int, variable: str):
    submission = _submission(submission_id)
    if not submission.cycle.items.filter(variable__code=variable).exists():
        raise Http404(_("This variable is not in the questionnaire."))
    history = selectors.value_history(
        unit=submission.unit.code, variable=variable, period=submission.cycle.period
    )
    for change in history:
        change["old_text"] = significant(change["old_value"])
        change["new_text"] = significant(change["new_value"])
        change["channel_label"] = (
            Channel(change["channel"]).label
            if change["channel"] in Channel.values
            else change["channel"]
        )
    context = {
        "submission": submission,
        "variable": Variable.objects.get(code=variable),
        "history": history,
        "back": reverse("collection:coord_review", args=[submission.pk])
        if is_coordinator(request.user)
        else reverse("collection:coord_board", args=[submission.cycle_id]),
    }
    return render(request, "collection/coordination/value_history.html", context)


urlpatterns = [
    path("collection/cycles/", cycle_list, name="coord_cycles"),
    path("collection/cycles/new/", cycle_new, name="coord_cycle_new"),
    path("collection/cycles/<int:cycle_id>/", board, name="coord_board"),
    path("collection/cycles/<int:cycle_id>/remind/", send_reminders, name="coord_remind"),
    path("collection/cycles/<int:cycle_id>/quality/", quality_report, name="coord_quality"),
    path("collection/cycles/<int:cycle_id>/quality.csv", quality_csv, name="coord_quality_csv"),
    path("collection/submissions/<int:submission_id>/review/", review, name="coord_review"),
    path(
        "collection/submissions/<int:submission_id>/accept/",
        review_accept,
        name="coord_accept",
    ),
    path(
        "collection/submissions/<int:submission_id>/return/",
        review_return,
        name="coord_return",
    ),
    path(
        "collection/submissions/<int:submission_id>/reopen/",
        review_reopen,
        name="coord_reopen",
    ),
    path(
        "collection/submissions/<int:submission_id>/history/<str:variable>/",
        value_history,
        name="coord_value_history",
    ),
]
