"""Data entry pages for unit editors and managers.

* `/collection/` — the questionnaires a user may open;
* `/collection/<cycle>/<unit>/` — one unit's questionnaire: the whole form saved at once
  (works without JavaScript), one field saved as the clerk leaves it (`field/`, used by
  entry.js), the Excel template and its upload, and submitting;
* `/collection/value-history/<unit>/<variable>/<period>/` — who changed a value, when.

Thin: fetch and authorise (`_questionnaire_access`), parse the input (forms.py), call one
service, render. Every value goes through `values_save`, which decides whether the user
may write it (a page shown read-only refuses a post before reading its input, by
`Access.can_edit`, computed from the same rule); every statistic shown (the peer median:
last period's accepted values, rounded, so that no unit can read another's unsubmitted
value from it) comes from the engine through a selector.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from miara.accounts.scope import access_unit, may_submit_for, writable_unit_ids
from miara.catalogue.models import ValidationRule, Variable
from miara.collection import selectors
from miara.collection.cycles import (
    TRANSITIONS,
    SubmissionBlocked,
    WorkflowError,
    submission_submit,
    value_write_refusal,
)
from miara.collection.excel import problems_workbook, template_build, template_import
from miara.collection.findings import (
    NO_FINDINGS,
    field_findings_after_save,
    finding_counts,
    questionnaire_findings,
)
from miara.collection.forms import (
    ExcelUploadForm,
    FieldSaveForm,
    QuestionnaireForm,
    ValueField,
    fingerprint,
)
from miara.collection.models import Channel, Cycle, Submission, SubmissionState
from miara.collection.services import ValueConflict, ValuesLocked, WriteRefused, values_save
from miara.engine.periods import PERIOD_REGEX, Period
from miara.fileio import FileProblem, Problem
from miara.lib.translations import pick
from miara.presentation.dates import moment_text
from miara.presentation.downloads import XLSX, file_response
from miara.presentation.numbers import fixed, input_text, reading
from miara.units.models import Unit

# --- fetch and authorise ---------------------------------------------------------------


@dataclass
class Access:
    submission: Submission
    can_edit: bool
    can_submit: bool
    read_only_reason: str

    @property
    def cycle(self) -> Cycle:
        return self.submission.cycle

    @property
    def unit(self) -> Unit:
        return self.submission.unit


def _questionnaire_access(
    request, cycle_id: int, unit_code: str, *, write_rule: bool = True
) -> Access:
    """The submission a request is about and what the user may do with it; 404 for an
    unknown cycle, a unit that is unknown or hidden from the user, or one not in the cycle.

    `write_rule=False` leaves out the rule of who may write which period
    (`value_write_refusal`) for a caller that is about to write through `values_save`,
    which applies that very rule itself (and raises WriteRefused)."""
    cycle = Cycle.objects.filter(pk=cycle_id).first()
    if cycle is None:
        raise Http404(_("There is no data collection with the number %(id)s.") % {"id": cycle_id})
    unit = access_unit(request.user, unit_code)
    submission = Submission.objects.select_related("cycle", "unit").filter(cycle=cycle, unit=unit)
    submission = submission.first()
    if submission is None:
        raise Http404(
            _("%(unit)s does not take part in “%(cycle)s”.")
            % {"unit": unit.name, "cycle": cycle.name}
        )
    user = request.user
    writable = writable_unit_ids(user)
    may_write = writable is None or unit.pk in writable
    # The rule every channel applies (the API and the Excel upload too).
    refused = write_rule and value_write_refusal(
        user, unit_id=unit.pk, period=cycle.period, writable=writable
    )
    reason = ""
    if not may_write:
        reason = _("You can read this questionnaire but not change it.")
    elif refused or not cycle.is_open:
        reason = _("This data collection is closed; the values can no longer be changed.")
    elif submission.is_locked:
        reason = (
            _(
                "The questionnaire has been submitted and waits for the coordinator; it cannot be changed now."
            )
            if submission.state == SubmissionState.SUBMITTED
            else _("The coordinator has accepted this questionnaire; it cannot be changed now.")
        )
    can_submit = (
        may_submit_for(user, unit.pk)
        and cycle.is_open
        and submission.state in TRANSITIONS["submit"][0]
    )
    return Access(submission, may_write and not reason, can_submit, reason)


# --- presentation of findings ----------------------------------------------------------


def finding_text(finding: dict, *, period: str, rule_names: dict[str, str]) -> str:
    """A finding in words: what is wrong and, until a comment explains a warning, what to
    do about it."""
    check, value = finding["check"], finding["value"]
    explained = finding.get("justified", False)
    if check == "required":
        return _("required: enter the value")
    if check == "not_finite":
        return _("not a finite number")
    if check == "range":
        if (finding["detail"] or "").startswith("below"):
            return _("below the minimum %(min)s") % {"min": reading(finding["expected_low"])}
        return _("above the maximum %(max)s") % {"max": reading(finding["expected_high"])}
    if check == "change":
        before = finding["reference"]
        if Period.parse(period).kind == "year":
            since = _("from last year")
        else:
            since = _("from the previous period")
        if not before:
            text = _("changed from 0 %(since)s to %(after)s") % {
                "since": since,
                "after": reading(value),
            }
        else:
            # The relative change of one value, to say it in words; the engine decided
            # that it is large.
            percent = (value - before) / abs(before) * 100
            text = _("changed by %(change)s %% %(since)s (%(before)s → %(after)s)") % {
                "change": ("+" if percent > 0 else "") + fixed(percent, 0),
                "since": since,
                "before": reading(before),
                "after": reading(value),
            }
        return text if explained else _("%(finding)s: explain in the comment") % {"finding": text}
    if check == "kind":
        detail = finding["detail"] or ""
        if detail.startswith("fraction"):
            return _("not a whole number: this variable counts whole items")
        if detail.startswith("negative"):
            return _("negative: this variable cannot be below 0")
        return _("above %(max)s, the most this variable can be") % {
            "max": reading(finding["expected_high"])
        }
    if check == "outlier":
        # The check compares with the peers' current values, drafts included (per unit of
        # size where the variable has one): say that the value is far from them, never a
        # figure of theirs — the field shows peer context from accepted data only
        # (selectors.peer_context).
        if finding.get("scale") is not None:
            text = _("far from the other units' values, size taken into account")
        else:
            text = _("far from the other units' values")
        if explained:
            return text
        return _("%(finding)s: check the value or explain in the comment") % {"finding": text}
    if check == "rule":
        return rule_names.get(finding["variable"]) or finding["detail"]
    return finding["detail"]


def _findings_by_variable(submission: Submission, codes: set[str]):
    """(findings per variable code, findings not tied to a questionnaire field, counts)."""
    found = questionnaire_findings(submission)
    findings = found.to_dicts()
    rule_codes = {f["variable"] for f in findings if f["check"] == "rule"}
    rule_names = {
        rule.code: rule.label for rule in ValidationRule.objects.filter(code__in=rule_codes)
    }
    per_field: dict[str, list[dict]] = {}
    general: list[dict] = []
    for f in findings:
        shown = {
            "variable": f["variable"],
            "severity": f["severity"],
            "justified": f["justified"],
            "blocking": f["blocking"],
            "text": finding_text(f, period=submission.cycle.period, rule_names=rule_names),
        }
        if f["variable"] in codes:
            per_field.setdefault(f["variable"], []).append(shown)
        else:
            general.append(shown)
    return per_field, general, _counts(submission, found)


def _counts(submission: Submission, found: pl.DataFrame) -> dict[str, int]:
    """The questionnaire's errors and open warnings (`finding_counts`)."""
    return finding_counts(found).get(submission.unit.code, NO_FINDINGS)


