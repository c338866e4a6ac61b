"""The Czech demo office's management control: its 2025 audit plan with a closed audit of
the quality system and an audit of the standards of management control in reporting,
their findings in every state (one overdue, one answered by an improvement project), and
its risk register linked to its targets and key processes, so the audits, findings and
risk pages of the demo are not empty. Everything goes through the services, as a person
would enter it, and is written in Czech."""

from __future__ import annotations

import datetime

from django.apps import apps
from django.utils import timezone

from miara.accounts.scope import OPERATOR
from miara.assurance.models import Audit
from miara.assurance.services import (
    AuditData,
    FindingData,
    RiskData,
    answer_set,
    audit_create,
    audit_state_set,
    checklist_items,
    finding_create,
    finding_state_set,
    finding_update,
    risk_create,
    risk_update,
)
from miara.demo.catalogue import CZECH_KEY_PROCESSES

YEAR = 2025
# Items of the management-control audit answered other than "conforms", with a note.
WEAK_ITEMS = {
    "A4": ("partly", "Podpisová oprávnění vedoucích oddělení nejsou písemně delegována."),
    "B7": ("does_not", "Rizika stavebního úřadu nebyla v roce 2024 identifikována."),
    "C12": ("partly", "Plán kontinuity chybí pro výpadek spisové služby."),
    "E20": ("na", "Sebehodnocení proběhne až v prosinci."),
}
# Left unanswered, so the audit shows what blocks its closure.
OPEN_ITEMS = {"E21", "E22"}

# (title, severity, item, owner?, deadline in days from today, state, processes prefix,
#  root cause, recommendation, corrective action, project?)
FINDINGS = [
    (
        "Chybí písemné delegování podpisových oprávnění",
        "minor",
        "A4",
        True,
        -20,
        "action_planned",
        "CZ_BUILD",
        "Směrnice o podpisovém řádu nebyla po reorganizaci aktualizována.",
        "Aktualizovat podpisový řád a vydat písemná pověření.",
        "Tajemník vydá nový podpisový řád a pověření vedoucím oddělení.",
        False,
    ),
    (
        "Rizika stavebního úřadu nejsou identifikována",
        "major",
        "B7",
        True,
        60,
        "implemented",
        "CZ_BUILD",
        "Registr rizik vedlo jen ekonomické oddělení.",
        "Zapojit všechny odbory do identifikace rizik.",
        "",
        True,
    ),
    (
        "Plán kontinuity neřeší výpadek spisové služby",
        "observation",
        "C12",
        True,
        120,
        "open",
        "CZ_VEHREG",
        "",
        "Doplnit plán kontinuity o náhradní evidenci.",
        "",
        False,
    ),
    (
        "Objednávkový systém lze rozšířit na další agendy",
        "ofi",
        None,
        True,
        -90,
        "closed",
        "CZ_IDCARD",
        "",
        "Rozšířit objednávání na registraci vozidel.",
        "Objednávky zavedeny i pro registraci vozidel.",
        False,
    ),
]

# (title, likelihood, impact, residual likelihood, residual impact, response, review in
#  days from today, process prefix, target indicator suffix, objective)
RISKS = [
    (
        "Odchod zkušených referentů stavebního úřadu",
        4,
        5,
        3,
        3,
        "reduce",
        30,
        "CZ_BUILD",
        "_UNIT_COST",
        "Vydávat stavební povolení v zákonné lhůtě.",
    ),
    (
        "Výpadek centrálního registru vozidel",
        3,
        4,
        3,
        2,
        "accept",
        -10,
        "CZ_VEHREG",
        "_SHARE",
        "Registrovat vozidla bez front a zbytečných návštěv.",
    ),
    (
        "Změna zákona o řidičských průkazech",
        2,
        3,
        None,
        None,
        "accept",
        90,
        "CZ_LICENCE",
        "",
        "Vydávat řidičské průkazy do 20 dnů.",
    ),
    (
        "Kybernetický útok na spisovou službu",
        2,
        5,
        1,
        4,
        "transfer",
        60,
        "",
        "",
        "Chránit osobní údaje občanů.",
    ),
    (
        "Chybné výpočty poplatků",
        3,
        2,
        1,
        2,
        "reduce",
        180,
        "CZ_TRADE",
        "",
        "Vybírat poplatky správně a včas.",
    ),
]


def _process_codes(unit_code: str) -> dict[str, str]:
    own = set(
        apps.get_model("processes", "Process")
        .objects.filter(unit__code=unit_code)
        .values_list("code", flat=True)
    )
    return {prefix: code for prefix, code, _names in CZECH_KEY_PROCESSES if code in own}


def _target_of(unit_code: str, prefix: str, suffix: str) -> list[str]:
    if not prefix or not suffix:
        return []
    target = (
        apps.get_model("targets", "Target")
        .objects.filter(
            unit__code=unit_code,
            indicator__code__startswith=prefix + "_",
            indicator__code__endswith=suffix,
        )
        .select_related("indicator")
        .first()
    )
    return [target.indicator.code] if target else []


def _indicators_of(prefix: str) -> list[str]:
    return list(
        apps.get_model("catalogue", "Indicator")
        .objects.filter(code__startswith=prefix + "_", code__endswith="_UNIT_COST")
        .values_list("code", flat=True)[:1]
    )


