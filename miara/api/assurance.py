"""Management control: audits with their checklist answers, findings followed to closure,
the risk register. Read what you may read (an office its own, an auditor the audits they
are on); change with versions, as the web pages do. Evidence files are attached on the
audit's page."""

from __future__ import annotations

import datetime
from typing import Annotated

from django.http import Http404
from ninja import Field, Query, Router, Schema, Status

from miara.api import lookups
from miara.api.auth import protected
from miara.api.schemas import Code, ErrorOut, Text, UnitCode, ValidationErrorOut
from miara.assurance import selectors, services
from miara.assurance.models import Audit, Finding, Risk

router = Router(tags=["assurance"], auth=protected)

NOT_FOUND = "there is no such record"


class ConflictOut(Schema):
    detail: str
    given_version: int
    stored_version: int


class StateIn(Schema):
    state: Code
    version: int = Field(ge=1, description="The version you read")


class AnswerOut(Schema):
    item: str
    template: str
    answer: str | None = Field(description="conforms, partly, does_not, na; null: not yet")
    note: str
    attachments: list[str]


class AuditOut(Schema):
    id: int
    unit: str
    year: int
    title: str
    state: str = Field(description="planned, in_progress, reporting or closed")
    start_date: datetime.date
    end_date: datetime.date
    lead: str | None
    auditors: list[str]
    templates: list[str]
    processes: list[str]
    departments: list[str]
    service_areas: list[str]
    version: int


class AuditDetailOut(AuditOut):
    checklist: list[AnswerOut]
    findings: list[int]


class AuditsOut(Schema):
    items: list[AuditOut]


class AuditIn(Schema):
    unit: UnitCode
    year: int = Field(ge=2000, le=2100)
    title: Annotated[str, Field(min_length=1, max_length=200)]
    start_date: datetime.date
    end_date: datetime.date
    lead: Code | None = None
    auditors: list[Code] = Field(default_factory=list, max_length=50)
    templates: list[Code] = Field(default_factory=list, max_length=20)
    processes: list[Code] = Field(default_factory=list, max_length=200)
    departments: list[Code] = Field(default_factory=list, max_length=200)
    service_areas: list[Code] = Field(default_factory=list, max_length=100)


class AnswerIn(Schema):
    answer: Code = Field(description="conforms, partly, does_not or na")
    note: Text = ""
    version: int | None = Field(None, ge=1, description="The answer's version, when changing it")


class FindingOut(Schema):
    id: int
    audit: int
    unit: str
    title: str
    severity: str = Field(description="major, minor, observation or ofi")
    requirement: str
    item: str | None
    description: str
    root_cause: str
    recommendation: str
    owner: str | None
    deadline: datetime.date | None
    corrective_action: str
    project: int | None
    processes: list[str]
    indicators: list[str]
    state: str = Field(
        description="open, action_planned, implemented, verified, closed or rejected"
    )
    overdue: bool
    closed_on: datetime.date | None
    version: int


class FindingsOut(Schema):
    items: list[FindingOut]


class FindingIn(Schema):
    title: Annotated[str, Field(min_length=1, max_length=200)]
    severity: Code
    requirement: Annotated[str, Field(max_length=300)] = ""
    item: Code | None = Field(None, description="Code of a checklist item of the audit")
    description: Text = ""
    root_cause: Text = ""
    recommendation: Text = ""
    owner: Code | None = None
    deadline: datetime.date | None = None
    corrective_action: Text = ""
    project: int | None = Field(None, description="An improvement project of the unit")
    processes: list[Code] = Field(default_factory=list, max_length=200)
    indicators: list[Code] = Field(default_factory=list, max_length=200)


class FindingUpdateIn(FindingIn):
    version: int = Field(ge=1, description="The version you read")


class RiskChangeOut(Schema):
    version: int
    at: datetime.datetime
    state: str
    score: int
    residual_score: int | None
    owner: str
    by: str | None


class RiskOut(Schema):
    id: int
    unit: str
    title: str
    description: str
    objective: str
    likelihood: int
    impact: int
    score: int
    residual_likelihood: int | None
    residual_impact: int | None
    residual_score: int | None
    response: str
    response_plan: str
    owner: str | None
    review_date: datetime.date | None
    state: str
    targets: list[str]
    processes: list[str]
    indicators: list[str]
    version: int


class RiskDetailOut(RiskOut):
    history: list[RiskChangeOut]


class RisksOut(Schema):
    items: list[RiskOut]


