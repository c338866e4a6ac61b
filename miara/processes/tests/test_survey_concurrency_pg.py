"""Racing editors of one survey row on PostgreSQL: real threads, each with its own
database connection. The row's total must stay at most 100 % whatever overlaps, and of
editors who read the same cell exactly one wins (the others get the conflict); so for
corrections of one cost pool figure, and a support department never ends with time.

SQLite is skipped, as in collection/tests/test_concurrency_pg.py: it lets one writer at a
time into the database, so nothing can overlap there.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db.models import Sum

from miara.processes.costing_edit import FigureRefused, cost_pool_figure_save
from miara.processes.errors import CellConflict, FigureConflict
from miara.processes.models import CostPool, TimeAllocation
from miara.processes.services import costing_load, processes_load
from miara.processes.survey import CellRefused, allocation_cell_save
from miara.processes.tests.files import costing_file, map_file
from miara.units.models import Unit

# The race helper of the values' concurrency tests: threads released together.
from miara.collection.tests.test_concurrency_pg import race  # isort: skip

pytestmark = [
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="needs PostgreSQL: concurrent writers cannot overlap on SQLite "
        "(run with MIARA_DATABASE_URL=postgresql://...)",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def office(mike, tmp_path):
    processes_load(path=map_file(tmp_path), unit_code="A1", acting_user=mike)
    costing_load(path=costing_file(tmp_path), unit_code="A1", period="2025", acting_user=mike)
    return Unit.objects.get(code="A1")


def test_racing_cells_of_one_row_never_take_it_over_100(office, mike):
    # BUILD uses 80 %: ARCHIVE and REGISTER at 15 % each cannot both fit.
    processes = ["ARCHIVE", "REGISTER"] * 4

    def work(i):
        return allocation_cell_save(
            acting_user=mike,
            unit=office,
            period="2025",
            department="BUILD",
            process=processes[i],
            percent="15",
            read_percent=None,
        )

    outcomes = race(work, count=len(processes))
    saved = [o for o in outcomes if not isinstance(o, Exception)]
    assert len(saved) == 1, outcomes
    assert all(isinstance(o, CellRefused | CellConflict) for o in outcomes if o not in saved)
    total = TimeAllocation.objects.filter(department__code="BUILD", period="2025").aggregate(
        total=Sum("percent")
    )["total"]
    assert total == 95


def test_racing_corrections_of_one_figure_one_wins(office, mike):
    # Editors who all read BUILD's FTE as 4: exactly one correction is stored.
    def work(i):
        return cost_pool_figure_save(
            acting_user=mike,
            unit=office,
            period="2025",
            department="BUILD",
            field="fte",
            value=str(5 + i),
            read_value="4",
        )

    outcomes = race(work, count=4)
    saved = [o for o in outcomes if not isinstance(o, Exception)]
    assert len(saved) == 1, outcomes
    assert all(isinstance(o, FigureConflict) for o in outcomes if o not in saved)
    assert CostPool.objects.get(department__code="BUILD", period="2025").fte == saved[0].value


def test_racing_cells_and_kind_changes_leave_no_support_department_with_time(office, mike):
    # IT is a support department: one editor makes it primary, another makes it support
    # again, others give it time on ARCHIVE (refused while it is support). Whatever the
    # order, a support department never ends with time allocated.
    def work(i):
        if i % 3 == 0:
            return cost_pool_figure_save(
                acting_user=mike,
                unit=office,
                period="2025",
                department="IT",
                field="kind",
                value="primary",
                read_value="support",
            )
        if i % 3 == 1:
            return cost_pool_figure_save(
                acting_user=mike,
                unit=office,
                period="2025",
                department="IT",
                field="kind",
                value="support",
                read_value="primary",
            )
        return allocation_cell_save(
            acting_user=mike,
            unit=office,
            period="2025",
            department="IT",
            process="ARCHIVE",
            percent="10",
            read_percent=None,
        )

    outcomes = race(work, count=6)
    assert all(
        isinstance(o, CellRefused | CellConflict | FigureRefused)
        for o in outcomes
        if isinstance(o, Exception)
    ), outcomes
    kind = CostPool.objects.get(department__code="IT", period="2025").kind
    has_time = TimeAllocation.objects.filter(department__code="IT", period="2025").exists()
    assert not (kind == "support" and has_time)
