"""Writes of management control: the audit plan and audits, checklist answers and their
evidence, findings through to closure, the risk register, an office's own checklists.

An office keeps these for itself. Its managers (and the operator at the command line)
plan audits and keep the risk register; the auditors named on an audit answer its
checklist and record its findings; a finding's owner reports the corrective action.
Each function authorises, checks the whole input first (naming the field that is
wrong), writes in one transaction and records an audit entry. A change that names a
version other than the stored one is refused (`AssuranceConflict`).

Processes, targets and improvement are apps of the same layer, so they are reached
through the models' relations (`apps.get_model`), never imported.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from miara.accounts.audit import audit_record
from miara.accounts.models import User
from miara.accounts.scope import can_see_unit, is_operator, manages_unit, reads_all_units
from miara.assurance import attachments
from miara.assurance.models import (
    SCALE,
    Attachment,
    Audit,
    AuditPlan,
    ChecklistAnswer,
    ChecklistItem,
    ChecklistTemplate,
    Finding,
    Risk,
    RiskChange,
)
from miara.catalogue.models import Indicator, ServiceArea
from miara.units.models import Unit


class AssuranceInputError(ValueError):
    """Input that cannot be stored; `field` names what is wrong."""

    def __init__(self, message: str, field: str = ""):
        self.field = field
        super().__init__(message)


class AssuranceNotFound(LookupError):
    """No such record, or one the user may not read: the same answer for both."""


class AssuranceConflict(Exception):
    """The record was changed by someone else since the version the change was based on."""

    def __init__(self, *, title: str, given: int, stored: int):
        self.title, self.given, self.stored = title, given, stored
        super().__init__(
            _(
                "“%(title)s” was changed meanwhile (you had version %(given)s, stored is "
                "version %(stored)s); reload it and try again."
            )
            % {"title": title, "given": given, "stored": stored}
        )


# --- who may do what -------------------------------------------------------------------


def belongs_to(user, unit: Unit) -> bool:
    """Whether the user is one of the unit's own people (any role tied to the unit)."""
    if user is None or not user.is_authenticated or not user.is_active or is_operator(user):
        return False
    return user.units.filter(pk=unit.pk).exists()


def may_manage(user, unit: Unit) -> bool:
    """The unit's managers plan audits, keep the risk register and its checklists."""
    return is_operator(user) or manages_unit(user, unit.pk)


def may_read_records(user, unit: Unit) -> bool:
    """The unit's own people read its audits, findings and risks (they are not shared)."""
    return is_operator(user) or belongs_to(user, unit)


def is_auditor(user, audit: Audit) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if audit.lead_id == user.pk:
        return True
    return audit.auditors.filter(pk=user.pk).exists()


def may_read_audit(user, audit: Audit) -> bool:
    """The unit's people, and the auditors named on the audit (that audit only)."""
    return may_read_records(user, audit.plan.unit) or is_auditor(user, audit)


def may_conduct(user, audit: Audit) -> bool:
    """Answer the checklist, record findings, attach evidence: the auditors and the
    unit's managers."""
    return may_manage(user, audit.plan.unit) or is_auditor(user, audit)


def may_move_audit(user, audit: Audit) -> bool:
    """The unit's managers and the lead auditor move an audit through its states."""
    if may_manage(user, audit.plan.unit):
        return True
    return audit.lead_id is not None and user.is_authenticated and audit.lead_id == user.pk


def may_work_finding(user, finding: Finding) -> bool:
    """Change a finding: the managers and auditors; its owner reports the action."""
    if may_conduct(user, finding.audit):
        return True
    return (
        finding.owner_id is not None
        and finding.owner_id == getattr(user, "pk", None)
        and belongs_to(user, finding.unit)
    )


def unit_for(*, unit_code: str, acting_user) -> Unit:
    unit = Unit.objects.filter(code=unit_code).first()
    if unit is None or not (is_operator(acting_user) or can_see_unit(acting_user, unit)):
        raise AssuranceInputError(
            _("there is no unit with the code “%(code)s”") % {"code": unit_code}, "unit"
        )
    return unit


def _manager_only(acting_user, unit: Unit) -> None:
    if not may_manage(acting_user, unit):
        raise PermissionDenied(
            _("Only the managers of %(unit)s may do this.") % {"unit": unit.code}
        )


def audit_for(*, acting_user, audit_id) -> Audit:
    audit = (
        Audit.objects.select_related("plan__unit", "lead").filter(pk=audit_id).first()
        if str(audit_id).isdigit()
        else None
    )
    if audit is None or not may_read_audit(acting_user, audit):
        raise AssuranceNotFound(audit_id)
    return audit


