#!/usr/bin/env python
"""Process costing of a large office, on PostgreSQL: the engine, the service and the survey.

    python benchmarks/costing.py                      # 40 departments x 150 processes
    python benchmarks/costing.py --departments 20 --processes 60 --repeat 5
    python benchmarks/costing.py --keep               # leave the database for a look
    python benchmarks/costing.py --database miara_bench_mine  # beside another run

Creates the database `miara_bench_costing` (createdb/dropdb on 127.0.0.1 as postgres),
loads one office through the real services (a catalogue with a cost and an output
variable for every process, the process map, a costing workbook with every primary
department's time spread over every process), then measures, as the median of
`--repeat` runs:

* the engine alone (`engine.costing.compute_costing` on frames in memory), and beside it
  a pandas computation of the same costing in the same run (a reference written from
  methodology.md with pandas' merge/groupby; its results must equal the engine's);
* the costing as the pages and the API read it (`selectors.costing_result`: the stored
  data read from the database, then the engine);
* `costing_load` of the whole workbook (parse, check, write, and the costs written into
  the 300 variables through `values_save`), each time with other numbers;
* saving one cell of the survey grid: the whole request (POST `costing:cell` with the
  Django test Client) and `allocation_cell_save` alone — both include writing the
  recomputed costs into the variables;
* for information, the survey page (departments x processes inputs) and the costing page.

Targets (issue 11): costing < 1 s, one cell < 100 ms server time. Progress goes to
stderr, the table to stdout. The data are deterministic (numpy `default_rng`, fixed seed).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
DATABASE = "miara_bench_costing"
PG = ["-h", "127.0.0.1", "-U", "postgres"]
SEED = 20_261_203
PERIOD = "2025"
UNIT = "OFFICE"
SUPPORT_SHARE = 10  # one department in ten is a support department
TARGETS_MS = {"costing": 1000, "cell": 100}
STARTED = time.perf_counter()


def say(text: str) -> None:
    print(f"[{time.perf_counter() - STARTED:7.1f}s] {text}", file=sys.stderr, flush=True)


def database(action: str, name: str) -> None:
    subprocess.run(["dropdb", *PG, "--if-exists", name], check=True)
    if action == "create":
        subprocess.run(["createdb", *PG, name], check=True)


def setup_django(name: str) -> None:
    os.environ["MIARA_DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:5432/{name}"
    os.environ.setdefault("MIARA_SECRET_KEY", "benchmark-only")
    os.environ["MIARA_ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "miara.settings")
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


# --- the office ------------------------------------------------------------------------------


def department_codes(n: int) -> list[str]:
    return [f"D{i:02d}" for i in range(1, n + 1)]


def process_codes(n: int) -> list[str]:
    return [f"P{i:03d}" for i in range(1, n + 1)]


def office_data(departments: int, processes: int) -> dict:
    """Departments (every tenth a support one), allocation and outputs, deterministic."""
    rng = np.random.default_rng(SEED)
    codes, process = department_codes(departments), process_codes(processes)
    kinds = [
        "support" if i % SUPPORT_SHARE == SUPPORT_SHARE - 1 else "primary"
        for i in range(departments)
    ]
    fte = np.round(rng.uniform(2, 30, departments), 1)
    personnel = np.round(fte * rng.uniform(600_000, 900_000, departments), 0)
    other = np.round(personnel * rng.uniform(0.1, 0.4, departments), 0)
    allocation = []
    for d, code in enumerate(codes):
        if kinds[d] != "primary":
            continue
        # Each row uses 80-100 % of the time, spread over every process.
        shares = rng.dirichlet(np.ones(processes)) * rng.uniform(80, 100)
        allocation += [
            (code, process[p], float(np.floor(shares[p] * 100) / 100)) for p in range(processes)
        ]
    outputs = [
        (
            code,
            float(rng.integers(0, 5000)) if rng.random() > 0.03 else None,
            float(np.round(rng.uniform(0, 200_000))),
        )
        for code in process
    ]
    return {
        "departments": [
            (
                codes[d],
                f"Department {codes[d]}",
                kinds[d],
                float(fte[d]),
                float(personnel[d]),
                float(other[d]),
            )
            for d in range(departments)
        ],
        "allocation": allocation,
        "outputs": outputs,
    }


def write_files(folder: Path, departments: int, processes: int, data: dict) -> dict[str, Path]:
    codes = process_codes(processes)
    owners = [d for d, _n, kind, *_ in data["departments"] if kind == "primary"]
    lines = ["variables:"]
    for code in codes:
        lines.append(
            f"  - {{code: {code}_COST, name: Cost of {code}, unit: PLN, kind: amount, min: 0}}"
        )
        lines.append(f"  - {{code: {code}_OUT, name: Output of {code}, unit: count, min: 0}}")
    catalogue = folder / "catalogue.yaml"
    catalogue.write_text("\n".join(lines) + "\n", encoding="utf-8")
    units = folder / "units.csv"
    units.write_text(
        f"code,name,type,parent,country\n{UNIT},Large office,city_county,,PL\n", encoding="utf-8"
    )
    process_map = folder / "map.csv"
    process_map.write_text(
        "code,name,group,owner,output,cost_variable,output_variable\n"
        + "".join(
            f"{code},Process {code},Group {i % 12},{owners[i % len(owners)]},cases,{code}_COST,{code}_OUT\n"
            for i, code in enumerate(codes)
        ),
        encoding="utf-8",
    )
    return {
        "catalogue": catalogue,
        "units": units,
        "map": process_map,
        "workbook": workbook(folder, data, "costing.xlsx"),
    }


def workbook(folder: Path, data: dict, name: str) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, header in (
        ("departments", ["department", "name", "kind", "fte", "personnel_cost", "other_cost"]),
        ("allocation", ["department", "process", "percent"]),
        ("outputs", ["process", "output", "direct_cost"]),
    ):
        sheet = book.create_sheet(title)
        sheet.append(header)
        for row in data[title]:
            sheet.append(list(row))
    path = folder / name
    book.save(path)
    return path


def build(folder: Path, departments: int, processes: int) -> dict:
    from miara.accounts.scope import OPERATOR
    from miara.accounts.services import user_add
    from miara.catalogue.services import catalogue_load
    from miara.processes.services import costing_load, processes_load
    from miara.units.services import units_load

    data = office_data(departments, processes)
    files = write_files(folder, departments, processes, data)
    say("loading the office, its catalogue and its process map")
    units_load(path=files["units"])
    catalogue_load(path=files["catalogue"])
    processes_load(path=files["map"], unit_code=UNIT, acting_user=OPERATOR)
    manager, _ = user_add(
        username="mike", role="manager", unit_codes=[UNIT], password="Correct-horse-42"
    )
    say(f"loading the costing: {len(data['allocation']):,} cells of the survey")
    started = time.perf_counter()
    report = costing_load(
        path=files["workbook"], unit_code=UNIT, period=PERIOD, acting_user=manager
    )
    say(f"first load {1000 * (time.perf_counter() - started):.0f} ms: {report.summary()}")
    return {"data": data, "files": files, "manager": manager, "folder": folder}


# --- a pandas reference ---------------------------------------------------------------------


def pandas_costing(departments, allocation, outputs, processes):
    """The costing of methodology.md with pandas: cost per process and unit cost."""
    import pandas as pd

    primary = departments[departments["kind"] == "primary"]
    support_total = departments.loc[departments["kind"] == "support", "cost"].sum()
    joined = allocation.merge(primary, on="department")
    joined["department_cost"] = joined["cost"] * joined["share"]
    joined["staff"] = joined["fte"] * joined["share"]
    by_process = joined.groupby("process")[["department_cost", "staff"]].sum()
    frame = (
        pd.DataFrame(index=pd.Index(processes, name="process"))
        .join(by_process)
        .join(outputs.set_index("process"))
    )
    frame[["department_cost", "staff", "direct_cost"]] = frame[
        ["department_cost", "staff", "direct_cost"]
    ].fillna(0.0)
    total_staff = frame["staff"].sum()
    frame["support_cost"] = support_total * frame["staff"] / total_staff if total_staff > 0 else 0.0
    frame["cost"] = frame["department_cost"] + frame["support_cost"] + frame["direct_cost"]
    output = frame["output"].where(frame["output"] != 0)
    frame["unit_cost"] = frame["cost"] / output
    return frame


def frames_of(data: dict):
    import polars as pl

    departments = pl.DataFrame(
        [(c, k, f, p + o) for c, _n, k, f, p, o in data["departments"]],
        schema={"department": pl.String, "kind": pl.String, "fte": pl.Float64, "cost": pl.Float64},
        orient="row",
    )
    allocation = pl.DataFrame(
        [(d, p, percent / 100) for d, p, percent in data["allocation"]],
        schema={"department": pl.String, "process": pl.String, "share": pl.Float64},
        orient="row",
    )
    outputs = pl.DataFrame(
        data["outputs"],
        schema={"process": pl.String, "output": pl.Float64, "direct_cost": pl.Float64},
        orient="row",
    )
    as_pandas = tuple(f.to_pandas() for f in (departments, allocation, outputs))
    return (departments, allocation, outputs), as_pandas


# --- measurements ----------------------------------------------------------------------------


def median_ms(function, repeat: int, *, warm: bool = True) -> float:
    if warm:
        function()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def measure(world: dict, repeat: int, processes: int) -> list[tuple[str, float, int | None, str]]:
    from django.test import Client
    from django.urls import reverse

    from miara.engine.costing import compute_costing
    from miara.processes.selectors import costing_result
    from miara.processes.services import costing_load
    from miara.processes.survey import allocation_cell_save
    from miara.units.models import Unit

    codes = process_codes(processes)
    (departments, allocation, outputs), (pd_departments, pd_allocation, pd_outputs) = frames_of(
        world["data"]
    )
    rows = []
    engine_ms = median_ms(
        lambda: compute_costing(departments, allocation, outputs, processes=codes), repeat
    )
    pandas_ms = median_ms(
        lambda: pandas_costing(pd_departments, pd_allocation, pd_outputs, codes), repeat
    )
    engine = compute_costing(departments, allocation, outputs, processes=codes).processes
    reference = pandas_costing(pd_departments, pd_allocation, pd_outputs, codes)
    np.testing.assert_allclose(engine["cost"].to_numpy(), reference["cost"].to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(
        engine["unit_cost"].to_numpy().astype(float),
        reference["unit_cost"].to_numpy().astype(float),
        rtol=1e-12,
    )
    rows.append(
        (
            "costing, engine alone",
            engine_ms,
            TARGETS_MS["costing"],
            "compute_costing on frames in memory",
        )
    )
    rows.append(
        (
            "costing, pandas reference",
            pandas_ms,
            None,
            "the same costing with pandas merge/groupby (equal results)",
        )
    )

    unit = Unit.objects.get(code=UNIT)
    manager = world["manager"]
    rows.append(
        (
            "costing, read as the pages do",
            median_ms(
                lambda: costing_result(unit=unit, period=PERIOD, acting_user=manager), repeat
            ),
            TARGETS_MS["costing"],
            "selectors.costing_result: database read + engine",
        )
    )

    data = dict(world["data"])
    loads = []
    for i in range(max(3, repeat // 3)):
        data["outputs"] = [(p, (o or 0) + i + 1, d) for p, o, d in world["data"]["outputs"]]
        path = workbook(world["folder"], data, f"costing-{i}.xlsx")
        start = time.perf_counter()
        costing_load(path=path, unit_code=UNIT, period=PERIOD, acting_user=manager)
        loads.append((time.perf_counter() - start) * 1000)
    rows.append(
        (
            "costing_load of the whole workbook",
            statistics.median(loads),
            None,
            "read, check, replace the period, write 300 variables (values_save)",
        )
    )

    client = Client()
    client.force_login(manager)
    url = reverse("costing:cell", args=[UNIT])
    department, process, start_percent = world["data"]["allocation"][0]
    read = start_percent
    request_times = []
    for i in range(repeat + 1):
        percent = round(start_percent - 0.01 * ((i % 5) + 1), 2)
        started = time.perf_counter()
        response = client.post(
            url,
            {
                "period": PERIOD,
                "department": department,
                "process": process,
                "percent": str(percent),
                "read": str(read),
            },
        )
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(
                f"the cell answered {response.status_code}: {response.content[:300]!r}"
            )
        read = percent
        if i:
            request_times.append(elapsed)
    rows.append(
        (
            "save one survey cell",
            statistics.median(request_times),
            TARGETS_MS["cell"],
            "POST costing:cell (whole request, costs rewritten into the variables)",
        )
    )
    service_times = []
    for i in range(repeat):
        percent = round(start_percent - 0.01 * ((i % 5) + 1), 2)
        if percent == read:
            percent = round(percent + 0.005, 3)
        started = time.perf_counter()
        allocation_cell_save(
            acting_user=manager,
            unit=unit,
            period=PERIOD,
            department=department,
            process=process,
            percent=percent,
            read_percent=read,
        )
        service_times.append((time.perf_counter() - started) * 1000)
        read = percent
    rows.append(
        (
            "save one survey cell, service alone",
            statistics.median(service_times),
            TARGETS_MS["cell"],
            "allocation_cell_save",
        )
    )

    survey_url = reverse("costing:survey", args=[UNIT]) + f"?period={PERIOD}"
    costing_url = reverse("costing:costing", args=[UNIT]) + f"?period={PERIOD}"
    rows.append(
        (
            "survey page",
            median_ms(lambda: client.get(survey_url), max(3, repeat // 3)),
            None,
            "GET, the grid of inputs",
        )
    )
    rows.append(
        (
            "costing page",
            median_ms(lambda: client.get(costing_url), max(3, repeat // 3)),
            None,
            "GET, table, chart, previous period",
        )
    )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--departments", type=int, default=40)
    parser.add_argument("--processes", type=int, default=150)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--database", default=DATABASE)
    args = parser.parse_args()
    database("create", args.database)
    try:
        setup_django(args.database)
        with tempfile.TemporaryDirectory() as folder:
            world = build(Path(folder), args.departments, args.processes)
            rows = measure(world, args.repeat, args.processes)
    finally:
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        if not args.keep:
            database("drop", args.database)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"miara costing benchmark: {args.departments} departments x {args.processes} processes, "
        f"PostgreSQL, median of {args.repeat}; {os.cpu_count()} CPUs, load average {load}\n"
    )
    print(f"{'measure':<40} {'median':>10} {'target':>9}        how")
    for name, ms, target, how in rows:
        verdict = "" if target is None else ("ok" if ms <= target else "SLOW")
        target_text = f"{target} ms" if target else ""
        print(f"{name:<40} {ms:7.1f} ms {target_text:>9}  {verdict:<4}  {how}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
