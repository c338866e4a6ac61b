"""The completion board keeps its figures and, after a save, recomputes only what the save
can change (`findings._board_update`). Whatever path it takes, its figures must be those
of a computation from scratch and agree with each submission's own check."""

import random

import polars as pl
import pytest
from django.core.cache import cache
from django.db import connection

from miara.catalogue.models import ValidationRule
from miara.collection import findings as findings_module
from miara.collection import services
from miara.collection.findings import submission_findings
from miara.collection.models import Revision, Submission, Value, ValueHistory
from miara.collection.services import values_save
from miara.engine.quality import MIN_PEERS, ORDER
from miara.testing.cycles import cycle_2024
from miara.units.models import Unit

pytestmark = pytest.mark.django_db
VARIABLES = ["WASTE_T", "RECYCLED_T", "POPULATION", "PERMITS_ISSUED", "PERMIT_STAFF_COST"]
# Enough rural gminas to form their own outlier class, and one county compared with all.
GMINAS = [f"G{i:02d}" for i in range(MIN_PEERS + 4)]
UNITS = ["A1", "B2", "C3", "D4", *GMINAS, "K1"]


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(alice):
    for code in GMINAS:
        Unit.objects.create(code=code, name=f"Unit {code}", type="gmina_rural", country="PL")
    Unit.objects.create(code="K1", name="County", type="county", country="PL")
    ValidationRule.objects.create(
        code="R_RECYCLED",
        name={"en": "recycled within collected"},
        expression="RECYCLED_T <= WASTE_T",
    )
    ValidationRule.objects.create(
        code="R_PREV",
        name={"en": "population stable"},
        expression="POPULATION <= prev(POPULATION) * 1.5",
        severity="warning",
    )
    cycle = cycle_2024(alice, VARIABLES, UNITS)
    cycle.items.filter(variable__code="PERMITS_ISSUED").update(required=True)
    return cycle


def write(alice, rows) -> None:
    """Write (unit, variable, period, value, comment) rows through the one write path."""
    frame = pl.DataFrame(
        rows, schema=["unit", "variable", "period", "value", "comment"], orient="row"
    ).with_row_index("__line", offset=1)
    frame = frame.with_columns(pl.col("__line").cast(pl.Int64))
    values_save(acting_user=alice, rows=frame, channel="form", source="test")


def random_row(rng: random.Random, unit: str, variable: str, period: str):
    roll = rng.random()
    if roll < 0.15:
        value = ""
    elif roll < 0.25:
        value = str(rng.choice([0, 10**6]))
    else:
        value = str(round(rng.lognormvariate(6, 0.4), 1))
    return (unit, variable, period, value, "explained" if rng.random() < 0.2 else "")


def from_scratch(cycle):
    """The board's figures computed afresh (nothing kept)."""
    cache.clear()
    return findings_module.cycle_checked(cycle=cycle)


def same(checked, expected) -> None:
    summary, findings = checked
    expected_summary, expected_findings = expected
    assert summary == expected_summary
    assert findings.sort(ORDER).to_dicts() == expected_findings.sort(ORDER).to_dicts()


@pytest.fixture
def full_passes(monkeypatch):
    """How many times the board computed everything (a pass over every unit's values)."""
    calls = []
    original = findings_module._cycle_findings

    def counted(cycle, checks):
        calls.append(cycle.pk)
        return original(cycle, checks)

    monkeypatch.setattr(findings_module, "_cycle_findings", counted)
    return calls


@pytest.mark.parametrize("seed", range(4))
def test_figures_after_saves_equal_a_computation_from_scratch(world, alice, full_passes, seed):
    rng = random.Random(seed)
    write(
        alice,
        [
            random_row(rng, unit, variable, period)
            for unit in UNITS
            for variable in VARIABLES
            for period in ("2023", "2024")
        ],
    )
    findings_module.cycle_checked(cycle=world)
    assert len(full_passes) == 1
    for step in range(8):
        # One to three values of one or two units, in either period, as forms save them.
        units = rng.sample(UNITS, rng.choice([1, 1, 2]))
        rows = {
            (unit, variable, period): random_row(rng, unit, variable, period)
            for unit in units
            for variable, period in rng.sample(
                [(v, p) for v in VARIABLES for p in ("2023", "2024")], rng.choice([1, 2, 3])
            )
        }
        write(alice, list(rows.values()))
        passes = len(full_passes)
        updated = findings_module.cycle_checked(cycle=world)
        assert len(full_passes) == passes, f"step {step}: recomputed everything"
        same(updated, from_scratch(world))
        # The state is kept after the update: a second read computes nothing.
        passes = len(full_passes)
        same(findings_module.cycle_checked(cycle=world), updated)
        assert len(full_passes) == passes


def test_one_units_save_changes_another_units_outliers_on_the_board(world, alice, full_passes):
    # The rural gminas' waste is spread between 1,100 and 1,800 t (and C3's 310 t): G00's
    # 1,400 t is no outlier among them.
    rows = [(g, "WASTE_T", "2024", str(1_000 + 100 * i), "") for i, g in enumerate(GMINAS)]
    rows[0] = ("G00", "WASTE_T", "2024", "1400", "")
    write(alice, rows)
    g00 = Submission.objects.select_related("cycle", "unit").get(cycle=world, unit__code="G00")

    def board_outliers():
        _summary, findings = findings_module.cycle_checked(cycle=world)
        return findings.filter((pl.col("unit") == "G00") & (pl.col("check") == "outlier")).height

    def own_outliers():
        return sum(f["check"] == "outlier" for f in submission_findings(g00))

    assert board_outliers() == own_outliers() == 0
    # The others' values move closer together (a tighter distribution): now G00 is far
    # from them, although nothing of G00 changed.
    write(alice, [(g, "WASTE_T", "2024", str(1_000 + i), "") for i, g in enumerate(GMINAS[1:])])
    passes = len(full_passes)
    assert board_outliers() == own_outliers() == 1
    assert len(full_passes) == passes  # brought up to date, not recomputed
    summary, _findings = findings_module.cycle_checked(cycle=world)
    assert summary["G00"][3] == 1  # one open warning on the board row
    # G00 explains its value: the warning is justified, the open count drops.
    write(alice, [("G00", "WASTE_T", "2024", "1400", "a new landfill opened")])
    summary, _findings = findings_module.cycle_checked(cycle=world)
    assert summary["G00"][3] == 0
    same(findings_module.cycle_checked(cycle=world), from_scratch(world))


