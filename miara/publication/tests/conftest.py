"""A programme whose peer groups overlap so that publishing them all would give away a
unit: CITIES (8 units) less NORTH (7 of them) is U08 alone, and `all` less CITIES is the
four rural units, a group below the threshold of 5."""

from __future__ import annotations

import textwrap

import pytest

OVERLAP_CATALOGUE = textwrap.dedent(
    """
    variables:
      - {code: COST, name: Cost, unit: PLN, min: 0}
      - {code: CASES, name: Cases, unit: count, min: 0}
    indicators:
      - {code: UNIT_COST, name: {en: Cost per case, pl: Koszt sprawy, cs: Náklad na případ}, formula: COST / CASES, direction: lower, unit: PLN}
    peer_groups:
      - {code: CITIES, name: Cities, unit_types: [city]}
      - {code: RURAL, name: Rural, unit_types: [rural]}
      - {code: NORTH, name: North, members: [U01, U02, U03, U04, U05, U06, U07]}
    """
)
UNIT_CODES = [f"U{i:02d}" for i in range(1, 13)]
CITIES = UNIT_CODES[:8]
NORTH = UNIT_CODES[:7]
RURAL = UNIT_CODES[8:]
# Cost per case of each unit in 2024 (cost = value × 10 cases); 2023 is 1 lower.
VALUES = {code: 100.0 + 7 * i + (i % 3) * 11 for i, code in enumerate(UNIT_CODES)}
K = 5


def overlap_files(directory):
    units = ["code,name,type,parent,country"] + [
        f"{c},Unit {c},{'city' if c in CITIES else 'rural'},,PL" for c in UNIT_CODES
    ]
    rows = ["unit,variable,period,value,comment"]
    for code, value in VALUES.items():
        for year, shift in (("2023", -1.0), ("2024", 0.0)):
            rows += [f"{code},COST,{year},{(value + shift) * 10}", f"{code},CASES,{year},10"]
    (directory / "catalogue.yaml").write_text(OVERLAP_CATALOGUE, encoding="utf-8")
    (directory / "units.csv").write_text("\n".join(units) + "\n", encoding="utf-8")
    (directory / "values.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")


@pytest.fixture
def overlap(db, tmp_path):
    """The overlapping programme, anonymised, threshold 5, provisional results computed."""
    from miara.analytics.services import compute
    from miara.catalogue.services import catalogue_load
    from miara.collection.services import values_load
    from miara.units.models import Programme
    from miara.units.services import units_load

    overlap_files(tmp_path)
    units_load(path=tmp_path / "units.csv")
    catalogue_load(path=tmp_path / "catalogue.yaml")
    values_load(path=tmp_path / "values.csv")
    programme = Programme.current()
    programme.visibility = Programme.Visibility.ANONYMISED
    programme.public_threshold = K
    programme.save()
    compute()
    return tmp_path


@pytest.fixture
def coordinator(overlap):
    from miara.accounts.services import user_add

    user, _ = user_add(username="cora", role="coordinator", password="Correct-horse-42")
    return user
