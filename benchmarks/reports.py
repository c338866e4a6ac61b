#!/usr/bin/env python
"""Time of miara's benchmark reports on the demo programme (43 units, 57 indicators, 5 years).

    python benchmarks/reports.py                      # fresh demo database under benchmarks/out/
    python benchmarks/reports.py --var /tmp/reports-var   # reuse a demo prepared by `miara demo`
    python benchmarks/reports.py --repeat 5 --batch-units 10

Measures, in one process as the server's runner builds them:

* one unit's PDF: the first one (the chart renderer starts up) and the median of
  `--repeat` further ones, for different units; target < 5 s;
* one unit's Excel workbook, the median of `--repeat`;
* the whole-programme batch: a ReportJob for every unit of the group `all` (PDF), run by
  `runner.run_pending()` exactly as the background thread runs it, total and per unit.

Progress goes to stderr, the table to stdout. Not a test: the figures depend on the
machine and on what else it is doing, so the load average is printed with them, and the
CPU time (of all threads) beside the wall-clock time of each PDF.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--var", type=Path, default=REPO / "benchmarks" / "out" / "reports-var")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--language", default="pl", choices=["pl", "cs", "en"])
    parser.add_argument(
        "--batch-units", type=int, default=0, help="limit the batch to N units (0: all)"
    )
    args = parser.parse_args()

    args.var.mkdir(parents=True, exist_ok=True)
    os.environ["MIARA_VAR_DIR"] = str(args.var)
    os.environ.setdefault("MIARA_DATABASE_URL", f"sqlite:///{args.var / 'miara.sqlite3'}")
    os.environ["MIARA_REPORTS_IN_BACKGROUND"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "miara.settings")
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.core.management import call_command

    from miara.accounts.models import User
    from miara.accounts.scope import OPERATOR
    from miara.analytics.selectors import computed_periods
    from miara.demo.setup import demo_prepare
    from miara.reports import runner
    from miara.reports.models import ReportJob
    from miara.reports.services import programme_units, report_build, report_job_create

    call_command("migrate", interactive=False, verbosity=0)
    demo_prepare(progress=log)
    period = computed_periods()[0]
    units = programme_units(period=period, group="all")
    log(f"{len(units)} units, period {period}, language {args.language}")

    def cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)  # all threads, the renderer's too
        return usage.ru_utime + usage.ru_stime

    cpu_times: dict[str, list[float]] = {"pdf": [], "xlsx": []}

    def build(unit, fmt: str) -> float:
        started, cpu_started = time.perf_counter(), cpu()
        content = report_build(
            user=OPERATOR, unit=unit, period=period, group="all", language=args.language, fmt=fmt
        )
        assert content, "empty report"
        cpu_times[fmt].append(cpu() - cpu_started)
        return time.perf_counter() - started

    first_pdf = build(units[0], "pdf")
    first_cpu = cpu_times["pdf"].pop()
    log(f"first PDF {first_pdf:.2f} s")
    pdfs = [build(unit, "pdf") for unit in units[1 : 1 + args.repeat]]
    log(f"PDFs {[round(t, 2) for t in pdfs]}")
    xlsxs = [build(unit, "xlsx") for unit in units[: args.repeat]]

    coordinator = User.objects.filter(role="coordinator", is_active=True).first()
    job = report_job_create(
        user=coordinator,
        kind=ReportJob.Kind.PROGRAMME,
        period=period,
        group="all",
        language=args.language,
        fmt="pdf",
        channel="cli",
    )
    if args.batch_units:
        job.units.set(units[: args.batch_units])
        ReportJob.objects.filter(pk=job.pk).update(progress_total=args.batch_units)
    batch_units = job.units.count()
    log(f"batch of {batch_units} PDFs ...")
    started = time.perf_counter()
    runner.run_pending()
    batch = time.perf_counter() - started
    job.refresh_from_db()
    assert job.state == "done", job.error
    size = job.output_path().stat().st_size

    load = os.getloadavg()
    pdf_cpu = statistics.median(cpu_times["pdf"])
    rows = [
        (
            "one unit's PDF, first in the process",
            f"{first_pdf:.2f} s (CPU {first_cpu:.2f} s)",
            "< 5 s",
        ),
        (
            f"one unit's PDF, median of {len(pdfs)}",
            f"{statistics.median(pdfs):.2f} s (CPU {pdf_cpu:.2f} s)",
            "< 5 s",
        ),
        (f"one unit's XLSX, median of {len(xlsxs)}", f"{statistics.median(xlsxs):.2f} s", ""),
        (
            f"whole programme, {batch_units} PDFs (zip {size / 1e6:.1f} MB)",
            f"{batch:.1f} s ({batch / batch_units:.2f} s per unit)",
            "",
        ),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"miara reports on the demo programme — {os.cpu_count()} CPUs, load {load[0]:.1f}")
    for name, figure, target in rows:
        print(f"  {name:<{width}}  {figure:>32}  {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
