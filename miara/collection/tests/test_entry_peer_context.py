"""The data-entry form's peer context must not let an editor read other units' values.

Before: the field showed the median of the current period's values of every unit of the
cycle — the editor's own unsaved value and the other units' drafts included — so moving
one's own value (or watching the figure as others typed) gave the other units' exact,
unsubmitted values. Now it shows the median of the previous period's accepted values,
rounded, which neither the editor nor another unit's draft can move.
"""

from __future__ import annotations

import re

import pytest

from miara.collection.views.entry import finding_text
from miara.testing.cycles import FOUR_UNITS, cycle_2024

from .test_entry_views import VARIABLES, form_url, logged_in, someone_else_saves

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(alice):
    return cycle_2024(alice, VARIABLES, FOUR_UNITS)


def _median_cell(client, cycle, code="WASTE_T") -> str:
    html = client.get(form_url(cycle)).content.decode()
    field = html[html.index(f'id="{code}-context"') :]
    match = re.search(r"<dt>([^<]*[Mm]edian[^<]*)</dt><dd>(.*?)</dd>", field, re.S)
    assert match, "the field shows no peer context"
    return f"{match.group(1)}: {match.group(2)}"


def test_moving_ones_own_value_does_not_move_the_peer_figure(client, cycle, bob):
    logged_in(client, bob)
    seen = set()
    for value in ("1", "5000", "100000"):
        someone_else_saves("WASTE_T", value, bob)  # the clerk's draft, as autosave stores it
        seen.add(_median_cell(client, cycle))
    assert len(seen) == 1, seen


def test_another_units_draft_does_not_move_the_peer_figure(client, cycle, bob, carol):
    logged_in(client, bob)
    seen = {_median_cell(client, cycle)}
    for value in ("2", "999999"):
        someone_else_saves("WASTE_T", value, carol, unit="B2")  # carol's unsubmitted draft
        seen.add(_median_cell(client, cycle))
    assert len(seen) == 1, seen


def test_the_figure_is_last_periods_accepted_median_rounded(client, cycle, bob):
    logged_in(client, bob)
    # 2023's values (computed into 2023's result set, no cycle): 1000, 1500, 300, 700.
    assert _median_cell(client, cycle) == "Median in 2023 of 4 units: about 850"


def test_an_outlier_finding_names_no_peer_value():
    finding = {"check": "outlier", "median": 123456.0, "value": 9.0, "reference": None}
    text = finding_text(finding, period="2024", rule_names={})
    assert "123" not in text and "far from" in text


def test_only_accepted_submissions_of_the_previous_cycle_count(client, cycle, alice, bob):
    from miara.collection.cycles import cycle_open, submission_accept, submission_submit
    from miara.collection.models import Submission

    earlier = cycle_open(
        period="2023",
        name="Year 2023",
        variable_codes=["WASTE_T"],
        unit_codes=["A1", "B2", "C3", "D4"],
        acting_user=alice,
    )
    for code in ("A1", "B2", "C3"):
        submission = Submission.objects.get(cycle=earlier, unit__code=code)
        submission_submit(submission=submission, acting_user=alice)
        submission_accept(submission=submission, acting_user=alice)
    # D4's 2023 submission is still a draft: its value (700) is left out.
    logged_in(client, bob)
    assert _median_cell(client, cycle) == "Median in 2023 of 3 units: about 1,000"
