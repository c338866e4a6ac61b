"""The pages' number formatting gives Django's floatformat text, only faster."""

from __future__ import annotations

import math
import random
from decimal import Decimal

import pytest
from django.template.defaultfilters import floatformat
from django.utils import translation
from django.utils.formats import get_format, number_format

from miara.presentation import numbers


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


def test_fixed_takes_numbers_beyond_the_default_decimal_precision():
    with translation.override("en"):
        assert numbers.fixed(1e30, 2) == str(floatformat(1e30, "2g"))


# The implementations the views had before one module held them: the shared ones must give
# the same text.


def _display_before(value):
    if value is None:
        return "—"
    text = floatformat(value, f"{4 if abs(value) < 1 else 2}g")
    separator = get_format("DECIMAL_SEPARATOR")
    if separator in text:
        text = text.rstrip("0").rstrip(separator)
    return text


def _as_entered_before(value):
    if value is None:
        return "—"
    return number_format(Decimal(f"{value:.12g}"), use_l10n=True, force_grouping=True)


def _more_samples():
    yield from (value for value, _decimals in _samples(3000))
    yield from (0.0, -0.0, 0.1 + 0.2, 1e-7, 1.2e13, 123456.78901234567)
    yield from (float("inf"), float("nan"))


# floatformat answers such extremes with the input text ("-5e-300"), a quirk not kept.
EXTREMES = (-5e-300, 1e300)


@pytest.mark.parametrize("language", ["pl", "cs", "en"])
def test_reading_gives_the_form_s_text(language):
    with translation.override(language):
        for value in [None, *_more_samples()]:
            assert numbers.reading(value) == _display_before(value), value


@pytest.mark.parametrize("language", ["pl", "cs", "en"])
def test_significant_gives_twelve_digits_as_entered(language):
    with translation.override(language):
        for value in [None, *_more_samples(), *EXTREMES]:
            if value is None or math.isfinite(value):
                assert numbers.significant(value) == _as_entered_before(value), value
        assert numbers.significant(float("inf")) == "inf"
    with translation.override("pl"):
        assert numbers.significant(0.0012) == "0,0012"
        assert numbers.significant(12345.5) == "12\xa0345,5"


@pytest.mark.parametrize("language", ["pl", "en"])
def test_limit_text_gives_the_text_of_floatformat_minus_three(language):
    with translation.override(language):
        for value in _more_samples():
            if math.isfinite(value) and abs(value) < 1e20:
                assert numbers.limit_text(value) == str(floatformat(value, "-3g")), value
        assert numbers.limit_text(None) == ""


def test_input_text_keeps_full_precision_with_the_reader_s_separator():
    with translation.override("pl"):
        assert numbers.input_text(12.5) == "12,5"
        assert numbers.input_text(1234567.0) == "1234567"
        assert numbers.input_text(0.1 + 0.2) == "0,30000000000000004"
        assert numbers.input_text(None) == ""
    with translation.override("en"):
        assert numbers.input_text(12.5) == "12.5"


def test_exact_writes_floats_in_full_with_a_dot():
    with translation.override("pl"):
        assert numbers.exact(0.1 + 0.2) == "0.30000000000000004"
        assert numbers.exact(12.0) == "12.0"
        assert numbers.exact(7) == "7"
        assert numbers.exact("A") == "A"
        assert numbers.exact(None) == ""