def _progress(rows: list[dict], counts: dict) -> dict:
    required = [r for r in rows if r["item"].required]
    return {
        "filled": sum(r["value"] is not None for r in required),
        "required": len(required),
        "errors": counts["errors"],
        "open_warnings": counts["open_warnings"],
    }


def _conflict_text(stored, yours: float | None) -> str:
    """What happened to a field someone else saved meanwhile, with both values."""
    user = stored.updated_by
    who = (user.get_full_name() or user.username) if user else _("someone else")
    if yours != stored.value:
        return _(
            "%(who)s saved %(theirs)s at %(when)s while you were editing; your value %(yours)s was not saved. "
            "Check the value and save again to keep yours."
        ) % {
            "who": who,
            "theirs": reading(stored.value) if stored.value is not None else _("an empty value"),
            "when": moment_text(stored.updated_at),
            "yours": reading(yours) if yours is not None else _("(empty)"),
        }
    return _(
        "%(who)s changed this field at %(when)s while you were editing; your change was not saved. "
        "Check it and save again to keep yours."
    ) % {"who": who, "when": moment_text(stored.updated_at)}


# --- the page ---------------------------------------------------------------------------


def _render_questionnaire(
    request,
    access: Access,
    *,
    form: QuestionnaireForm | None = None,
    conflicts: dict[str, str] | None = None,
    upload_form: ExcelUploadForm | None = None,
    upload_problems: list[Problem] | None = None,
    upload_name: str = "",
    blocked: list[dict] | None = None,
    status: int = 200,
):
    submission, cycle = access.submission, access.cycle
    rows = selectors.entry_rows(submission=submission)
    codes = [r["variable"].code for r in rows]
    per_field, general, counts = _findings_by_variable(submission, set(codes))
    medians = selectors.peer_context(cycle=cycle, variables=codes)
    notes = selectors.review_notes_open(submission=submission)
    notes_by_variable: dict[int, list] = {}
    for note in notes:
        notes_by_variable.setdefault(note.variable_id, []).append(note)
    conflicts = conflicts or {}
    language = get_language()
    sections: list[dict] = []
    for row in rows:
        variable, code = row["variable"], row["variable"].code
        if form is not None and form.is_bound:
            value_text = form.data.get(f"{code}-value", "")
            comment = form.data.get(f"{code}-comment", "")
            version = form.data.get(f"{code}-version", row["version"])
            shown = form.data.get(f"{code}-shown", "")
            errors = list(form.errors.get(f"{code}-value", [])) + list(
                form.errors.get(f"{code}-comment", [])
            )
        else:
            value_text = input_text(row["value"])
            comment = row["comment"]
            version = row["version"]
            shown = fingerprint(row["value"], row["comment"])
            errors = []
        area = row["area"]
        if not sections or sections[-1]["area"] != area:
            sections.append(
                {
                    "area": area,
                    "title": area.label if area else _("General information"),
                    "anchor": f"area-{area.code if area else 'general'}",
                    "fields": [],
                }
            )
        sections[-1]["fields"].append(
            row
            | {
                "code": code,
                "name": pick(variable.name, language, default=code),
                "description": pick(variable.description, language),
                "help": pick(row["item"].help, language)
                if isinstance(row["item"].help, dict)
                else "",
                "value_text": value_text,
                "comment_text": comment,
                "version": version,
                "shown": shown,
                "errors": errors,
                "conflict": conflicts.get(code, ""),
                "findings": per_field.get(code, []),
                "median": medians.get(code),
                "previous_text": reading(row["previous"]) if row["previous"] is not None else "",
                "value_display": reading(row["value"]) if row["value"] is not None else "",
                "median_text": reading(medians[code]["median"]) if code in medians else "",
                "notes": notes_by_variable.get(variable.pk, []),
                "updated_at_text": moment_text(row["updated_at"]) if row["updated_at"] else "",
            }
        )
    has_errors = bool(form is not None and form.is_bound and form.errors) or bool(conflicts)
    context = {
        "access": access,
        "submission": submission,
        "cycle": cycle,
        "unit": access.unit,
        "previous_period": Period.parse(cycle.period).previous().code,
        "sections": sections,
        "progress": _progress(rows, counts),
        "general_findings": general,
        "general_notes": notes_by_variable.get(None, []),
        "events": selectors.submission_events(submission=submission),
        "form_has_errors": has_errors,
        "conflict_count": len(conflicts),
        "upload_form": upload_form or ExcelUploadForm(),
        "upload_problems": upload_problems,
        "upload_name": upload_name,
        "blocked": blocked,
        "field_names": {
            code: pick(r["variable"].name, language, default=code)
            for code, r in zip(codes, rows, strict=True)
        },
    }
    if blocked:
        context["blocked"] = [
            b
            | {
                "name": context["field_names"].get(b["variable"], ""),
                "linkable": b["variable"] in codes,
            }
            for b in blocked
        ]
    return render(request, "collection/entry/form.html", context, status=status)