def finding_for(*, acting_user, finding_id) -> Finding:
    finding = (
        Finding.objects.select_related("audit__plan__unit", "unit", "owner", "project")
        .filter(pk=finding_id)
        .first()
    )
    if finding is None or not may_read_audit(acting_user, finding.audit):
        raise AssuranceNotFound(finding_id)
    return finding


def risk_for(*, acting_user, risk_id) -> Risk:
    risk = Risk.objects.select_related("unit", "owner").filter(pk=risk_id).first()
    if risk is None or not may_read_records(acting_user, risk.unit):
        raise AssuranceNotFound(risk_id)
    return risk


def attachment_for(*, acting_user, attachment_id) -> Attachment:
    found = Attachment.objects.select_related("audit__plan__unit").filter(pk=attachment_id).first()
    if found is None or not may_read_audit(acting_user, found.audit):
        raise AssuranceNotFound(attachment_id)
    return found


# --- checks shared by the records ------------------------------------------------------


def _text(value, field_name: str, *, required: bool = False, limit: int = 200) -> str:
    text = (value or "").strip()
    if required and not text:
        raise AssuranceInputError(_("this field is required"), field_name)
    if len(text) > limit:
        raise AssuranceInputError(
            _("this is longer than %(limit)s characters") % {"limit": limit}, field_name
        )
    return text


def _date(value, field_name: str, *, required: bool = True) -> datetime.date | None:
    if value in (None, ""):
        if required:
            raise AssuranceInputError(_("give a date"), field_name)
        return None
    if not isinstance(value, datetime.date):
        raise AssuranceInputError(_("“%(text)s” is not a date") % {"text": value}, field_name)
    return value


def _choice(value, choices, field_name: str) -> str:
    if value not in choices.values:
        raise AssuranceInputError(
            _("“%(value)s” is not one of %(choices)s")
            % {"value": value, "choices": ", ".join(choices.values)},
            field_name,
        )
    return value


def _unit_person(username, unit: Unit, field_name: str) -> User | None:
    """An active person of the unit (owners of findings and risks)."""
    if not username:
        return None
    person = User.objects.filter(username=username, is_active=True).first()
    if person is None or not belongs_to(person, unit):
        raise AssuranceInputError(
            _("%(user)s is not one of the people of %(unit)s")
            % {"user": username, "unit": unit.code},
            field_name,
        )
    return person


def _auditor(username, unit: Unit, field_name: str) -> User:
    """An auditor is one of the unit's people or a coordinator or expert of the
    programme; never a person of another office."""
    person = User.objects.filter(username=username, is_active=True).first()
    if person is None or not (belongs_to(person, unit) or reads_all_units(person)):
        raise AssuranceInputError(
            _("%(user)s has no access to %(unit)s and cannot audit it")
            % {"user": username, "unit": unit.code},
            field_name,
        )
    return person


def _by_code(queryset, codes, field_name: str, missing) -> list:
    """The rows of `queryset` with the given codes, in the order given (repeats once), read
    in one query; the first code without a row is an error of `field_name`, worded by
    `missing(code)`."""
    wanted = list(dict.fromkeys(str(c).strip() for c in codes or []))
    if not wanted:
        return []
    found = {row.code: row for row in queryset.filter(code__in=wanted)}
    for code in wanted:
        if code not in found:
            raise AssuranceInputError(missing(code), field_name)
    return [found[code] for code in wanted]


def _processes(codes, unit: Unit) -> list:
    return _by_code(
        apps.get_model("processes", "Process").objects.filter(unit=unit),
        codes,
        "processes",
        lambda code: (
            _("%(unit)s has no process with the code “%(code)s”")
            % {"unit": unit.code, "code": code}
        ),
    )


def _departments(codes, unit: Unit) -> list:
    return _by_code(
        apps.get_model("processes", "Department").objects.filter(unit=unit),
        codes,
        "departments",
        lambda code: (
            _("%(unit)s has no department with the code “%(code)s”")
            % {"unit": unit.code, "code": code}
        ),
    )


def _areas(codes) -> list[ServiceArea]:
    return _by_code(
        ServiceArea.objects.all(),
        codes,
        "service_areas",
        lambda code: _("there is no service area with the code “%(code)s”") % {"code": code},
    )


def _indicators(codes) -> list[Indicator]:
    return _by_code(
        Indicator.objects.all(),
        codes,
        "indicators",
        lambda code: _("there is no indicator with the code “%(code)s”") % {"code": code},
    )


def _check_version(obj, version: int | None) -> None:
    if version is not None and version != obj.version:
        raise AssuranceConflict(title=obj.title, given=version, stored=obj.version)


