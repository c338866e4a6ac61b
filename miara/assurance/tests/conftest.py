"""Fixtures of the assurance tests: an audit of A1 with the management-control checklist,
and files that are, or only claim to be, evidence."""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest

from miara.assurance.services import AuditData, FindingData, audit_create, finding_create

D = datetime.date

# The smallest valid files of each kind the sniffer knows by their first bytes.
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\0" * 40
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\0" * 200
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
    b"<script>alert(document.cookie)</script></svg>"
)


def docx_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


@pytest.fixture(autouse=True)
def _var(tmp_path, monkeypatch):
    """Evidence files land in a temporary var/."""
    monkeypatch.setenv("MIARA_VAR_DIR", str(tmp_path / "var"))


@pytest.fixture
def audit(mike, bob):
    """An audit of A1's 2025 plan led by bob, with the management-control standards."""
    return audit_create(
        acting_user=mike,
        unit_code="A1",
        year=2025,
        data=AuditData(
            title="Permits office audit",
            start_date=D(2025, 3, 1),
            end_date=D(2025, 3, 31),
            lead="bob",
            templates=["MC_STANDARDS"],
            service_areas=["PERMITS"],
        ),
    )


def finding_data(**changes) -> FindingData:
    base = {
        "title": "No written delegation of signing",
        "severity": "minor",
        "requirement": "Standard A4: delegation of authority",
        "item": "A4",
        "owner": "mike",
        "deadline": D(2025, 6, 30),
        "indicators": ["PERMIT_COST"],
    }
    base.update(changes)
    return FindingData(**base)


@pytest.fixture
def finding(audit, bob):
    return finding_create(acting_user=bob, audit_id=audit.pk, data=finding_data())