@login_required
@require_GET
def questionnaires(request):
    """The questionnaires the user may open, grouped by data collection."""
    cycles: list[dict] = []
    for row in selectors.entry_submissions(user=request.user):
        cycle = row["submission"].cycle
        if not cycles or cycles[-1]["cycle"].pk != cycle.pk:
            cycles.append({"cycle": cycle, "rows": []})
        cycles[-1]["rows"].append(row)
    return render(request, "collection/entry/list.html", {"cycles": cycles})


@login_required
@require_http_methods(["GET", "POST"])
def questionnaire(request, cycle_id: int, unit_code: str):
    """The questionnaire; a POST saves every changed field at once (all or nothing)."""
    access = _questionnaire_access(request, cycle_id, unit_code)
    if request.method == "GET":
        return _render_questionnaire(request, access)
    if not access.can_edit:
        raise PermissionDenied
    submission, cycle = access.submission, access.cycle
    rows = selectors.entry_rows(submission=submission)
    form = QuestionnaireForm(request.POST, rows=rows)
    if not form.is_valid():
        messages.error(request, _("Nothing was saved: correct the fields marked below."))
        return _render_questionnaire(request, access, form=form, status=400)
    changed = form.changed_rows()
    if not changed:
        messages.info(request, _("Nothing to save: no field was changed."))
        return redirect(_form_url(access))
    variable_ids = {r["variable"].code: r["variable"].pk for r in rows}
    try:
        report = _write(request, access, changed, variable_ids)
    except ValueConflict as conflict:
        by_code = {r["variable"].code: r for r in rows}
        mine = {c["code"]: c for c in changed}
        data = request.POST.copy()
        texts = {}
        for c in conflict.conflicts:
            row = by_code[c.variable]
            stored = selectors.stored_value(
                unit_id=submission.unit_id, variable_id=row["variable"].pk, period=cycle.period
            )
            texts[c.variable] = _conflict_text(stored, mine[c.variable]["value"]) if stored else ""
            # The next save overwrites deliberately: it is now based on what is stored.
            data[f"{c.variable}-version"] = str(stored.version if stored else 0)
            data[f"{c.variable}-shown"] = fingerprint(
                stored.value if stored else None, stored.comment if stored else ""
            )
        messages.error(
            request,
            _(
                "Nothing was saved: someone else changed %(count)d of these fields meanwhile. See the fields marked below."
            )
            % {"count": len(texts)},
        )
        return _render_questionnaire(
            request, access, form=QuestionnaireForm(data, rows=rows), conflicts=texts, status=409
        )
    except ValuesLocked:
        messages.error(request, _("Nothing was saved: the questionnaire has just been submitted."))
        return redirect(_form_url(access))
    messages.success(
        request,
        ngettext(
            "Saved: %(count)d value changed. The checks below are up to date.",
            "Saved: %(count)d values changed. The checks below are up to date.",
            report.created + report.updated,
        )
        % {"count": report.created + report.updated},
    )
    return redirect(_form_url(access))


