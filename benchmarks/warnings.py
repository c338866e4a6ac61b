#!/usr/bin/env python
"""Warnings per unit when every demo unit enters last year's values + 2 %.

    python benchmarks/warnings.py                # creates and drops miara_bench_warnings
    python benchmarks/warnings.py --no-history   # every value compared with its peers

Creates the PostgreSQL database `miara_bench_warnings` (createdb/dropdb on 127.0.0.1 as
postgres), loads the demo programme, opens a 2025 cycle for every unit, enters each unit's
2024 values × 1.02 and prints, from the findings the questionnaire shows
(`submission_findings`), the distribution of warnings per unit, the units with the most
warnings and the warnings by check. The target (issue 9) is at most 2 warnings per unit;
`miara/demo/tests/test_plus_two_percent.py` asserts it.

`--no-history` switches off the rule that a value consistent with the unit's own previous
value is not an outlier (methodology.md), to see what the comparison per unit of size
achieves on its own.
"""

from __future__ import annotations

import argparse
import functools
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATABASE = "miara_bench_warnings"
PG = ["-h", "127.0.0.1", "-U", "postgres"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-history", action="store_true")
    args = parser.parse_args()
    subprocess.run(["dropdb", *PG, "--if-exists", DATABASE], check=True)
    subprocess.run(["createdb", *PG, DATABASE], check=True)
    try:
        os.environ["MIARA_DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:5432/{DATABASE}"
        os.environ.setdefault("MIARA_SECRET_KEY", "benchmark-only")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "miara.settings")
        sys.path.insert(0, str(REPO))
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        if args.no_history:
            from miara.engine import quality

            quality.check_values = functools.partial(quality.check_values, consistent_change=None)
        from miara.demo.warning_load import plus_two_percent_findings
        from miara.units.models import Unit

        with tempfile.TemporaryDirectory() as folder:
            findings = plus_two_percent_findings(Path(folder))
        names = dict(Unit.objects.values_list("code", "name"))
        warnings = {
            unit: [f for f in found if f["severity"] == "warning"]
            for unit, found in findings.items()
        }
        per_unit = {unit: len(found) for unit, found in warnings.items()}
        print("warnings per unit -> units:", dict(sorted(Counter(per_unit.values()).items())))
        print("total warnings:", sum(per_unit.values()), "max:", max(per_unit.values()))
        print("by check:", dict(Counter(f["check"] for fs in warnings.values() for f in fs)))
        print("errors:", sum(f["severity"] == "error" for fs in findings.values() for f in fs))
        for unit in sorted(per_unit, key=lambda u: -per_unit[u])[:5]:
            checks = Counter(f["check"] for f in warnings[unit])
            print(f"  {names[unit]:<24} {per_unit[unit]:>3}  {dict(checks)}")
    finally:
        from django.db import connections

        connections.close_all()
        subprocess.run(["dropdb", *PG, "--if-exists", DATABASE], check=True)


if __name__ == "__main__":
    main()
