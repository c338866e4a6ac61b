"""A hand-worked office for the tests: its process map and its costing workbook.

Office A1, period 2025:

  departments  kind     FTE  personnel + other = cost pool
  BUILD        primary   4     300 000 + 100 000 = 400 000
  REG          primary   2      80 000 +  20 000 = 100 000
  IT           support   1      50 000 +  10 000 =  60 000        all pools: 560 000

  allocation   BUILD: PERMIT 50 %, ZONING 30 % (80 % used)    REG: REGISTER 100 %
  outputs      PERMIT 400, direct 5 000; ZONING 0; REGISTER (none), direct 1 000

  department cost   PERMIT 200 000, ZONING 120 000, REGISTER 100 000
  allocated staff   PERMIT 2, ZONING 1.2, REGISTER 2; Σh = 5.2
  support cost      PERMIT 60 000·2/5.2 = 23 076.923…, ZONING 60 000·1.2/5.2 = 13 846.153…,
                    REGISTER 23 076.923…
  process cost      PERMIT 228 076.923…, ZONING 133 846.153…, REGISTER 124 076.923…,
                    ARCHIVE (in the map, no data) 0
  unit cost         PERMIT 228 076.923…/400 = 570.192…; the others none (0, missing)
  unassigned        400 000 · 20 % = 80 000
  conservation      486 000 + 80 000 = 566 000 = 560 000 pools + 6 000 direct
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

MAP = (
    "code,name,group,parent_group,owner,output,legal_deadline_days,cost_variable,output_variable\n"
    "PERMIT,Building permits,Construction,Public services,BUILD,decisions issued,60,"
    "PERMIT_STAFF_COST,PERMITS_ISSUED\n"
    "ZONING,Zoning decisions,Construction,Public services,BUILD,decisions issued,30,,\n"
    "REGISTER,Population register,Registers,Public services,REG,entries,,,\n"
    "ARCHIVE,Archive,Internal,,REG,files kept,,,\n"
)

EXPECTED = {
    # process: department_cost, support_cost, direct_cost, cost, output, unit_cost
    "ARCHIVE": (0.0, 0.0, 0.0, 0.0, None, None),
    "PERMIT": (
        200_000.0,
        60_000 * 2 / 5.2,
        5_000.0,
        200_000 + 60_000 * 2 / 5.2 + 5_000,
        400.0,
        (200_000 + 60_000 * 2 / 5.2 + 5_000) / 400,
    ),
    "REGISTER": (
        100_000.0,
        60_000 * 2 / 5.2,
        1_000.0,
        100_000 + 60_000 * 2 / 5.2 + 1_000,
        None,
        None,
    ),
    "ZONING": (120_000.0, 60_000 * 1.2 / 5.2, 0.0, 120_000 + 60_000 * 1.2 / 5.2, 0.0, None),
}

DEPARTMENTS = [
    ["department", "name", "kind", "fte", "personnel_cost", "other_cost"],
    ["BUILD", "Construction office", "primary", 4, 300_000, 100_000],
    ["REG", "Registry office", "primary", 2, 80_000, 20_000],
    ["IT", "Information technology", "support", 1, 50_000, 10_000],
]
ALLOCATION = [
    ["department", "process", "percent"],
    ["BUILD", "PERMIT", 50],
    ["BUILD", "ZONING", 30],
    ["REG", "REGISTER", 100],
]
OUTPUTS = [
    ["process", "output", "direct_cost"],
    ["PERMIT", 400, 5_000],
    ["ZONING", 0, None],
    ["REGISTER", None, 1_000],
]


def map_file(folder: Path, text: str = MAP, name: str = "map.csv") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def costing_file(
    folder: Path,
    departments=DEPARTMENTS,
    allocation=ALLOCATION,
    outputs=OUTPUTS,
    name: str = "costing.xlsx",
) -> Path:
    """The workbook with the given sheets' rows (None leaves a sheet out)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in (
        ("departments", departments),
        ("allocation", allocation),
        ("outputs", outputs),
    ):
        if rows is None:
            continue
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    path = folder / name
    workbook.save(path)
    return path