def _form_url(access: Access) -> str:
    return reverse("collection:entry_form", args=[access.cycle.pk, access.unit.code])


def _write(request, access: Access, changed: list[dict], variable_ids: dict[str, int]):
    """Write the changed fields through `values_save`, all or nothing. The form has
    checked them (ValueField: numbers, ranges, kinds), so they go as ids."""
    submission, cycle = access.submission, access.cycle
    rows = pl.DataFrame(
        {
            "unit_id": [submission.unit_id] * len(changed),
            "variable_id": [variable_ids[c["code"]] for c in changed],
            "period": [cycle.period] * len(changed),
            "value": [c["value"] for c in changed],
            "comment": [c["comment"] for c in changed],
            "version": [c["version"] for c in changed],
        },
        schema={
            "unit_id": pl.Int64,
            "variable_id": pl.Int64,
            "period": pl.String,
            "value": pl.Float64,
            "comment": pl.String,
            "version": pl.Int64,
        },
    )
    return values_save(
        acting_user=request.user,
        rows=rows,
        parsed=True,
        channel=Channel.FORM,
        source=request.path[:255],
        about=f"{submission.unit.code} {cycle.period}",
        details={"submission": submission.pk, "variables": [c["code"] for c in changed]},
    )


@login_required
@require_POST
def field_save(request, cycle_id: int, unit_code: str):
    """Save one field (entry.js calls this as the clerk leaves a field) and answer with
    JSON: `status` (saved, conflict, error, locked), `message`, the new `version` and
    `shown`, the field's `findings` and the questionnaire's `progress`."""
    access = _questionnaire_access(request, cycle_id, unit_code, write_rule=False)
    if not access.can_edit:
        return JsonResponse(
            {"status": "locked", "message": access.read_only_reason or _("Not saved.")}, status=403
        )
    form = FieldSaveForm(request.POST)
    if not form.is_valid():
        return JsonResponse(
            {"status": "error", "message": _("Not saved: the request was incomplete.")}, status=400
        )
    submission, cycle = access.submission, access.cycle
    code = form.cleaned_data["variable"]
    variable = Variable.objects.filter(code=code, pk__in=cycle.items.values("variable")).first()
    if variable is None:
        return JsonResponse(
            {"status": "error", "message": _("Not saved: unknown field.")}, status=400
        )
    try:
        value = ValueField(variable=variable).clean(form.cleaned_data["value"])
    except ValidationError as error:
        return JsonResponse(
            {"status": "error", "message": _("Not saved: ") + " ".join(error.messages)}, status=422
        )
    comment = form.cleaned_data["comment"].strip()
    change = {
        "code": code,
        "value": value,
        "comment": comment,
        "version": form.cleaned_data["version"],
    }
    try:
        report = _write(request, access, [change], {code: variable.pk})
    except WriteRefused:
        # The unit is the user's (checked above): what values_save refused is the period.
        reason = access.read_only_reason or _(
            "This data collection is closed; the values can no longer be changed."
        )
        return JsonResponse({"status": "locked", "message": reason}, status=403)
    except ValueConflict:
        stored = selectors.stored_value(
            unit_id=submission.unit_id, variable_id=variable.pk, period=cycle.period
        )
        return JsonResponse(
            {
                "status": "conflict",
                "message": _conflict_text(stored, value) if stored else _("Not saved."),
                "version": stored.version if stored else 0,
                "shown": fingerprint(
                    stored.value if stored else None, stored.comment if stored else ""
                ),
            },
            status=409,
        )
    except ValuesLocked:
        return JsonResponse(
            {
                "status": "locked",
                "message": _("Not saved: the questionnaire has just been submitted."),
            },
            status=409,
        )
    # The version the write left, read under its lock; the value and comment are the
    # ones just written (or found equal to them). An emptied field is read back.
    written = report.versions if value is not None else None
    if written is not None and written.height == 1:
        version, shown_value, shown_comment = written.item(0, "version"), value, comment
    else:
        stored = selectors.stored_value(
            unit_id=submission.unit_id, variable_id=variable.pk, period=cycle.period
        )
        version = stored.version if stored else 0
        shown_value = stored.value if stored else None
        shown_comment = stored.comment if stored else ""
    required_count, filled, revisions = selectors.required_filled(submission=submission)
    own, found = field_findings_after_save(
        submission, code, written=bool(report.created or report.updated), revisions=revisions
    )
    # Words only for this field's findings (rule findings are not shown at a field).
    shown = [
        f | {"text": finding_text(f, period=cycle.period, rule_names={})} for f in own.to_dicts()
    ]
    counts = _counts(submission, found)
    progress = {
        "filled": filled,
        "required": required_count,
        "errors": counts["errors"],
        "open_warnings": counts["open_warnings"],
    }
    return JsonResponse(
        {
            "status": "saved",
            "message": _("Saved at %(time)s.") % {"time": moment_text(timezone.now())},
            "version": version,
            "shown": fingerprint(shown_value, shown_comment),
            "findings": [
                {k: f[k] for k in ("severity", "justified", "blocking", "text")} for f in shown
            ],
            "progress": progress,
        }
    )