# --- the audit plan and audits ---------------------------------------------------------


@dataclass
class AuditData:
    """What is stated about an audit; people are usernames, the rest codes."""

    title: str
    start_date: datetime.date
    end_date: datetime.date
    lead: str | None = None
    auditors: list[str] = field(default_factory=list)
    templates: list[str] = field(default_factory=list)  # template codes
    processes: list[str] = field(default_factory=list)
    departments: list[str] = field(default_factory=list)
    service_areas: list[str] = field(default_factory=list)


def templates_available(unit: Unit):
    """The built-in checklists and the unit's own."""
    return ChecklistTemplate.objects.filter(Q(unit__isnull=True) | Q(unit=unit)).order_by(
        "unit_id", "code"
    )


def _templates(codes, unit: Unit) -> list[ChecklistTemplate]:
    found = []
    for code in dict.fromkeys(str(c).strip() for c in codes or []):
        template = templates_available(unit).filter(code=code).order_by("-unit_id").first()
        if template is None:
            raise AssuranceInputError(
                _("there is no checklist with the code “%(code)s”") % {"code": code}, "templates"
            )
        found.append(template)
    return found


def _audit_checked(data: AuditData, unit: Unit) -> dict:
    start = _date(data.start_date, "start_date")
    end = _date(data.end_date, "end_date")
    if end < start:
        raise AssuranceInputError(
            _("the audit ends on %(end)s, before it starts on %(start)s")
            % {"end": end.isoformat(), "start": start.isoformat()},
            "end_date",
        )
    return {
        "title": _text(data.title, "title", required=True),
        "start_date": start,
        "end_date": end,
        "lead": _auditor(data.lead, unit, "lead") if data.lead else None,
        "auditors": [_auditor(name, unit, "auditors") for name in dict.fromkeys(data.auditors)],
        "templates": _templates(data.templates, unit),
        "processes": _processes(data.processes, unit),
        "departments": _departments(data.departments, unit),
        "service_areas": _areas(data.service_areas),
    }


M2M_AUDIT = ("auditors", "templates", "processes", "departments", "service_areas")


def _set_m2m(obj, checked: dict, names) -> None:
    for name in names:
        getattr(obj, name).set(checked[name])


def _audit_summary(audit: Audit) -> dict:
    return {
        "unit": audit.plan.unit.code,
        "year": audit.plan.year,
        "audit": audit.pk,
        "title": audit.title,
        "state": audit.state,
        "version": audit.version,
    }


def audit_create(
    *, acting_user, unit_code: str, year: int, data: AuditData, channel: str = "web"
) -> Audit:
    """Plan an audit in the unit's programme of `year` (its managers)."""
    unit = unit_for(unit_code=unit_code, acting_user=acting_user)
    _manager_only(acting_user, unit)
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise AssuranceInputError(_("“%(year)s” is not a year") % {"year": year}, "year")
    checked = _audit_checked(data, unit)
    with transaction.atomic():
        plan, _created = AuditPlan.objects.get_or_create(unit=unit, year=year)
        m2m = {name: checked.pop(name) for name in M2M_AUDIT}
        audit = Audit.objects.create(plan=plan, version=1, **checked)
        _set_m2m(audit, m2m, M2M_AUDIT)
        audit_record(
            user=acting_user,
            action="assurance.audit_create",
            channel=channel,
            summary=f"{unit.code} {year}: {audit.title}",
            details=_audit_summary(audit),
        )
    return audit


def audit_update(
    *, acting_user, audit_id: int, data: AuditData, version: int | None, channel: str = "web"
) -> Audit:
    """Replace what is stated about an audit (its managers)."""
    audit = audit_for(acting_user=acting_user, audit_id=audit_id)
    unit = audit.plan.unit
    _manager_only(acting_user, unit)
    checked = _audit_checked(data, unit)
    with transaction.atomic():
        audit = (
            Audit.objects.select_for_update(of=("self",))
            .select_related("plan__unit")
            .get(pk=audit.pk)
        )
        _check_version(audit, version)
        m2m = {name: checked.pop(name) for name in M2M_AUDIT}
        for name, value in checked.items():
            setattr(audit, name, value)
        audit.version += 1
        audit.save()
        _set_m2m(audit, m2m, M2M_AUDIT)
        audit_record(
            user=acting_user,
            action="assurance.audit_update",
            channel=channel,
            summary=f"{unit.code}: {audit.title} v{audit.version}",
            details=_audit_summary(audit),
        )
    return audit


