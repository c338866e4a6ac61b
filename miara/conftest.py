"""Shared fixtures: a small programme loaded through the real services, and named users.

The users read as sentences in tests: `alice` coordinates, `erin` is an expert, `bob`
edits unit A1 and `carol` edits unit B2; `mike` manages A1.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from miara.testing.browser import (  # noqa: F401 (shared fixtures)
    background_runner,
    browser,
    context,
    page,
)

CATALOGUE = textwrap.dedent(
    """
    service_areas:
      - code: WASTE
        name: {en: Municipal waste, pl: Gospodarka odpadami, cs: Odpadové hospodářství}
      - code: PERMITS
        name: {en: Building permits, pl: Pozwolenia na budowę, cs: Stavební povolení}
    variables:
      - {code: WASTE_T, name: {en: Municipal waste collected, pl: Zebrane odpady komunalne}, unit: t, area: WASTE, min: 0}
      - {code: RECYCLED_T, name: Recycled waste, unit: t, area: WASTE, min: 0}
      - {code: POPULATION, name: {en: Population, pl: Liczba ludności, cs: Počet obyvatel}, unit: persons, min: 0}
      - {code: PERMITS_ISSUED, name: Building-permit decisions issued, unit: count, area: PERMITS, min: 0}
      - {code: PERMIT_STAFF_COST, name: Staff cost of permit decisions, unit: PLN, area: PERMITS, min: 0}
    indicators:
      - {code: RECYCLING_RATE, name: {en: Recycling rate, pl: Poziom recyklingu, cs: Míra recyklace}, formula: RECYCLED_T / WASTE_T * 100, direction: higher, unit: '%', decimals: 1, area: WASTE}
      - {code: WASTE_PC, name: Waste per inhabitant, formula: WASTE_T / POPULATION * 1000, direction: lower, unit: kg, decimals: 1, area: WASTE}
      - {code: PERMIT_COST, name: {en: Cost of one building-permit decision, pl: Koszt wydania jednej decyzji}, formula: PERMIT_STAFF_COST / PERMITS_ISSUED, direction: lower, unit: PLN, area: PERMITS}
      - {code: POP, name: Population, formula: POPULATION, direction: neutral, unit: persons, decimals: 0}
    peer_groups:
      - {code: CITIES, name: {en: Cities with county rights, pl: Miasta na prawach powiatu}, unit_types: [city_county]}
      - {code: LARGE, name: Large units, variable: POPULATION, min: 100000}
    """
)

UNITS = "code,name,type,parent,country\nA1,Alpha,city_county,,PL\nB2,Beta,city_county,,PL\nC3,Gamma,gmina_rural,,PL\nD4,Delta,gmina_urban,,PL\n"


def values_csv() -> str:
    rows = ["unit,variable,period,value,comment"]
    data = {
        "A1": (1000, 300, 120000, 400, 80000),
        "B2": (1500, 600, 200000, 500, 90000),
        "C3": (300, 60, 15000, 50, 15000),
        "D4": (700, 280, 60000, 0, 20000),  # no permits: PERMIT_COST divides by zero
    }
    for unit, (waste, recycled, population, permits, cost) in data.items():
        for offset, year in enumerate((2023, 2024)):
            rows += [
                f"{unit},WASTE_T,{year},{waste + 10 * offset}",
                f"{unit},RECYCLED_T,{year},{recycled + 20 * offset}",
                f"{unit},POPULATION,{year},{population + 100 * offset}",
                f"{unit},PERMITS_ISSUED,{year},{permits + offset if permits else 0}",
                f"{unit},PERMIT_STAFF_COST,{year},{cost}",
            ]
    return "\n".join(rows) + "\n"


@pytest.fixture(autouse=True)
def english_by_default():
    """Each test starts in the default language, whatever a previous request activated."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def programme_files(tmp_path: Path) -> dict[str, Path]:
    files = {
        "catalogue": tmp_path / "catalogue.yaml",
        "units": tmp_path / "units.csv",
        "values": tmp_path / "values.csv",
    }
    files["catalogue"].write_text(CATALOGUE, encoding="utf-8")
    files["units"].write_text(UNITS, encoding="utf-8")
    files["values"].write_text(values_csv(), encoding="utf-8")
    return files


@pytest.fixture
def programme(db, programme_files):
    """The small programme loaded and computed through the real services."""
    from miara.analytics.services import compute
    from miara.catalogue.services import catalogue_load
    from miara.collection.services import values_load
    from miara.units.services import units_load

    units_load(path=programme_files["units"])
    catalogue_load(path=programme_files["catalogue"])
    values_load(path=programme_files["values"])
    compute()
    return programme_files


def _user(username: str, role: str, units: list[str]):
    from miara.accounts.services import user_add

    user, _ = user_add(username=username, role=role, unit_codes=units, password="Correct-horse-42")
    return user


@pytest.fixture
def alice(programme):
    return _user("alice", "coordinator", [])


@pytest.fixture
def erin(programme):
    return _user("erin", "expert", [])


@pytest.fixture
def bob(programme):
    return _user("bob", "editor", ["A1"])


@pytest.fixture
def carol(programme):
    return _user("carol", "editor", ["B2"])


@pytest.fixture
def mike(programme):
    return _user("mike", "manager", ["A1"])
