"""Fill an empty database with the demo programme (used by `miara demo`).

`demo_build` is all-or-nothing: a demo that fails midway leaves no half-built database
behind (SQLite: the database is built in a temporary file next to the target and moved
into place; PostgreSQL: the whole preparation is one transaction), so the next
`miara demo` starts cleanly.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path

from miara import conf
from miara.demo.assurance import demo_czech_assurance
from miara.demo.offices import CZECH_UNIT
from miara.demo.practices import demo_practices
from miara.demo.publication import demo_publication

DEMO_LOGINS = [
    # username, role, units (by position in the demo units, or a unit's code), password
    ("koordynator", "coordinator", [], "miara-demo-2025"),
    ("ekspert", "expert", [], "miara-demo-2025"),
    ("kierownik", "manager", [0], "miara-demo-2025"),
    ("urzednik", "editor", [0], "miara-demo-2025"),
    # The Czech office: its head (tajemník úřadu) and its quality manager, who keeps
    # the process map and the costing (both need a manager).
    ("tajemnik", "manager", [CZECH_UNIT["code"]], "miara-demo-2025"),
    ("kvalita", "manager", [CZECH_UNIT["code"]], "miara-demo-2025"),
]


class DemoRefused(Exception):
    """The database holds something other than the demo: the demo will not touch it."""


def demo_build(progress: Callable[[str], None] = print) -> list[tuple[str, str, str]]:
    """Create or update the demo database all-or-nothing; return the demo logins."""
    from django.db import connection

    target = _sqlite_file(connection)
    if target is None:
        name = connection.settings_dict["NAME"]
        progress(f"Preparing the demo in the database {name} ...")
        return _build_in_transaction(progress, name)
    progress(f"Preparing the demo database {target} ...")
    return _build_in_file(target, progress)


def _sqlite_file(connection) -> Path | None:
    """The SQLite database file, or None for other databases and in-memory ones."""
    if connection.vendor != "sqlite":
        return None
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file:") or "mode=memory" in name:
        return None
    return Path(name).resolve()


def _build_in_transaction(progress, name) -> list[tuple[str, str, str]]:
    from django.core.management import call_command
    from django.db import transaction

    # Migrations are each atomic and leave an empty schema at worst, which the next run
    # fills; the demo's data go in together or not at all.
    call_command("migrate", interactive=False, verbosity=0)
    with transaction.atomic():
        demo_check_database(name)
        return demo_prepare(progress)


def _build_in_file(target: Path, progress) -> list[tuple[str, str, str]]:
    """Build in a copy next to the target and move it into place only when complete."""
    from django.db import connection

    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=target.name + ".", suffix=".building", dir=target.parent)
    os.close(handle)
    building = Path(name)
    original = connection.settings_dict["NAME"]
    try:
        if target.exists():
            demo_check_database(target)  # before copying what may be a large database
            connection.close()
            _sqlite_copy(target, building)
        connection.close()
        connection.settings_dict["NAME"] = str(building)
        logins = _build_in_transaction(progress, target)
        with connection.cursor() as cursor:
            # Everything into the main file: the -wal file does not travel with it.
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.close()
        for stale in _sqlite_companions(target):
            # A -wal file left by the previous database would be replayed into the new one.
            stale.unlink(missing_ok=True)
        os.replace(building, target)
        return logins
    finally:
        connection.close()
        connection.settings_dict["NAME"] = original
        for leftover in (building, *_sqlite_companions(building)):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()


def _sqlite_companions(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal")]


def _sqlite_copy(source: Path, destination: Path) -> None:
    """A consistent copy of a live SQLite database (its -wal file included)."""
    with contextlib.closing(sqlite3.connect(source)) as src:
        with contextlib.closing(sqlite3.connect(destination)) as dst:
            src.backup(dst)


def demo_check_database(name) -> None:
    """Refuse a database that holds data other than the demo's (`name` says which).

    The demo creates logins with a published password; they must never land in a real
    programme's database that MIARA_DATABASE_URL happens to point at.
    """
    from django.db import connection

    from miara.accounts.models import User
    from miara.demo.generator import demo_units
    from miara.units.models import Unit

    tables = set(connection.introspection.table_names())
    if not {Unit._meta.db_table, User._meta.db_table} & tables:
        return  # no schema yet: migrate creates it and the demo fills it
    codes = set(Unit.objects.values_list("code", flat=True))
    if not codes and not User.objects.exists():
        return  # empty: the demo fills it
    if codes and codes <= {u["code"] for u in demo_units()} | {CZECH_UNIT["code"]}:
        return  # a demo database: the demo brings it up to date
    raise DemoRefused(
        f"the database {name} holds data that are not the "
        "demo's; `miara demo` only fills an empty database or updates a demo one. Point "
        "MIARA_DATABASE_URL at an empty database (or leave it unset for var/miara.sqlite3)."
    )


def demo_prepare(progress: Callable[[str], None] = print) -> list[tuple[str, str, str]]:
    """Load the demo programme and its process-managed offices unless they exist; return
    the demo logins."""
    from miara.accounts.services import user_add
    from miara.analytics.services import compute
    from miara.catalogue.services import catalogue_load
    from miara.collection.models import Cycle
    from miara.collection.services import values_load
    from miara.demo.generator import demo_units, write_demo_files
    from miara.demo.indices import demo_indices_load
    from miara.units.models import Programme, Unit
    from miara.units.services import units_load

    directory = conf.var_dir() / "demo"
    if not Unit.objects.exists():
        directory.mkdir(parents=True, exist_ok=True)
        files = write_demo_files(directory)
        progress("Loading the demo programme ...")
        units_load(path=files["units"])
        catalogue_load(path=files["catalogue"])
        demo_indices_load(directory)
        values_load(path=files["values"])
        progress("Loading the process-managed offices (process maps, costing, cases) ...")
        demo_offices_load(directory / "processes")
        progress("Computing benchmarks ...")
        # The historical years were loaded by the coordinator (no collection cycle):
        # their results are final (methodology.md, "Which data a result set uses"). The
        # cycle's year waits for the cycle: its results are provisional.
        compute(kind="final", periods=_periods_before_the_cycle())
        programme = Programme.current()
        programme.name = DEMO_PROGRAMME_NAME
        programme.save()
    elif not Unit.objects.filter(code=CZECH_UNIT["code"]).exists():
        # A demo database made before the process-managed offices: add them, and
        # revise the results they change.
        progress("Adding the process-managed offices (process maps, costing, cases) ...")
        files = write_demo_files(directory)
        catalogue_load(path=files["catalogue"])
        demo_offices_load(directory / "processes")
        progress("Computing benchmarks ...")
        compute(kind="final", periods=_periods_before_the_cycle())
    units = [u["code"] for u in demo_units()]
    logins = []
    for username, role, unit_positions, password in DEMO_LOGINS:
        user_add(
            username=username,
            role=role,
            unit_codes=[units[i] if isinstance(i, int) else i for i in unit_positions],
            password=password,
        )
        logins.append((username, role, password))
    demo_costing_share()
    if not Cycle.objects.exists():
        progress("Opening the 2025 collection cycle ...")
        demo_cycle_open(units)
        # 2025 is still being collected: provisional results from the submitted and
        # accepted submissions, as a coordinator would compute them from the board.
        progress("Computing provisional 2025 results ...")
        compute(periods=[DEMO_CYCLE_PERIOD], kind="provisional")
    from miara.targets.models import Target

    if not Target.objects.exists():
        progress("Setting the demo office's targets ...")
        demo_targets(units[0], owner="kierownik")
    from miara.improvement.models import Project

    if not Project.objects.exists():
        progress("Starting the demo office's improvement projects ...")
        demo_projects(units[0], owner="kierownik", team=["urzednik"])
    demo_publication(progress)
    czech = CZECH_UNIT["code"]
    if Unit.objects.filter(code=czech).exists():
        if not Target.objects.filter(unit__code=czech).exists():
            progress("Setting the Czech office's targets ...")
            demo_czech_targets(czech, owner="tajemnik")
        if not Project.objects.filter(unit__code=czech).exists():
            progress("Starting the Czech office's improvement projects ...")
            demo_czech_projects(czech, owner="tajemnik", team=["kvalita"])
        demo_czech_assurance(czech)
    demo_practices(units[0], czech_code=czech)
    from miara.demo.efficiency import demo_efficiency

    demo_efficiency()
    return logins


# Where the demo's 2025 cycle stands, by position in the demo units: the demo editor's and
# manager's unit (0) is half filled in, so the form shows progress and last year's values;
# the coordinator's board shows every state of the workflow.
DEMO_CYCLE_PERIOD = "2025"
# Names by language, as the catalogue's: a Polish or Czech page shows no English name.
DEMO_PROGRAMME_NAME = {
    "en": "Benchmarking — demo programme",
    "pl": "Benchmarking — program demonstracyjny",
    "cs": "Benchmarking — ukázkový program",
}
DEMO_CYCLE_NAME = {
    "en": "Benchmarking 2025: data collection",
    "pl": "Benchmarking 2025: zbieranie danych",
    "cs": "Benchmarking 2025: sběr dat",
}
DEMO_DRAFT_FULL = range(1, 15)
DEMO_SUBMITTED = range(15, 25)
DEMO_ACCEPTED = range(25, 32)


def demo_cycle_open(units: list[str]) -> None:
    """Open the demo's 2025 cycle and move part of the units through the workflow.

    The 2025 values are last year's with a small deterministic drift, entered and moved
    through the real services (values_save, submission_submit/accept), so the board,
    the history and the audit log look as they would in a real programme.
    """
    from django.db import transaction

    from miara.accounts.models import User
    from miara.catalogue.models import Variable
    from miara.demo import catalogue as cat

    coordinator = User.objects.get(username="koordynator")
    # Process costs and an office's monthly cases come from costing and the offices'
    # systems, not from the questionnaire.
    variables = list(
        Variable.objects.exclude(area__code__in=cat.PROCESS_AREAS)
        .order_by("area__position", "area__code", "code")
        .values_list("code", flat=True)
    )
    with transaction.atomic():
        _demo_cycle_fill(units, coordinator, variables)


def _demo_cycle_fill(units, coordinator, variables) -> None:
    import datetime as dt
    import random

    import polars as pl
    from django.db.models import Count

    from miara.collection.cycles import (
        SubmissionBlocked,
        cycle_open,
        submission_accept,
        submission_submit,
    )
    from miara.collection.models import Submission, Value
    from miara.collection.services import values_save
    from miara.demo.generator import demo_next_period

    # Not every unit reports every variable (gminas do no county tasks): what all units
    # reported last year is required, the rest is asked for where it applies.
    reported_by_all = set(
        Value.objects.filter(
            period=str(int(DEMO_CYCLE_PERIOD) - 1), value__isnull=False, unit__code__in=units
        )
        .values("variable__code")
        .annotate(units=Count("unit", distinct=True))
        .filter(units=len(units))
        .values_list("variable__code", flat=True)
    )
    cycle = cycle_open(
        period=DEMO_CYCLE_PERIOD,
        name=DEMO_CYCLE_NAME,
        variable_codes=variables,
        unit_codes=units,
        required_codes=[code for code in variables if code in reported_by_all],
        deadline=dt.date.today() + dt.timedelta(days=45),
        acting_user=coordinator,
        channel="import",
    )
    filled = {units[0]: 0.5} | {
        units[i]: 1.0 for i in (*DEMO_DRAFT_FULL, *DEMO_SUBMITTED, *DEMO_ACCEPTED)
    }
    previous = pl.DataFrame(
        list(
            Value.objects.filter(
                period=str(int(DEMO_CYCLE_PERIOD) - 1),
                unit__code__in=list(filled),
                variable__code__in=variables,
            ).values_list("unit__code", "variable__code", "value")
        ),
        schema={"unit": pl.String, "variable": pl.String, "previous": pl.Float64},
        orient="row",
    ).sort("unit", "variable")
    # The drift keeps the catalogue's rules (demo_next_period); which values are entered
    # yet is drawn here.
    rng = random.Random(20251201)
    keep = [rng.random() for _ in range(previous.height)]
    share = previous.get_column("unit").replace_strict(filled, return_dtype=pl.Float64)
    following = demo_next_period(
        previous.rename({"previous": "value"}), period=DEMO_CYCLE_PERIOD
    ).get_column("value")
    rows = (
        previous.with_columns(
            value=following,
            keep=pl.Series(keep) < share,
        )
        .filter(pl.col("keep") & pl.col("value").is_not_null())
        .select(
            "unit",
            "variable",
            pl.lit(DEMO_CYCLE_PERIOD).alias("period"),
            pl.col("value").cast(pl.String),
        )
        .with_row_index("__line", offset=2)
    )
    values_save(acting_user=coordinator, rows=rows, channel="import", source="demo 2025")
    submissions = {
        s.unit.code: s for s in Submission.objects.filter(cycle=cycle).select_related("unit")
    }
    for i in (*DEMO_SUBMITTED, *DEMO_ACCEPTED):
        try:
            submitted = submission_submit(
                submission=submissions[units[i]], acting_user=coordinator, channel="import"
            )
        except SubmissionBlocked:
            continue  # a warning waits for its justification, as in real life
        if i in DEMO_ACCEPTED:
            submission_accept(submission=submitted, acting_user=coordinator, channel="import")


# The demo office's targets: derived from the benchmark by rules of each kind, one set by
# hand and changed once, so the targets page, its history and the scorecard are not empty.
DEMO_TARGET_RULES = [
    {"statistic": "q3", "periods": 3, "fraction": 1.0},
    {"statistic": "median", "periods": 2, "fraction": 0.5},
    {"statistic": "median", "periods": 3, "fraction": 1.0},
    {"statistic": "q3", "periods": 4, "fraction": 0.5},
]


def demo_targets(unit_code: str, *, owner: str) -> None:
    from miara.accounts.scope import OPERATOR
    from miara.analytics.selectors import results_frame
    from miara.catalogue.models import Indicator
    from miara.engine.periods import Period
    from miara.targets.services import (
        TargetInputError,
        target_derive,
        target_set,
        target_sharing_set,
    )

    directions = dict(
        Indicator.objects.exclude(direction="neutral").values_list("code", "direction")
    )
    latest: dict[str, tuple[Period, float]] = {}
    for code, period, value in (
        results_frame(groups=["all"], units=[unit_code], few=True)
        .select("indicator", "period", "value")
        .rows()
    ):
        found = Period.parse(period)
        wanted = code in directions and value is not None and found.kind == "year"
        if wanted and (code not in latest or found > latest[code][0]):
            latest[code] = (found, value)
    codes = sorted(latest)[: len(DEMO_TARGET_RULES) + 1]
    for code, rule in zip(codes, DEMO_TARGET_RULES, strict=False):
        try:
            target_derive(
                acting_user=OPERATOR,
                indicator_code=code,
                unit_code=unit_code,
                base_period=latest[code][0].code,
                owner=owner,
                channel="demo",
                **rule,
            )
        except TargetInputError:
            continue  # the demo's values may leave a rule without its figures
    if len(codes) > len(DEMO_TARGET_RULES):
        # One set by hand, then raised: a history of two versions.
        code = codes[-1]
        start, value = latest[code]
        sign = 1 if directions[code] == "higher" else -1
        for step in (0.05, 0.1):
            target_set(
                acting_user=OPERATOR,
                indicator_code=code,
                unit_code=unit_code,
                points=[(start.code, value), (start.shifted(2).code, value * (1 + sign * step))],
                owner=owner,
                channel="demo",
            )
    target_sharing_set(acting_user=OPERATOR, unit_code=unit_code, shared=True, channel="demo")


# The demo office's improvement projects: one in every state, linked to its weakest
# indicators, with tasks (some done, one overdue) and milestones, one edited once, so the
# board, a project's evidence and the scorecard's links are not empty.
DEMO_PROJECTS = [
    ("active", "Szybsza obsługa spraw", -400, 300),
    ("proposed", "Lepsza informacja dla mieszkańców", 30, 400),
    ("on_hold", "Wspólne zamówienia z sąsiednimi gminami", -200, 200),
    ("done", "Porządek w rejestrze spraw", -800, -100),
    ("cancelled", "Nowy system kolejkowy", -300, -60),
]


def demo_projects(unit_code: str, *, owner: str, team: list[str]) -> None:
    import datetime

    from django.utils import timezone

    from miara.accounts.models import User
    from miara.accounts.scope import OPERATOR
    from miara.analytics.selectors import results_frame
    from miara.catalogue.models import Indicator
    from miara.improvement.services import (
        ProjectData,
        milestone_create,
        project_create,
        project_update,
        sharing_set,
        task_create,
        task_update,
    )

    today = timezone.localdate()
    directions = dict(
        Indicator.objects.exclude(direction="neutral").values_list("code", "direction")
    )
    frame = results_frame(groups=["all"], units=[unit_code], few=True)
    weak = []
    for code, value, median in frame.select("indicator", "value", "median").rows():
        if code in directions and value is not None and median:
            gap = (value - median) / abs(median) * (-1 if directions[code] == "lower" else 1)
            if gap < 0:
                weak.append((gap, code))
    weakest = [code for _gap, code in sorted(set(weak))][: 2 * len(DEMO_PROJECTS)]
    people = set(
        User.objects.filter(username__in=[owner, *team]).values_list("username", flat=True)
    )
    team = [name for name in team if name in people]
    for i, (state, title, start, due) in enumerate(DEMO_PROJECTS):
        data = ProjectData(
            title=title,
            problem="Wskaźnik gorszy od mediany wszystkich jednostek.",
            owner=owner if owner in people else None,
            team=team,
            start_date=today + datetime.timedelta(days=start),
            due_date=today + datetime.timedelta(days=due),
            state=state,
            budget=str(20000 * (i + 1)),
            currency="PLN",
            indicators=weakest[2 * i : 2 * i + 2],
        )
        project = project_create(
            acting_user=OPERATOR, unit_code=unit_code, data=data, channel="demo"
        )
        for step, days, task_state in (
            ("Analiza przyczyn", start + 30, "done"),
            ("Nowa procedura", min(due, 20), "doing"),
            ("Szkolenie pracowników", min(due, -5), "todo"),
        ):
            day = today + datetime.timedelta(days=days)
            if day < data.start_date or day > data.due_date:
                continue
            task = task_create(
                acting_user=OPERATOR,
                project_id=project.pk,
                title=step,
                owner=team[0] if team else None,
                due_date=day,
                channel="demo",
            )
            if task_state != "todo":
                task_update(
                    acting_user=OPERATOR,
                    task_id=task.pk,
                    version=1,
                    state=task_state,
                    channel="demo",
                )
        milestone_create(
            acting_user=OPERATOR,
            project_id=project.pk,
            title="Przegląd wyników",
            due_date=data.due_date,
            channel="demo",
        )
        if i == 0:
            # Edited once: the budget was raised, so the project has a second version.
            data.budget = str(25000)
            project_update(
                acting_user=OPERATOR,
                project_id=project.pk,
                data=data,
                version=project.version,
                channel="demo",
            )
    sharing_set(acting_user=OPERATOR, unit_code=unit_code, shared=True, channel="demo")


# The Czech office plans its key processes: targets set by hand on their yearly
# indicators (no other office measures them, so there is no benchmark to derive from): a
# trajectory from 2023 to an improvement of DEMO_CZECH_STEP by 2025; and a few projects in
# different states, in Czech, with tasks and a milestone, linked to those indicators and
# their processes, so its targets page, board and year in review are not empty.
DEMO_CZECH_STEP = 0.06
DEMO_CZECH_TARGET_YEARS = ("2023", "2025")
DEMO_CZECH_PROJECTS = [
    # (state, title, process prefix, start and due in days from today)
    ("active", "Elektronické podání žádostí o stavební povolení", "CZ_BUILD", -240, 200),
    ("done", "Objednávkový systém pro občanské průkazy", "CZ_IDCARD", -500, -60),
    ("proposed", "Společná přepážka pro vozidla a řidičské průkazy", "CZ_VEHREG", 45, 400),
    ("on_hold", "Digitalizace živnostenského rejstříku", "CZ_TRADE", -120, 300),
]
DEMO_CZECH_TASKS = [
    ("Analýza příčin zdržení", 30, "done"),
    ("Nový postup a formuláře", 120, "doing"),
    ("Školení pracovníků", -5, "todo"),
]


def _czech_yearly(unit_code: str) -> dict[str, dict[str, float]]:
    """The office's yearly values of its key processes' indicators that have a direction."""
    from miara.analytics.selectors import unit_indicator_values
    from miara.catalogue.models import Indicator

    codes = list(
        Indicator.objects.filter(code__startswith="CZ_")
        .exclude(direction="neutral")
        .values_list("code", flat=True)
    )
    found: dict[str, dict[str, float]] = {}
    for code, period, value in (
        unit_indicator_values(units=[unit_code], indicators=codes)
        .select("indicator", "period", "value")
        .rows()
    ):
        if len(period) == 4 and value is not None:
            found.setdefault(code, {})[period] = value
    return found


def demo_czech_targets(unit_code: str, *, owner: str) -> None:
    from miara.accounts.scope import OPERATOR
    from miara.catalogue.models import Indicator
    from miara.targets.services import target_set, target_sharing_set

    directions = dict(Indicator.objects.values_list("code", "direction"))
    start, final = DEMO_CZECH_TARGET_YEARS
    for code, values in sorted(_czech_yearly(unit_code).items()):
        base = values.get(start)
        if not base or not code.endswith(("_UNIT_COST", "_SHARE")):
            continue
        sign = 1 if directions[code] == "higher" else -1
        goal = base * (1 + sign * DEMO_CZECH_STEP)
        if code.endswith("_SHARE"):
            goal = min(goal, 100.0)  # a share of cases cannot pass all of them
        target_set(
            acting_user=OPERATOR,
            indicator_code=code,
            unit_code=unit_code,
            points=[(start, base), (final, goal)],
            owner=owner,
            channel="demo",
        )
    target_sharing_set(acting_user=OPERATOR, unit_code=unit_code, shared=True, channel="demo")


def demo_czech_projects(unit_code: str, *, owner: str, team: list[str]) -> None:
    import datetime

    from django.utils import timezone

    from miara.accounts.models import User
    from miara.accounts.scope import OPERATOR
    from miara.demo.catalogue import CZECH_KEY_PROCESSES
    from miara.improvement.services import (
        ProjectData,
        milestone_create,
        project_create,
        sharing_set,
        task_create,
        task_update,
    )
    from miara.processes.models import Process

    today = timezone.localdate()
    yearly = _czech_yearly(unit_code)
    process_of = {prefix: process for prefix, process, _names in CZECH_KEY_PROCESSES}
    own_processes = set(Process.objects.filter(unit__code=unit_code).values_list("code", flat=True))
    people = set(
        User.objects.filter(username__in=[owner, *team]).values_list("username", flat=True)
    )
    team = [name for name in team if name in people]
    for i, (state, title, prefix, start, due) in enumerate(DEMO_CZECH_PROJECTS):
        data = ProjectData(
            title=title,
            problem="Vyřízení trvá déle a stojí více, než si úřad předsevzal.",
            owner=owner if owner in people else None,
            team=team,
            start_date=today + datetime.timedelta(days=start),
            due_date=today + datetime.timedelta(days=due),
            state=state,
            budget=str(150000 * (i + 1)),
            currency="CZK",
            indicators=sorted(c for c in yearly if c.startswith(prefix + "_"))[:2],
            processes=[p for p in [process_of.get(prefix)] if p in own_processes],
        )
        project = project_create(
            acting_user=OPERATOR, unit_code=unit_code, data=data, channel="demo"
        )
        for step, days, task_state in DEMO_CZECH_TASKS:
            day = today + datetime.timedelta(days=start + days if days > 0 else days)
            if day < data.start_date or day > data.due_date:
                continue
            task = task_create(
                acting_user=OPERATOR,
                project_id=project.pk,
                title=step,
                owner=team[0] if team else None,
                due_date=day,
                channel="demo",
            )
            if task_state != "todo" or state == "done":
                task_update(
                    acting_user=OPERATOR,
                    task_id=task.pk,
                    version=1,
                    state="done" if state == "done" else task_state,
                    channel="demo",
                )
        milestone_create(
            acting_user=OPERATOR,
            project_id=project.pk,
            title="Vyhodnocení výsledků",
            due_date=data.due_date,
            channel="demo",
        )
    sharing_set(acting_user=OPERATOR, unit_code=unit_code, shared=True, channel="demo")


# --- the process-managed offices -------------------------------------------------------


def demo_offices_load(directory: Path) -> None:
    """The Czech office and the costing of a few Polish offices (demo/offices.py), loaded
    as an office would: the process maps and costing workbooks through the loaders of
    `miara load processes` and `miara load costing` (which write each process's cost and
    output into the variables its map names), the Czech office's monthly cases through
    the one write path of values."""
    import polars as pl

    from miara.accounts.scope import OPERATOR
    from miara.collection.services import values_save
    from miara.demo.generator import format_number
    from miara.demo.offices import czech_values, write_office_files
    from miara.processes.services import costing_load, processes_load
    from miara.units.services import units_load

    units, offices = write_office_files(directory)
    units_load(path=units)
    for office in offices:
        processes_load(path=office.process_map, unit_code=office.unit, acting_user=OPERATOR)
        for period, workbook in office.costing.items():
            costing_load(path=workbook, unit_code=office.unit, period=period, acting_user=OPERATOR)
    cases = czech_values()
    rows = cases.select(
        "unit",
        "variable",
        "period",
        pl.col("value").map_elements(format_number, return_dtype=pl.String),
    ).with_row_index("__line", offset=2)
    values_save(
        acting_user=OPERATOR,
        rows=rows,
        channel="import",
        source=f"demo: {CZECH_UNIT['name']}, document-management system",
    )


def _periods_before_the_cycle() -> list[str]:
    """Every period with values except the cycle's year, in order."""
    from miara.collection.models import Value
    from miara.engine.periods import Period

    periods = set(Value.objects.values_list("period", flat=True).distinct())
    return sorted(periods - {DEMO_CYCLE_PERIOD}, key=Period.parse)


def demo_costing_share() -> None:
    """Katowice and the Czech office share their costing with the programme, as their
    managers decided (the other offices keep theirs to themselves)."""
    from miara.accounts.models import User
    from miara.processes.services import process_settings_update
    from miara.units.models import Unit

    for username, code in (("kierownik", "2469011"), ("tajemnik", CZECH_UNIT["code"])):
        process_settings_update(
            unit=Unit.objects.get(code=code),
            shares_costing=True,
            acting_user=User.objects.get(username=username),
            channel="cli",
        )