class RiskIn(Schema):
    unit: UnitCode
    title: Annotated[str, Field(min_length=1, max_length=200)]
    description: Text = ""
    objective: Text = ""
    likelihood: int = Field(description="1 (rare) to 5 (almost certain)")
    impact: int = Field(description="1 (negligible) to 5 (severe)")
    residual_likelihood: int | None = None
    residual_impact: int | None = None
    response: Code = "reduce"
    response_plan: Text = ""
    owner: Code | None = None
    review_date: datetime.date | None = None
    state: Code = "open"
    targets: list[Code] = Field(default_factory=list, max_length=200)
    processes: list[Code] = Field(default_factory=list, max_length=200)
    indicators: list[Code] = Field(default_factory=list, max_length=200)


class RiskUpdateIn(RiskIn):
    version: int = Field(ge=1, description="The version you read")


READ_ERRORS = {401: ErrorOut, 404: ErrorOut}
WRITE_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ConflictOut}
WRITE_ERRORS |= {422: ValidationErrorOut}


def _refused(error: services.AssuranceInputError):
    return Status(422, {"detail": [{"index": None, "field": error.field, "message": str(error)}]})


def _conflict(conflict: services.AssuranceConflict):
    return Status(
        409,
        {
            "detail": str(conflict),
            "given_version": conflict.given,
            "stored_version": conflict.stored,
        },
    )


def _found(finder, user, **ids):
    try:
        return finder(acting_user=user, **ids)
    except services.AssuranceNotFound:
        raise Http404(NOT_FOUND) from None


def _codes(related) -> list[str]:
    return sorted(x.code for x in related.all())


def _audit(audit: Audit, detail: bool = False) -> dict:
    row = {
        "id": audit.pk,
        "unit": audit.plan.unit.code,
        "year": audit.plan.year,
        "title": audit.title,
        "state": audit.state,
        "start_date": audit.start_date,
        "end_date": audit.end_date,
        "lead": audit.lead.username if audit.lead else None,
        "auditors": sorted(u.username for u in audit.auditors.all()),
        "templates": _codes(audit.templates),
        "processes": _codes(audit.processes),
        "departments": _codes(audit.departments),
        "service_areas": _codes(audit.service_areas),
        "version": audit.version,
    }
    if detail:
        answers = {a.item_id: a for a in audit.answers.prefetch_related("attachments")}
        row["checklist"] = [
            {
                "item": item.code,
                "template": item.template.code,
                "answer": answers[item.pk].answer if item.pk in answers else None,
                "note": answers[item.pk].note if item.pk in answers else "",
                "attachments": (
                    [f.name for f in answers[item.pk].attachments.all()]
                    if item.pk in answers
                    else []
                ),
            }
            for item in services.checklist_items(audit).order_by("template__code", "position")
        ]
        row["findings"] = list(audit.findings.order_by("pk").values_list("pk", flat=True))
    return row


def _finding(finding: Finding, today) -> dict:
    return {
        "id": finding.pk,
        "audit": finding.audit_id,
        "unit": finding.unit.code,
        "title": finding.title,
        "severity": finding.severity,
        "requirement": finding.requirement,
        "item": finding.item.code if finding.item else None,
        "description": finding.description,
        "root_cause": finding.root_cause,
        "recommendation": finding.recommendation,
        "owner": finding.owner.username if finding.owner else None,
        "deadline": finding.deadline,
        "corrective_action": finding.corrective_action,
        "project": finding.project_id,
        "processes": _codes(finding.processes),
        "indicators": _codes(finding.indicators),
        "state": finding.state,
        "overdue": selectors.is_overdue(finding, today),
        "closed_on": finding.closed_on,
        "version": finding.version,
    }


def _risk(risk: Risk, detail: bool = False) -> dict:
    row = {
        "id": risk.pk,
        "unit": risk.unit.code,
        "title": risk.title,
        "description": risk.description,
        "objective": risk.objective,
        "likelihood": risk.likelihood,
        "impact": risk.impact,
        "score": risk.score,
        "residual_likelihood": risk.residual_likelihood,
        "residual_impact": risk.residual_impact,
        "residual_score": risk.residual_score,
        "response": risk.response,
        "response_plan": risk.response_plan,
        "owner": risk.owner.username if risk.owner else None,
        "review_date": risk.review_date,
        "state": risk.state,
        "targets": sorted(t.indicator.code for t in risk.targets.select_related("indicator")),
        "processes": _codes(risk.processes),
        "indicators": _codes(risk.indicators),
        "version": risk.version,
    }
    if detail:
        row["history"] = [
            {
                "version": c.version,
                "at": c.at,
                "state": c.state,
                "score": c.score,
                "residual_score": c.residual_score,
                "owner": c.owner,
                "by": c.changed_by.username if c.changed_by else None,
            }
            for c in risk.changes.select_related("changed_by")
        ]
    return row


