"""`miara report` as a user runs it: a real process on its own SQLite database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import openpyxl
from pypdf import PdfReader

import miara
from miara.testing.cli import PROGRAMME_STEPS, programme_files_write

ROOT = Path(miara.__file__).resolve().parents[1]


def miara_command(workdir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MIARA_", "DJANGO_"))}
    env |= {
        "MIARA_DATABASE_URL": f"sqlite:///{workdir}/miara.sqlite3",
        "MIARA_SECRET_KEY": "test",
        "MIARA_VAR_DIR": str(workdir / "var"),
        "PYTHONPATH": str(ROOT),  # this checkout's miara, not an installed one
    }
    code = "import sys; from miara.cli import main; sys.exit(main())"
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_it_writes_a_unit_pdf_a_workbook_and_every_units_reports(tmp_path):
    programme_files_write(tmp_path)
    for args in PROGRAMME_STEPS:
        done = miara_command(tmp_path, *args)
        assert done.returncode == 0, done.stderr

    done = miara_command(
        tmp_path, "report", "--unit", "A1", "--period", "2024", "--language", "cs", "-o", "a1.pdf"
    )
    assert done.returncode == 0, done.stderr
    text = " ".join(p.extract_text() for p in PdfReader(tmp_path / "a1.pdf").pages)
    assert "Alpha" in text and "Metodika" in text

    done = miara_command(tmp_path, "report", "--unit", "A1", "--period", "2024", "-o", "a1.xlsx")
    assert done.returncode == 0, done.stderr
    assert "Podsumowanie" in openpyxl.load_workbook(tmp_path / "a1.xlsx").sheetnames

    done = miara_command(
        tmp_path, "report", "--all", "--period", "2024", "--format", "both", "-o", "out"
    )
    assert done.returncode == 0, done.stderr
    written = sorted(p.name.split("-")[1] + p.suffix for p in (tmp_path / "out").iterdir())
    assert written == [f"{c}{s}" for c in ("A1", "B2", "C3", "D4") for s in (".pdf", ".xlsx")]

    for wrong, message in (
        (("--unit", "ZZ", "--period", "2024", "-o", "x.pdf"), "no unit"),
        (("--unit", "A1", "--period", "2031", "-o", "x.pdf"), "2031"),
        (("--unit", "A1", "--period", "2024", "-o", "x.docx"), ".pdf or .xlsx"),
        (("--unit", "C3", "--period", "2024", "--group", "CITIES", "-o", "x.pdf"), "CITIES"),
    ):
        done = miara_command(tmp_path, "report", *wrong)
        assert done.returncode == 1 and message in done.stderr, done.stderr
        assert not (tmp_path / "x.pdf").exists()
