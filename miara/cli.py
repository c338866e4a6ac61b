"""The `miara` command (contracts.md). Thin: parse arguments, call one service, report.

Exit status 0 on success, 1 on bad input (with plain-words errors on stderr), 2 on
wrong usage. Long operations show a progress bar on a terminal.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "miara.settings")
    import django

    django.setup()


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = 0
    if not 0 <= port <= 65535:  # 0: any free port
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0-65535)")
    return port


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="miara", description="Benchmarking and performance management for local governments."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser("demo", help="create the demo database and serve it")
    demo.add_argument("--port", type=_port, default=8000, help="port to serve on (default 8000)")
    demo.add_argument("--no-serve", action="store_true", help="prepare the demo database and stop")

    serve = commands.add_parser(
        "serve",
        help="serve miara with a production WSGI server (waitress; gunicorn with --workers)",
    )
    serve.add_argument("--port", type=_port, default=8000, help="default 8000")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--threads", type=int, default=8, help="threads per worker process")
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes accepting on the same port (one per CPU core in production)",
    )

    commands.add_parser("migrate", help="create or upgrade the database schema")

    load = commands.add_parser(
        "load", help="load a catalogue, units or values file (all or nothing)"
    )
    load.add_argument(
        "kind", choices=["catalogue", "units", "values", "processes", "costing", "targets"]
    )
    load.add_argument("file", type=Path)
    load.add_argument("--unit", metavar="CODE", help="processes, costing: the office")
    load.add_argument(
        "--model",
        action="store_true",
        help="processes: the file is the programme's model process catalogue (no --unit)",
    )
    load.add_argument("--period", metavar="P", help="costing: the period (2025, 2025-Q1, 2025-03)")

    compute = commands.add_parser("compute", help="compute indicators and all group statistics")
    compute.add_argument(
        "--period", action="append", metavar="P", help="only this period (repeatable)"
    )
    compute.add_argument(
        "--final",
        action="store_true",
        help="final results: accepted submissions only (default: provisional, submitted + accepted)",
    )

    publish = commands.add_parser(
        "publish",
        help="publish a period's results to the public (after the disclosure audit)",
        description="Publish a period's final results to the public pages and open-data API. "
        "Groups of fewer than K units, and groups whose totals would give away a smaller "
        "group by difference, are withheld. Without a collection cycle the final results "
        "are computed first; with submissions not yet accepted the period is refused.",
    )
    publish.add_argument("--period", required=True, metavar="P", help="the period, e.g. 2024")
    publish.add_argument(
        "--embargo-until",
        metavar="DATE",
        help="invisible to the public until this date (YYYY-MM-DD)",
    )
    publish.add_argument(
        "--threshold",
        metavar="K",
        help="the fewest units a public group may have (default: the programme's, at least 3)",
    )
    publish.add_argument(
        "--visibility",
        choices=["named", "anonymised"],
        help="how participants see each other (default: unchanged)",
    )
    publish.add_argument(
        "--retract",
        action="store_true",
        help="take the period's publication off the public pages (needs --reason)",
    )
    publish.add_argument(
        "--reason", metavar="TEXT", help="with --retract: why, shown to the public"
    )

    export = commands.add_parser("export", help="export results or values")
    export.add_argument(
        "what", choices=["results", "values", "costing", "targets", "context", "index"]
    )
    export.add_argument("--index", metavar="CODE", help="index: the composite index's code")
    export.add_argument(
        "--unit",
        action="append",
        metavar="CODE",
        help="costing: the office; targets: only these units (repeatable)",
    )
    export.add_argument("-o", "--output", required=True, type=Path)
    export.add_argument("--format", choices=["csv", "xlsx", "json"])
    export.add_argument("--indicator", action="append", metavar="CODE")
    export.add_argument("--period", action="append", metavar="P")
    export.add_argument("--group", action="append", metavar="CODE")
    export.add_argument(
        "--variable",
        action="append",
        metavar="CODE",
        help="context: a context variable of the fit (repeatable; default POPULATION)",
    )

    dea = commands.add_parser(
        "dea", help="efficiency frontier (data envelopment analysis) of one period"
    )
    dea.add_argument("--inputs", required=True, metavar="A,B", help="input variables")
    dea.add_argument("--outputs", required=True, metavar="C,D", help="output variables")
    dea.add_argument("--period", required=True, metavar="P")
    dea.add_argument("--orientation", choices=["input", "output"], default="input")
    dea.add_argument("--returns", choices=["constant", "variable"], default="constant")
    dea.add_argument("--group", metavar="CODE", help="only the units of this peer group")
    dea.add_argument("--super", action="store_true", help="score is the super-efficiency score")
    dea.add_argument("-o", "--output", required=True, type=Path)
    dea.add_argument("--format", choices=["csv", "xlsx", "json"])

    malmquist = commands.add_parser(
        "malmquist", help="productivity change between two periods (Malmquist index)"
    )
    malmquist.add_argument("--inputs", required=True, metavar="A,B", help="input variables")
    malmquist.add_argument("--outputs", required=True, metavar="C,D", help="output variables")
    malmquist.add_argument("--from", dest="period_from", required=True, metavar="P1")
    malmquist.add_argument("--to", dest="period_to", required=True, metavar="P2")
    malmquist.add_argument("--orientation", choices=["output", "input"], default="output")
    malmquist.add_argument("--group", metavar="CODE", help="only the units of this peer group")
    malmquist.add_argument("-o", "--output", required=True, type=Path)
    malmquist.add_argument("--format", choices=["csv", "xlsx", "json"])

    report = commands.add_parser(
        "report", help="write benchmark reports: one unit's PDF or workbook, or every unit's"
    )
    which = report.add_mutually_exclusive_group(required=True)
    which.add_argument("--unit", metavar="CODE", help="the unit's report, written to -o FILE")
    which.add_argument(
        "--all", action="store_true", help="every unit's report, written into -o DIR"
    )
    report.add_argument("--period", required=True, metavar="P")
    report.add_argument("--group", default="all", metavar="CODE", help="peer group (default all)")
    report.add_argument("--language", default="pl", choices=["pl", "cs", "en"])
    report.add_argument(
        "--format",
        choices=["pdf", "xlsx", "both"],
        help="with --all (default pdf); for one unit the file's suffix decides",
    )
    report.add_argument("-o", "--output", required=True, type=Path)

    remind = commands.add_parser(
        "remind",
        help="e-mail the owners of project tasks or audit findings that are due soon or overdue",
    )
    remind.add_argument("what", choices=["tasks", "findings"])
    remind.add_argument(
        "--within-days", type=int, default=7, metavar="N", help="due within N days (default 7)"
    )
    remind.add_argument(
        "--base-url",
        default="",
        metavar="URL",
        help="makes the links absolute, e.g. https://miara.example.org",
    )

    user = commands.add_parser("user", help="manage users")
    user_commands = user.add_subparsers(dest="user_command", required=True)
    add = user_commands.add_parser("add", help="create or update a user")
    add.add_argument("username")
    add.add_argument(
        "--role", required=True, choices=["coordinator", "expert", "manager", "editor"]
    )
    add.add_argument("--unit", action="append", default=[], metavar="CODE")
    add.add_argument("--password")

    token = commands.add_parser("token", help="manage API tokens")
    token_commands = token.add_subparsers(dest="token_command", required=True)
    create = token_commands.add_parser("create", help="print a new API token for a user")
    create.add_argument("username")
    create.add_argument(
        "--expires-in-days",
        type=int,
        metavar="N",
        help="the token stops working N days from now (default: it works until revoked)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    _setup_django()
    from miara import commands

    try:
        return commands.run(args) or 0
    except KeyboardInterrupt:
        print("interrupted; nothing half-written was kept", file=sys.stderr)
        return 130
    except commands.USER_ERRORS as error:
        print(commands.describe(error), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