# --- audits ----------------------------------------------------------------------------


@router.get(
    "/audits", response={200: AuditsOut, **READ_ERRORS, 422: ValidationErrorOut}, summary="Audits"
)
def audits_list(
    request,
    unit: Annotated[
        list[UnitCode] | None, Query(description="Unit code; repeat for several")
    ] = None,
):
    """Your own offices' audits and those you are named on as an auditor."""
    user = request.auth
    units = lookups.check_visible_units(user, unit)
    audits = selectors.audits_for(user=user)
    if units:
        audits = audits.filter(plan__unit__code__in=units)
    return {"items": [_audit(a) for a in audits]}


@router.get("/audits/{int:audit_id}", response={200: AuditDetailOut, **READ_ERRORS})
def audit_get(request, audit_id: int):
    """An audit with its checklist and the ids of its findings."""
    return _audit(_found(services.audit_for, request.auth, audit_id=audit_id), detail=True)


@router.post("/audits", response={200: AuditDetailOut, **WRITE_ERRORS}, summary="Plan an audit")
def audit_post(request, payload: AuditIn):
    """Plan an audit of a unit you manage, in its plan of `year`."""
    user = request.auth
    lookups.check_visible_units(user, [payload.unit])
    data = services.AuditData(**payload.dict(exclude={"unit", "year"}))
    try:
        audit = services.audit_create(
            acting_user=user, unit_code=payload.unit, year=payload.year, data=data, channel="api"
        )
    except services.AssuranceInputError as error:
        return _refused(error)
    return _audit(audit, detail=True)


@router.post("/audits/{int:audit_id}/state", response={200: AuditDetailOut, **WRITE_ERRORS})
def audit_state(request, audit_id: int, payload: StateIn):
    """Move an audit (planned, in_progress, reporting, closed); closing with items not
    answered is a 422 naming them."""
    user = request.auth
    audit = _found(services.audit_for, user, audit_id=audit_id)
    try:
        audit = services.audit_state_set(
            acting_user=user,
            audit_id=audit.pk,
            state=payload.state,
            version=payload.version,
            channel="api",
        )
    except services.AssuranceInputError as error:
        return _refused(error)
    except services.AssuranceConflict as conflict:
        return _conflict(conflict)
    return _audit(audit, detail=True)


@router.put(
    "/audits/{int:audit_id}/checklist/{item}",
    response={200: AuditDetailOut, **WRITE_ERRORS},
    summary="Answer a checklist item",
)
def answer_put(request, audit_id: int, item: str, payload: AnswerIn):
    """Answer one item (by its code) of the audit's checklists: its auditors."""
    user = request.auth
    audit = _found(services.audit_for, user, audit_id=audit_id)
    found = services.checklist_items(audit).filter(code=item).first()
    if found is None:
        return _refused(
            services.AssuranceInputError(f"the audit has no checklist item {item}", "item")
        )
    try:
        services.answer_set(
            acting_user=user,
            audit_id=audit.pk,
            item_id=found.pk,
            answer=payload.answer,
            note=payload.note,
            version=payload.version,
            channel="api",
        )
    except services.AssuranceInputError as error:
        return _refused(error)
    except services.AssuranceConflict as conflict:
        return _conflict(conflict)
    return _audit(audit, detail=True)


# --- findings --------------------------------------------------------------------------


@router.get("/findings", response={200: FindingsOut, **READ_ERRORS, 422: ValidationErrorOut})
def findings_list(
    request,
    unit: Annotated[
        list[UnitCode] | None, Query(description="Unit code; repeat for several")
    ] = None,
    state: Code | None = None,
    severity: Code | None = None,
    overdue: bool = False,
):
    """The findings you may read, filtered by unit, state, severity, overdue."""
    user = request.auth
    units = lookups.check_visible_units(user, unit)
    findings = selectors.findings_for(user=user).prefetch_related("processes", "indicators")
    if units:
        findings = findings.filter(unit__code__in=units)
    if state:
        findings = findings.filter(state=state)
    if severity:
        findings = findings.filter(severity=severity)
    today = selectors.today()
    if overdue:
        findings = findings.filter(state__in=selectors.WAITING, deadline__lt=today)
    return {"items": [_finding(f, today) for f in findings]}


