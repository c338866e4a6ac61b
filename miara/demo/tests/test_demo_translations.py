"""Every entry of the demo catalogue speaks Polish and Czech: service areas, variables,
indicators, peer groups, validation rules and units of measure each carry a non-empty
en, pl and cs text; and no name repeats its unit of measure ("(FTE) (FTE)")."""

from __future__ import annotations

import pytest

from miara.catalogue.models import Indicator, PeerGroup, ServiceArea, ValidationRule, Variable
from miara.catalogue.services import catalogue_load
from miara.demo.generator import demo_catalogue, write_demo_files

LANGUAGES = ("en", "pl", "cs")
SECTIONS = ("service_areas", "variables", "indicators", "peer_groups", "validation_rules")


def missing(texts) -> list[str]:
    if not isinstance(texts, dict):
        return list(LANGUAGES)
    return [lang for lang in LANGUAGES if not str(texts.get(lang) or "").strip()]


def test_every_catalogue_entry_has_a_polish_and_czech_name_and_unit():
    catalogue = demo_catalogue()
    gaps = []
    for section in SECTIONS:
        assert catalogue[section], section
        for entry in catalogue[section]:
            if missing(entry["name"]):
                gaps.append((section, entry["code"], "name", missing(entry["name"])))
            if section in ("variables", "indicators") and missing(entry["unit"]):
                gaps.append((section, entry["code"], "unit", missing(entry["unit"])))
    assert gaps == []


def test_no_name_repeats_its_unit_of_measure():
    catalogue = demo_catalogue()
    for entry in catalogue["variables"] + catalogue["indicators"]:
        for lang in LANGUAGES:
            unit = entry["unit"][lang]
            assert not entry["name"][lang].endswith(f"({unit})"), (entry["code"], lang)


@pytest.mark.django_db
def test_the_loaded_demo_catalogue_shows_units_in_the_readers_language(tmp_path):
    from django.utils import translation

    from miara.units.services import units_load

    files = write_demo_files(tmp_path)
    units_load(path=files["units"])
    catalogue_load(path=files["catalogue"])
    for model in (ServiceArea, Variable, Indicator, PeerGroup, ValidationRule):
        for entry in model.objects.all():
            assert missing(entry.name) == [], (model.__name__, entry.code)
    for model in (Variable, Indicator):
        for entry in model.objects.all():
            assert missing(entry.unit_name) == [], (model.__name__, entry.code)
    cost = Indicator.objects.get(code="WASTE_COST_PER_TONNE")
    with translation.override("pl"):
        assert cost.unit == "zł za tonę"
    with translation.override("cs"):
        assert cost.unit == "PLN za tunu"
    with translation.override("en"):
        assert cost.unit == "PLN per tonne"


@pytest.mark.django_db
def test_the_demo_programme_and_cycle_are_named_in_polish_and_czech():
    from django.utils import translation

    from miara.collection.models import Cycle
    from miara.demo.setup import demo_prepare
    from miara.units.models import Programme

    demo_prepare(progress=lambda text: None)
    programme, cycle = Programme.current(), Cycle.objects.get()
    assert missing(programme.names) == [] and missing(cycle.names) == []
    with translation.override("pl"):
        assert (programme.name, cycle.name) == (
            "Benchmarking — program demonstracyjny",
            "Benchmarking 2025: zbieranie danych",
        )
    with translation.override("cs"):
        assert cycle.name == "Benchmarking 2025: sběr dat"