AUDIT_MOVES = {
    Audit.State.PLANNED: {Audit.State.IN_PROGRESS},
    Audit.State.IN_PROGRESS: {Audit.State.PLANNED, Audit.State.REPORTING},
    Audit.State.REPORTING: {Audit.State.IN_PROGRESS, Audit.State.CLOSED},
    Audit.State.CLOSED: {Audit.State.REPORTING},
}


def checklist_items(audit: Audit):
    return ChecklistItem.objects.filter(template__audits=audit).select_related("template")


def open_items(audit: Audit) -> list[ChecklistItem]:
    """The checklist items of the audit that have no answer yet."""
    answered = ChecklistAnswer.objects.filter(audit=audit).values("item_id")
    return list(checklist_items(audit).exclude(pk__in=answered))


def _label(choices, value) -> str:
    return str(dict(choices.choices).get(value, value))


def audit_state_set(
    *, acting_user, audit_id: int, state: str, version: int | None, channel: str = "web"
) -> Audit:
    """Move an audit: planned → in progress → reporting → closed (and one step back).
    An audit is closed only when every checklist item has an answer."""
    audit = audit_for(acting_user=acting_user, audit_id=audit_id)
    if not may_move_audit(acting_user, audit):
        raise PermissionDenied(_("Only the managers and the lead auditor move an audit."))
    state = _choice(state, Audit.State, "state")
    with transaction.atomic():
        audit = (
            Audit.objects.select_for_update(of=("self",))
            .select_related("plan__unit")
            .get(pk=audit.pk)
        )
        _check_version(audit, version)
        if audit.state == state:
            return audit
        if state not in AUDIT_MOVES[audit.state]:
            raise AssuranceInputError(
                _("an audit that is %(before)s cannot become %(after)s")
                % {
                    "before": _label(Audit.State, audit.state),
                    "after": _label(Audit.State, state),
                },
                "state",
            )
        if state == Audit.State.CLOSED:
            missing = open_items(audit)
            if missing:
                raise AssuranceInputError(
                    _(
                        "the audit cannot be closed: %(count)s checklist items have no "
                        "answer yet (%(items)s); answer them, or mark them not applicable"
                    )
                    % {
                        "count": len(missing),
                        "items": ", ".join(i.code for i in missing[:10])
                        + (" …" if len(missing) > 10 else ""),
                    },
                    "state",
                )
        before = audit.state
        audit.state = state
        audit.version += 1
        audit.save(update_fields=["state", "version", "updated_at"])
        audit_record(
            user=acting_user,
            action="assurance.audit_state",
            channel=channel,
            summary=f"{audit.plan.unit.code}: {audit.title}: {before} → {state}",
            details={**_audit_summary(audit), "before": before},
        )
    return audit


def _open_for_work(audit: Audit) -> None:
    if audit.state == Audit.State.CLOSED:
        raise AssuranceInputError(
            _("the audit “%(title)s” is closed; reopen it to change it") % {"title": audit.title},
            "state",
        )


def answer_set(
    *,
    acting_user,
    audit_id: int,
    item_id: int,
    answer: str,
    note: str = "",
    version: int | None = None,
    channel: str = "web",
) -> ChecklistAnswer:
    """Answer one checklist item of an audit (its auditors and the unit's managers)."""
    audit = audit_for(acting_user=acting_user, audit_id=audit_id)
    if not may_conduct(acting_user, audit):
        raise PermissionDenied(_("Only the auditors of this audit answer its checklist."))
    _open_for_work(audit)
    item = checklist_items(audit).filter(pk=item_id).first() if str(item_id).isdigit() else None
    if item is None:
        raise AssuranceInputError(_("the audit's checklists have no such item"), "item")
    answer = _choice(answer, ChecklistAnswer.Answer, "answer")
    note = _text(note, "note", limit=4000)
    with transaction.atomic():
        # The audit's row is the lock: two first answers to one item never race into the
        # unique constraint, and closing waits for answers being written.
        audit = (
            Audit.objects.select_for_update(of=("self",))
            .select_related("plan__unit")
            .get(pk=audit.pk)
        )
        _open_for_work(audit)
        row = ChecklistAnswer.objects.filter(audit=audit, item=item).first()
        if row is None:
            row = ChecklistAnswer.objects.create(
                audit=audit,
                item=item,
                answer=answer,
                note=note,
                answered_by=acting_user_or_none(acting_user),
            )
        else:
            if version is not None and version != row.version:
                raise AssuranceConflict(title=item.code, given=version, stored=row.version)
            if (row.answer, row.note) == (answer, note):
                return row
            row.answer, row.note = answer, note
            row.answered_by = acting_user_or_none(acting_user)
            row.version += 1
            row.save()
        audit_record(
            user=acting_user,
            action="assurance.answer",
            channel=channel,
            summary=f"{audit.plan.unit.code}: {audit.title}: {item.code} {answer}",
            details={
                "audit": audit.pk,
                "item": item.code,
                "answer": answer,
                "version": row.version,
            },
        )
    return row