# --- Excel ------------------------------------------------------------------------------


@login_required
@require_GET
def excel_download(request, cycle_id: int, unit_code: str):
    access = _questionnaire_access(request, cycle_id, unit_code)
    language = (get_language() or "en")[:2]
    data = template_build(submission=access.submission, language=language)
    name = f"miara-{access.cycle.period}-{access.unit.code}.xlsx"
    return file_response(data, filename=name, content_type=XLSX)


def _problems_key(access: Access) -> str:
    return f"entry-upload-problems-{access.cycle.pk}-{access.unit.code}"


@login_required
@require_POST
def excel_upload(request, cycle_id: int, unit_code: str):
    """Import a filled-in template, all or nothing; on problems, list every cell."""
    access = _questionnaire_access(request, cycle_id, unit_code)
    if not access.can_edit:
        raise PermissionDenied
    form = ExcelUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_questionnaire(request, access, upload_form=form, status=400)
    upload = form.cleaned_data["file"]
    try:
        result = template_import(
            path_or_bytes=upload,
            submission=access.submission,
            user=request.user,
            filename=upload.name,
        )
    except FileProblem as problem:
        # Kept in the session for the report download; the values are not stored.
        request.session[_problems_key(access)] = {
            "file": problem.source,
            "problems": [p.as_dict() for p in problem.problems],
        }
        return _render_questionnaire(
            request,
            access,
            upload_problems=problem.problems,
            upload_name=problem.source,
            status=400,
        )
    except ValuesLocked:
        messages.error(request, _("Nothing was saved: the questionnaire has been submitted."))
        return redirect(_form_url(access))
    request.session.pop(_problems_key(access), None)
    messages.success(
        request,
        ngettext(
            "%(file)s uploaded: %(count)d value saved (%(new)d new, %(changed)d changed). The checks below are up to date.",
            "%(file)s uploaded: %(count)d values saved (%(new)d new, %(changed)d changed). The checks below are up to date.",
            result["created"] + result["updated"],
        )
        % {
            "file": result["file"],
            "count": result["created"] + result["updated"],
            "new": result["created"],
            "changed": result["updated"],
        },
    )
    return redirect(_form_url(access))


