"""Dates read the way each language writes them, never month-first."""

import datetime as dt

import pytest
from django.utils import formats, translation

DAY = dt.date(2026, 12, 3)
MOMENT = dt.datetime(2027, 1, 17, 14, 5)


@pytest.mark.parametrize(
    ("language", "short_date", "short_datetime", "date"),
    [
        ("pl", "03.12.2026", "17.01.2027 14:05", "3 grudnia 2026"),
        ("cs", "03.12.2026", "17.01.2027 14:05", "3. prosince 2026"),
        ("en", "3 Dec 2026", "17 Jan 2027, 14:05", "3 December 2026"),
    ],
)
def test_it_formats_dates_per_language(language, short_date, short_datetime, date):
    with translation.override(language):
        assert formats.date_format(DAY, "SHORT_DATE_FORMAT") == short_date
        assert formats.date_format(MOMENT, "SHORT_DATETIME_FORMAT") == short_datetime
        assert formats.date_format(DAY, "DATE_FORMAT") == date
