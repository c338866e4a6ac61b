"""The pages through Django's test client: the same 404 for strangers, evidence checked
by its content and served only as a download, the bad input of the forms answered with a
message and nothing written, the register's filters, the heat map table, and findings on
the indicator and process pages they touch."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from miara.accounts.models import AuditEntry
from miara.assurance import attachments
from miara.assurance.models import Attachment, ChecklistAnswer, Risk
from miara.assurance.services import RiskData, answer_set, checklist_items, risk_create
from miara.assurance.tests.conftest import EXE, PDF, PNG, SVG, docx_bytes
from miara.processes.models import Process

pytestmark = pytest.mark.django_db

D = datetime.date


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def answered(audit, bob, code="A1"):
    item = checklist_items(audit).get(code=code)
    return item, answer_set(acting_user=bob, audit_id=audit.pk, item_id=item.pk, answer="partly")


def upload(client, audit, answer, name, data):
    return client.post(
        f"/audits/{audit.pk}/evidence/",
        {"answer": answer.pk, "file": SimpleUploadedFile(name, data)},
        follow=True,
    )


def test_strangers_get_the_same_404_as_for_missing_records(audit, finding, mike, carol, alice):
    risk = risk_create(acting_user=mike, unit_code="A1", data=RiskData("Flood", 2, 5))
    addresses = [
        f"/audits/{audit.pk}/",
        f"/findings/{finding.pk}/",
        f"/risks/{risk.pk}/",
        "/units/A1/audits/",
        "/units/A1/findings/",
        "/units/A1/risks/",
    ]
    missing = logged_in(carol).get("/audits/999999/")
    assert missing.status_code == 404
    for user in (carol, alice):
        client = logged_in(user)
        for address in addresses:
            assert client.get(address).status_code == 404, (user, address)
    for address in addresses:
        assert logged_in(mike).get(address).status_code == 200, address


def test_an_auditor_from_the_programme_sees_the_assigned_audit_but_not_the_registers(mike, erin):
    from miara.assurance.services import AuditData, audit_create

    audit = audit_create(
        acting_user=mike,
        unit_code="A1",
        year=2025,
        data=AuditData(
            title="Assigned", start_date=D(2025, 5, 1), end_date=D(2025, 5, 2), lead="erin"
        ),
    )
    client = logged_in(erin)
    assert client.get(f"/audits/{audit.pk}/").status_code == 200
    programme = client.get("/units/A1/audits/").text
    assert "Assigned" in programme
    assert client.get("/units/A1/risks/").status_code == 404
    assert client.get("/units/A1/findings/").status_code == 404


def test_evidence_is_attached_and_served_only_as_a_download(audit, bob, carol):
    _item, answer = answered(audit, bob)
    client = logged_in(bob)
    page = upload(client, audit, answer, "delegation.pdf", PDF)
    assert "The evidence was attached." in page.text
    attachment = Attachment.objects.get()
    assert attachment.kind == "pdf" and attachment.answer == answer
    assert attachments.path_of(attachment.stored_as).read_bytes() == PDF
    response = client.get(f"/evidence/{attachment.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="delegation.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == PDF
    assert logged_in(carol).get(f"/evidence/{attachment.pk}/").status_code == 404
    assert AuditEntry.objects.filter(action="assurance.attachment_add").count() == 1


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        (
            "report.pdf",
            EXE,
            "is not what its name says: its content is not PDF (it looks like: EXE)",
        ),
        ("chart.svg", SVG, "SVG images are not accepted, as they can carry scripts"),
        ("chart.png", SVG, "is not what its name says: its content is not PNG"),
        ("photo.png", PDF, "its content is not PNG (it looks like: PDF)"),
        ("minutes.xlsx", docx_bytes(), "its content is not XLSX (it looks like: DOCX)"),
        ("notes.html", b"<html><script>x</script></html>", "is not an accepted kind of file"),
        ("empty.pdf", b"", None),
    ],
)
def test_a_file_that_is_not_what_it_claims_is_refused_with_a_message(audit, bob, name, data, words):
    _item, answer = answered(audit, bob)
    page = upload(logged_in(bob), audit, answer, name, data)
    assert page.status_code == 200
    if words:
        assert words in page.text.replace("&quot;", '"').replace("&#x27;", "'")
    assert "The evidence was attached." not in page.text
    assert not Attachment.objects.exists()
    assert not any(attachments.storage_dir().iterdir())


def test_accepted_kinds_include_office_documents_and_images():
    assert attachments.check("a.docx", docx_bytes()).kind == "docx"
    assert attachments.check("a.PNG", PNG).content_type == "image/png"
    assert attachments.check("../../etc/a.pdf", PDF).name == "a.pdf"


def test_an_oversized_file_is_refused(audit, bob, settings):
    settings.ATTACHMENT_MAX_MB = 1
    _item, answer = answered(audit, bob)
    big = PDF + b"0" * (1024 * 1024)
    page = upload(logged_in(bob), audit, answer, "big.pdf", big)
    assert "is larger than 1 MB" in page.text
    assert not Attachment.objects.exists()


def test_closing_an_audit_with_open_items_says_so_on_the_page(audit, bob):
    client = logged_in(bob)
    for state, version in (("in_progress", 1), ("reporting", 2)):
        client.post(f"/audits/{audit.pk}/state/", {"state": state, "version": version})
    page = client.post(
        f"/audits/{audit.pk}/state/", {"state": "closed", "version": 3}, follow=True
    ).text
    assert "the audit cannot be closed: 22 checklist items have no answer yet" in page
    assert 'data-open-items="22"' in page
    audit.refresh_from_db()
    assert audit.state == "reporting"


def test_answering_on_the_page_stores_the_answer(audit, bob):
    item = checklist_items(audit).get(code="C13")
    client = logged_in(bob)
    page = client.post(
        f"/audits/{audit.pk}/items/{item.pk}/",
        {f"item{item.pk}-answer": "does_not", f"item{item.pk}-note": "Safe unlocked"},
        follow=True,
    ).text
    assert "The answer was saved." in page
    assert ChecklistAnswer.objects.get(audit=audit, item=item).answer == "does_not"


def test_a_risk_score_outside_the_scale_is_refused_on_the_form(mike):
    client = logged_in(mike)
    response = client.post(
        "/units/A1/risks/new/",
        {"title": "Flood", "likelihood": "7", "impact": "3", "response": "reduce", "state": "open"},
    )
    assert response.status_code == 422
    assert "Nothing was saved" in response.text
    assert not Risk.objects.exists()
    response = client.post(
        "/units/A1/risks/new/",
        {
            "title": "Flood",
            "likelihood": "3",
            "impact": "5",
            "residual_likelihood": "2",
            "response": "reduce",
            "state": "open",
        },
    )
    assert response.status_code == 422
    assert "give both the likelihood and the impact after the response" in response.text
    assert not Risk.objects.exists()


def test_the_risk_register_shows_the_heat_map_as_a_table(mike):
    risk_create(acting_user=mike, unit_code="A1", data=RiskData("Flood", 2, 5))
    risk_create(
        acting_user=mike,
        unit_code="A1",
        data=RiskData("Fire", 2, 5, residual_likelihood=1, residual_impact=5),
    )
    page = logged_in(mike).get("/units/A1/risks/").text
    inherent = page.split('data-map="inherent"')[1].split("</table>")[0]
    assert 'data-cell="2-5" title="2 × 5 = 10"><strong>2</strong>' in inherent
    residual = page.split('data-map="residual"')[1].split("</table>")[0]
    assert 'data-cell="1-5" title="1 × 5 = 5"><strong>1</strong>' in residual
    assert 'data-cell="2-5" title="2 × 5 = 10"><strong>' not in residual


def test_the_register_filters_and_the_overdue_banner(audit, finding, mike, bob):
    from miara.assurance.services import finding_create
    from miara.assurance.tests.conftest import finding_data

    later = finding_create(
        acting_user=bob,
        audit_id=audit.pk,
        data=finding_data(title="Upgrade the archive", severity="ofi", deadline=D(2099, 1, 1)),
    )
    client = logged_in(mike)
    everything = client.get("/units/A1/findings/").text
    assert finding.title in everything and later.title in everything
    assert "1 finding is past its deadline" in everything
    overdue = client.get("/units/A1/findings/?overdue=1").text.split('<h2 id="register-heading">')[
        1
    ]
    assert finding.title in overdue and later.title not in overdue
    ofi = client.get("/units/A1/findings/?severity=ofi").text.split('<h2 id="register-heading">')[1]
    assert later.title in ofi and finding.title not in ofi
    assert "1 finding is past its deadline" in client.get("/units/A1/audits/").text


def test_findings_appear_on_the_indicator_and_process_pages_they_touch(
    audit, finding, mike, bob, carol
):
    page = logged_in(mike).get("/indicators/PERMIT_COST/?unit=A1").text
    assert "Audit findings of Alpha about this" in page
    assert f'<a href="/findings/{finding.pk}/">{finding.title}</a>' in page
    assert finding.title not in logged_in(mike).get("/indicators/RECYCLING_RATE/?unit=A1").text
    process = Process.objects.create(unit=audit.plan.unit, code="PERMITS", name="Permits")
    finding.processes.add(process)
    page = logged_in(mike).get("/units/A1/processes/PERMITS/").text
    assert f'<a href="/findings/{finding.pk}/">{finding.title}</a>' in page
    assert "overdue" in page.split("touched-findings")[1]
