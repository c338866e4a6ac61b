"""The year in review ("what moved") of an office and across the offices that share their
plans, with numbers worked by hand from the shared fixture's values (miara/conftest.py)."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from miara.improvement.models import Project
from miara.improvement.services import (
    ProjectData,
    project_create,
    project_state_set,
    sharing_set,
)
from miara.targets.services import target_set
from miara.web.review import year_review

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def a_project(mike, title, *, state="active", indicators=("RECYCLING_RATE",)) -> Project:
    return project_create(
        acting_user=mike,
        unit_code="A1",
        data=ProjectData(
            title=title,
            start_date=datetime.date(2024, 3, 1),
            due_date=datetime.date(2026, 12, 31),
            state=state,
            indicators=list(indicators),
        ),
    )


def closed(mike, title, state, on: datetime.date) -> Project:
    project = a_project(mike, title)
    project_state_set(acting_user=mike, project_id=project.pk, state=state, version=None)
    Project.objects.filter(pk=project.pk).update(closed_on=on)  # as if closed on that day
    return Project.objects.get(pk=project.pk)


@pytest.fixture
def plans(mike):
    # Recycling: 2023 29 → 2024 31 (higher is better). A1 has 30.0 % in 2023 (300/1000)
    # and 31.68 % in 2024 (320/1010): met in both years.
    target_set(
        acting_user=mike,
        indicator_code="RECYCLING_RATE",
        unit_code="A1",
        points=[("2023", 29.0), ("2024", 31.0)],
    )
    # Waste per inhabitant at most 8.0 kg in 2024 (lower is better): A1 has
    # 1010/120100*1000 = 8.41: missed.
    target_set(acting_user=mike, indicator_code="WASTE_PC", unit_code="A1", points=[("2024", 8.0)])
    # A target for 2026 only, without values yet: in neither list.
    target_set(
        acting_user=mike, indicator_code="PERMIT_COST", unit_code="A1", points=[("2026", 150.0)]
    )
    closed(mike, "Sort bins", "done", datetime.date(2024, 6, 30))
    closed(mike, "Compost pilot", "cancelled", datetime.date(2024, 9, 1))
    closed(mike, "Old survey", "done", datetime.date(2023, 5, 1))
    a_project(mike, "Recycle more")
    return mike


def test_the_review_of_a_year_worked_by_hand(plans):
    review = year_review(user=plans, unit=plans.units.get(), year=2024)
    assert review.years == [2024, 2023]
    assert [r.indicator.code for r in review.met] == ["RECYCLING_RATE"]
    assert review.met[0].value == pytest.approx(320 / 1010 * 100)
    assert [(r.indicator.code, r.status) for r in review.missed] == [("WASTE_PC", "off_track")]
    assert [p.title for p in review.done] == ["Sort bins"]
    assert [p.title for p in review.cancelled] == ["Compost pilot"]

    # Relative changes 2023 → 2024, by size:
    recycling = (320 / 1010 - 300 / 1000) / (300 / 1000)  # +5.6 %, better (higher)
    waste = (1010 / 120100 - 1000 / 120000) / (1000 / 120000)  # +0.9 %, worse (lower)
    permit = (80000 / 401 - 80000 / 400) / (80000 / 400)  # −0.25 %, better (lower)
    population = (120100 - 120000) / 120000  # +0.08 %, neutral
    moves = {m.indicator.code: m for m in review.moves}
    assert [m.indicator.code for m in review.moves] == [
        "RECYCLING_RATE",
        "WASTE_PC",
        "PERMIT_COST",
        "POP",
    ]
    assert moves["RECYCLING_RATE"].change == pytest.approx(recycling)
    assert moves["WASTE_PC"].change == pytest.approx(waste)
    assert moves["PERMIT_COST"].change == pytest.approx(permit)
    assert moves["POP"].change == pytest.approx(population)
    assert [moves[c].better for c in ("RECYCLING_RATE", "WASTE_PC", "PERMIT_COST", "POP")] == [
        True,
        False,
        True,
        None,
    ]
    # Every project linked to recycling, with its evidence: started in 2024, the gap to
    # the median of all four units was (30 − 35)/35 in 2023 and (31.68 − 36.37)/36.37 in
    # 2024 (see the improvement tests): it moved by the difference.
    linked = moves["RECYCLING_RATE"].projects
    assert sorted(p.title for p, _ in linked) == [
        "Compost pilot",
        "Old survey",
        "Recycle more",
        "Sort bins",
    ]
    a1 = 320 / 1010 * 100
    median = (a1 + 620 / 1510 * 100) / 2
    expected = ((a1 - median) / median - (30 - 35) / 35) * 100
    for _project, evidence in linked:
        assert evidence.change_points == pytest.approx(expected)
    assert moves["WASTE_PC"].projects == []


def test_an_earlier_year_judges_targets_on_that_year_s_values(plans):
    review = year_review(user=plans, unit=plans.units.get(), year=2023)
    assert [(r.indicator.code, r.period, r.value) for r in review.met] == [
        ("RECYCLING_RATE", "2023", pytest.approx(30.0))
    ]
    assert review.missed == []  # the waste target is for 2024
    assert [p.title for p in review.done] == ["Old survey"]
    assert review.moves == []  # no 2022 to compare with


def test_the_page_shows_what_moved_and_is_linked(plans):
    client = logged_in(plans)
    page = client.get("/units/A1/year/?year=2024")
    assert page.status_code == 200
    text = page.text
    assert 'data-indicator="RECYCLING_RATE" data-outcome="met"' in text
    assert 'data-indicator="WASTE_PC" data-outcome="missed"' in text
    closed_list = text.split('class="link-list year-projects"')[1].split("</ul>")[0]
    assert "Sort bins" in closed_list and "Compost pilot" in closed_list
    assert "Old survey" not in closed_list  # closed in 2023
    change = (320 / 1010 - 0.3) / 0.3 * 100
    assert f"+{change:.1f} %" in text
    # The latest year by default; linked from the targets page and the board.
    assert client.get("/units/A1/year/").context["review"].year == 2024
    assert 'href="/units/A1/year/"' in client.get("/units/A1/targets/").text
    assert 'href="/units/A1/year/"' in client.get("/units/A1/projects/").text
    assert client.get("/units/A1/year/?year=abc").status_code == 200


def test_the_page_speaks_polish_and_czech(plans):
    client = logged_in(plans)
    assert "Co się zmieniło" in client.get("/units/A1/year/", HTTP_ACCEPT_LANGUAGE="pl").text
    assert "Co se změnilo" in client.get("/units/A1/year/", HTTP_ACCEPT_LANGUAGE="cs").text


def test_others_see_only_what_the_office_shares(plans, carol, alice):
    hidden = logged_in(carol).get("/units/A1/year/")
    missing = logged_in(carol).get("/units/ZZ/year/")
    assert hidden.status_code == missing.status_code == 404
    client = logged_in(alice)
    text = client.get("/units/A1/year/?year=2024").text
    assert "does not share its targets" in text and "does not share its projects" in text
    assert "Sort bins" not in text
    assert 'data-unit="A1"' not in client.get("/year/").text
    sharing_set(acting_user=plans, unit_code="A1", shared=True)
    across = client.get("/year/?year=2024").text
    assert 'data-unit="A1"' in across and "Sort bins" in across
    assert "does not share its targets" in across  # targets are shared separately


def test_closing_a_project_records_the_day_and_reopening_clears_it(mike):
    project = a_project(mike, "Recycle more")
    assert project.closed_on is None
    project = project_state_set(acting_user=mike, project_id=project.pk, state="done", version=None)
    assert project.closed_on == timezone.localdate()
    project = project_state_set(
        acting_user=mike, project_id=project.pk, state="active", version=None
    )
    assert Project.objects.get(pk=project.pk).closed_on is None