@login_required
@require_GET
def excel_problems(request, cycle_id: int, unit_code: str):
    """The problems of the last refused upload as a workbook."""
    access = _questionnaire_access(request, cycle_id, unit_code)
    kept = request.session.get(_problems_key(access))
    if not kept:
        raise Http404(_("There is no refused upload to report on."))
    problems = [Problem(**p) for p in kept["problems"]]
    data = problems_workbook(problems, (get_language() or "en")[:2])
    name = f"miara-problems-{access.cycle.period}-{access.unit.code}.xlsx"
    return file_response(data, filename=name, content_type=XLSX)


# --- submitting -------------------------------------------------------------------------


@login_required
@require_POST
def submit(request, cycle_id: int, unit_code: str):
    access = _questionnaire_access(request, cycle_id, unit_code)
    if not access.can_submit:
        raise PermissionDenied
    try:
        submission_submit(submission=access.submission, acting_user=request.user)
    except SubmissionBlocked as blocked:
        messages.error(
            request,
            ngettext(
                "Not submitted: %(count)d problem must be fixed or explained first. It is listed below.",
                "Not submitted: %(count)d problems must be fixed or explained first. They are listed below.",
                len(blocked.findings),
            )
            % {"count": len(blocked.findings)},
        )
        rule_codes = {f["variable"] for f in blocked.findings if f["check"] == "rule"}
        names = {r.code: r.label for r in ValidationRule.objects.filter(code__in=rule_codes)}
        shown = [
            {
                "variable": f["variable"],
                "severity": f["severity"],
                "text": finding_text(f, period=access.cycle.period, rule_names=names),
            }
            for f in blocked.findings
        ]
        return _render_questionnaire(request, access, blocked=shown, status=409)
    except WorkflowError as error:
        messages.error(request, str(error))
        return redirect(_form_url(access))
    messages.success(
        request,
        _(
            "Submitted. The coordinator will review the data; until then the values cannot be changed."
        ),
    )
    return redirect(_form_url(access))


