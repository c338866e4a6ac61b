"""The catalogue is public: names in every language the catalogue gives."""

import pytest

pytestmark = pytest.mark.django_db


def test_it_lists_areas_without_authentication(anonymous):
    response = anonymous.get("/api/v1/catalogue/areas")
    assert response.status_code == 200
    waste = {a["code"]: a for a in response.json()}["WASTE"]
    assert waste["name"] == {
        "en": "Municipal waste",
        "pl": "Gospodarka odpadami",
        "cs": "Odpadové hospodářství",
    }


def test_it_lists_variables_with_bounds_and_area(anonymous):
    variables = {v["code"]: v for v in anonymous.get("/api/v1/catalogue/variables").json()}
    assert set(variables) == {
        "WASTE_T",
        "RECYCLED_T",
        "POPULATION",
        "PERMITS_ISSUED",
        "PERMIT_STAFF_COST",
    }
    assert variables["WASTE_T"]["min"] == 0
    assert variables["WASTE_T"]["max"] is None
    assert variables["WASTE_T"]["area"] == "WASTE"
    assert variables["WASTE_T"]["unit"] == "t"
    # A plain-string name is an English name.
    assert variables["RECYCLED_T"]["name"] == {"en": "Recycled waste"}


def test_it_lists_indicators_with_formula_and_direction(anonymous):
    indicators = {i["code"]: i for i in anonymous.get("/api/v1/catalogue/indicators").json()}
    assert indicators["RECYCLING_RATE"]["formula"] == "RECYCLED_T / WASTE_T * 100"
    assert indicators["RECYCLING_RATE"]["direction"] == "higher"
    assert indicators["RECYCLING_RATE"]["decimals"] == 1
    assert indicators["RECYCLING_RATE"]["name"]["cs"] == "Míra recyklace"
    assert indicators["POP"]["area"] is None


def test_it_lists_groups_with_the_implicit_all(anonymous):
    groups = {g["code"]: g for g in anonymous.get("/api/v1/catalogue/groups").json()}
    assert set(groups) == {"all", "CITIES", "LARGE"}
    assert groups["all"]["kind"] == "all"
    assert groups["CITIES"]["unit_types"] == ["city_county"]
    assert groups["LARGE"]["context_variable"] == "POPULATION"
    assert groups["LARGE"]["context_min"] == 100000
