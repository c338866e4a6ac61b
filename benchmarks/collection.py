#!/usr/bin/env python
"""Server time of the data-collection pages at the size of a real programme, on PostgreSQL.

    python benchmarks/collection.py                 # 300 units, 300-variable questionnaire
    python benchmarks/collection.py --units 100 --variables 100 --repeat 5
    python benchmarks/collection.py --keep          # leave the database for a look
    python benchmarks/collection.py --database miara_bench_mine  # beside another run

Creates the database `miara_bench_collection` (createdb/dropdb on 127.0.0.1 as postgres),
loads a programme through the real services (units, catalogue with validation rules,
two years of values), opens a cycle asking every variable of every unit, then measures,
as the median of `--repeat` runs:

* saving one value with validation through the questionnaire's autosave endpoint
  (`collection:entry_field`, the Django test Client, so: the whole request in-process);
  without the entry pages, `values_save` + `findings.findings` of the unit for one value;
* uploading the unit's filled-in Excel questionnaire: `template_import` of a workbook
  from `template_build` in which every value was changed;
* rendering the coordinator's completion board for all units: with nothing changed,
  right after a save of another unit's value (the state during collection), and with
  the cache emptied (the first read after a restart); and, for information, the
  quality report.

Targets: 50 ms, 2 s and 300 ms. Progress goes to stderr, the table to stdout. The data
are deterministic (numpy `default_rng` with a fixed seed).
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
DATABASE = "miara_bench_collection"
PG = ["-h", "127.0.0.1", "-U", "postgres"]
SEED = 20_251_122
PERIOD, PREVIOUS = "2024", "2023"
AREAS = 12
RULES = 20
TARGETS_MS = {"autosave": 50, "excel": 2000, "board": 300}
STARTED = time.perf_counter()


def say(text: str) -> None:
    print(f"[{time.perf_counter() - STARTED:7.1f}s] {text}", file=sys.stderr, flush=True)


def database(action: str) -> None:
    if action == "create":
        subprocess.run(["dropdb", *PG, "--if-exists", DATABASE], check=True)
        subprocess.run(["createdb", *PG, DATABASE], check=True)
    else:
        subprocess.run(["dropdb", *PG, "--if-exists", DATABASE], check=True)


def setup_django() -> None:
    os.environ["MIARA_DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:5432/{DATABASE}"
    os.environ.setdefault("MIARA_SECRET_KEY", "benchmark-only")
    os.environ["MIARA_ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ["MIARA_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "miara.settings")
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


# --- the programme ---------------------------------------------------------------------------


def variable_codes(n: int) -> list[str]:
    return [f"V{i:03d}" for i in range(1, n + 1)]


def unit_codes(n: int) -> list[str]:
    return [f"U{i:04d}" for i in range(1, n + 1)]


def write_files(folder: Path, units: int, variables: int) -> dict[str, Path]:
    rng = np.random.default_rng(SEED)
    codes, names = variable_codes(variables), unit_codes(units)
    types = ["city_county", "gmina_urban", "gmina_rural", "gmina_mixed", "county"]
    lines = ["service_areas:"]
    lines += [f"  - {{code: AREA{a:02d}, name: Service area {a}}}" for a in range(AREAS)]
    lines.append("variables:")
    for i, code in enumerate(codes):
        lines.append(
            f"  - {{code: {code}, name: Variable {code}, unit: count, area: AREA{i % AREAS:02d}, min: 0}}"
        )
    lines.append("indicators:")
    lines.append(f"  - {{code: I001, name: First ratio, formula: {codes[1]} / {codes[0]}}}")
    lines.append("validation_rules:")
    # Part of a total is not above the total: V002 <= V001, V004 <= V003, ...
    for r in range(min(RULES, variables // 2)):
        part, whole = codes[2 * r + 1], codes[2 * r]
        lines.append(f"  - {{code: R{r:03d}, name: part within total, rule: {part} <= {whole}}}")
    files = {
        "catalogue": folder / "catalogue.yaml",
        "units": folder / "units.csv",
        "values": folder / "values.csv",
    }
    files["catalogue"].write_text("\n".join(lines) + "\n", encoding="utf-8")
    files["units"].write_text(
        "code,name,type,parent,country\n"
        + "".join(f"{u},Unit {u},{types[i % len(types)]},,PL\n" for i, u in enumerate(names)),
        encoding="utf-8",
    )
    # Totals and parts (each even variable is at most its odd predecessor), a year apart;
    # about 3 % of this year's values are still missing and a few jump (change findings).
    scale = rng.lognormal(8, 1.2, size=(units, 1))
    previous = np.round(scale * rng.uniform(0.5, 1.5, size=(units, variables)), 1)
    previous[:, 1::2] = np.round(previous[:, 0::2][:, : previous[:, 1::2].shape[1]] * 0.6, 1)
    current = np.round(previous * rng.uniform(0.9, 1.12, size=previous.shape), 1)
    current[rng.random(current.shape) < 0.01] *= 3
    missing = rng.random(current.shape) < 0.03
    buffer = io.StringIO()
    buffer.write("unit,variable,period,value,comment\n")
    for u, unit in enumerate(names):
        for v, code in enumerate(codes):
            buffer.write(f"{unit},{code},{PREVIOUS},{float(previous[u, v])!r},\n")
            if not missing[u, v]:
                buffer.write(f"{unit},{code},{PERIOD},{float(current[u, v])!r},\n")
    files["values"].write_text(buffer.getvalue(), encoding="utf-8")
    return files


def build(units: int, variables: int) -> dict:
    from django.db import connection

    from miara.accounts.services import user_add
    from miara.catalogue.services import catalogue_load
    from miara.collection.cycles import cycle_open
    from miara.collection.models import Submission
    from miara.collection.services import values_load
    from miara.units.services import units_load

    with tempfile.TemporaryDirectory() as tmp:
        files = write_files(Path(tmp), units, variables)
        say("loading units and the catalogue")
        units_load(path=files["units"])
        catalogue_load(path=files["catalogue"])
        say(f"loading {units * variables * 2:,} values")
        values_load(path=files["values"])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum would soon after a load
    coordinator, _ = user_add(username="alice", role="coordinator", password="Correct-horse-42")
    editor, _ = user_add(
        username="bob",
        role="editor",
        unit_codes=[unit_codes(units)[0]],
        password="Correct-horse-42",
    )
    say("opening the cycle")
    cycle = cycle_open(
        period=PERIOD,
        name="Benchmark cycle",
        variable_codes=variable_codes(variables),
        unit_codes=unit_codes(units),
        acting_user=coordinator,
    )
    submission = Submission.objects.get(cycle=cycle, unit__code=unit_codes(units)[0])
    return {"cycle": cycle, "submission": submission, "coordinator": coordinator, "editor": editor}


# --- measurements ----------------------------------------------------------------------------


def timed(function) -> float:
    start = time.perf_counter()
    function()
    return (time.perf_counter() - start) * 1000


def measure_autosave(world: dict, repeat: int) -> tuple[float, str]:
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    cycle, submission = world["cycle"], world["submission"]
    variable = "V005"
    try:
        url = reverse("collection:entry_field", args=[cycle.pk, submission.unit.code])
    except NoReverseMatch:
        return measure_value_write(world, repeat, variable), "values_save + findings of the unit"
    from miara.collection.models import Value

    client = Client()
    client.force_login(world["editor"])
    stored = Value.objects.filter(
        unit=submission.unit, variable__code=variable, period=cycle.period
    ).first()
    version = stored.version if stored else 0
    times = []
    for i in range(repeat + 1):
        start = time.perf_counter()
        response = client.post(
            url, {"variable": variable, "value": str(1000 + i), "comment": "", "version": version}
        )
        elapsed = (time.perf_counter() - start) * 1000
        if response.status_code != 200:
            raise SystemExit(
                f"autosave answered {response.status_code}: {response.content[:300]!r}"
            )
        version = response.json()["version"]
        if i:  # the first request warms up caches (rules parsed, templates, session)
            times.append(elapsed)
    return statistics.median(times), "POST collection:entry_field (whole request)"


def measure_value_write(world: dict, repeat: int, variable: str) -> float:
    import polars as pl

    from miara.collection.findings import findings
    from miara.collection.services import values_save

    cycle, submission = world["cycle"], world["submission"]
    times = []
    for i in range(repeat + 1):
        frame = pl.DataFrame(
            {
                "unit": [submission.unit.code],
                "variable": [variable],
                "period": [cycle.period],
                "value": [str(1000 + i)],
                "comment": [None],
                "__line": [1],
            },
            schema_overrides={"comment": pl.String},
        )

        def save(frame=frame):
            values_save(acting_user=world["editor"], rows=frame, channel="form", source="bench")
            findings(cycle=cycle, unit=submission.unit)

        elapsed = timed(save)
        if i:
            times.append(elapsed)
    return statistics.median(times)


def measure_excel(world: dict, repeat: int) -> tuple[float, float]:
    from openpyxl import load_workbook

    from miara.collection.excel import (
        COL_VALUE,
        data_sheet_name,
        template_build,
        template_import,
    )

    submission = world["submission"]
    builds, imports = [], []
    for i in range(repeat + 1):
        start = time.perf_counter()
        raw = template_build(submission=submission, language="en")
        built = (time.perf_counter() - start) * 1000
        # Fill in the questionnaire as a clerk would: every value changed.
        workbook = load_workbook(io.BytesIO(raw))
        sheet = workbook[data_sheet_name("en")]
        for row in range(2, sheet.max_row + 1):
            cell = sheet.cell(row=row, column=COL_VALUE)
            if cell.value is not None or sheet.cell(row=row, column=8).value:
                cell.value = 100 + i + row
        out = io.BytesIO()
        workbook.save(out)
        start = time.perf_counter()
        report = template_import(
            path_or_bytes=out.getvalue(),
            submission=submission,
            user=world["editor"],
            filename="questionnaire.xlsx",
        )
        imported = (time.perf_counter() - start) * 1000
        if i == 0:
            say(
                f"excel: {report['rows']} rows, {report['updated']} updated, {report['created']} created"
            )
        else:
            builds.append(built)
            imports.append(imported)
    return statistics.median(imports), statistics.median(builds)


def save_one(world: dict, i: int) -> None:
    """Write one value as a clerk's autosave would (not timed): each time another unit
    and variable, so that the board's figures of several units move."""
    import polars as pl

    from miara.collection.services import OPERATOR, values_save

    cycle = world["cycle"]
    unit = unit_codes(world["units"])[(7 * i + 3) % world["units"]]
    variable = variable_codes(world["variables"])[(11 * i + 5) % world["variables"]]
    frame = pl.DataFrame(
        {
            "unit": [unit],
            "variable": [variable],
            "period": [cycle.period],
            "value": [str(5000 + i)],
            "comment": [None],
            "__line": [1],
        },
        schema_overrides={"comment": pl.String},
    )
    values_save(acting_user=OPERATOR, rows=frame, channel="form", source="bench")


