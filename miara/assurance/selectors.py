"""Reads of audits, findings and risks, always scoped to the acting user: an office reads
its own; an auditor named on an audit reads that audit and its findings, nothing else.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from miara.accounts.scope import is_operator
from miara.analytics.hooks import FindingLink
from miara.assurance.models import SCALE, Audit, Finding, Risk

# A finding still waiting for its action: overdue once its deadline has passed.
WAITING = (Finding.State.OPEN, Finding.State.ACTION_PLANNED, Finding.State.IMPLEMENTED)


def today() -> datetime.date:
    return timezone.localdate()


def _active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def own_unit_ids(user) -> set[int] | None:
    """Ids of the units whose records the user reads as one of their people; None: all."""
    if is_operator(user):
        return None
    if not _active(user):
        return set()
    return set(user.units.values_list("id", flat=True))


def audits_for(*, user, unit=None) -> QuerySet[Audit]:
    """The audits the user reads: their own offices' and those they audit."""
    audits = Audit.objects.select_related("plan__unit", "lead")
    ids = own_unit_ids(user)
    if ids is not None:
        if not _active(user):
            return audits.none()
        audits = audits.filter(
            Q(plan__unit_id__in=ids) | Q(lead=user) | Q(auditors=user)
        ).distinct()
    if unit is not None:
        audits = audits.filter(plan__unit=unit)
    return audits.order_by("-plan__year", "start_date", "pk")


def findings_for(*, user, unit=None) -> QuerySet[Finding]:
    """The findings the user reads: of their own offices and of the audits they audit."""
    findings = Finding.objects.select_related("unit", "owner", "audit__plan", "project")
    ids = own_unit_ids(user)
    if ids is not None:
        if not _active(user):
            return findings.none()
        findings = findings.filter(
            Q(unit_id__in=ids) | Q(audit__lead=user) | Q(audit__auditors=user)
        ).distinct()
    if unit is not None:
        findings = findings.filter(unit=unit)
    return findings.order_by("deadline", "pk")


def is_overdue(finding: Finding, on: datetime.date | None = None) -> bool:
    return (
        finding.state in WAITING
        and finding.deadline is not None
        and finding.deadline < (on or today())
    )


def overdue_findings(*, user, unit=None, on: datetime.date | None = None) -> QuerySet[Finding]:
    return findings_for(user=user, unit=unit).filter(state__in=WAITING, deadline__lt=on or today())


@dataclass
class FindingFilters:
    state: str = ""
    severity: str = ""
    overdue: bool = False
    owner: str = ""
    process: str = ""


def findings_register(
    *, user, unit, filters: FindingFilters, on: datetime.date | None = None
) -> list[Finding]:
    """The unit's findings the user reads, filtered as asked; each marked `overdue`."""
    on = on or today()
    findings = findings_for(user=user, unit=unit).prefetch_related("processes")
    if filters.state:
        findings = findings.filter(state=filters.state)
    if filters.severity:
        findings = findings.filter(severity=filters.severity)
    if filters.overdue:
        findings = findings.filter(state__in=WAITING, deadline__lt=on)
    if filters.owner:
        findings = findings.filter(owner__username=filters.owner)
    if filters.process:
        findings = findings.filter(processes__code=filters.process)
    rows = list(findings.distinct())
    for finding in rows:
        finding.overdue = is_overdue(finding, on)
    return rows


def risks_for(*, user, unit=None) -> QuerySet[Risk]:
    risks = Risk.objects.select_related("unit", "owner")
    ids = own_unit_ids(user)
    if ids is not None:
        risks = risks.filter(unit_id__in=ids)
    if unit is not None:
        risks = risks.filter(unit=unit)
    return risks.order_by("-likelihood", "-impact", "pk")


@dataclass
class HeatCell:
    likelihood: int
    impact: int
    risks: list[Risk]

    @property
    def score(self) -> int:
        return self.likelihood * self.impact

    @property
    def level(self) -> str:
        """Low (1–4), medium (5–9), high (10–16) or critical (20–25), the usual bands of
        a 5 × 5 matrix."""
        if self.score >= 20:
            return "critical"
        if self.score >= 10:
            return "high"
        if self.score >= 5:
            return "medium"
        return "low"


def heat_map(risks, *, residual: bool = False) -> list[list[HeatCell]]:
    """Rows of likelihood 5 down to 1, columns of impact 1 to 5, each cell the risks
    scored there (before the response, or after it: `residual`; a risk without a score
    after the response is left out of that map)."""
    cells = {(lk, im): HeatCell(lk, im, []) for lk in SCALE for im in SCALE}
    for risk in risks:
        if risk.state == Risk.State.CLOSED:
            continue
        key = (
            (risk.residual_likelihood, risk.residual_impact)
            if residual
            else (risk.likelihood, risk.impact)
        )
        if key in cells:
            cells[key].risks.append(risk)
    return [[cells[(lk, im)] for im in SCALE] for lk in reversed(SCALE)]


def review_due(risks, on: datetime.date | None = None) -> list[Risk]:
    on = on or today()
    return [
        r for r in risks if r.state != Risk.State.CLOSED and r.review_date and r.review_date < on
    ]


# --- what analytics asks (analytics.hooks) ---------------------------------------------


def _links(findings) -> list[FindingLink]:
    on = today()
    return [
        FindingLink(
            title=f.title,
            severity=str(f.get_severity_display()),
            state=str(f.get_state_display()),
            url=reverse("assurance:finding", args=[f.pk]),
            overdue=is_overdue(f, on),
        )
        for f in findings
    ]


def answer_indicator_findings(sender=None, *, user, unit, indicator, **kwargs):
    return _links(findings_for(user=user, unit=unit).filter(indicators=indicator))


def answer_process_findings(sender=None, *, user, unit, process, **kwargs):
    return _links(findings_for(user=user, unit=unit).filter(processes=process))
