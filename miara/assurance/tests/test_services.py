"""The services of audits, findings and risks: who may do what, each kind of bad input
refused by field with nothing written, stale versions, the audit trail, the risk history."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from miara.accounts.models import AuditEntry
from miara.accounts.scope import OPERATOR
from miara.assurance import selectors
from miara.assurance.models import Audit, ChecklistTemplate, Finding, Risk, RiskChange
from miara.assurance.services import (
    AssuranceConflict,
    AssuranceInputError,
    AssuranceNotFound,
    AuditData,
    RiskData,
    answer_set,
    audit_create,
    audit_for,
    audit_state_set,
    checklist_items,
    finding_create,
    finding_for,
    finding_state_set,
    finding_update,
    risk_create,
    risk_for,
    risk_update,
    template_create,
)
from miara.assurance.tests.conftest import finding_data

pytestmark = pytest.mark.django_db

D = datetime.date


def test_the_built_in_checklists_hold_the_22_standards_in_three_languages():
    standards = ChecklistTemplate.objects.get(code="MC_STANDARDS", unit=None)
    items = list(standards.items.all())
    assert len(items) == 22
    assert [i.code for i in items[:5]] == ["A1", "A2", "A3", "A4", "B5"]
    assert {i.area["en"][0] for i in items} == set("ABCDE")
    assert all(set(i.text) == {"en", "pl", "cs"} for i in items)
    assert items[20].text["pl"] == "Audyt wewnętrzny"
    assert ChecklistTemplate.objects.get(code="QUALITY").items.count() == 13


def test_a_manager_plans_an_audit_and_it_is_audited(audit, mike):
    assert audit.plan.unit.code == "A1" and audit.plan.year == 2025
    assert audit.state == Audit.State.PLANNED and audit.version == 1
    assert checklist_items(audit).count() == 22
    entry = AuditEntry.objects.get(action="assurance.audit_create")
    assert entry.user == mike and "Permits office audit" in entry.summary


def test_only_the_units_managers_plan_audits(mike, bob, carol, alice):
    data = AuditData(title="X", start_date=D(2025, 1, 1), end_date=D(2025, 1, 2))
    for user in (bob, carol, alice):
        with pytest.raises((PermissionDenied, AssuranceInputError)):
            audit_create(acting_user=user, unit_code="A1", year=2025, data=data)
    assert not Audit.objects.exists()
    audit_create(acting_user=OPERATOR, unit_code="A1", year=2025, data=data)


def test_a_stranger_sees_nothing_and_an_auditor_only_the_audit_they_are_assigned(
    audit, mike, carol, alice, erin
):
    # carol (of B2) and alice (a coordinator) are not on the audit: the same "not found".
    for user in (carol, alice):
        with pytest.raises(AssuranceNotFound):
            audit_for(acting_user=user, audit_id=audit.pk)
        assert list(selectors.audits_for(user=user)) == []
    # erin, an expert named as auditor, reads that audit and no other.
    other = audit_create(
        acting_user=mike,
        unit_code="A1",
        year=2025,
        data=AuditData(title="Waste audit", start_date=D(2025, 5, 1), end_date=D(2025, 5, 2)),
    )
    assigned = audit_create(
        acting_user=mike,
        unit_code="A1",
        year=2025,
        data=AuditData(
            title="Assigned", start_date=D(2025, 5, 1), end_date=D(2025, 5, 2), auditors=["erin"]
        ),
    )
    assert list(selectors.audits_for(user=erin)) == [assigned]
    assert audit_for(acting_user=erin, audit_id=assigned.pk) == assigned
    with pytest.raises(AssuranceNotFound):
        audit_for(acting_user=erin, audit_id=other.pk)
    # A risk of A1 is the office's own: not even an auditor reads it.
    risk = risk_create(acting_user=mike, unit_code="A1", data=RiskData("R", 2, 3))
    with pytest.raises(AssuranceNotFound):
        risk_for(acting_user=erin, risk_id=risk.pk)
    assert list(selectors.risks_for(user=erin)) == []


def test_a_person_of_another_office_cannot_be_named_auditor(mike):
    with pytest.raises(AssuranceInputError) as refused:
        audit_create(
            acting_user=mike,
            unit_code="A1",
            year=2025,
            data=AuditData(
                title="X", start_date=D(2025, 1, 1), end_date=D(2025, 1, 2), lead="carol"
            ),
        )
    assert refused.value.field == "lead" and "carol has no access to A1" in str(refused.value)


def test_the_lead_auditor_answers_and_records_findings_an_editor_who_is_not_an_auditor_cannot(
    audit, bob, mike
):
    item = checklist_items(audit).get(code="A1")
    answer = answer_set(acting_user=bob, audit_id=audit.pk, item_id=item.pk, answer="conforms")
    assert answer.version == 1
    audit.lead = None
    audit.save()
    with pytest.raises(PermissionDenied):
        answer_set(acting_user=bob, audit_id=audit.pk, item_id=item.pk, answer="partly")
    with pytest.raises(PermissionDenied):
        finding_create(acting_user=bob, audit_id=audit.pk, data=finding_data())


def test_closing_an_audit_with_open_checklist_items_is_refused_naming_them(audit, bob):
    audit_state_set(acting_user=bob, audit_id=audit.pk, state="in_progress", version=1)
    audit_state_set(acting_user=bob, audit_id=audit.pk, state="reporting", version=2)
    items = list(checklist_items(audit))
    for item in items[:-2]:
        answer_set(acting_user=bob, audit_id=audit.pk, item_id=item.pk, answer="conforms")
    with pytest.raises(AssuranceInputError) as refused:
        audit_state_set(acting_user=bob, audit_id=audit.pk, state="closed", version=3)
    assert refused.value.field == "state"
    assert "2 checklist items have no answer yet (E21, E22)" in str(refused.value)
    audit.refresh_from_db()
    assert audit.state == "reporting" and audit.version == 3
    for item in items[-2:]:
        answer_set(acting_user=bob, audit_id=audit.pk, item_id=item.pk, answer="na")
    audit_state_set(acting_user=bob, audit_id=audit.pk, state="closed", version=3)
    audit.refresh_from_db()
    assert audit.state == "closed"
    # A closed audit takes no more answers.
    with pytest.raises(AssuranceInputError, match="is closed"):
        answer_set(acting_user=bob, audit_id=audit.pk, item_id=items[0].pk, answer="partly")


def test_an_audit_does_not_jump_states(audit, mike):
    with pytest.raises(AssuranceInputError, match="cannot become closed"):
        audit_state_set(acting_user=mike, audit_id=audit.pk, state="closed", version=None)


def test_a_finding_goes_through_verification_to_closure_and_each_step_is_audited(
    finding, bob, mike
):
    assert finding.unit.code == "A1" and finding.item.code == "A4"
    # Without a corrective action the action cannot be "planned".
    with pytest.raises(AssuranceInputError) as refused:
        finding_state_set(
            acting_user=mike, finding_id=finding.pk, state="action_planned", version=1
        )
    assert refused.value.field == "corrective_action"
    finding = finding_update(
        acting_user=mike,
        finding_id=finding.pk,
        data=finding_data(
            corrective_action="Sign a delegation for each head of unit", root_cause="No template"
        ),
        version=1,
    )
    # The owner (mike) moves it on; the auditor (bob) verifies and closes.
    for state, who in (
        ("action_planned", mike),
        ("implemented", mike),
        ("verified", bob),
        ("closed", bob),
    ):
        finding = finding_state_set(
            acting_user=who, finding_id=finding.pk, state=state, version=finding.version
        )
    assert finding.state == "closed" and finding.closed_on is not None
    moves = AuditEntry.objects.filter(action="assurance.finding_state").count()
    assert moves == 4


def test_closing_a_finding_without_an_owner_or_deadline_is_refused(finding, bob):
    finding = finding_update(
        acting_user=bob,
        finding_id=finding.pk,
        data=finding_data(owner=None, deadline=None, corrective_action="Train the staff"),
        version=1,
    )
    for state in ("action_planned", "implemented", "verified"):
        finding = finding_state_set(
            acting_user=bob, finding_id=finding.pk, state=state, version=finding.version
        )
    with pytest.raises(AssuranceInputError) as refused:
        finding_state_set(acting_user=bob, finding_id=finding.pk, state="closed", version=5)
    assert refused.value.field == "owner"
    assert "closed only with an owner and a deadline; it has no owner and deadline" in str(
        refused.value
    )
    finding.refresh_from_db()
    assert finding.state == "verified" and finding.closed_on is None


def test_the_owner_of_a_finding_may_not_verify_it_alone(finding, audit, mike):
    # mike owns the finding; take away his manager's rights by making bob's editor-
    # colleague the owner instead: an editor owner.
    from miara.accounts.services import user_add

    owner, _ = user_add(
        username="olga", role="editor", unit_codes=["A1"], password="Correct-horse-42"
    )
    finding = finding_update(
        acting_user=mike,
        finding_id=finding.pk,
        data=finding_data(owner="olga", corrective_action="Write it down"),
        version=1,
    )
    finding = finding_state_set(
        acting_user=owner, finding_id=finding.pk, state="action_planned", version=2
    )
    finding = finding_state_set(
        acting_user=owner, finding_id=finding.pk, state="implemented", version=3
    )
    with pytest.raises(PermissionDenied):
        finding_state_set(acting_user=owner, finding_id=finding.pk, state="verified", version=4)
    # Nor change its deadline.
    with pytest.raises(PermissionDenied):
        finding_update(
            acting_user=owner,
            finding_id=finding.pk,
            data=finding_data(
                owner="olga", corrective_action="Write it down", deadline=D(2030, 1, 1)
            ),
            version=4,
        )


def test_a_stale_finding_edit_is_refused_and_nothing_changes(finding, mike, bob):
    finding_update(
        acting_user=mike, finding_id=finding.pk, data=finding_data(title="New"), version=1
    )
    with pytest.raises(AssuranceConflict) as conflict:
        finding_update(
            acting_user=bob, finding_id=finding.pk, data=finding_data(title="Other"), version=1
        )
    assert conflict.value.given == 1 and conflict.value.stored == 2
    assert Finding.objects.get(pk=finding.pk).title == "New"


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"title": " "}, "title", "required"),
        ({"severity": "catastrophic"}, "severity", "is not one of"),
        ({"owner": "carol"}, "owner", "carol is not one of the people of A1"),
        ({"item": "Z9"}, "item", "no item “Z9”"),
        ({"processes": ["NOPE"]}, "processes", "no process with the code"),
        ({"indicators": ["NOPE"]}, "indicators", "no indicator with the code"),
        ({"project": 999}, "project", "no improvement project number 999"),
    ],
)
def test_bad_findings_are_refused_by_field_and_nothing_is_saved(audit, bob, changes, field, words):
    with pytest.raises(AssuranceInputError) as refused:
        finding_create(acting_user=bob, audit_id=audit.pk, data=finding_data(**changes))
    assert refused.value.field == field and words in str(refused.value)
    assert not Finding.objects.exists()
    assert not AuditEntry.objects.filter(action="assurance.finding_create").exists()


def test_a_risk_is_scored_and_its_history_kept(mike):
    risk = risk_create(
        acting_user=mike,
        unit_code="A1",
        data=RiskData(
            "Staff leave the permits office",
            4,
            4,
            residual_likelihood=2,
            residual_impact=3,
            owner="mike",
            review_date=D(2025, 9, 30),
        ),
    )
    assert risk.score == 16 and risk.residual_score == 6
    risk = risk_update(
        acting_user=mike,
        risk_id=risk.pk,
        data=RiskData("Staff leave the permits office", 3, 4, owner="mike"),
        version=1,
    )
    history = list(RiskChange.objects.filter(risk=risk).order_by("version"))
    assert [(c.version, c.score, c.residual_score) for c in history] == [(1, 16, 6), (2, 12, None)]
    assert AuditEntry.objects.filter(action__startswith="assurance.risk_").count() == 2
    with pytest.raises(AssuranceConflict):
        risk_update(acting_user=mike, risk_id=risk.pk, data=RiskData("Y", 1, 1), version=1)
    assert RiskChange.objects.filter(risk=risk).count() == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"likelihood": 6}, "likelihood"),
        ({"impact": 0}, "impact"),
        ({"likelihood": "2.5"}, "likelihood"),
        ({"impact": None}, "impact"),
        ({"residual_likelihood": 2}, "residual_impact"),
        ({"residual_likelihood": 9, "residual_impact": 1}, "residual_likelihood"),
        ({"targets": ["RECYCLING_RATE"]}, "targets"),
        ({"owner": "carol"}, "owner"),
        ({"state": "forgotten"}, "state"),
    ],
)
def test_a_risk_score_outside_its_scale_and_other_bad_input_are_refused(mike, changes, field):
    base = {"title": "Flood", "likelihood": 2, "impact": 5}
    base.update(changes)
    with pytest.raises(AssuranceInputError) as refused:
        risk_create(acting_user=mike, unit_code="A1", data=RiskData(**base))
    assert refused.value.field == field
    if field in ("likelihood", "impact") and changes.get(field) is not None:
        assert "whole number from 1 to 5" in str(refused.value)
    assert not Risk.objects.exists() and not RiskChange.objects.exists()


def test_the_heat_map_counts_open_risks_in_their_cells(mike):
    for title, lk, im in (("a", 5, 1), ("b", 5, 1), ("c", 2, 4)):
        risk_create(acting_user=mike, unit_code="A1", data=RiskData(title, lk, im))
    risk_create(acting_user=mike, unit_code="A1", data=RiskData("gone", 1, 1, state="closed"))
    grid = selectors.heat_map(selectors.risks_for(user=mike))
    counts = {(c.likelihood, c.impact): len(c.risks) for row in grid for c in row}
    assert counts[(5, 1)] == 2 and counts[(2, 4)] == 1 and counts[(1, 1)] == 0
    assert sum(counts.values()) == 3
    assert grid[0][0].likelihood == 5 and grid[-1][-1].impact == 5
    assert grid[0][4].level == "critical" and grid[4][0].level == "low"


def test_an_office_adds_its_own_checklist(mike, bob):
    template = template_create(
        acting_user=mike, unit_code="A1", code="own", name="Our rules", items=["One", "", "Two"]
    )
    assert template.code == "OWN" and [i.text["en"] for i in template.items.all()] == ["One", "Two"]
    with pytest.raises(AssuranceInputError, match="already a checklist"):
        template_create(acting_user=mike, unit_code="A1", code="OWN", name="x", items=["a"])
    with pytest.raises(AssuranceInputError, match="already a checklist"):
        template_create(acting_user=mike, unit_code="A1", code="QUALITY", name="x", items=["a"])
    with pytest.raises(PermissionDenied):
        template_create(acting_user=bob, unit_code="A1", code="B", name="x", items=["a"])


def test_overdue_findings_are_those_waiting_past_their_deadline(finding, mike):
    on = D(2025, 7, 1)
    assert list(selectors.overdue_findings(user=mike, on=on)) == [finding]
    assert list(selectors.overdue_findings(user=mike, on=D(2025, 6, 30))) == []
    assert finding_for(acting_user=mike, finding_id=finding.pk) == finding


def test_owners_of_findings_past_or_near_their_deadline_are_reminded_once_each(
    finding, audit, bob, mike, alice
):
    from django.core import mail

    from miara.assurance.reminders import finding_reminders_send

    mike.email = "mike@example.org"
    mike.save()
    finding_create(
        acting_user=bob,
        audit_id=audit.pk,
        data=finding_data(title="Far away", deadline=D(2030, 1, 1)),
    )
    with pytest.raises(PermissionDenied):
        finding_reminders_send(acting_user=bob, on=D(2025, 7, 1))
    sent = finding_reminders_send(
        acting_user=alice, on=D(2025, 7, 1), base_url="https://m.example/"
    )
    assert sent == 1 and len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert f"https://m.example/findings/{finding.pk}/" in body and "overdue 2025-06-30" in body
    assert "Far away" not in body
    entry = AuditEntry.objects.get(action="assurance.remind")
    assert entry.details["findings"] == [finding.pk]
