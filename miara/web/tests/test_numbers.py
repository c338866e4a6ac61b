"""The pages' number formatting gives Django's floatformat text, only faster."""

from __future__ import annotations

import random

import pytest
from django.template.defaultfilters import floatformat
from django.utils import translation

from miara.web import numbers


def _samples(count: int):
    rng = random.Random(20261202)
    for _ in range(count):
        kind = rng.randrange(5)
        if kind == 0:
            value = rng.uniform(-1e7, 1e7)
        elif kind == 1:
            value = rng.uniform(-2, 2)
        elif kind == 2:
            # Written with few decimals, so that half-way cases (x.xx5) occur often.
            value = round(rng.uniform(-1000, 1000), rng.randint(0, 4))
        elif kind == 3:
            value = float(rng.randint(-(10**6), 10**6))
        else:
            value = rng.randint(0, 5) / 1000 + 0.0005
        yield value, rng.randint(0, 4)


@pytest.mark.parametrize("language", ["pl", "cs", "en"])
def test_fixed_gives_the_text_of_floatformat(language):
    with translation.override(language):
        for value, decimals in _samples(5000):
            assert numbers.fixed(value, decimals) == str(floatformat(value, f"{decimals}g")), (
                value,
                decimals,
            )


def test_fixed_separators_and_empty():
    with translation.override("pl"):
        assert numbers.fixed(-1234567.891, 2) == "-1\xa0234\xa0567,89"
        assert numbers.fixed(-0.001, 2) == "0,00"
    with translation.override("en"):
        assert numbers.fixed(1234.5, 0) == "1,235"
        assert numbers.fixed(None, 2) == "—"
        assert numbers.fixed(None, 2, empty="") == ""


def test_signed_and_percent_share():
    with translation.override("en"):
        assert numbers.signed(1.234, 1) == "+1.2"
        assert numbers.signed(-1.234, 1) == "\u22121.2"
        assert numbers.signed(-0.01, 1) == "0.0"
        assert numbers.signed(None) == "—"
        assert numbers.percent_share(-0.125) == "13"
        assert numbers.percent_share(0.045) == "4.5"
        assert numbers.percent_share(None) == ""
