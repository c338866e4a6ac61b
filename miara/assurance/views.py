"""Pages of management control: an office's audit programme, an audit (its checklist
answered with evidence, its findings), a finding followed to closure, the register of
findings with filters, the risk register with its heat map, and a risk with its history.

Thin: authorise (`access_unit`, the services' `*_for`: the same 404 for a hidden and a
missing record), call a service, say what happened, render.
"""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from miara.accounts.models import User
from miara.accounts.scope import access_unit, reads_all_units
from miara.assurance import attachments, charts, selectors, services
from miara.assurance.forms import (
    AnswerForm,
    AttachmentForm,
    AuditForm,
    FindingForm,
    RiskForm,
    TemplateForm,
)
from miara.assurance.models import Audit, ChecklistAnswer, Finding, Risk

NOT_FOUND = gettext_lazy("There is no such record.")


def _unit_people(unit) -> list[User]:
    return list(User.objects.filter(is_active=True, units=unit).order_by("username"))


def _auditor_choices(unit) -> list[User]:
    """The unit's people and the programme's coordinators and experts."""
    people = {u.pk: u for u in _unit_people(unit)}
    for user in User.objects.filter(is_active=True).order_by("username"):
        if user.pk not in people and reads_all_units(user):
            people[user.pk] = user
    return sorted(people.values(), key=lambda u: u.username)


def _get(finder, request, **ids):
    try:
        return finder(acting_user=request.user, **ids)
    except services.AssuranceNotFound:
        raise Http404(NOT_FOUND) from None


def _reader_unit(request, code: str):
    """The unit whose records the user reads as one of its people; 404 otherwise."""
    unit = access_unit(request.user, code)
    if not services.may_read_records(request.user, unit):
        raise Http404(_("There is no unit with the code “%(code)s”.") % {"code": code})
    return unit


def _form_error(form, error):
    name = error.field if error.field in form.fields else None
    form.add_error(name, str(error))


def _save(form, write) -> int | None:
    """Write a valid form through its service, `write(data, version)`: None when saved,
    else the status of the page that shows why (422 invalid, 409 changed meanwhile)."""
    if not form.is_valid():
        return 422
    try:
        write(form.data_for_service(), form.cleaned_data["version"])
    except services.AssuranceConflict as conflict:
        form.add_error(None, str(conflict))
        return 409
    except services.AssuranceInputError as error:
        _form_error(form, error)
        return 422
    return None


def _version(request) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


# --- the audit programme ---------------------------------------------------------------


@login_required
def unit_audits(request, code: str, *, template_form=None, status=200):
    unit = access_unit(request.user, code)
    audits = list(selectors.audits_for(user=request.user, unit=unit).prefetch_related("auditors"))
    reader = services.may_read_records(request.user, unit)
    if not reader and not audits:
        raise Http404(_("There is no unit with the code “%(code)s”.") % {"code": code})
    by_year = defaultdict(list)
    for audit in audits:
        by_year[audit.plan.year].append(audit)
    manages = services.may_manage(request.user, unit)
    context = {
        "unit": unit,
        "years": sorted(by_year.items(), reverse=True),
        "manages": manages,
        "reader": reader,
        "overdue": list(selectors.overdue_findings(user=request.user, unit=unit)),
        "templates": list(services.templates_available(unit).prefetch_related("items")),
        "template_form": template_form or (TemplateForm() if manages else None),
    }
    return render(request, "assurance/audits.html", context, status=status)


@login_required
@require_POST
def template_create_view(request, code: str):
    unit = access_unit(request.user, code)
    if not services.may_manage(request.user, unit):
        raise PermissionDenied
    form = TemplateForm(request.POST)
    if form.is_valid():
        try:
            services.template_create(
                acting_user=request.user,
                unit_code=unit.code,
                code=form.cleaned_data["code"],
                name=form.cleaned_data["name"],
                items=form.item_lines(),
            )
        except services.AssuranceInputError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The checklist was created."))
            return redirect("assurance:audits", code=unit.code)
    return unit_audits(request, unit.code, template_form=form, status=422)


@login_required
def audit_create_view(request, code: str):
    unit = access_unit(request.user, code)
    if not services.may_manage(request.user, unit):
        raise PermissionDenied
    people = _auditor_choices(unit)
    status = 200
    if request.method == "POST":
        form = AuditForm(request.POST, unit=unit, people=people)
        if form.is_valid():
            try:
                audit = services.audit_create(
                    acting_user=request.user,
                    unit_code=unit.code,
                    year=form.cleaned_data["year"],
                    data=form.data_for_service(),
                )
            except services.AssuranceInputError as error:
                _form_error(form, error)
            else:
                messages.success(request, _("The audit was planned."))
                return redirect("assurance:audit", audit_id=audit.pk)
        status = 422
    else:
        today = selectors.today()
        form = AuditForm(
            initial={"year": today.year, "templates": ["MC_STANDARDS"]}, unit=unit, people=people
        )
    context = {"form": form, "unit": unit, "audit": None}
    return render(request, "assurance/audit_form.html", context, status=status)


