"""Attachments are what their names say: an .exe renamed .pdf, an oversized file and an
SVG with a script are refused with a clear message and leave nothing behind; accepted
files are served only as downloads, with nosniff, and only to those allowed."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from miara.practices.attachments import AttachmentRefused, check_upload, safe_filename
from miara.practices.models import Attachment
from miara.practices.services import practice_create

from .conftest import practice_data

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200
SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.cookie)</script></svg>"
)


def zipped(parts, stored_first=False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (name, data) in enumerate(parts):
            kind = zipfile.ZIP_STORED if stored_first and index == 0 else zipfile.ZIP_DEFLATED
            archive.writestr(name, data, compress_type=kind)
    return buffer.getvalue()


DOCX = zipped([("[Content_Types].xml", "<Types/>"), ("word/document.xml", "<w:document/>")])


@pytest.fixture(autouse=True)
def _var(tmp_path, monkeypatch):
    monkeypatch.setenv("MIARA_VAR_DIR", str(tmp_path))


@pytest.fixture
def draft(carol):
    return practice_create(acting_user=carol, unit_code="B2", data=practice_data())


def upload(user, practice, name, data, content_type="application/pdf"):
    client = Client()
    client.force_login(user)
    return client.post(
        f"/practices/{practice.pk}/files/",
        {"file": SimpleUploadedFile(name, data, content_type=content_type)},
    )


def test_a_pdf_is_attached_and_served_as_a_download_to_its_office(carol, draft, tmp_path):
    response = upload(carol, draft, "Raport końcowy (final).pdf", PDF)
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.filename == "Raport_końcowy_final.pdf"
    assert attachment.content_type == "application/pdf" and attachment.size == len(PDF)
    assert attachment.path().read_bytes() == PDF
    assert attachment.path().is_relative_to(tmp_path / "practices")
    client = Client()
    client.force_login(carol)
    download = client.get(f"/practices/{draft.pk}/files/{attachment.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["Content-Type"] == "application/pdf"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("report.pdf", EXE, "report.pdf is not a PDF file: its content is EXE."),
        ("chart.svg", SVG, "chart.svg is an SVG image, which may carry scripts"),
        ("chart.png", SVG, "chart.png is an SVG image, which may carry scripts"),
        ("tool.exe", EXE, "only PDF, PNG, JPEG, DOCX, XLSX and ODT files may be attached"),
        ("notes.docx", PDF, "notes.docx is not a DOCX file: its content is PDF."),
        ("empty.pdf", b"", "The submitted file is empty."),  # Django's own check
    ],
)
def test_files_that_are_not_what_they_say_are_refused(carol, draft, name, data, message):
    response = upload(carol, draft, name, data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Attachment.objects.exists()


def test_an_oversized_file_is_refused_naming_the_limit(carol, draft, settings, tmp_path):
    settings.PRACTICE_ATTACHMENT_MAX_MB = 1
    response = upload(carol, draft, "big.pdf", PDF + b"0" * (1024 * 1024))
    assert response.status_code == 422
    assert "big.pdf is larger than 1 MB." in response.content.decode()
    assert not Attachment.objects.exists()
    assert not (tmp_path / "practices").exists() or not any((tmp_path / "practices").rglob("*.*"))


def test_office_documents_are_checked_as_zips():
    assert check_upload("plan.docx", DOCX).content_type.endswith("wordprocessingml.document")
    odt = zipped(
        [("mimetype", "application/vnd.oasis.opendocument.text"), ("content.xml", "<x/>")],
        stored_first=True,
    )
    assert check_upload("plan.odt", odt).content_type == "application/vnd.oasis.opendocument.text"
    bomb = zipped([("[Content_Types].xml", "<T/>"), ("word/document.xml", "a" * 20_000_000)])
    with pytest.raises(AttachmentRefused, match="unpacks to far more than its size"):
        check_upload("bomb.docx", bomb)


def test_file_names_lose_folders_and_odd_characters():
    assert safe_filename("../../etc/passwd") == "passwd"
    assert safe_filename("C:\\Users\\x\\<b>zpráva<b>.PDF") == "b_zpráva_b.pdf"
    assert safe_filename('a"; filename="evil.exe.pdf') == "a_filename_evil_exe.pdf"
    assert len(safe_filename("x" * 300 + ".pdf")) == 100


def test_someone_else_cannot_attach_or_download(carol, bob, draft):
    response = upload(bob, draft, "report.pdf", PDF)
    assert response.status_code == 404  # a draft of B2 does not exist for bob
    upload(carol, draft, "report.pdf", PDF)
    attachment = Attachment.objects.get()
    client = Client()
    client.force_login(bob)
    assert client.get(f"/practices/{draft.pk}/files/{attachment.pk}/").status_code == 404
    assert Client().get(f"/public/practices/{draft.pk}/files/{attachment.pk}/").status_code == 404