# --- history of one value ---------------------------------------------------------------


@login_required
@require_GET
def value_history(request, unit_code: str, variable_code: str, period: str):
    unit = access_unit(request.user, unit_code)
    variable = Variable.objects.filter(code=variable_code).first()
    if variable is None:
        raise Http404(_("There is no variable with the code “%(code)s”.") % {"code": variable_code})
    if not re.match(PERIOD_REGEX, period):
        raise Http404(_("“%(period)s” is not a period.") % {"period": period})
    back = None
    cycle_id = request.GET.get("cycle", "")
    if cycle_id.isdigit() and Submission.objects.filter(cycle_id=int(cycle_id), unit=unit).exists():
        back = (
            reverse("collection:entry_form", args=[int(cycle_id), unit.code])
            + f"#field-{variable.code}"
        )
    changes = [
        {
            "change": change,
            "old": reading(change.old_value) if change.old_value is not None else "",
            "new": reading(change.new_value) if change.new_value is not None else "",
        }
        for change in selectors.value_changes(
            unit_id=unit.pk, variable_id=variable.pk, period=period
        )
    ]
    current = selectors.stored_value(unit_id=unit.pk, variable_id=variable.pk, period=period)
    return render(
        request,
        "collection/entry/history.html",
        {
            "unit": unit,
            "variable": variable,
            "period": period,
            "changes": changes,
            "current": reading(current.value) if current and current.value is not None else "",
            "back": back,
        },
    )


urlpatterns = [
    path("collection/", questionnaires, name="entry_list"),
    path(
        "collection/value-history/<str:unit_code>/<str:variable_code>/<str:period>/",
        value_history,
        name="entry_value_history",
    ),
    path("collection/<int:cycle_id>/<str:unit_code>/", questionnaire, name="entry_form"),
    path("collection/<int:cycle_id>/<str:unit_code>/field/", field_save, name="entry_field"),
    path("collection/<int:cycle_id>/<str:unit_code>/excel/", excel_download, name="entry_excel"),
    path("collection/<int:cycle_id>/<str:unit_code>/upload/", excel_upload, name="entry_upload"),
    path(
        "collection/<int:cycle_id>/<str:unit_code>/upload/problems/",
        excel_problems,
        name="entry_upload_problems",
    ),
    path("collection/<int:cycle_id>/<str:unit_code>/submit/", submit, name="entry_submit"),
]
