"""Hostile .xlsx files for tests and measurements, built in a fraction of a second.

A zip bomb needs a member that inflates to hundreds of megabytes; compressing that much
with zlib takes seconds. Here a Repeated block is compressed once with a full flush,
which resets the compressor, so the same compressed bytes can simply be Repeated:
`Repeated(block, 480)` is a ~1.5 MB member inflating to 480 MiB. The zip is written by
hand (local headers, central directory) because `zipfile` has no way to store data that
was compressed elsewhere.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE}">'
    f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}">'
    '<sheets><sheet name="data" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PACKAGE}">'
    f'<Relationship Id="rId1" Type="{RELATIONSHIPS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{RELATIONSHIPS}/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)


@dataclass(frozen=True)
class Repeated:
    """`count` times `block`, between `head` and `tail`."""

    block: bytes
    count: int
    head: bytes = b""
    tail: bytes = b""


def _deflate(content: bytes | Repeated) -> tuple[bytes, int, int]:
    """(raw deflate stream, CRC-32, uncompressed size) of a member's content."""
    if isinstance(content, bytes):
        compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
        return compressor.compress(content) + compressor.flush(), zlib.crc32(content), len(content)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = compressor.compress(content.head) + compressor.flush(zlib.Z_FULL_FLUSH)
    first = compressor.compress(content.block) + compressor.flush(zlib.Z_FULL_FLUSH)
    again = compressor.compress(content.block) + compressor.flush(zlib.Z_FULL_FLUSH)
    tail = compressor.compress(content.tail) + compressor.flush()
    crc = zlib.crc32(content.head)
    for _ in range(content.count):
        crc = zlib.crc32(content.block, crc)
    crc = zlib.crc32(content.tail, crc)
    stream = head + first + again * (content.count - 1) + tail
    size = len(content.head) + len(content.block) * content.count + len(content.tail)
    return stream, crc, size


def zip_bytes(members: dict[str, bytes | Repeated]) -> bytes:
    """A zip of deflated `members` (each under 4 GB inflated, so no zip64)."""
    out, directory = bytearray(), bytearray()
    for name, content in members.items():
        data, crc, size = _deflate(content)
        encoded = name.encode()
        offset = len(out)
        fields = (20, 0, 8, 0, 0x21, crc, len(data), size, len(encoded))
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields, 0) + encoded + data
        directory += (
            struct.pack("<IH", 0x02014B50, 20)
            + struct.pack("<HHHHHIIIHHHHHII", *fields, 0, 0, 0, 0, 0, offset)
            + encoded
        )
    count = len(members)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(directory), len(out), 0)
    return bytes(out + directory + end)


def sheet_xml(rows: bytes | Repeated) -> bytes | Repeated:
    head = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>'.encode()
    tail = b"</sheetData></worksheet>"
    if isinstance(rows, Repeated):
        return Repeated(rows.block, rows.count, head + rows.head, rows.tail + tail)
    return head + rows + tail


def xlsx_bytes(
    rows: bytes | Repeated, shared_strings: bytes | Repeated = b"", extra: dict | None = None
) -> bytes:
    """A one-sheet workbook whose sheet data is `rows` (`<row>` elements)."""
    if isinstance(shared_strings, Repeated):
        strings = Repeated(
            shared_strings.block,
            shared_strings.count,
            f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">'.encode()
            + shared_strings.head,
            shared_strings.tail + b"</sst>",
        )
    else:
        strings = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">'.encode() + (
            shared_strings + b"</sst>"
        )
    return zip_bytes(
        {
            "[Content_Types].xml": CONTENT_TYPES.encode(),
            "_rels/.rels": ROOT_RELS.encode(),
            "xl/workbook.xml": WORKBOOK.encode(),
            "xl/_rels/workbook.xml.rels": WORKBOOK_RELS.encode(),
            "xl/sharedStrings.xml": strings,
            "xl/worksheets/sheet1.xml": sheet_xml(rows),
            **(extra or {}),
        }
    )


HEADER = (
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>unit</t></is></c>'
    b'<c r="B1" t="inlineStr"><is><t>variable</t></is></c>'
    b'<c r="C1" t="inlineStr"><is><t>period</t></is></c>'
    b'<c r="D1" t="inlineStr"><is><t>value</t></is></c></row>'
)
ROW = b"<row><c><v>1</v></c><c><v>2</v></c></row>"


def bomb(megabytes: int = 480) -> bytes:
    """A valid small table whose shared strings inflate to `megabytes` MB (~1 KB per MB)."""
    item = b"<si><t>aaaaaaaaaaaaaaaaaaaaaaaa</t></si>"
    block = item * (1024 * 1024 // len(item))
    return xlsx_bytes(HEADER, shared_strings=Repeated(block, megabytes))


def many_rows(rows: int = 5_000_000, *, varied: bool = False) -> bytes:
    """A table of `rows` rows (without row numbers, as some writers save them): identical
    rows (compressing some 300 times), or `varied` ones compressing like real data."""
    per_block = 10_000
    if varied:
        block = b"".join(
            b"<row><c><v>%d</v></c><c><v>%d</v></c></row>" % (i, i * 7919 % 100_003)
            for i in range(per_block)
        )
    else:
        block = ROW * per_block
    return xlsx_bytes(Repeated(block, rows // per_block, head=HEADER))


def far_cell(row: int = 200_000, column: str = "XFD") -> bytes:
    """Two cells, A1 and one far away: a few hundred bytes spanning a huge range."""
    return xlsx_bytes(HEADER + f'<row r="{row}"><c r="{column}{row}"><v>1</v></c></row>'.encode())


def validations_by_cell(sheet) -> dict:
    """An openpyxl sheet's data validations by the cell ranges they cover ("E7": ...)."""
    checks = {}
    for validation in sheet.data_validations.dataValidation:
        for cell_range in validation.sqref.ranges:
            checks[cell_range.coord] = validation
    return checks
