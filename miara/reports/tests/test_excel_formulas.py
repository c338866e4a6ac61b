"""The report workbook writes unit and indicator names as text, never as formulas."""

import pytest

from miara.catalogue.models import Indicator
from miara.fileio.tests.test_formulas import assert_text_cells
from miara.reports.content import unit_report
from miara.reports.excel import unit_report_xlsx
from miara.units.models import Unit

pytestmark = pytest.mark.django_db

UNIT = '=HYPERLINK("http://evil.example/","click")'
INDICATOR = "@SUM(1+1)*cmd|' /C calc'!A0"


def test_the_report_workbook_writes_hostile_names_as_string_cells(alice):
    Unit.objects.filter(code="A1").update(name=UNIT)
    Indicator.objects.filter(code="RECYCLING_RATE").update(
        name={"en": INDICATOR, "pl": INDICATOR, "cs": INDICATOR}
    )
    unit = Unit.objects.get(code="A1")
    report = unit_report(user=alice, unit=unit, period="2024", group="all", language="en")
    assert_text_cells(unit_report_xlsx(report), [UNIT, INDICATOR])