def acting_user_or_none(user) -> User | None:
    return user if isinstance(user, User) and user.is_authenticated else None


# --- evidence --------------------------------------------------------------------------


def attachment_add(
    *,
    acting_user,
    audit_id: int,
    name: str,
    data: bytes,
    answer_id: int | None = None,
    finding_id: int | None = None,
    channel: str = "web",
) -> Attachment:
    """Attach evidence to a checklist answer or a finding of the audit; the file is
    checked by its content (`attachments.check`) before anything is stored."""
    audit = audit_for(acting_user=acting_user, audit_id=audit_id)
    answer = finding = None
    if finding_id is not None:
        finding = Finding.objects.filter(pk=finding_id, audit=audit).first()
        if finding is None:
            raise AssuranceInputError(_("the audit has no such finding"), "finding")
        if not may_work_finding(acting_user, finding):
            raise PermissionDenied(_("You may not change this finding."))
    else:
        if not may_conduct(acting_user, audit):
            raise PermissionDenied(_("Only the auditors of this audit attach evidence."))
        _open_for_work(audit)
        answer = ChecklistAnswer.objects.filter(pk=answer_id, audit=audit).first()
        if answer is None:
            raise AssuranceInputError(
                _("answer the checklist item before attaching its evidence"), "file"
            )
    try:
        checked = attachments.check(name, data)
    except attachments.AttachmentRefused as refused:
        raise AssuranceInputError(str(refused), "file") from None
    stored_as = attachments.store(data)
    try:
        with transaction.atomic():
            attachment = Attachment.objects.create(
                audit=audit,
                answer=answer,
                finding=finding,
                name=checked.name,
                kind=checked.kind,
                content_type=checked.content_type,
                size=checked.size,
                sha256=checked.sha256,
                stored_as=stored_as,
                uploaded_by=acting_user_or_none(acting_user),
            )
            audit_record(
                user=acting_user,
                action="assurance.attachment_add",
                channel=channel,
                summary=f"{audit.plan.unit.code}: {audit.title}: {checked.name}",
                details={
                    "audit": audit.pk,
                    "attachment": attachment.pk,
                    "answer": answer.pk if answer else None,
                    "finding": finding.pk if finding else None,
                    "kind": checked.kind,
                    "size": checked.size,
                    "sha256": checked.sha256,
                },
            )
    except BaseException:
        attachments.discard(stored_as)
        raise
    return attachment


# --- findings --------------------------------------------------------------------------


@dataclass
class FindingData:
    title: str
    severity: str
    requirement: str = ""
    item: str | None = None  # the code of a checklist item of the audit
    description: str = ""
    root_cause: str = ""
    recommendation: str = ""
    owner: str | None = None
    deadline: datetime.date | None = None
    corrective_action: str = ""
    project: int | None = None  # an improvement project of the unit
    processes: list[str] = field(default_factory=list)
    indicators: list[str] = field(default_factory=list)


def _project(project_id, unit: Unit):
    if project_id in (None, ""):
        return None
    project = (
        apps.get_model("improvement", "Project").objects.filter(pk=project_id, unit=unit).first()
        if str(project_id).isdigit()
        else None
    )
    if project is None:
        raise AssuranceInputError(
            _("%(unit)s has no improvement project number %(id)s")
            % {"unit": unit.code, "id": project_id},
            "project",
        )
    return project


def _finding_checked(data: FindingData, audit: Audit) -> dict:
    unit = audit.plan.unit
    item = None
    if data.item:
        item = checklist_items(audit).filter(code=data.item).first()
        if item is None:
            raise AssuranceInputError(
                _("the audit's checklists have no item “%(code)s”") % {"code": data.item}, "item"
            )
    return {
        "title": _text(data.title, "title", required=True),
        "severity": _choice(data.severity, Finding.Severity, "severity"),
        "requirement": _text(data.requirement, "requirement", limit=300),
        "item": item,
        "description": _text(data.description, "description", limit=8000),
        "root_cause": _text(data.root_cause, "root_cause", limit=8000),
        "recommendation": _text(data.recommendation, "recommendation", limit=8000),
        "owner": _unit_person(data.owner, unit, "owner"),
        "deadline": _date(data.deadline, "deadline", required=False),
        "corrective_action": _text(data.corrective_action, "corrective_action", limit=8000),
        "project": _project(data.project, unit),
        "processes": _processes(data.processes, unit),
        "indicators": _indicators(data.indicators),
    }