@login_required
def audit_edit_view(request, audit_id: int):
    audit = _get(services.audit_for, request, audit_id=audit_id)
    unit = audit.plan.unit
    if not services.may_manage(request.user, unit):
        raise PermissionDenied
    people = _auditor_choices(unit)
    status = 200
    if request.method == "POST":
        form = AuditForm(request.POST, unit=unit, people=people, editing=True)
        status = _save(
            form,
            lambda data, version: services.audit_update(
                acting_user=request.user, audit_id=audit.pk, data=data, version=version
            ),
        )
        if status is None:
            messages.success(request, _("The audit was saved."))
            return redirect("assurance:audit", audit_id=audit.pk)
    else:
        form = AuditForm(
            initial=AuditForm.initial_for(audit), unit=unit, people=people, editing=True
        )
    context = {"form": form, "unit": unit, "audit": audit}
    return render(request, "assurance/audit_form.html", context, status=status)


def _checklist(audit: Audit, conducts: bool):
    """The audit's checklists: per template, per area, each item with its answer, its
    evidence and (for the auditors) its form."""
    answers = {
        a.item_id: a
        for a in ChecklistAnswer.objects.filter(audit=audit).prefetch_related("attachments")
    }
    sections = []
    for template in audit.templates.prefetch_related("items"):
        areas: dict[str, list] = {}
        for item in template.items.all():
            answer = answers.get(item.pk)
            item.answer_row = answer
            if conducts:
                item.form = AnswerForm(
                    initial={
                        "answer": answer.answer if answer else "",
                        "note": answer.note if answer else "",
                        "version": answer.version if answer else None,
                    },
                    prefix=f"item{item.pk}",
                )
            areas.setdefault(item.area_label, []).append(item)
        sections.append((template, list(areas.items())))
    return sections


def _audit_page(request, audit: Audit, *, status=200):
    conducts = services.may_conduct(request.user, audit)
    findings = list(audit.findings.select_related("owner"))
    today = selectors.today()
    for finding in findings:
        finding.overdue = selectors.is_overdue(finding, today)
    open_items = services.open_items(audit)
    context = {
        "audit": audit,
        "unit": audit.plan.unit,
        "conducts": conducts and audit.state != Audit.State.CLOSED,
        "manages": services.may_manage(request.user, audit.plan.unit),
        "moves": services.may_move_audit(request.user, audit),
        "next_states": [
            (value, label)
            for value, label in Audit.State.choices
            if value in services.AUDIT_MOVES[audit.state]
        ],
        "sections": _checklist(audit, conducts and audit.state != Audit.State.CLOSED),
        "open_count": len(open_items),
        "findings": findings,
        "attachment_form": AttachmentForm(),
        "reader": services.may_read_records(request.user, audit.plan.unit),
    }
    return render(request, "assurance/audit.html", context, status=status)


@login_required
def audit_page(request, audit_id: int):
    return _audit_page(request, _get(services.audit_for, request, audit_id=audit_id))


@login_required
@require_POST
def audit_state_view(request, audit_id: int):
    audit = _get(services.audit_for, request, audit_id=audit_id)
    try:
        services.audit_state_set(
            acting_user=request.user,
            audit_id=audit.pk,
            state=request.POST.get("state", ""),
            version=_version(request),
        )
    except (services.AssuranceInputError, services.AssuranceConflict) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The audit's state was changed."))
    return redirect("assurance:audit", audit_id=audit.pk)


@login_required
@require_POST
def answer_view(request, audit_id: int, item_id: int):
    audit = _get(services.audit_for, request, audit_id=audit_id)
    form = AnswerForm(request.POST, prefix=f"item{item_id}")
    if not form.is_valid():
        messages.error(request, _("Choose an answer."))
        return redirect(reverse("assurance:audit", args=[audit.pk]) + f"#item-{item_id}")
    try:
        services.answer_set(
            acting_user=request.user,
            audit_id=audit.pk,
            item_id=item_id,
            answer=form.cleaned_data["answer"],
            note=form.cleaned_data["note"],
            version=form.cleaned_data["version"],
        )
    except (services.AssuranceInputError, services.AssuranceConflict) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The answer was saved."))
    return redirect(reverse("assurance:audit", args=[audit.pk]) + f"#item-{item_id}")


