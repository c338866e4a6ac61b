"""Racing editors of one survey row on PostgreSQL: real threads, each with its own
database connection. The row's total must stay at most 100 % whatever overlaps, and of
editors who read the same cell exactly one wins (the others get the conflict).

SQLite is skipped, as in collection/tests/test_concurrency_pg.py: it lets one writer at a
time into the database, so nothing can overlap there.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db.models import Sum

from miara.processes.errors import CellConflict
from miara.processes.models import TimeAllocation
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
