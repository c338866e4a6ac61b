"""The board's update after a save stays equal to a computation from scratch when
variables are compared per unit of size and outliers give way to consistency with the
unit's own history; a change of a size recomputes everything."""

import random

import pytest

from miara.catalogue.models import Variable
from miara.collection.findings import cycle_checked
from miara.collection.tests.test_board_update import (  # noqa: F401 (fixtures)
    UNITS,
    VARIABLES,
    empty_cache,
    from_scratch,
    full_passes,
    random_row,
    same,
    world,
    write,
)

pytestmark = pytest.mark.django_db
SIZED = ["WASTE_T", "PERMITS_ISSUED", "PERMIT_STAFF_COST"]


@pytest.mark.parametrize("seed", range(4))
def test_saves_with_sizes_equal_a_computation_from_scratch(world, alice, full_passes, seed):  # noqa: F811
    population = Variable.objects.get(code="POPULATION")
    Variable.objects.filter(code__in=SIZED).update(per=population)
    rng = random.Random(300 + seed)
    write(
        alice,
        [
            random_row(rng, unit, variable, period)
            for unit in UNITS
            for variable in VARIABLES
            for period in ("2023", "2024")
        ],
    )
    cycle_checked(cycle=world)
    for step in range(8):
        units = rng.sample(UNITS, rng.choice([1, 2]))
        others = [v for v in VARIABLES if v != "POPULATION"]
        rows = {
            (unit, variable, period): random_row(rng, unit, variable, period)
            for unit in units
            for variable, period in rng.sample(
                [(v, p) for v in others for p in ("2023", "2024")], rng.choice([1, 2, 3])
            )
        }
        write(alice, list(rows.values()))
        passes = len(full_passes)
        updated = cycle_checked(cycle=world)
        assert len(full_passes) == passes, f"step {step}: recomputed everything"
        same(updated, from_scratch(world))
    # A unit's new population moves all its values compared per resident.
    write(alice, [("A1", "POPULATION", "2024", "5", "")])
    passes = len(full_passes)
    updated = cycle_checked(cycle=world)
    assert len(full_passes) == passes + 1
    same(updated, from_scratch(world))
