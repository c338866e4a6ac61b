"""Checks of a practice's attachments: a file is what its name says, by its content.

The extension is one of a short list; the content is read with `filetype` (magic bytes)
and must be of that very type, so an .exe renamed .pdf is refused; office documents
(docx, xlsx, odt) are zips whose declared sizes and parts are checked too (no zip bomb,
the parts that make the format). SVG is refused: an SVG is a document that may carry
scripts, and a raster image or a PDF says the same. The stored name is our own; the
name shown is sanitised. Files are served only as downloads (`views.attachment_download`).
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.utils.translation import gettext as _

# extension -> (what filetype must find, content type served)
ALLOWED = {
    "pdf": ("pdf", "application/pdf"),
    "png": ("png", "image/png"),
    "jpg": ("jpg", "image/jpeg"),
    "jpeg": ("jpg", "image/jpeg"),
    "docx": (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "odt": ("odt", "application/vnd.oasis.opendocument.text"),
}
# The part each zip-based format cannot do without.
ZIP_PARTS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "odt": "content.xml"}
ZIP_MAX_UNCOMPRESSED = 100 * 1024 * 1024
ZIP_MAX_RATIO = 100
ZIP_MAX_PARTS = 2000


class AttachmentRefused(ValueError):
    """A file that may not be attached; the message says what is wrong with it."""


@dataclass(frozen=True)
class CheckedFile:
    filename: str
    content_type: str
    data: bytes


def max_bytes() -> int:
    return settings.PRACTICE_ATTACHMENT_MAX_MB * 1024 * 1024


def safe_filename(name: str) -> str:
    """The name without folders, control characters or anything but letters, digits,
    dots, dashes and underscores (letters with diacritics kept), at most 100 characters
    with its extension."""
    name = unicodedata.normalize("NFC", (name or "").replace("\\", "/").rpartition("/")[2])
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    stem = re.sub(r"[^\w\-]+", "_", stem, flags=re.UNICODE).strip("._-") or "file"
    extension = re.sub(r"[^a-z0-9]", "", extension.lower())[:10]
    stem = stem[: 100 - len(extension) - 1]
    return f"{stem}.{extension}" if extension else stem


def _zip_checked(data: bytes, extension: str, shown: str) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise AttachmentRefused(
            _("%(file)s is not a readable %(kind)s document.")
            % {"file": shown, "kind": extension.upper()}
        ) from None
    declared = sum(info.file_size for info in infos)
    packed = sum(info.compress_size for info in infos) or 1
    if (
        len(infos) > ZIP_MAX_PARTS
        or declared > ZIP_MAX_UNCOMPRESSED
        or declared / packed > (ZIP_MAX_RATIO)
    ):
        raise AttachmentRefused(
            _("%(file)s unpacks to far more than its size; it is refused.") % {"file": shown}
        )
    names = {info.filename for info in infos}
    if ZIP_PARTS[extension] not in names:
        raise AttachmentRefused(
            _("%(file)s is not a %(kind)s document.") % {"file": shown, "kind": extension.upper()}
        )


def check_upload(name: str, data: bytes) -> CheckedFile:
    """The file as it will be kept, or `AttachmentRefused` naming what is wrong."""
    filename = safe_filename(name)
    extension = filename.rpartition(".")[2] if "." in filename else ""
    limit = settings.PRACTICE_ATTACHMENT_MAX_MB
    if len(data) > max_bytes():
        raise AttachmentRefused(
            _("%(file)s is larger than %(limit)s MB.") % {"file": filename, "limit": limit}
        )
    if not data:
        raise AttachmentRefused(_("%(file)s is empty.") % {"file": filename})
    if extension == "svg" or data.lstrip()[:5].lower() in (b"<?xml", b"<svg "):
        raise AttachmentRefused(
            _("%(file)s is an SVG image, which may carry scripts; attach it as PNG or PDF instead.")
            % {"file": filename}
        )
    if extension not in ALLOWED:
        raise AttachmentRefused(
            _("%(file)s: only PDF, PNG, JPEG, DOCX, XLSX and ODT files may be attached.")
            % {"file": filename}
        )
    expected, content_type = ALLOWED[extension]
    kind = filetype.guess(data)
    if kind is None or kind.extension != expected:
        found = kind.extension.upper() if kind is not None else _("unknown")
        raise AttachmentRefused(
            _("%(file)s is not a %(kind)s file: its content is %(found)s.")
            % {"file": filename, "kind": extension.upper(), "found": found}
        )
    if extension in ZIP_PARTS:
        _zip_checked(data, extension, filename)
    return CheckedFile(filename=filename, content_type=content_type, data=data)