def measure_page(
    world: dict, name: str, repeat: int, *, cold: bool = False, after_save: bool = False
) -> float:
    """Median time of GET `name` as the coordinator; `cold` empties the cache before
    each request (the first read after a restart), `after_save` writes one value of
    another unit before each request (as during collection)."""
    from django.core.cache import cache
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(world["coordinator"])
    url = reverse(name, args=[world["cycle"].pk])
    times = []
    for i in range(repeat + 1):
        if cold:
            cache.clear()
        if after_save:
            save_one(world, i)
        start = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - start) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{name} answered {response.status_code}")
        if i:
            times.append(elapsed)
    return statistics.median(times)


def main() -> None:
    global DATABASE
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--variables", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="do not drop the database")
    parser.add_argument(
        "--database",
        default=DATABASE,
        help="name of the (re)created database, to run beside others",
    )
    args = parser.parse_args()
    DATABASE = args.database

    say(f"creating the database {DATABASE}")
    database("create")
    try:
        setup_django()
        world = build(args.units, args.variables) | {
            "units": args.units,
            "variables": args.variables,
        }
        say("measuring the autosave")
        autosave, how = measure_autosave(world, args.repeat)
        say("measuring the completion board")
        board = measure_page(world, "collection:coord_board", args.repeat)
        board_saved = measure_page(world, "collection:coord_board", args.repeat, after_save=True)
        board_cold = measure_page(world, "collection:coord_board", args.repeat, cold=True)
        quality = measure_page(world, "collection:coord_quality", args.repeat)
        say("measuring the Excel upload")
        excel, build_ms = measure_excel(world, args.repeat)
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            database("drop")

    rows = [
        ("save one value with validation", autosave, TARGETS_MS["autosave"], how),
        (
            f"upload a {args.variables}-variable Excel questionnaire",
            excel,
            TARGETS_MS["excel"],
            f"template_import (template_build: {build_ms:.0f} ms)",
        ),
        (
            f"completion board, {args.units} units",
            board,
            TARGETS_MS["board"],
            "GET, coordinator; figures cached until a value changes",
        ),
        (
            f"completion board, {args.units} units, after a save",
            board_saved,
            TARGETS_MS["board"],
            "GET after one value of another unit was saved (updated, not recomputed)",
        ),
        (
            f"completion board, {args.units} units, cold",
            board_cold,
            None,
            "GET, cache emptied first (first read after a restart; no target)",
        ),
        (f"quality report, {args.units} units", quality, None, "GET, coordinator (no target)"),
    ]
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"\nmiara collection benchmark: {args.units} units x {args.variables} variables, "
        f"PostgreSQL, median of {args.repeat}; {os.cpu_count()} CPUs, load average {load}\n"
    )
    print(f"{'measure':<46} {'median':>10} {'target':>9}  {'':4}  how")
    for label, ms, target, note in rows:
        verdict = "" if target is None else ("ok" if ms <= target else "SLOW")
        target_text = "" if target is None else f"{target} ms"
        print(f"{label:<46} {ms:>7.1f} ms {target_text:>9}  {verdict:4}  {note}")


if __name__ == "__main__":
    main()