M2M_FINDING = ("processes", "indicators")


def _finding_summary(finding: Finding) -> dict:
    return {
        "unit": finding.unit.code,
        "audit": finding.audit_id,
        "finding": finding.pk,
        "title": finding.title,
        "severity": finding.severity,
        "state": finding.state,
        "owner": finding.owner.username if finding.owner else None,
        "deadline": finding.deadline.isoformat() if finding.deadline else None,
        "version": finding.version,
    }


def finding_create(
    *, acting_user, audit_id: int, data: FindingData, channel: str = "web"
) -> Finding:
    """Record a finding of an audit (its auditors and the unit's managers)."""
    audit = audit_for(acting_user=acting_user, audit_id=audit_id)
    if not may_conduct(acting_user, audit):
        raise PermissionDenied(_("Only the auditors of this audit record its findings."))
    _open_for_work(audit)
    checked = _finding_checked(data, audit)
    with transaction.atomic():
        m2m = {name: checked.pop(name) for name in M2M_FINDING}
        finding = Finding.objects.create(audit=audit, unit=audit.plan.unit, version=1, **checked)
        _set_m2m(finding, m2m, M2M_FINDING)
        audit_record(
            user=acting_user,
            action="assurance.finding_create",
            channel=channel,
            summary=f"{finding.unit.code}: {finding.title} ({finding.severity})",
            details=_finding_summary(finding),
        )
    return finding


def finding_update(
    *, acting_user, finding_id: int, data: FindingData, version: int | None, channel: str = "web"
) -> Finding:
    """Replace what is stated about a finding. Its owner (not an auditor or manager)
    reports the root cause and the action but keeps its severity, owner and deadline."""
    finding = finding_for(acting_user=acting_user, finding_id=finding_id)
    if not may_work_finding(acting_user, finding):
        raise PermissionDenied(_("You may not change this finding."))
    checked = _finding_checked(data, finding.audit)
    if not may_conduct(acting_user, finding.audit):
        for name in ("title", "severity", "requirement", "item", "owner", "deadline"):
            if checked[name] != getattr(finding, name):
                raise PermissionDenied(
                    _("Only the auditors and managers change a finding's %(field)s.")
                    % {"field": str(Finding._meta.get_field(name).verbose_name)}
                )
    with transaction.atomic():
        finding = (
            Finding.objects.select_for_update(of=("self",))
            .select_related("unit", "owner")
            .get(pk=finding.pk)
        )
        _check_version(finding, version)
        if finding.state in (Finding.State.CLOSED, Finding.State.REJECTED):
            raise AssuranceInputError(
                _("the finding is %(state)s; reopen it to change it")
                % {"state": _label(Finding.State, finding.state)},
                "state",
            )
        m2m = {name: checked.pop(name) for name in M2M_FINDING}
        for name, value in checked.items():
            setattr(finding, name, value)
        finding.version += 1
        finding.save()
        _set_m2m(finding, m2m, M2M_FINDING)
        audit_record(
            user=acting_user,
            action="assurance.finding_update",
            channel=channel,
            summary=f"{finding.unit.code}: {finding.title} v{finding.version}",
            details=_finding_summary(finding),
        )
    return finding


S = Finding.State
FINDING_MOVES = {
    S.OPEN: {S.ACTION_PLANNED, S.REJECTED},
    S.ACTION_PLANNED: {S.OPEN, S.IMPLEMENTED, S.REJECTED},
    S.IMPLEMENTED: {S.ACTION_PLANNED, S.VERIFIED},
    S.VERIFIED: {S.ACTION_PLANNED, S.CLOSED},
    S.CLOSED: {S.VERIFIED},
    S.REJECTED: {S.OPEN},
}
# Verification and closure are the auditors' and managers' word, not the owner's.
JUDGED = {S.VERIFIED, S.CLOSED, S.REJECTED, S.OPEN}


def _finding_move_checked(finding: Finding, state: str) -> None:
    if state not in FINDING_MOVES[finding.state]:
        raise AssuranceInputError(
            _("a finding that is %(before)s cannot become %(after)s")
            % {
                "before": _label(Finding.State, finding.state),
                "after": _label(Finding.State, state),
            },
            "state",
        )
    if state == S.ACTION_PLANNED and not (finding.corrective_action or finding.project_id):
        raise AssuranceInputError(
            _(
                "describe the corrective action, or link the improvement project that "
                "answers the finding, before marking the action planned"
            ),
            "corrective_action",
        )
    if state == S.CLOSED:
        missing = [
            str(Finding._meta.get_field(name).verbose_name)
            for name in ("owner", "deadline")
            if getattr(finding, f"{name}_id" if name == "owner" else name) is None
        ]
        if missing:
            raise AssuranceInputError(
                _("a finding is closed only with an owner and a deadline; it has no %(missing)s")
                % {"missing": _(" and ").join(missing)},
                "owner" if finding.owner_id is None else "deadline",
            )