def _answer_all(audit: Audit, weak: dict, skip: set) -> None:
    for item in checklist_items(audit):
        if item.code in skip:
            continue
        answer, note = weak.get(item.code, ("conforms", ""))
        answer_set(
            acting_user=OPERATOR,
            audit_id=audit.pk,
            item_id=item.pk,
            answer=answer,
            note=note,
            channel="demo",
        )


def _move(audit: Audit, *states: str) -> Audit:
    for state in states:
        audit = audit_state_set(
            acting_user=OPERATOR, audit_id=audit.pk, state=state, version=None, channel="demo"
        )
    return audit


def demo_czech_assurance(unit_code: str, *, lead: str = "kvalita", owner: str = "tajemnik") -> None:
    """The office's 2025 audits, findings and risk register (once: skipped when the office
    already has an audit)."""
    if Audit.objects.filter(plan__unit__code=unit_code).exists():
        return
    today = timezone.localdate()
    processes = _process_codes(unit_code)
    quality = audit_create(
        acting_user=OPERATOR,
        unit_code=unit_code,
        year=YEAR,
        data=AuditData(
            title="Interní audit systému kvality – občanské průkazy",
            start_date=datetime.date(YEAR, 3, 3),
            end_date=datetime.date(YEAR, 3, 14),
            lead=lead,
            auditors=[lead],
            templates=["QUALITY"],
            processes=[processes[p] for p in ("CZ_IDCARD",) if p in processes],
        ),
        channel="demo",
    )
    _answer_all(quality, {}, set())
    _move(quality, "in_progress", "reporting")
    control = audit_create(
        acting_user=OPERATOR,
        unit_code=unit_code,
        year=YEAR,
        data=AuditData(
            title="Audit řídicí kontroly – stavební úřad a doprava",
            start_date=datetime.date(YEAR, 9, 1),
            end_date=datetime.date(YEAR, 10, 31),
            lead=lead,
            auditors=[lead, owner],
            templates=["MC_STANDARDS"],
            processes=[processes[p] for p in ("CZ_BUILD", "CZ_VEHREG") if p in processes],
        ),
        channel="demo",
    )
    _move(control, "in_progress")
    _answer_all(control, WEAK_ITEMS, OPEN_ITEMS)
    _move(control, "reporting")
    project = (
        apps.get_model("improvement", "Project")
        .objects.filter(unit__code=unit_code)
        .order_by("pk")
        .first()
    )
    for row in FINDINGS:
        title, severity, item, owned, days, state, prefix, cause, advice, action, linked = row
        audit = quality if severity == "ofi" else control
        data = FindingData(
            title=title,
            severity=severity,
            requirement="ISO 9001:2015, 10.3" if item is None else f"Standard {item}",
            item=item,
            root_cause=cause,
            recommendation=advice,
            corrective_action=action,
            owner=owner if owned else None,
            deadline=today + datetime.timedelta(days=days),
            project=project.pk if linked and project else None,
            processes=[processes[prefix]] if prefix in processes else [],
            indicators=_indicators_of(prefix),
        )
        finding = finding_create(acting_user=OPERATOR, audit_id=audit.pk, data=data, channel="demo")
        if linked and not project:
            data.corrective_action = "Zavést registr rizik ve všech odborech."
            finding = finding_update(
                acting_user=OPERATOR, finding_id=finding.pk, data=data, version=None, channel="demo"
            )
        path = {
            "open": [],
            "action_planned": ["action_planned"],
            "implemented": ["action_planned", "implemented"],
            "closed": ["action_planned", "implemented", "verified", "closed"],
        }[state]
        for step in path:
            finding_state_set(
                acting_user=OPERATOR,
                finding_id=finding.pk,
                state=step,
                version=None,
                channel="demo",
            )
    _move(quality, "closed")
    for title, lk, im, rlk, rim, response, review, prefix, suffix, objective in RISKS:
        risk = risk_create(
            acting_user=OPERATOR,
            unit_code=unit_code,
            data=RiskData(
                title=title,
                likelihood=lk + 1 if lk < 5 else lk,
                impact=im,
                objective=objective,
                response=response,
                owner=owner,
                review_date=today + datetime.timedelta(days=review),
                targets=_target_of(unit_code, prefix, suffix),
                processes=[processes[prefix]] if prefix in processes else [],
                indicators=_indicators_of(prefix) if prefix else [],
            ),
            channel="demo",
        )
        # The first assessment scored the likelihood one step higher; the review after
        # the response lowered it: the history shows both.
        risk_update(
            acting_user=OPERATOR,
            risk_id=risk.pk,
            data=RiskData(
                title=title,
                likelihood=lk,
                impact=im,
                residual_likelihood=rlk,
                residual_impact=rim,
                objective=objective,
                response=response,
                response_plan="Opatření schválená vedením úřadu.",
                owner=owner,
                review_date=today + datetime.timedelta(days=review),
                targets=_target_of(unit_code, prefix, suffix),
                processes=[processes[prefix]] if prefix in processes else [],
                indicators=_indicators_of(prefix) if prefix else [],
            ),
            version=1,
            channel="demo",
        )