def test_a_write_that_commits_late_is_not_missed(world, alice, full_passes):
    """A slow writer's rows can carry history ids below those of a faster writer that a
    board state has already taken in. The board does not go by ids: the slow writer's
    commit moves its unit's revision (in its own transaction), and the board takes the
    unit in at the next read."""
    write(alice, [("A1", "WASTE_T", "2024", "100", "")])
    write(alice, [("A1", "RECYCLED_T", "2024", "50", "")])
    # Free the id of the first row, as if its writer had not committed yet.
    late_id = ValueHistory.objects.order_by("-id").values_list("id", flat=True)[1]
    late = ValueHistory.objects.get(id=late_id)
    ValueHistory.objects.filter(id=late_id).delete()
    before, _findings = findings_module.cycle_checked(cycle=world)
    # The slow writer commits: its value changes, its row appears below the newest and
    # its unit's revision moves, all in its transaction.
    Value.objects.filter(unit__code="B2", variable__code="WASTE_T", period="2024").delete()
    b2 = Unit.objects.get(code="B2")
    Value.objects.create(
        unit=b2,
        variable=late.variable,
        period="2024",
        value=None,
        channel="form",
        updated_at=late.at,
        version=1,
    )
    late.pk = late_id
    late.unit = b2
    late.save(force_insert=True)
    services._revisions_bump(pl.DataFrame({"unit_id": [b2.pk], "period": ["2024"]}))
    passes = len(full_passes)
    after, _findings = findings_module.cycle_checked(cycle=world)
    assert len(full_passes) == passes  # brought up to date, not recomputed
    assert after["B2"][0] == before["B2"][0] - 1  # one filled value fewer
    same(findings_module.cycle_checked(cycle=world), from_scratch(world))


def test_every_write_moves_the_revision_of_its_units_periods(world, alice):
    def numbers():
        rows = Revision.objects.filter(unit__code__in=["A1", "B2"], period__in=["2023", "2024"])
        return {(r.unit.code, r.period): r.number for r in rows.select_related("unit")}

    before = numbers()
    write(alice, [("B2", "WASTE_T", "2024", "100", "x"), ("B2", "WASTE_T", "2023", "90", "y")])
    write(alice, [("B2", "RECYCLED_T", "2024", "50", "z"), ("A1", "WASTE_T", "2024", "7", "w")])
    write(alice, [("B2", "RECYCLED_T", "2024", "50", "z")])  # unchanged: no write
    after = numbers()
    moved = {key: after[key] - before.get(key, 0) for key in after}
    assert moved == {("B2", "2024"): 2, ("B2", "2023"): 1, ("A1", "2024"): 1, ("A1", "2023"): 0}


def test_a_new_participant_or_changed_checks_recompute_everything(world, alice, full_passes):
    write(alice, [("A1", "WASTE_T", "2024", "100", "")])
    findings_module.cycle_checked(cycle=world)
    Unit.objects.create(code="N1", name="New", type="gmina_rural", country="PL")
    world.submissions.create(unit=Unit.objects.get(code="N1"))
    summary, _findings = findings_module.cycle_checked(cycle=world)
    assert "N1" in summary
    ValidationRule.objects.create(
        code="R_NEW", name={"en": "waste at most 50"}, expression="WASTE_T <= 50"
    )
    passes = len(full_passes)
    summary, findings = findings_module.cycle_checked(cycle=world)
    assert len(full_passes) == passes + 1
    assert findings.filter((pl.col("unit") == "A1") & (pl.col("variable") == "R_NEW")).height == 1


def test_cycle_open_refreshes_the_planners_statistics(world):
    """The first cycle fills its tables from nothing; PostgreSQL must not plan the board's
    read as if they were empty (one index probe per unit and variable)."""
    if connection.vendor != "postgresql":
        pytest.skip("planner statistics are PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class "
            "WHERE relname IN ('collection_questionnaireitem', 'collection_submission')"
        )
        estimates = dict(cursor.fetchall())
    assert estimates["collection_questionnaireitem"] >= len(VARIABLES)
    assert estimates["collection_submission"] >= len(UNITS)


def test_a_state_whose_kept_values_were_evicted_is_recomputed(
    world, alice, full_passes, monkeypatch
):
    write(alice, [("A1", "WASTE_T", "2024", "100", "")])
    findings_module.cycle_checked(cycle=world)
    real_get = findings_module.cache.get

    def evicting_get(key, *args, **kwargs):
        return None if ":values:" in key else real_get(key, *args, **kwargs)

    monkeypatch.setattr(findings_module.cache, "get", evicting_get)
    write(alice, [("B2", "WASTE_T", "2024", "5", "")])
    passes = len(full_passes)
    after = findings_module.cycle_checked(cycle=world)
    assert len(full_passes) == passes + 1
    monkeypatch.undo()
    same(after, from_scratch(world))
