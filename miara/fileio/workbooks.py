"""Open an .xlsx safely: limits are checked while the zip is inflated, before any
spreadsheet reader sees it.

An .xlsx is a zip of XML parts. A reader such as calamine inflates and parses whole
parts and allocates the sheet's whole grid: a 1.5 MB upload can inflate to 480 MB, five
million rows fit in 0.6 MB, and two cells (A1 and XFD200000) make it allocate 100 GB
and abort the process. So `checked_workbook()`:

1. refuses a zip whose declared sizes exceed the limit or whose parts are compressed
   suspiciously well (a zip bomb), before inflating anything;
2. inflates every part through Python's zipfile in 1 MB pieces, counting the bytes
   actually produced (zipfile also stops at the declared size and checks each CRC, so a
   damaged file is refused as unreadable);
3. scans the worksheet XML while it streams by, and stops as soon as a sheet has more
   rows or columns than allowed;
4. writes the checked parts into a new, uncompressed zip, which is what the reader gets:
   it can only see what was checked.

Only Python's standard library touches the untrusted bytes; every failure is a
`FileProblem` with a message a person can act on.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.utils import formats
from django.utils.translation import gettext

from miara.fileio.problems import FileProblem, Problem

MB = 1024 * 1024
CHUNK = MB
# A sheet part compressed better than this is refused: real workbooks compress their XML
# some 5 to 30 times; a zip bomb, hundreds of times.
MAX_RATIO = 200
# Parts this small are never refused for their ratio (a tiny, repetitive XML compresses
# very well and harms no one).
RATIO_FROM = MB
# The longest tag or text run the scan carries between pieces (an Excel cell holds at
# most 32,767 characters).
MAX_CARRY = MB

# What zipfile raises on a damaged or unusual archive (a flipped byte can turn into any
# of these: a bad header, an unknown method or version, a wrong CRC, bad deflate data,
# an "encrypted" flag).
DAMAGED = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    struct.error,
    EOFError,
    OSError,
    ValueError,
    NotImplementedError,
    RuntimeError,
    KeyError,
    IndexError,
)

EXCEL_ROWS = 1_048_576
EXCEL_COLUMNS = 16_384


@dataclass(frozen=True)
class WorkbookLimits:
    max_rows: int  # rows of a sheet, the header row included
    max_columns: int
    max_uncompressed: int  # bytes, all parts together


# The command line loads national files up to what an Excel sheet can hold.
CLI_LIMITS = WorkbookLimits(max_rows=EXCEL_ROWS, max_columns=64, max_uncompressed=500 * MB)


def upload_limits(max_rows: int, max_uncompressed_mb: int) -> WorkbookLimits:
    """The limits of a web upload of at most `max_rows` data rows."""
    return WorkbookLimits(
        max_rows=max_rows + 1, max_columns=256, max_uncompressed=max_uncompressed_mb * MB
    )


_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row(?=[\s>/])([^>]*)>")
_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c(?=[\s>/])([^>]*)>")
_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s>/])([^>]*)>")
_ANY_CELL = re.compile(rb"<c[\s/>]")
_ANY_ROW = re.compile(rb"<row[\s/>]")
_PLAIN_CELL = re.compile(rb'<c r="([A-Z]{1,3})(\d{1,7})"')
_PLAIN_ROW = re.compile(rb'<row r="(\d{1,7})"')
_PREFIXED = re.compile(rb"<[A-Za-z_][\w.-]*:(?:c|row)[\s/>]")
_ROW_NUMBERED = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row\s[^>]*?(?<=\s)r\s*=\s*[\"'](\d+)")
_CELL_REFERENCED = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?c\s[^>]*?(?<=\s)r\s*=\s*[\"']([A-Za-z]+)(\d+)"
)
_ROW_NUMBER = re.compile(rb'\sr\s*=\s*["\'](\d+)')
_CELL_REFERENCE = re.compile(rb'\sr\s*=\s*["\']([A-Za-z]+)(\d+)')


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


def _column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class _SheetScan:
    """Rows and columns of a worksheet part, counted as its XML streams by."""

    def __init__(self, source: str, limits: WorkbookLimits):
        self.source, self.limits = source, limits
        self.rows = self.columns = self.column = 0
        self.carry = b""

    def feed(self, piece: bytes, last: bool = False) -> None:
        text = self.carry + piece
        cut = len(text) if last else text.rfind(b"<")
        if cut < 0:
            cut = 0
        whole, self.carry = text[:cut], text[cut:]
        if len(self.carry) > MAX_CARRY:
            raise FileProblem(self.source, [Problem(_unreadable())])
        # The common case, as Excel and openpyxl write it (`<row r="7"`, `<c r="B7"`), is
        # counted with simple patterns; anything else (prefixed tags, unnumbered cells,
        # `r` not first) is walked tag by tag.
        cells = len(_ANY_CELL.findall(whole))
        references = _PLAIN_CELL.findall(whole)
        rows = len(_ANY_ROW.findall(whole))
        numbers = _PLAIN_ROW.findall(whole)
        plain = len(references) == cells and len(numbers) == rows
        if not plain or _PREFIXED.search(whole):
            self._walk(whole)
        else:
            self.rows = max(self.rows, max(map(int, set(numbers)), default=0))
            if references:
                letters = {letters for letters, _ in references}
                self.columns = max(self.columns, *(_column_number(c) for c in letters))
                self.rows = max(self.rows, max(map(int, {n for _, n in references})))
        if self.rows > self.limits.max_rows:
            raise FileProblem(self.source, [Problem(_too_many_rows(self.limits))])
        if self.columns > self.limits.max_columns:
            raise FileProblem(self.source, [Problem(_too_many_columns(self.limits))])

    def _walk(self, whole: bytes) -> None:
        for match in _TAG.finditer(whole):
            attributes = match.group(2)
            if match.group(1) == b"row":
                number = _ROW_NUMBER.search(attributes)
                self.rows = max(self.rows + 1, int(number.group(1)) if number else 0)
                self.column = 0
                continue
            reference = _CELL_REFERENCE.search(attributes)
            if reference:
                self.column = _column_number(reference.group(1))
                self.rows = max(self.rows, int(reference.group(2)))
            else:
                self.column += 1
            self.columns = max(self.columns, self.column)


def _unreadable() -> str:
    return gettext(
        "this is not a readable Excel workbook (the file is damaged or not an .xlsx); "
        "open it in Excel and save it again as .xlsx"
    )


def _too_large(limits: WorkbookLimits) -> str:
    return gettext("the workbook inflates to more than %(size)d MB; refusing to open it") % {
        "size": limits.max_uncompressed // MB
    }


def _too_many_rows(limits: WorkbookLimits) -> str:
    return gettext(
        "a sheet of the workbook has more than %(rows)s rows, more than can be loaded here"
    ) % {"rows": formats.number_format(limits.max_rows - 1, force_grouping=True)}


def _too_many_columns(limits: WorkbookLimits) -> str:
    return gettext(
        "a sheet of the workbook uses columns beyond %(column)s; delete the unused columns"
    ) % {"column": _column_letters(limits.max_columns)}


def checked_workbook(
    source: str, data: bytes | Path | BinaryIO, limits: WorkbookLimits, into: BinaryIO
) -> None:
    """Check the .xlsx in `data` against `limits` and write its parts, uncompressed, into
    `into` (a zip for the spreadsheet reader). Raises FileProblem."""
    if isinstance(data, Path):
        with data.open("rb") as opened:
            return checked_workbook(source, opened, limits, into)
    opened = io.BytesIO(data) if isinstance(data, (bytes, bytearray)) else data
    try:
        archive = zipfile.ZipFile(opened)
    except DAMAGED:
        opened.seek(0)
        if opened.read(2) != b"PK":  # not a zip at all: another kind of file
            message = gettext("this is not an Excel .xlsx workbook; save the file as .xlsx")
            raise FileProblem(source, [Problem(message)]) from None
        raise FileProblem(source, [Problem(_unreadable())]) from None
    with archive:
        infos = archive.infolist()
        if sum(info.file_size for info in infos) > limits.max_uncompressed:
            raise FileProblem(source, [Problem(_too_large(limits))])
        for info in infos:
            if info.file_size > RATIO_FROM and info.file_size > MAX_RATIO * max(
                info.compress_size, 1
            ):
                raise FileProblem(
                    source,
                    [
                        Problem(
                            gettext(
                                "the workbook is compressed suspiciously well (%(part)s "
                                "inflates %(ratio)d times); refusing to open it"
                            )
                            % {
                                "part": info.filename,
                                "ratio": info.file_size // max(info.compress_size, 1),
                            }
                        )
                    ],
                )
        inflated = 0
        try:
            with zipfile.ZipFile(into, "w", zipfile.ZIP_STORED, allowZip64=True) as copy:
                for info in infos:
                    if info.is_dir():
                        continue
                    # Binary parts (macros, .xlsb sheets) are not scanned: leave them out.
                    if info.filename.lower().endswith(".bin"):
                        continue
                    scan = (
                        _SheetScan(source, limits)
                        if info.filename.lower().endswith(".xml")
                        else None
                    )
                    with archive.open(info) as part, copy.open(info.filename, "w") as out:
                        while piece := part.read(CHUNK):
                            inflated += len(piece)
                            if inflated > limits.max_uncompressed:
                                raise FileProblem(source, [Problem(_too_large(limits))])
                            if scan:
                                scan.feed(piece)
                            out.write(piece)
                        if scan:
                            scan.feed(b"", last=True)
        except FileProblem:
            raise
        except DAMAGED:
            raise FileProblem(source, [Problem(_unreadable())]) from None
