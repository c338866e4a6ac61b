"""Process costing: the cost of each process and of one unit of its output.

Pure: Polars frames in, a `Costing` out; no Django, no database. The definitions are
methodology.md, "Process costing". For one office and one period:

* department cost of p: K_dep(p) = Σ_d C_d · a_dp over primary departments d, where
  C_d = personnel cost + other cost and a_dp is the share (0–1) of d's time spent on p;
* allocated staff of p: h_p = Σ_d F_d · a_dp (F = full-time equivalents);
* support cost of p (direct method): S · h_p / Σ_q h_q, with S = Σ_s C_s over the
  support departments s;
* process cost K(p) = K_dep(p) + support cost of p + direct costs of p;
* unit cost = K(p) / output of p; none when the output is 0 or missing, and
  `unit_cost_reason` says which (`output_zero`, `output_missing`);
* unassigned cost (unused capacity) = Σ_d C_d · (1 − Σ_p a_dp), its own line, never
  spread over processes.

**The edge case Σ_q h_q = 0.** When no staff time of a primary department is allocated
(no allocation at all, or only to departments with no FTE), the support cost S has no
key to be spread by (Σh below `NO_STAFF`, 1e-9 FTE, counts as 0). It is neither
dropped nor spread evenly: it goes to the unassigned line (`unassigned_support`), so
that conservation holds in every case:

    Σ_p K(p) + unassigned cost = Σ of all cost pools + Σ direct costs.

`Costing.unassigned` is `unassigned_primary + unassigned_support`.

Input frames (extra columns are ignored):

* departments: `department: str, kind: str ("primary" | "support"), fte: f64, cost: f64`
  (cost = personnel + other);
* allocation: `department: str, process: str, share: f64` (0–1; only primary departments);
* outputs: `process: str, output: f64 (nullable), direct_cost: f64 (nullable = 0)`;
* processes: the codes of the office's processes (one result row each, in this order),
  to which the processes named in `allocation` and `outputs` are added.

Checking the input (shares over 100 %, negative costs, support departments in the
allocation, unknown codes) is the caller's job; the engine computes what it is given.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl

PRIMARY = "primary"
SUPPORT = "support"

# Allocated staff below this many FTE (a millionth of a minute a year) counts as none:
# the key Σh is then 0, and vectorised division flushes subnormal numbers to zero.
NO_STAFF = 1e-9

OUTPUT_ZERO = "output_zero"
OUTPUT_MISSING = "output_missing"

RESULT_SCHEMA = {
    "process": pl.String,
    "department_cost": pl.Float64,
    "staff": pl.Float64,
    "support_cost": pl.Float64,
    "direct_cost": pl.Float64,
    "cost": pl.Float64,
    "output": pl.Float64,
    "unit_cost": pl.Float64,
    "unit_cost_reason": pl.String,
}


@dataclass(frozen=True)
class Costing:
    """The costing of one office and period.

    `processes` has the columns of RESULT_SCHEMA, one row per process. The totals let
    a reader check conservation: `processes["cost"].sum() + unassigned ==
    total_pools + total_direct` (up to rounding).
    """

    processes: pl.DataFrame
    unassigned_primary: float  # primary departments' time allocated to no process
    unassigned_support: float  # support cost with no allocated staff to spread it by
    total_pools: float
    total_direct: float

    @property
    def unassigned(self) -> float:
        return self.unassigned_primary + self.unassigned_support

    @property
    def total_cost(self) -> float:
        return self.total_pools + self.total_direct


def compute_costing(
    departments: pl.DataFrame,
    allocation: pl.DataFrame,
    outputs: pl.DataFrame,
    processes: Iterable[str] = (),
) -> Costing:
    """Cost per process and per unit of output of one office and period (module docstring)."""
    departments = departments.select(
        pl.col("department").cast(pl.String),
        pl.col("kind").cast(pl.String),
        pl.col("fte").cast(pl.Float64).fill_null(0.0),
        pl.col("cost").cast(pl.Float64).fill_null(0.0),
    )
    allocation = allocation.select(
        pl.col("department").cast(pl.String),
        pl.col("process").cast(pl.String),
        pl.col("share").cast(pl.Float64).fill_null(0.0),
    )
    outputs = outputs.select(
        pl.col("process").cast(pl.String),
        pl.col("output").cast(pl.Float64),
        pl.col("direct_cost").cast(pl.Float64).fill_null(0.0),
    )

    primary = departments.filter(pl.col("kind") == PRIMARY)
    support_total = float(departments.filter(pl.col("kind") == SUPPORT)["cost"].sum())

    # Only primary departments' time is allocated (a support department's is its cost).
    allocated = allocation.join(primary, on="department", how="inner")
    by_process = allocated.group_by("process").agg(
        (pl.col("cost") * pl.col("share")).sum().alias("department_cost"),
        (pl.col("fte") * pl.col("share")).sum().alias("staff"),
    )
    used = allocated.group_by("department").agg(pl.col("share").sum().alias("used"))
    unassigned_primary = float(
        primary.join(used, on="department", how="left")
        .select((pl.col("cost") * (1.0 - pl.col("used").fill_null(0.0))).sum())
        .item()
    )

    order = _process_order(processes, allocation["process"], outputs["process"])
    frame = (
        pl.DataFrame({"process": order}, schema={"process": pl.String})
        .join(by_process, on="process", how="left")
        .join(outputs, on="process", how="left")
        .with_columns(
            pl.col("department_cost").fill_null(0.0),
            pl.col("staff").fill_null(0.0),
            pl.col("direct_cost").fill_null(0.0),
        )
    )
    total_staff = float(frame["staff"].sum())
    if total_staff > NO_STAFF:
        # The share first: h_p / Σh is at most 1, so nothing overflows.
        support = pl.lit(support_total) * (pl.col("staff") / pl.lit(total_staff))
        unassigned_support = 0.0
    else:
        support = pl.lit(0.0)
        unassigned_support = support_total
    frame = frame.with_columns(support.cast(pl.Float64).alias("support_cost")).with_columns(
        (pl.col("department_cost") + pl.col("support_cost") + pl.col("direct_cost")).alias("cost")
    )
    frame = frame.with_columns(
        pl.when(pl.col("output").is_null() | (pl.col("output") == 0))
        .then(None)
        .otherwise(pl.col("cost") / pl.col("output"))
        .alias("unit_cost"),
        pl.when(pl.col("output").is_null())
        .then(pl.lit(OUTPUT_MISSING))
        .when(pl.col("output") == 0)
        .then(pl.lit(OUTPUT_ZERO))
        .otherwise(None)
        .alias("unit_cost_reason"),
    ).select(list(RESULT_SCHEMA))
    return Costing(
        processes=frame.cast(RESULT_SCHEMA),
        unassigned_primary=unassigned_primary,
        unassigned_support=unassigned_support,
        total_pools=float(departments["cost"].sum()),
        total_direct=float(outputs["direct_cost"].sum()),
    )


def _process_order(*sources: Iterable[str]) -> list[str]:
    """The given processes in order, then any others named, first appearance first."""
    seen: dict[str, None] = {}
    for source in sources:
        for code in source:
            if code is not None:
                seen.setdefault(code, None)
    return list(seen)


FLOW_SCHEMA = {"source": pl.String, "kind": pl.String, "process": pl.String, "amount": pl.Float64}
DIRECT = "direct"


def cost_flows(
    departments: pl.DataFrame,
    allocation: pl.DataFrame,
    outputs: pl.DataFrame,
) -> pl.DataFrame:
    """Where the money goes: one row per (source, process) with the amount the source
    gives the process, for a chart of departments → processes.

    Sources are the departments (`kind` primary or support) and the direct costs
    (`source` and `kind` "direct"). A primary department d gives p C_d · a_dp; a support
    department s gives p C_s · h_p / Σh (the direct method, department by department, so
    the support rows add up to `support_cost`); `process` is null for what goes to no
    process (unused capacity, and support cost with no allocated staff). The amounts add
    up to the costing's totals (`compute_costing`): per process to `cost`, the null
    process to `unassigned`, everything to all cost pools + all direct costs.
    """
    departments = departments.select(
        pl.col("department").cast(pl.String),
        pl.col("kind").cast(pl.String),
        pl.col("fte").cast(pl.Float64).fill_null(0.0),
        pl.col("cost").cast(pl.Float64).fill_null(0.0),
    )
    allocation = allocation.select(
        pl.col("department").cast(pl.String),
        pl.col("process").cast(pl.String),
        pl.col("share").cast(pl.Float64).fill_null(0.0),
    )
    primary = departments.filter(pl.col("kind") == PRIMARY)
    support = departments.filter(pl.col("kind") == SUPPORT)
    allocated = allocation.join(primary, on="department", how="inner")
    given = allocated.select(
        pl.col("department").alias("source"),
        pl.lit(PRIMARY).alias("kind"),
        "process",
        (pl.col("cost") * pl.col("share")).alias("amount"),
    )
    used = allocated.group_by("department").agg(pl.col("share").sum().alias("used"))
    unused = (
        primary.join(used, on="department", how="left")
        .select(
            pl.col("department").alias("source"),
            pl.lit(PRIMARY).alias("kind"),
            pl.lit(None, pl.String).alias("process"),
            (pl.col("cost") * (1.0 - pl.col("used").fill_null(0.0))).alias("amount"),
        )
        .filter(pl.col("amount") != 0)
    )
    staff = allocated.group_by("process").agg((pl.col("fte") * pl.col("share")).sum().alias("h"))
    total_staff = float(staff["h"].sum()) if staff.height else 0.0
    if total_staff > NO_STAFF:
        spread = support.join(
            staff.with_columns((pl.col("h") / total_staff).alias("key")), how="cross"
        ).select(
            pl.col("department").alias("source"),
            pl.lit(SUPPORT).alias("kind"),
            "process",
            (pl.col("cost") * pl.col("key")).alias("amount"),
        )
    else:
        spread = support.select(
            pl.col("department").alias("source"),
            pl.lit(SUPPORT).alias("kind"),
            pl.lit(None, pl.String).alias("process"),
            pl.col("cost").alias("amount"),
        )
    direct = outputs.select(
        pl.lit(DIRECT).alias("source"),
        pl.lit(DIRECT).alias("kind"),
        pl.col("process").cast(pl.String),
        pl.col("direct_cost").cast(pl.Float64).fill_null(0.0).alias("amount"),
    ).filter(pl.col("amount") != 0)
    frames = [f.cast(FLOW_SCHEMA) for f in (given, unused, spread, direct)]
    return pl.concat(frames).filter(pl.col("amount") != 0)