def finding_state_set(
    *, acting_user, finding_id: int, state: str, version: int | None, channel: str = "web"
) -> Finding:
    """Move a finding: open → action planned → implemented → verified → closed, or
    rejected. Its owner moves it up to implemented; verification, closure and rejection
    are the auditors' and managers'. A finding is closed only with an owner and a deadline."""
    finding = finding_for(acting_user=acting_user, finding_id=finding_id)
    if not may_work_finding(acting_user, finding):
        raise PermissionDenied(_("You may not change this finding."))
    state = _choice(state, Finding.State, "state")
    if state in JUDGED and not may_conduct(acting_user, finding.audit):
        raise PermissionDenied(
            _("Only the auditors and managers verify, close or reject a finding.")
        )
    with transaction.atomic():
        finding = (
            Finding.objects.select_for_update(of=("self",))
            .select_related("unit", "owner")
            .get(pk=finding.pk)
        )
        _check_version(finding, version)
        if finding.state == state:
            return finding
        _finding_move_checked(finding, state)
        before = finding.state
        finding.state = state
        finding.closed_on = timezone.localdate() if state == S.CLOSED else None
        finding.version += 1
        finding.save(update_fields=["state", "closed_on", "version", "updated_at"])
        audit_record(
            user=acting_user,
            action="assurance.finding_state",
            channel=channel,
            summary=f"{finding.unit.code}: {finding.title}: {before} → {state}",
            details={**_finding_summary(finding), "before": before},
        )
    return finding


# --- an office's own checklist ---------------------------------------------------------


def template_create(
    *, acting_user, unit_code: str, code: str, name: str, items: list[str], channel: str = "web"
) -> ChecklistTemplate:
    """An office's own checklist: one requirement per item, numbered in order."""
    unit = unit_for(unit_code=unit_code, acting_user=acting_user)
    _manager_only(acting_user, unit)
    code = _text(code, "code", required=True, limit=60).upper()
    if not code.replace("_", "").replace("-", "").isalnum():
        raise AssuranceInputError(_("a code has only letters, digits, “-” and “_”"), "code")
    if templates_available(unit).filter(code=code).exists():
        raise AssuranceInputError(
            _("there is already a checklist with the code “%(code)s”") % {"code": code}, "code"
        )
    name = _text(name, "name", required=True)
    texts = [_text(t, "items", limit=500) for t in items]
    texts = [t for t in texts if t]
    if not texts:
        raise AssuranceInputError(_("a checklist needs at least one item"), "items")
    with transaction.atomic():
        template = ChecklistTemplate.objects.create(
            unit=unit, code=code, name={"en": name, "pl": name, "cs": name}
        )
        for position, text in enumerate(texts, start=1):
            ChecklistItem.objects.create(
                template=template, code=str(position), text={"en": text}, position=position
            )
        audit_record(
            user=acting_user,
            action="assurance.template_create",
            channel=channel,
            summary=f"{unit.code}: {code} ({len(texts)} items)",
            details={"unit": unit.code, "template": template.pk, "code": code, "items": len(texts)},
        )
    return template


# --- the risk register -----------------------------------------------------------------


@dataclass
class RiskData:
    title: str
    likelihood: int
    impact: int
    description: str = ""
    objective: str = ""
    residual_likelihood: int | None = None
    residual_impact: int | None = None
    response: str = Risk.Response.REDUCE
    response_plan: str = ""
    owner: str | None = None
    review_date: datetime.date | None = None
    state: str = Risk.State.OPEN
    targets: list[str] = field(default_factory=list)  # indicator codes of the unit's targets
    processes: list[str] = field(default_factory=list)
    indicators: list[str] = field(default_factory=list)


def _score(value, field_name: str, *, required: bool = True) -> int | None:
    if value in (None, ""):
        if required:
            raise AssuranceInputError(_("give a score from 1 to 5"), field_name)
        return None
    try:
        number = int(str(value).strip())
        whole = str(number) == str(value).strip()
    except ValueError:
        whole = False
    if not whole or number not in SCALE:
        raise AssuranceInputError(
            _("the score must be a whole number from 1 to 5, not “%(value)s”") % {"value": value},
            field_name,
        )
    return number


