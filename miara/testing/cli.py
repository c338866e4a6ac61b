"""The `miara` command run as a user runs it, on a programme in a working directory."""

from __future__ import annotations

from pathlib import Path

from miara.conftest import CATALOGUE, UNITS, values_csv

# From an empty database to computed results, as the README's first steps.
PROGRAMME_STEPS = (
    ("migrate",),
    ("load", "units", "units.csv"),
    ("load", "catalogue", "catalogue.yaml"),
    ("load", "values", "values.csv"),
    ("compute",),
)


def programme_files_write(directory: Path) -> None:
    """The test programme's catalogue, units and values, as the files PROGRAMME_STEPS load."""
    (directory / "catalogue.yaml").write_text(CATALOGUE, encoding="utf-8")
    (directory / "units.csv").write_text(UNITS, encoding="utf-8")
    (directory / "values.csv").write_text(values_csv(), encoding="utf-8")
