#!/usr/bin/env python
"""Time and peak memory of reading hostile workbooks, as an upload and as `miara load`.

    python benchmarks/uploads.py

Builds each file in memory (miara.testing.workbooks), writes it to a temporary folder
and reads it in a fresh child process, the way the Excel questionnaire upload reads it
(open, then load every sheet) and the way `miara load values` reads it (`read_table`).
Prints the outcome, the wall-clock time and the child's peak memory above its baseline
after start-up (from `os.wait4`). A child killed by a signal (e.g. SIGABRT when a reader
fails to allocate) is reported as such.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from miara.testing import workbooks

CASES = {
    "zip bomb (480 MiB of shared strings)": lambda: workbooks.bomb(480),
    "5,000,000 identical rows": lambda: workbooks.many_rows(5_000_000),
    "500,000 varied rows (24 MB inflated)": lambda: workbooks.many_rows(500_000, varied=True),
    "two cells, A1 and XFD200000": lambda: workbooks.far_cell(200_000, "XFD"),
}


def main() -> int:
    from miara.fileio.tests.test_workbook_limits import read_in_child

    print(f"{'file':40} {'size':>9} {'reader':7} {'seconds':>8} {'+MB':>7}  outcome")
    with tempfile.TemporaryDirectory() as folder:
        for name, build in CASES.items():
            content = build()
            for how in ("upload", "cli"):
                try:
                    result = read_in_child(how, content, Path(folder))
                except AssertionError as died:
                    print(f"{name:40} {len(content):>9,} {how:7} {'':>8} {'':>7}  {died}"[:200])
                    continue
                print(
                    f"{name:40} {len(content):>9,} {how:7} {result['seconds']:8.2f} "
                    f"{result['growth_mb']:7.0f}  {result['outcome'][:90]}"
                )
    return 0


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "miara.settings")
    sys.exit(main())