def _targets(codes, unit: Unit) -> list:
    model = apps.get_model("targets", "Target")
    found = []
    for code in dict.fromkeys(str(c).strip() for c in codes or []):
        target = model.objects.filter(unit=unit, indicator__code=code).first()
        if target is None:
            raise AssuranceInputError(
                _("%(unit)s has no target of %(code)s") % {"unit": unit.code, "code": code},
                "targets",
            )
        found.append(target)
    return found


def _risk_checked(data: RiskData, unit: Unit) -> dict:
    residual = (
        _score(data.residual_likelihood, "residual_likelihood", required=False),
        _score(data.residual_impact, "residual_impact", required=False),
    )
    if (residual[0] is None) != (residual[1] is None):
        raise AssuranceInputError(
            _("give both the likelihood and the impact after the response, or neither"),
            "residual_impact" if residual[1] is None else "residual_likelihood",
        )
    return {
        "title": _text(data.title, "title", required=True),
        "description": _text(data.description, "description", limit=8000),
        "objective": _text(data.objective, "objective", limit=2000),
        "likelihood": _score(data.likelihood, "likelihood"),
        "impact": _score(data.impact, "impact"),
        "residual_likelihood": residual[0],
        "residual_impact": residual[1],
        "response": _choice(data.response, Risk.Response, "response"),
        "response_plan": _text(data.response_plan, "response_plan", limit=8000),
        "owner": _unit_person(data.owner, unit, "owner"),
        "review_date": _date(data.review_date, "review_date", required=False),
        "state": _choice(data.state, Risk.State, "state"),
        "targets": _targets(data.targets, unit),
        "processes": _processes(data.processes, unit),
        "indicators": _indicators(data.indicators),
    }


M2M_RISK = ("targets", "processes", "indicators")


def _risk_changed(risk: Risk, acting_user, channel: str, note: str) -> None:
    RiskChange.objects.create(
        risk=risk,
        version=risk.version,
        state=risk.state,
        likelihood=risk.likelihood,
        impact=risk.impact,
        residual_likelihood=risk.residual_likelihood,
        residual_impact=risk.residual_impact,
        owner=risk.owner.username if risk.owner else "",
        review_date=risk.review_date,
        note=note[:300],
        changed_by=acting_user_or_none(acting_user),
        channel=channel,
    )


def _risk_summary(risk: Risk) -> dict:
    return {
        "unit": risk.unit.code,
        "risk": risk.pk,
        "title": risk.title,
        "score": risk.score,
        "residual_score": risk.residual_score,
        "state": risk.state,
        "version": risk.version,
    }


def risk_create(*, acting_user, unit_code: str, data: RiskData, channel: str = "web") -> Risk:
    """Add a risk to the unit's register (its managers)."""
    unit = unit_for(unit_code=unit_code, acting_user=acting_user)
    _manager_only(acting_user, unit)
    checked = _risk_checked(data, unit)
    with transaction.atomic():
        m2m = {name: checked.pop(name) for name in M2M_RISK}
        risk = Risk.objects.create(unit=unit, version=1, **checked)
        _set_m2m(risk, m2m, M2M_RISK)
        _risk_changed(risk, acting_user, channel, "created")
        audit_record(
            user=acting_user,
            action="assurance.risk_create",
            channel=channel,
            summary=f"{unit.code}: {risk.title} ({risk.score})",
            details=_risk_summary(risk),
        )
    return risk


def risk_update(
    *, acting_user, risk_id: int, data: RiskData, version: int | None, channel: str = "web"
) -> Risk:
    """Replace what is stated about a risk; its history keeps what it was."""
    risk = risk_for(acting_user=acting_user, risk_id=risk_id)
    _manager_only(acting_user, risk.unit)
    checked = _risk_checked(data, risk.unit)
    with transaction.atomic():
        risk = (
            Risk.objects.select_for_update(of=("self",))
            .select_related("unit", "owner")
            .get(pk=risk.pk)
        )
        _check_version(risk, version)
        m2m = {name: checked.pop(name) for name in M2M_RISK}
        for name, value in checked.items():
            setattr(risk, name, value)
        risk.version += 1
        risk.save()
        _set_m2m(risk, m2m, M2M_RISK)
        _risk_changed(risk, acting_user, channel, "updated")
        audit_record(
            user=acting_user,
            action="assurance.risk_update",
            channel=channel,
            summary=f"{risk.unit.code}: {risk.title} v{risk.version} ({risk.score})",
            details=_risk_summary(risk),
        )
    return risk