def _int(value) -> int | None:
    return int(value) if str(value or "").isdigit() else None


@login_required
@require_POST
def attachment_add_view(request, audit_id: int):
    audit = _get(services.audit_for, request, audit_id=audit_id)
    finding_id = _int(request.POST.get("finding"))
    form = AttachmentForm(request.POST, request.FILES)
    back = (
        redirect("assurance:finding", finding_id=finding_id)
        if finding_id
        else redirect("assurance:audit", audit_id=audit.pk)
    )
    if not form.is_valid():
        messages.error(request, _("Choose a file to attach."))
        return back
    upload = form.cleaned_data["file"]
    if upload.size > attachments.max_bytes():
        messages.error(
            request,
            _("“%(name)s” is larger than %(mb)s MB, the most an attachment may be.")
            % {"name": attachments.safe_name(upload.name), "mb": attachments.max_bytes() // 2**20},
        )
        return back
    try:
        services.attachment_add(
            acting_user=request.user,
            audit_id=audit.pk,
            name=upload.name,
            data=upload.read(),
            answer_id=_int(request.POST.get("answer")),
            finding_id=finding_id,
        )
    except services.AssuranceInputError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The evidence was attached."))
    return back


@login_required
@require_GET
def attachment_download(request, attachment_id: int):
    """Only ever a download of the checked type, never rendered by the browser."""
    found = _get(services.attachment_for, request, attachment_id=attachment_id)
    try:
        handle = attachments.path_of(found.stored_as).open("rb")
    except FileNotFoundError:
        raise Http404(NOT_FOUND) from None
    response = FileResponse(
        handle, as_attachment=True, filename=found.name, content_type=found.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


# --- findings --------------------------------------------------------------------------


@login_required
def finding_create_view(request, audit_id: int):
    audit = _get(services.audit_for, request, audit_id=audit_id)
    if not services.may_conduct(request.user, audit):
        raise PermissionDenied
    unit = audit.plan.unit
    status = 200
    if request.method == "POST":
        form = FindingForm(
            request.POST,
            audit=audit,
            people=_unit_people(unit),
            own_people=services.may_read_records(request.user, unit),
        )
        if form.is_valid():
            try:
                finding = services.finding_create(
                    acting_user=request.user, audit_id=audit.pk, data=form.data_for_service()
                )
            except services.AssuranceInputError as error:
                _form_error(form, error)
            else:
                messages.success(request, _("The finding was recorded."))
                return redirect("assurance:finding", finding_id=finding.pk)
        status = 422
    else:
        initial = {"item": request.GET.get("item", "")}
        form = FindingForm(
            initial=initial,
            audit=audit,
            people=_unit_people(unit),
            own_people=services.may_read_records(request.user, unit),
        )
    context = {"form": form, "unit": unit, "audit": audit, "finding": None}
    return render(request, "assurance/finding_form.html", context, status=status)


@login_required
def finding_edit_view(request, finding_id: int):
    finding = _get(services.finding_for, request, finding_id=finding_id)
    if not services.may_work_finding(request.user, finding):
        raise PermissionDenied
    audit, unit = finding.audit, finding.unit
    status = 200
    if request.method == "POST":
        form = FindingForm(
            request.POST,
            audit=audit,
            people=_unit_people(unit),
            own_people=services.may_read_records(request.user, unit),
        )
        status = _save(
            form,
            lambda data, version: services.finding_update(
                acting_user=request.user, finding_id=finding.pk, data=data, version=version
            ),
        )
        if status is None:
            messages.success(request, _("The finding was saved."))
            return redirect("assurance:finding", finding_id=finding.pk)
    else:
        form = FindingForm(
            initial=FindingForm.initial_for(finding),
            audit=audit,
            people=_unit_people(unit),
            own_people=services.may_read_records(request.user, unit),
        )
    context = {"form": form, "unit": unit, "audit": audit, "finding": finding}
    return render(request, "assurance/finding_form.html", context, status=status)


@login_required
def finding_page(request, finding_id: int):
    finding = _get(services.finding_for, request, finding_id=finding_id)
    works = services.may_work_finding(request.user, finding)
    judges = services.may_conduct(request.user, finding.audit)
    next_states = [
        (value, label)
        for value, label in Finding.State.choices
        if value in services.FINDING_MOVES[finding.state]
        and (judges or value not in services.JUDGED)
    ]
    context = {
        "finding": finding,
        "audit": finding.audit,
        "unit": finding.unit,
        "works": works,
        "next_states": next_states if works else [],
        "overdue": selectors.is_overdue(finding),
        "attachment_form": AttachmentForm() if works else None,
        "reader": services.may_read_records(request.user, finding.unit),
    }
    return render(request, "assurance/finding.html", context)


@login_required
@require_POST
def finding_state_view(request, finding_id: int):
    finding = _get(services.finding_for, request, finding_id=finding_id)
    try:
        services.finding_state_set(
            acting_user=request.user,
            finding_id=finding.pk,
            state=request.POST.get("state", ""),
            version=_version(request),
        )
    except (services.AssuranceInputError, services.AssuranceConflict) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The finding's state was changed."))
    return redirect("assurance:finding", finding_id=finding.pk)


@login_required
def findings_register_view(request, code: str):
    unit = _reader_unit(request, code)
    get = request.GET
    filters = selectors.FindingFilters(
        state=get.get("state", "") if get.get("state") in Finding.State.values else "",
        severity=get.get("severity", "") if get.get("severity") in Finding.Severity.values else "",
        overdue=get.get("overdue") == "1",
        owner=get.get("owner", "")[:150],
        process=get.get("process", "")[:60],
    )
    people = _unit_people(unit)
    context = {
        "unit": unit,
        "findings": selectors.findings_register(user=request.user, unit=unit, filters=filters),
        "filters": filters,
        "states": Finding.State.choices,
        "severities": Finding.Severity.choices,
        "people": people,
        "processes": list(unit.processes.order_by("code")),
        "overdue": list(selectors.overdue_findings(user=request.user, unit=unit)),
    }
    return render(request, "assurance/findings.html", context)


# --- risks -----------------------------------------------------------------------------


@login_required
def risks_register_view(request, code: str):
    unit = _reader_unit(request, code)
    risks = list(selectors.risks_for(user=request.user, unit=unit))
    inherent = selectors.heat_map(risks)
    residual = selectors.heat_map(risks, residual=True)
    context = {
        "unit": unit,
        "risks": risks,
        "inherent": inherent,
        "residual": residual,
        "impacts": list(range(1, 6)),
        "review_due": selectors.review_due(risks),
        "manages": services.may_manage(request.user, unit),
        "overdue": list(selectors.overdue_findings(user=request.user, unit=unit)),
        "chart": charts.heat_map(inherent) if risks else None,
    }
    return render(request, "assurance/risks.html", context)


def _risk_form_page(request, unit, risk, form, status):
    context = {"form": form, "unit": unit, "risk": risk}
    return render(request, "assurance/risk_form.html", context, status=status)


@login_required
def risk_create_view(request, code: str):
    unit = access_unit(request.user, code)
    if not services.may_manage(request.user, unit):
        raise PermissionDenied
    people = _unit_people(unit)
    if request.method != "POST":
        form = RiskForm(initial={"state": Risk.State.OPEN}, unit=unit, people=people)
        return _risk_form_page(request, unit, None, form, 200)
    form = RiskForm(request.POST, unit=unit, people=people)
    if form.is_valid():
        try:
            risk = services.risk_create(
                acting_user=request.user, unit_code=unit.code, data=form.data_for_service()
            )
        except services.AssuranceInputError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The risk was added to the register."))
            return redirect("assurance:risk", risk_id=risk.pk)
    return _risk_form_page(request, unit, None, form, 422)


@login_required
def risk_edit_view(request, risk_id: int):
    risk = _get(services.risk_for, request, risk_id=risk_id)
    unit = risk.unit
    if not services.may_manage(request.user, unit):
        raise PermissionDenied
    people = _unit_people(unit)
    if request.method != "POST":
        form = RiskForm(initial=RiskForm.initial_for(risk), unit=unit, people=people)
        return _risk_form_page(request, unit, risk, form, 200)
    form = RiskForm(request.POST, unit=unit, people=people)
    status = _save(
        form,
        lambda data, version: services.risk_update(
            acting_user=request.user, risk_id=risk.pk, data=data, version=version
        ),
    )
    if status is None:
        messages.success(request, _("The risk was saved."))
        return redirect("assurance:risk", risk_id=risk.pk)
    return _risk_form_page(request, unit, risk, form, status)


@login_required
def risk_page(request, risk_id: int):
    risk = _get(services.risk_for, request, risk_id=risk_id)
    context = {
        "risk": risk,
        "unit": risk.unit,
        "manages": services.may_manage(request.user, risk.unit),
        "history": list(risk.changes.select_related("changed_by")),
    }
    return render(request, "assurance/risk.html", context)
