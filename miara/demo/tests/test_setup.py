"""`miara demo` on an empty database: the whole programme, computed, with a live 2025 cycle."""

import pytest

from miara.analytics.models import ResultSet, UnitResult
from miara.collection.models import Cycle, Submission, Value, ValueHistory
from miara.demo.offices import CZECH_MONTHS
from miara.demo.setup import DEMO_ACCEPTED, DEMO_CYCLE_PERIOD, DEMO_SUBMITTED, demo_prepare
from miara.units.models import Unit

pytestmark = pytest.mark.django_db


def test_it_loads_computes_and_opens_a_cycle_once():
    logins = demo_prepare(progress=lambda text: None)
    assert {username for username, _role, _password in logins} == {
        "koordynator",
        "ekspert",
        "kierownik",
        "urzednik",
        "tajemnik",
        "kvalita",
    }
    # The 43 Polish units of the programme and the Czech process-managed office.
    assert Unit.objects.count() == 44
    statuses = dict(ResultSet.objects.filter(is_current=True).values_list("period", "status"))
    years = {p: s for p, s in statuses.items() if len(p) == 4}
    assert sorted(years) == ["2020", "2021", "2022", "2023", "2024", "2025"]
    assert {p for p, s in years.items() if s == "final"} == {"2020", "2021", "2022", "2023", "2024"}
    assert statuses["2025"] == "provisional"
    # The Czech office's months have no collection cycle: their results are final.
    months = {p: s for p, s in statuses.items() if len(p) != 4}
    assert sorted(months) == list(CZECH_MONTHS)
    assert set(months.values()) == {"final"}
    cycle = Cycle.objects.get()
    assert cycle.period == DEMO_CYCLE_PERIOD
    states = {s.unit_id: s.state for s in Submission.objects.filter(cycle=cycle)}
    assert len(states) == 43
    counts = {state: list(states.values()).count(state) for state in set(states.values())}
    # Every state of the workflow is on the board; some submissions stay drafts because a
    # unit's required value is missing, exactly as the quality checks would block it.
    assert set(counts) == {"draft", "submitted", "accepted"}
    assert 0 < counts["accepted"] <= len(DEMO_ACCEPTED)
    assert 0 < counts["submitted"] <= len(DEMO_SUBMITTED)
    # 2025's provisional results hold exactly the submitted and accepted units.
    provisional = ResultSet.objects.get(period=DEMO_CYCLE_PERIOD, is_current=True)
    included = {
        s.unit.code
        for s in Submission.objects.filter(cycle=cycle).select_related("unit")
        if s.state in ("submitted", "accepted")
    }
    assert {s["unit"] for s in provisional.submissions} == included
    assert (
        set(UnitResult.objects.filter(result_set=provisional).values_list("unit__code", flat=True))
        == included
    )
    new_values = Value.objects.filter(period=DEMO_CYCLE_PERIOD).count()
    assert new_values > 1000
    assert (
        ValueHistory.objects.filter(period=DEMO_CYCLE_PERIOD, channel="import").count()
        == new_values
    )

    # The demo office plans: targets derived from the benchmark by each kind of rule, one
    # set by hand and changed, shared with the programme.
    from miara.targets.models import Target, TargetChange
    from miara.targets.selectors import targets_export

    office = Unit.objects.get(code=logins_unit(logins))
    targets = Target.objects.filter(unit=office)
    assert targets.count() == 5
    assert targets.exclude(rule="").count() == 4
    assert set(targets.values_list("owner__username", flat=True)) == {"kierownik"}
    assert TargetChange.objects.filter(unit=office).count() == 6
    from miara.accounts.models import User

    statuses = set(targets_export(acting_user=User.objects.get(username="koordynator"))["status"])
    assert statuses <= {"on_track", "at_risk", "off_track", "no_data"} and statuses

    # ... and improves: a project in every state, linked to its weaker indicators, with
    # tasks, shared with the programme; the coordinator's portfolio shows them.
    from miara.improvement.models import Project
    from miara.improvement.selectors import board

    projects = Project.objects.filter(unit=office)
    assert set(projects.values_list("state", flat=True)) == {
        "proposed",
        "active",
        "on_hold",
        "done",
        "cancelled",
    }
    assert all(p.indicators.exists() for p in projects)
    assert projects.get(state="active").version == 2
    portfolio = board(user=User.objects.get(username="koordynator"))
    polish = [p for p in portfolio.projects if p.unit_id == office.pk]
    assert len(polish) == 5 and portfolio.overdue_tasks

    # The Czech office plans its key processes in Czech: targets set by hand on their
    # indicators (a trajectory from 2023 to 6 % better by 2025), a few projects in
    # different states with tasks, both shared, so its boards are not empty.
    from miara.demo.offices import CZECH_UNIT
    from miara.demo.setup import DEMO_CZECH_PROJECTS, DEMO_CZECH_STEP
    from miara.targets.selectors import unit_targets

    czech = Unit.objects.get(code=CZECH_UNIT["code"])
    tajemnik = User.objects.get(username="tajemnik")
    rows = unit_targets(user=tajemnik, unit=czech)
    assert len(rows) >= 5
    assert all(r.indicator.code.startswith("CZ_") for r in rows)
    for row in rows:
        (start, base), (final, goal) = row.points
        assert (start, final) == ("2023", "2025")
        better = goal / base - 1 if row.indicator.direction == "higher" else 1 - goal / base
        assert better <= DEMO_CZECH_STEP + 1e-9 and better > 0
    assert {r.status for r in rows} <= {"on_track", "at_risk", "off_track"}
    czech_projects = Project.objects.filter(unit=czech)
    assert sorted(czech_projects.values_list("state", flat=True)) == sorted(
        state for state, *_rest in DEMO_CZECH_PROJECTS
    )
    assert all(p.indicators.exists() and p.tasks.exists() for p in czech_projects)
    assert all(p.currency == "CZK" for p in czech_projects)
    assert czech_projects.get(state="done").closed_on is not None
    assert any("ř" in p.title or "í" in p.title for p in czech_projects)  # in Czech
    assert board(user=tajemnik, unit=czech).projects
    assert {p.unit_id for p in portfolio.projects} == {office.pk, czech.pk}
    czech_changes = TargetChange.objects.filter(unit=czech).count()
    from django.test import Client

    client = Client()
    client.force_login(tajemnik)
    for url in ("targets", "projects", "year"):
        page = client.get(f"/units/{czech.code}/{url}/", HTTP_ACCEPT_LANGUAGE="cs")
        assert page.status_code == 200, url
        assert "Elektronické podání" in page.text or url == "targets"

    # Good practices: published by offices in the best quartile of indicators on which
    # the demo office is weak, so its scorecard points to them; one named, in Czech.
    from miara.practices.models import Practice

    published = Practice.objects.filter(state="published")
    assert published.filter(unit=czech, named=True, currency="CZK").exists()
    assert published.exclude(unit=czech).exists()
    assert Practice.objects.filter(state="submitted").exists()
    kierownik = Client()
    kierownik.force_login(User.objects.get(username="kierownik"))
    last_year = str(int(DEMO_CYCLE_PERIOD) - 1)
    card = kierownik.get(f"/units/{office.code}/benchmark/?period={last_year}").text
    assert "units in the best quartile describe these practices" in card
    practices = Practice.objects.count()

    demo_prepare(progress=lambda text: None)
    assert Practice.objects.count() == practices
    assert Project.objects.filter(unit=office).count() == 5
    assert Project.objects.filter(unit=czech).count() == len(DEMO_CZECH_PROJECTS)
    assert Cycle.objects.count() == 1
    assert Value.objects.filter(period=DEMO_CYCLE_PERIOD).count() == new_values
    assert TargetChange.objects.filter(unit=office).count() == 6
    assert TargetChange.objects.filter(unit=czech).count() == czech_changes


def logins_unit(logins) -> str:
    """The demo manager's office."""
    from miara.accounts.models import User

    return User.objects.get(username="kierownik").units.get().code
