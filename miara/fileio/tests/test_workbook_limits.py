"""Hostile workbooks are refused while they are read, in bounded time and memory.

Each file is read in a child process, so its peak memory can be measured on its own
(`os.wait4` gives the child's peak resident set) and so a reader that aborts the
process (an allocation of 100 GB fails with SIGABRT, not an exception) shows as a
failed test instead of killing the test run.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
import zipfile

import pytest
from openpyxl import Workbook

from miara.fileio import FileProblem, read_table
from miara.fileio.workbooks import MB, WorkbookLimits, checked_workbook
from miara.testing import workbooks

# What a child may add to its resident memory while reading one hostile file.
MAX_GROWTH_MB = 100
MAX_SECONDS = 5

CHILD = textwrap.dedent(
    """
    import json, os, resource, sys, time
    import django
    django.setup()
    from miara.fileio import FileProblem

    def read_as_cli(path):
        from miara.fileio import read_table
        read_table(path, required=["unit", "variable", "period", "value"])

    def read_as_upload(path):
        # The questionnaire upload's own reading: open, then load every sheet.
        from miara.collection.excel import _open
        with open(path, "rb") as f:
            workbook, _ = _open("upload.xlsx", f.read())
        for name in workbook.sheet_names:
            workbook.get_sheet_by_name(name).to_python()

    read = {"cli": read_as_cli, "upload": read_as_upload}[sys.argv[1]]
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    try:
        read(sys.argv[2])
        outcome = "read"
    except FileProblem as problem:
        outcome = "refused: " + problem.report()
    print(json.dumps({
        "outcome": outcome,
        "seconds": time.perf_counter() - start,
        "baseline_kb": baseline,
    }))
    """
)


def read_in_child(how: str, content: bytes, tmp_path) -> dict:
    """Read `content` as the CLI or the upload does, in a child; its outcome, time and
    memory growth (MB)."""
    path = tmp_path / "hostile.xlsx"
    path.write_bytes(content)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "miara.settings",
        "MIARA_VAR_DIR": str(tmp_path / "var"),
    }
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, how, str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    out, err = child.stdout.read(), child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    assert child.returncode == 0, f"the reader died ({child.returncode}): {err.decode()[-800:]}"
    result = json.loads(out.decode().strip().splitlines()[-1])
    result["growth_mb"] = (usage.ru_maxrss - result["baseline_kb"]) / 1024
    return result


@pytest.mark.parametrize("how", ["cli", "upload"])
def test_a_zip_bomb_is_refused_before_it_inflates(tmp_path, how):
    content = workbooks.bomb(480)  # 1.5 MB inflating to 480 MiB of shared strings
    assert len(content) < 2 * 1024 * 1024
    result = read_in_child(how, content, tmp_path)
    assert result["outcome"].startswith("refused: "), result
    assert "inflate" in result["outcome"] or "compressed" in result["outcome"]
    assert result["seconds"] < MAX_SECONDS, result
    assert result["growth_mb"] < MAX_GROWTH_MB, result


@pytest.mark.parametrize("how", ["cli", "upload"])
def test_five_million_rows_are_refused_before_they_are_loaded(tmp_path, how):
    """0.6 MB of rows inflating to 205 MB: refused for its size (upload) or its
    compression ratio (command line), before a reader builds five million rows."""
    result = read_in_child(how, workbooks.many_rows(5_000_000), tmp_path)
    assert result["outcome"].startswith("refused: "), result
    assert result["seconds"] < MAX_SECONDS, result
    assert result["growth_mb"] < MAX_GROWTH_MB, result


def test_rows_within_the_size_limit_are_counted_while_streaming(tmp_path):
    """Half a million rows of real-looking numbers (under the upload's 50 MB inflated,
    compressed like real data): the scan stops at the row limit, long before the end."""
    content = workbooks.many_rows(500_000, varied=True)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert sum(info.file_size for info in archive.infolist()) < 50 * MB
    result = read_in_child("upload", content, tmp_path)
    assert result["outcome"].startswith("refused: "), result
    assert "more than 10,000 rows" in result["outcome"]
    assert result["seconds"] < MAX_SECONDS, result
    assert result["growth_mb"] < MAX_GROWTH_MB, result


def test_the_row_and_column_limits_hold_for_any_way_of_numbering():
    """Numbered rows, unnumbered rows, a jump in the row numbers, cells without a
    reference: each is counted as a reader would place it."""
    limits = WorkbookLimits(max_rows=101, max_columns=10, max_uncompressed=50 * MB)
    numbered = b"".join(
        b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (i, i) for i in range(1, 102)
    )
    cases = {
        "numbered, at the limit": (numbered, None),
        "numbered, one too many": (numbered + b'<row r="102"><c r="A102"/></row>', "rows"),
        "unnumbered": (b"<row><c><v>1</v></c></row>" * 102, "rows"),
        "a jump": (b'<row r="1"/><row r="5000"><c r="A5000"><v>1</v></c></row>', "rows"),
        "a far cell": (b'<row r="1"><c r="K1"><v>1</v></c></row>', "columns"),
        "unreferenced cells": (b"<row>" + b"<c><v>1</v></c>" * 11 + b"</row>", "columns"),
        "ten unreferenced cells per row": (
            (b"<row>" + b"<c><v>1</v></c>" * 10 + b"</row>") * 50,
            None,
        ),
    }
    for name, (rows, refused_for) in cases.items():
        try:
            checked_workbook("t.xlsx", workbooks.xlsx_bytes(rows), limits, io.BytesIO())
        except FileProblem as problem:
            assert refused_for and refused_for in problem.report(), (name, problem.report())
        else:
            assert refused_for is None, name


@pytest.mark.parametrize("how", ["cli", "upload"])
def test_two_cells_far_apart_are_refused_not_allocated(tmp_path, how):
    """A1 and XFD200000: 2 KB that a reader would turn into a 3-billion-cell grid."""
    result = read_in_child(how, workbooks.far_cell(200_000, "XFD"), tmp_path)
    assert result["outcome"].startswith("refused: "), result
    assert result["growth_mb"] < MAX_GROWTH_MB, result


def values_workbook(rows: int = 30) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["unit", "variable", "period", "value", "comment"])
    for i in range(rows):
        sheet.append(["A1", "WASTE_T", str(2000 + i), 1000 + i, f"komentarz {i} Łódź"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def flipped(content: bytes, position: int) -> bytes:
    return content[:position] + bytes([content[position] ^ 0xFF]) + content[position + 1 :]


def positions(content: bytes, count: int = 60) -> list[int]:
    """`count` positions spread over the file, plus the ends of the zip's structures."""
    spread = {len(content) * i // count for i in range(count)}
    ends = {len(content) - 1, len(content) - 22, 0, 8, 14, 30}
    return sorted(p for p in spread | ends if 0 <= p < len(content))


def test_a_workbook_with_one_flipped_byte_is_read_or_refused_in_words(tmp_path):
    """The CLI reads a damaged workbook correctly (a byte it does not use) or refuses it
    with a FileProblem; nothing else escapes, and nothing is read wrongly."""
    good = values_workbook()
    path = tmp_path / "values.xlsx"
    path.write_bytes(good)
    expected = read_table(path, required=["unit", "variable", "period", "value"])
    refused = 0
    for position in positions(good):
        path.write_bytes(flipped(good, position))
        try:
            frame = read_table(path, required=["unit", "variable", "period", "value"])
        except FileProblem as problem:
            refused += 1
            assert problem.problems[0].message, position
            continue
        assert frame.equals(expected), f"byte {position} changed what was read"
    assert refused > 0


def test_a_stored_zip_with_a_wrong_checksum_is_refused(tmp_path):
    """Damage the reader would not notice by itself (stored, not deflated, data)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(values_workbook())) as source:
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as target:
            for info in source.infolist():
                target.writestr(info.filename, source.read(info.filename))
    content = out.getvalue()
    where = content.index(b"komentarz 3")
    path = tmp_path / "values.xlsx"
    path.write_bytes(content[:where] + b"K" + content[where + 1 :])
    with pytest.raises(FileProblem, match="not a readable Excel workbook"):
        read_table(path, required=["unit", "variable", "period", "value"])