@router.get("/findings/{int:finding_id}", response={200: FindingOut, **READ_ERRORS})
def finding_get(request, finding_id: int):
    finding = _found(services.finding_for, request.auth, finding_id=finding_id)
    return _finding(finding, selectors.today())


@router.post("/audits/{int:audit_id}/findings", response={200: FindingOut, **WRITE_ERRORS})
def finding_post(request, audit_id: int, payload: FindingIn):
    """Record a finding of an audit you are an auditor (or manager) of."""
    user = request.auth
    audit = _found(services.audit_for, user, audit_id=audit_id)
    try:
        finding = services.finding_create(
            acting_user=user,
            audit_id=audit.pk,
            data=services.FindingData(**payload.dict()),
            channel="api",
        )
    except services.AssuranceInputError as error:
        return _refused(error)
    return _finding(finding, selectors.today())


@router.put("/findings/{int:finding_id}", response={200: FindingOut, **WRITE_ERRORS})
def finding_put(request, finding_id: int, payload: FindingUpdateIn):
    """Replace what is stated about a finding; 409 when it changed since `version`."""
    user = request.auth
    finding = _found(services.finding_for, user, finding_id=finding_id)
    try:
        finding = services.finding_update(
            acting_user=user,
            finding_id=finding.pk,
            data=services.FindingData(**payload.dict(exclude={"version"})),
            version=payload.version,
            channel="api",
        )
    except services.AssuranceInputError as error:
        return _refused(error)
    except services.AssuranceConflict as conflict:
        return _conflict(conflict)
    return _finding(finding, selectors.today())


@router.post("/findings/{int:finding_id}/state", response={200: FindingOut, **WRITE_ERRORS})
def finding_state(request, finding_id: int, payload: StateIn):
    """Move a finding towards closure; closing without an owner or deadline is a 422."""
    user = request.auth
    finding = _found(services.finding_for, user, finding_id=finding_id)
    try:
        finding = services.finding_state_set(
            acting_user=user,
            finding_id=finding.pk,
            state=payload.state,
            version=payload.version,
            channel="api",
        )
    except services.AssuranceInputError as error:
        return _refused(error)
    except services.AssuranceConflict as conflict:
        return _conflict(conflict)
    return _finding(finding, selectors.today())


# --- risks -----------------------------------------------------------------------------


@router.get("/risks", response={200: RisksOut, **READ_ERRORS, 422: ValidationErrorOut})
def risks_list(
    request,
    unit: Annotated[
        list[UnitCode] | None, Query(description="Unit code; repeat for several")
    ] = None,
):
    """The risk registers of your own offices."""
    user = request.auth
    units = lookups.check_visible_units(user, unit)
    risks = selectors.risks_for(user=user)
    if units:
        risks = risks.filter(unit__code__in=units)
    return {"items": [_risk(r) for r in risks]}


@router.get("/risks/{int:risk_id}", response={200: RiskDetailOut, **READ_ERRORS})
def risk_get(request, risk_id: int):
    """A risk with its history, the newest change first."""
    return _risk(_found(services.risk_for, request.auth, risk_id=risk_id), detail=True)


def _risk_data(payload: RiskIn) -> services.RiskData:
    return services.RiskData(**payload.dict(exclude={"unit", "version"}))


@router.post("/risks", response={200: RiskDetailOut, **WRITE_ERRORS}, summary="Add a risk")
def risk_post(request, payload: RiskIn):
    """Add a risk to the register of a unit you manage; a score outside 1–5 is a 422."""
    user = request.auth
    lookups.check_visible_units(user, [payload.unit])
    try:
        risk = services.risk_create(
            acting_user=user, unit_code=payload.unit, data=_risk_data(payload), channel="api"
        )
    except services.AssuranceInputError as error:
        return _refused(error)
    return _risk(risk, detail=True)


@router.put("/risks/{int:risk_id}", response={200: RiskDetailOut, **WRITE_ERRORS})
def risk_put(request, risk_id: int, payload: RiskUpdateIn):
    """Replace what is stated about a risk; 409 when it changed since `version`."""
    user = request.auth
    risk = _found(services.risk_for, user, risk_id=risk_id)
    if payload.unit != risk.unit.code:
        return _refused(services.AssuranceInputError("a risk cannot move to another unit", "unit"))
    try:
        risk = services.risk_update(
            acting_user=user,
            risk_id=risk.pk,
            data=_risk_data(payload),
            version=payload.version,
            channel="api",
        )
    except services.AssuranceInputError as error:
        return _refused(error)
    except services.AssuranceConflict as conflict:
        return _conflict(conflict)
    return _risk(risk, detail=True)
