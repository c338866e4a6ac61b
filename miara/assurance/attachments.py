"""Evidence files: checked by their content, kept outside anything served statically,
handed out only as downloads.

A file is accepted when its name ends in one of the allowed kinds (PDF, PNG, JPEG, DOCX,
XLSX, ODT) and its first bytes (sniffed with the `filetype` library) say it is that very
kind: a Windows program renamed .pdf, an SVG (which may carry script) or an HTML page
renamed .png is refused with a message that names the file. The name a person gave is
kept for the download only; the stored file has a random name without an extension.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path

import filetype
from django.conf import settings
from django.utils.translation import gettext as _

from miara import conf

# The kinds accepted, by the extension filetype reports, with the type they are served as.
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
}
SUFFIXES = {".pdf": "pdf", ".png": "png", ".jpg": "jpg", ".jpeg": "jpg", ".docx": "docx"}
SUFFIXES |= {".xlsx": "xlsx", ".odt": "odt"}
ACCEPT = ",".join(SUFFIXES)


class AttachmentRefused(ValueError):
    """A file that is not accepted; the message names the file and why."""


@dataclass(frozen=True)
class CheckedFile:
    name: str
    kind: str
    content_type: str
    size: int
    sha256: str


def max_bytes() -> int:
    return settings.ATTACHMENT_MAX_MB * 1024 * 1024


def safe_name(name: str) -> str:
    """The file's own name without folders or control characters, at most 200 long."""
    base = Path(str(name).replace("\\", "/")).name
    cleaned = "".join(c for c in base if c.isprintable() and c not in '"<>|:*?')
    return cleaned.strip()[-200:] or "file"


def check(name: str, data: bytes) -> CheckedFile:
    """The file as accepted, or `AttachmentRefused` saying what is wrong with it."""
    name = safe_name(name)
    suffix = Path(name).suffix.lower()
    if suffix == ".svg" or suffix == ".svgz":
        raise AttachmentRefused(
            _(
                "“%(name)s”: SVG images are not accepted, as they can carry scripts; attach a PNG or PDF instead."
            )
            % {"name": name}
        )
    expected = SUFFIXES.get(suffix)
    if expected is None:
        raise AttachmentRefused(
            _(
                "“%(name)s” is not an accepted kind of file; attach PDF, PNG, JPEG, DOCX, XLSX or ODT."
            )
            % {"name": name}
        )
    if not data:
        raise AttachmentRefused(_("“%(name)s” is empty.") % {"name": name})
    if len(data) > max_bytes():
        raise AttachmentRefused(
            _("“%(name)s” is larger than %(mb)s MB, the most an attachment may be.")
            % {"name": name, "mb": settings.ATTACHMENT_MAX_MB}
        )
    guessed = filetype.guess(data)
    if guessed is None or guessed.extension != expected:
        found = guessed.extension.upper() if guessed is not None else _("unknown")
        raise AttachmentRefused(
            _(
                "“%(name)s” is not what its name says: its content is not %(kind)s (it looks like: %(found)s)."
            )
            % {"name": name, "kind": expected.upper(), "found": found}
        )
    return CheckedFile(
        name=name,
        kind=expected,
        content_type=CONTENT_TYPES[expected],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def storage_dir() -> Path:
    path = conf.var_dir() / "assurance"
    path.mkdir(parents=True, exist_ok=True)
    return path


def store(data: bytes) -> str:
    """Write the bytes under a new random name; returns the name."""
    stored_as = uuid.uuid4().hex
    (storage_dir() / stored_as).write_bytes(data)
    return stored_as


def path_of(stored_as: str) -> Path:
    if not stored_as.isalnum():
        raise FileNotFoundError(stored_as)
    return storage_dir() / stored_as


def discard(stored_as: str) -> None:
    path_of(stored_as).unlink(missing_ok=True)
