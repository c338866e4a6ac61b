"""What each `miara` sub-command does, once Django is set up (see cli.py)."""

from __future__ import annotations

import sys

from django.core.exceptions import ValidationError
from tqdm import tqdm

from miara.accounts.services import AccountError
from miara.analytics.services import ComputeError
from miara.collection.services import ValueConflict
from miara.engine.errors import EngineError
from miara.fileio import FileProblem
from miara.reports.errors import ReportRequestError

USER_ERRORS = (
    FileProblem,
    EngineError,
    ComputeError,
    AccountError,
    ValueConflict,
    ValidationError,
    ReportRequestError,
)


def describe(error: Exception) -> str:
    if isinstance(error, FileProblem):
        return error.report()
    if isinstance(error, ValueConflict):
        return "\n".join(
            f"{c.unit} {c.variable} {c.period}: you had version {c.given_version}, stored is version {c.stored_version} ({c.stored_value})"
            for c in error.conflicts
        )
    if isinstance(error, ValidationError):
        return "; ".join(error.messages)
    return f"error: {error}"


def say(text: str) -> None:
    print(text, flush=True)


def _progress(description: str):
    """A tqdm bar on a terminal, silent otherwise; returns the callback services take."""
    bar = tqdm(desc=description, unit="period", disable=None, file=sys.stderr, leave=False)

    def update(label: str, done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.set_postfix_str(label)
        bar.refresh()
        if done >= total:
            bar.close()

    return update


def run(args) -> int:
    handler = {
        "demo": demo,
        "serve": serve,
        "migrate": migrate,
        "load": load,
        "compute": compute,
        "export": export,
        "report": report,
        "user": user,
        "token": token,
        "remind": remind,
        "publish": publish,
        "dea": dea,
        "malmquist": malmquist,
    }[args.command]
    handler = PROCESS_COMMANDS.get((args.command, getattr(args, "kind", args.command)), handler)
    handler = PROCESS_COMMANDS.get((args.command, getattr(args, "what", args.command)), handler)
    return handler(args)


def remind(args) -> int:
    """`miara remind tasks`: e-mail every owner of a project task not done that is overdue
    or due within --within-days (through Django's mail back end; the console by default);
    `miara remind findings`: the same for the owners of audit findings."""
    from miara.accounts.scope import OPERATOR
    from miara.assurance.reminders import finding_reminders_send
    from miara.improvement.reminders import task_reminders_send

    if args.what == "findings":
        sent = finding_reminders_send(
            acting_user=OPERATOR, within_days=args.within_days, base_url=args.base_url
        )
        say(f"{sent} reminder(s) of audit findings sent")
        return 0
    sent = task_reminders_send(
        acting_user=OPERATOR, within_days=args.within_days, base_url=args.base_url
    )
    say(f"{sent} reminder(s) of project tasks sent")
    return 0


def migrate(args=None, verbosity: int = 1) -> int:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)
    return 0


def load(args) -> int:
    if args.kind == "catalogue":
        from miara.catalogue.services import catalogue_load

        report = catalogue_load(path=args.file)
        say(f"{args.file.name}: {report.summary()}")
    elif args.kind == "units":
        from miara.units.services import units_load

        report = units_load(path=args.file)
        say(f"{args.file.name}: {report.summary()}")
    else:
        from miara.collection.services import values_load

        steps = ["reading", "checking", "writing"]
        with tqdm(
            total=len(steps), desc=args.file.name, disable=None, file=sys.stderr, leave=False
        ) as bar:

            def advance(name: str) -> None:
                bar.n = steps.index(name)
                bar.set_postfix_str(name)
                bar.refresh()

            report = values_load(path=args.file, progress=advance)
        say(f"{args.file.name}: {report.summary()}")
    return 0


def compute(args) -> int:
    from miara.analytics.services import compute as compute_results

    result_sets = compute_results(
        periods=args.period,
        kind="final" if args.final else "provisional",
        progress=_progress("computing"),
    )
    for result_set in result_sets:
        basis = (
            f"{result_set.submission_count} submissions"
            if result_set.basis == "cycle"
            else "loaded values"
        )
        say(
            f"{result_set.period} ({result_set.status}, {basis}): {result_set.indicator_count} indicators, {result_set.row_count} unit results ({result_set.seconds:.1f} s)"
        )
    return 0


def publish(args) -> int:
    """`miara publish --period P [--embargo-until DATE] [--threshold K] [--retract --reason T]`."""
    from django.core.exceptions import PermissionDenied

    from miara.accounts.scope import OPERATOR
    from miara.publication.services import (
        PublicationError,
        publication_publish,
        publication_retract,
    )

    try:
        if args.retract:
            if args.embargo_until or args.threshold or args.visibility:
                print("miara publish --retract takes only --period and --reason", file=sys.stderr)
                return 2
            publication = publication_retract(
                acting_user=OPERATOR, period=args.period, reason=args.reason, channel="cli"
            )
            say(f"{publication.period}: publication retracted; the public pages say so")
            return 0
        if args.reason:
            print("--reason goes with --retract", file=sys.stderr)
            return 2
        done = publication_publish(
            acting_user=OPERATOR,
            period=args.period,
            threshold=args.threshold,
            embargo_until=args.embargo_until,
            visibility=args.visibility,
            channel="cli",
        )
    except (PublicationError, PermissionDenied) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    publication = done.publication
    if done.computed is not None:
        basis = (
            "every submission accepted"
            if done.computed.basis == "cycle"
            else "from loaded values; the period has no collection cycle"
        )
        say(
            f"{publication.period}: computed final results first "
            f"(result set #{done.computed.pk}, {basis})"
        )
    if not done.created:
        say(
            f"{publication.period} is already published from result set #{publication.result_set_id} "
            "with these settings; nothing changed"
        )
        return 0
    summary = publication.audit_summary
    when = (
        f"public from {publication.embargo_until.isoformat()}"
        if publication.embargo_until
        else "public now"
    )
    previous = publication.previous
    revision = ""
    if previous is not None:
        revision = (
            " again"
            if previous.result_set_id == publication.result_set_id
            else f" as a revision of result set #{previous.result_set_id}"
        )
    say(
        f"{publication.period}: published{revision} result set #{publication.result_set_id} "
        f"({publication.result_set.status}), threshold {publication.threshold}, {when}; "
        f"withheld {summary.get('threshold', 0)} groups below the threshold and "
        f"{summary.get('differencing', 0)} to protect a smaller group"
    )
    return 0


def export(args) -> int:
    from miara.fileio.writing import format_of, write_frame

    fmt = format_of(args.output, args.format)
    if args.what == "results":
        from miara.analytics.selectors import (
            EXTRA_COLUMNS,
            RESULT_COLUMNS,
            RESULT_SCHEMA,
            iter_results,
        )
        from miara.fileio.writing import write_frames

        columns = RESULT_COLUMNS + EXTRA_COLUMNS
        frames = (
            f.select(columns)
            for f in iter_results(periods=args.period, indicators=args.indicator, groups=args.group)
        )
        rows = write_frames(
            frames, args.output, fmt, schema={c: RESULT_SCHEMA[c] for c in columns}, sheet="results"
        )
        say(f"{args.output}: {rows} rows")
        return 0
    from miara.collection.selectors import values_frame

    frame = values_frame(periods=args.period, with_comment=True).drop("version")
    frame = frame.sort("unit", "variable", "period")
    write_frame(frame, args.output, fmt, sheet=args.what)
    say(f"{args.output}: {frame.height} rows")
    return 0


def report(args) -> int:
    from miara.accounts.scope import OPERATOR
    from miara.reports.services import (
        check_request,
        programme_units,
        report_build,
        report_filename,
    )
    from miara.units.models import Unit

    if args.unit:
        fmt = args.output.suffix.lower().lstrip(".")
        if fmt not in ("pdf", "xlsx"):
            raise ReportRequestError(f"{args.output}: the file must end in .pdf or .xlsx")
        check_request(period=args.period, language=args.language, fmt=fmt)
        unit = Unit.objects.filter(code=args.unit).first()
        if unit is None:
            raise ReportRequestError(f"no unit with the code {args.unit!r}")
        content = report_build(
            user=OPERATOR,
            unit=unit,
            period=args.period,
            group=args.group,
            language=args.language,
            fmt=fmt,
        )
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_bytes(content)
        say(f"{args.output}: {unit.name}, {args.period}, {args.group} ({len(content)} bytes)")
        return 0
    formats = ["pdf", "xlsx"] if args.format == "both" else [args.format or "pdf"]
    for fmt in formats:
        check_request(period=args.period, language=args.language, fmt=fmt)
    units = programme_units(period=args.period, group=args.group)
    if not units:
        raise ReportRequestError(
            f"no unit has results in the group {args.group!r} for {args.period}"
        )
    args.output.mkdir(parents=True, exist_ok=True)
    jobs = [(unit, fmt) for unit in units for fmt in formats]
    with tqdm(total=len(jobs), desc="reports", unit="file", disable=None, file=sys.stderr) as bar:
        for unit, fmt in jobs:
            bar.set_postfix_str(unit.code)
            content = report_build(
                user=OPERATOR,
                unit=unit,
                period=args.period,
                group=args.group,
                language=args.language,
                fmt=fmt,
            )
            name = report_filename(
                unit=unit, period=args.period, group=args.group, language=args.language, fmt=fmt
            )
            (args.output / name).write_bytes(content)
            bar.update()
    say(f"{args.output}: {len(jobs)} reports of {len(units)} units")
    return 0


def user(args) -> int:
    from miara.accounts.services import user_add

    account, generated = user_add(
        username=args.username, role=args.role, unit_codes=args.unit, password=args.password
    )
    say(
        f"user {account.username}: {account.role}"
        + (f" for {', '.join(args.unit)}" if args.unit else "")
    )
    if generated:
        say(f"password: {generated}")
    return 0


def token(args) -> int:
    from miara.accounts.models import User
    from miara.accounts.services import AccountError, token_create

    account = User.objects.filter(username=args.username).first()
    if account is None:
        raise AccountError(f"no user {args.username!r}; create one with `miara user add`")
    print(token_create(user=account, expires_in_days=args.expires_in_days))
    return 0


def _pending_migrations() -> bool:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def serve(args) -> int:
    from waitress import serve as waitress_serve

    from miara.wsgi import application

    problem = _port_problem(args.host, args.port, command=f"miara {args.command}")
    if problem:
        print(problem, file=sys.stderr)
        return 1
    if _pending_migrations():
        print("the database schema is not up to date; run `miara migrate` first", file=sys.stderr)
        return 1
    threads = getattr(args, "threads", 8)
    workers = getattr(args, "workers", 1)
    if workers < 1 or threads < 1:
        print("--workers and --threads must be at least 1", file=sys.stderr)
        return 2
    say(f"miara is serving http://{args.host}:{args.port}/ (stop with Ctrl+C)")
    if workers == 1:
        _start_report_runner()
        waitress_serve(application, host=args.host, port=args.port, threads=threads, ident="miara")
        return 0
    return _serve_workers(application, args.host, args.port, workers, threads)


def _port_problem(host: str, port: int, *, command: str) -> str | None:
    """Why the server could not listen on host:port, in words; None when it can.

    Binding as waitress will (SO_REUSEADDR) and letting go at once; another program can
    still take the port in between, but the common case (a second server, another
    project on 8000) gets a sentence instead of a traceback.
    """
    import errno
    import socket

    try:
        socket.create_server((host, port)).close()
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            reason = f"port {port} on {host} is already in use by another program"
        elif error.errno == errno.EACCES:
            reason = f"this user may not listen on port {port} on {host}"
        else:
            reason = f"cannot listen on {host}:{port} ({error.strerror})"
        other = 8101 if port != 8101 else 8102
        return f"error: {reason}; choose another port, e.g. `{command} --port {other}`" + (
            f" (or `make demo PORT={other}`)" if command == "miara demo" else ""
        )
    return None


def _start_report_runner() -> None:
    from miara.reports import runner

    # Report jobs run in the server's processes (a job is claimed by one of them only);
    # the runner first requeues the jobs that a previous run left unfinished.
    runner.start()


def _serve_workers(application, host: str, port: int, workers: int, threads: int) -> int:
    """Several worker processes on one port, with gunicorn (POSIX only).

    Python runs one thread at a time per process, so one process uses one core however
    many threads it has; a national programme's server needs a process per core.
    gunicorn's master loads miara once, forks the workers, spreads connections over them
    through one listening socket, replaces a worker that dies, and on SIGTERM lets the
    workers finish their requests (up to 30 s) before it stops. Its threaded workers keep
    idle keep-alive connections out of the request threads, so a busy server queues
    connections in the kernel's backlog rather than warning about its own queue.
    """
    from django.db import connections

    try:
        from gunicorn.app.base import BaseApplication
    except ImportError:  # Windows: gunicorn needs fork()
        print("--workers needs a POSIX system (Linux, macOS); use --threads", file=sys.stderr)
        return 2

    def post_fork(server, worker):
        # Threads do not survive fork: each worker runs its own report runner (a job is
        # claimed by one runner only).
        _start_report_runner()

    options = {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        # Connections wait in the kernel while every thread is busy; 2048 absorbs bursts
        # of hundreds of clients (capped by the system's somaxconn).
        "backlog": 2048,
        "keepalive": 5,
        "graceful_timeout": 30,
        # A worker whose main loop is stuck this long is replaced (requests run in
        # threads, so a slow page does not count).
        "timeout": 120,
        "preload_app": True,
        "post_fork": post_fork,
        "proc_name": "miara",
        # gunicorn's control socket lives at one path per user: two servers would share it.
        "control_socket_disable": True,
        "errorlog": "-",
        "loglevel": "info",
    }

    class Server(BaseApplication):
        def load_config(self):
            for key, value in options.items():
                if key == "control_socket_disable" and key not in self.cfg.settings:
                    continue  # gunicorn before 25 has no control socket
                self.cfg.set(key, value)

        def load(self):
            return application

    connections.close_all()  # each worker opens its own database connections
    Server().run()
    return 0


def demo(args) -> int:
    from miara.demo.setup import DemoRefused, demo_build

    if not args.no_serve:
        # Before the build, not after it: a taken port should not cost a minute's wait.
        problem = _port_problem("127.0.0.1", args.port, command="miara demo")
        if problem:
            print(problem, file=sys.stderr)
            return 1
    try:
        logins = demo_build(progress=say)
    except DemoRefused as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    say("")
    say("Demo logins (username / password):")
    for username, role, password in logins:
        say(f"  {username:<12} {password:<18} {role}")
    if args.no_serve:
        return 0
    args.host = "127.0.0.1"
    return serve(args)


# --- the process-managed office: `load processes`, `load costing`, `export costing` ---


def _process_command(function):
    """Run a process command; refusals print in plain words and exit 1."""
    import functools

    @functools.wraps(function)
    def run_refusing(args) -> int:
        from django.core.exceptions import PermissionDenied

        from miara.processes.services import ProcessRequestError

        try:
            return function(args)
        except (ProcessRequestError, PermissionDenied) as error:
            print(f"error: {error}", file=sys.stderr)
            return 1

    return run_refusing


def _required(args, *options: str) -> str | None:
    missing = [f"--{o}" for o in options if not getattr(args, o, None)]
    if missing:
        return f"miara {args.command} {getattr(args, 'kind', None) or args.what} needs {' and '.join(missing)}"
    return None


@_process_command
def load_processes(args) -> int:
    from miara.accounts.scope import OPERATOR
    from miara.processes.services import model_catalogue_load, processes_load

    if getattr(args, "model", False):
        if args.unit:
            print("miara load processes takes --model or --unit, not both", file=sys.stderr)
            return 2
        report = model_catalogue_load(path=args.file, acting_user=OPERATOR)
        say(f"{args.file.name} (model process catalogue): {report.summary()}")
        return 0
    if problem := _required(args, "unit"):
        print(problem, file=sys.stderr)
        return 2
    report = processes_load(path=args.file, unit_code=args.unit, acting_user=OPERATOR)
    say(f"{args.file.name} ({args.unit}): {report.summary()}")
    return 0


@_process_command
def load_costing(args) -> int:
    from miara.accounts.scope import OPERATOR
    from miara.processes.services import costing_load

    if problem := _required(args, "unit", "period"):
        print(problem, file=sys.stderr)
        return 2
    report = costing_load(
        path=args.file, unit_code=args.unit, period=args.period, acting_user=OPERATOR
    )
    say(f"{args.file.name} ({args.unit}, {args.period}): {report.summary()}")
    return 0


@_process_command
def export_costing(args) -> int:
    from miara.accounts.scope import OPERATOR
    from miara.fileio.writing import format_of, write_frame
    from miara.processes.selectors import costing_export

    if problem := _required(args, "unit", "period"):
        print(problem, file=sys.stderr)
        return 2
    if len(args.period) > 1 or len(args.unit) > 1:
        print("miara export costing takes one --unit and one --period", file=sys.stderr)
        return 2
    fmt = format_of(args.output, args.format)
    frame = costing_export(unit_code=args.unit[0], period=args.period[0], acting_user=OPERATOR)
    write_frame(frame, args.output, fmt, sheet="costing")
    say(f"{args.output}: {frame.height} processes")
    return 0


def export_context(args) -> int:
    """`miara export context`: one indicator's expected values given context variables
    (methodology.md, "Context-fair comparison"), every unit of the group."""
    import polars as pl

    from miara.accounts.scope import OPERATOR
    from miara.analytics.context import ContextChoiceError, context_choice, context_comparison
    from miara.analytics.selectors import computed_periods
    from miara.catalogue.models import Indicator, PeerGroup
    from miara.fileio.writing import format_of, write_frame

    if problem := _required(args, "indicator", "period"):
        print(problem, file=sys.stderr)
        return 2
    if len(args.indicator) > 1 or len(args.period) > 1 or len(args.group or []) > 1:
        print("miara export context takes one --indicator, --period and --group", file=sys.stderr)
        return 2
    period, group = args.period[0], (args.group or ["all"])[0]
    indicator = Indicator.objects.filter(code=args.indicator[0]).first()
    if indicator is None:
        print(f"error: unknown indicator {args.indicator[0]}", file=sys.stderr)
        return 1
    if period not in computed_periods():
        print(f"error: no computed results for period {period}", file=sys.stderr)
        return 1
    if group != "all" and not PeerGroup.objects.filter(code=group).exists():
        print(f"error: unknown group {group}", file=sys.stderr)
        return 1
    try:
        variables = context_choice(args.variable)
    except ContextChoiceError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    comparison = context_comparison(
        user=OPERATOR,
        indicator=indicator,
        period=period,
        group=group,
        unit=None,
        variables=variables,
    )
    fit = comparison.fit
    if not fit.fitted:
        print(
            f"error: no fit: {fit.reason.replace('_', ' ')} "
            f"({fit.n} units have every value; a fit on {len(variables)} variables needs {fit.needed})",
            file=sys.stderr,
        )
        return 1
    rows = sorted(comparison.rows, key=lambda r: r.label.code)
    frame = pl.DataFrame(
        {
            "indicator": [indicator.code] * len(rows),
            "period": [period] * len(rows),
            "group": [group] * len(rows),
            "n": [fit.n] * len(rows),
            "r_squared": [fit.r_squared] * len(rows),
            "unit": [r.label.code for r in rows],
            "value": [r.value for r in rows],
            "expected": [r.expected for r in rows],
            "against_expectation": [r.against for r in rows],
            **{v: [r.context[i] for r in rows] for i, v in enumerate(variables)},
        }
    )
    write_frame(frame, args.output, format_of(args.output, args.format), sheet="context")
    say(f"{args.output}: {frame.height} units, R² {fit.r_squared:.3f}")
    return 0


# --- targets: `load targets`, `export targets` (contracts.md, "Targets file and export") ---


def _targets_command(function):
    """Run a targets command; refusals print in plain words and exit 1."""
    import functools

    @functools.wraps(function)
    def run_refusing(args) -> int:
        from django.core.exceptions import PermissionDenied

        from miara.targets.services import TargetInputError

        try:
            return function(args)
        except (TargetInputError, PermissionDenied) as error:
            print(f"error: {error}", file=sys.stderr)
            return 1

    return run_refusing


@_targets_command
def load_targets(args) -> int:
    from miara.accounts.scope import OPERATOR
    from miara.targets.services import targets_load

    if args.unit or args.period:
        print(
            "miara load targets takes no --unit or --period: the file names them", file=sys.stderr
        )
        return 2
    report = targets_load(path=args.file, acting_user=OPERATOR)
    say(f"{args.file.name}: {report.summary()}")
    return 0


@_targets_command
def export_targets(args) -> int:
    import polars as pl

    from miara.accounts.scope import OPERATOR
    from miara.fileio.writing import format_of, write_frame
    from miara.targets.selectors import targets_export

    if args.period or args.group:
        print(
            "miara export targets takes --unit and --indicator; a target's period is the "
            "latest one with a value (contracts.md)",
            file=sys.stderr,
        )
        return 2
    fmt = format_of(args.output, args.format)
    frame = targets_export(acting_user=OPERATOR, unit_codes=args.unit)
    if args.indicator:
        frame = frame.filter(pl.col("indicator").is_in(args.indicator))
    write_frame(frame, args.output, fmt, sheet="targets")
    say(f"{args.output}: {frame.height} targets")
    return 0


def export_index(args) -> int:
    """`miara export index --index CODE [--period P ...]` (contracts.md, "Composite indices")."""
    from miara.analytics.index_selectors import index_export_frame
    from miara.catalogue.models import CompositeIndex
    from miara.engine.periods import Period
    from miara.fileio.writing import format_of, write_frame

    if not args.index:
        print("miara export index needs --index CODE", file=sys.stderr)
        return 2
    if args.unit or args.indicator or args.group:
        print("miara export index takes --index and --period only", file=sys.stderr)
        return 2
    index = CompositeIndex.objects.filter(code=args.index).first()
    if index is None:
        known = ", ".join(CompositeIndex.objects.order_by("code").values_list("code", flat=True))
        print(
            f"error: there is no composite index {args.index!r} in the catalogue"
            + (f"; known: {known}" if known else "; load one with `miara load catalogue`"),
            file=sys.stderr,
        )
        return 1
    for period in args.period or []:
        Period.parse(period)  # a clear error for a mistyped period
    fmt = format_of(args.output, args.format)
    frame = index_export_frame(index, periods=args.period)
    write_frame(frame, args.output, fmt, sheet="index")
    say(f"{args.output}: {frame.height} rows")
    if frame.is_empty():
        print(_index_empty_note(index, args.period), file=sys.stderr)
    return 0


def _index_empty_note(index, periods: list[str] | None) -> str:
    """Why an index export has no rows: not computed, or every unit left out."""
    from miara.analytics.index_selectors import index_summary

    reasons = []
    for period in periods or []:
        summary = index_summary(index, period)
        if summary is None:
            reasons.append(f"{period}: not computed; run `miara compute`")
            continue
        texts = [n.get("text", "") for n in summary.notes if n.get("text")]
        if summary.excluded:
            texts.append(
                f"{len(summary.excluded)} units miss more than "
                f"{index.max_missing_percent:g} % of the indicators"
            )
        reasons.append(f"{period}: " + ("; ".join(texts) or "no unit has values"))
    if not reasons:
        reasons.append("no period has scores; run `miara compute` after loading the index")
    return f"note: no scores of {index.code}: " + " | ".join(reasons)


# --- efficiency: `dea`, `malmquist` (contracts.md, "DEA export", "Malmquist export") ---


def _codes(text: str) -> list[str]:
    return [c.strip() for c in text.split(",") if c.strip()]


def _workers(units: int) -> int:
    """Processes for a model: one for small ones (starting another costs about a second),
    else up to four cores."""
    import os

    return 1 if units < 1000 else max(1, min(os.cpu_count() or 1, 4))


def _tell_left_out(result) -> None:
    """Units left out and the model's warnings, on stderr: the file holds the scores."""
    for exclusion in result.excluded:
        print(f"left out: {exclusion.describe()}", file=sys.stderr)
    for warning in result.warnings:
        print(f"warning: {warning.describe()}", file=sys.stderr)


def dea(args) -> int:
    from miara.efficiency.selectors import model_data
    from miara.engine import dea as engine_dea
    from miara.fileio.writing import format_of, write_frame

    fmt = format_of(args.output, args.format)
    model = engine_dea.DeaModel(
        tuple(_codes(args.inputs)),
        tuple(_codes(args.outputs)),
        args.orientation,
        args.returns,
        args.super,
    )
    frame = model_data(variables=list(model.variables), period=args.period, group=args.group or "")
    result = engine_dea.dea(frame, model, workers=_workers(frame.height))
    _tell_left_out(result)
    out = result.frame()
    write_frame(out, args.output, fmt, sheet="dea")
    infeasible = out.filter(out["status"] == engine_dea.INFEASIBLE).height
    note = f", {infeasible} infeasible (no score)" if infeasible else ""
    say(f"{args.output}: {out.height} units scored{note}")
    return 0


def malmquist(args) -> int:
    from miara.efficiency.selectors import model_data
    from miara.engine import malmquist as engine_malmquist
    from miara.fileio.writing import format_of, write_frame

    fmt = format_of(args.output, args.format)
    inputs, outputs = _codes(args.inputs), _codes(args.outputs)
    group = args.group or ""
    before = model_data(variables=inputs + outputs, period=args.period_from, group=group)
    after = model_data(variables=inputs + outputs, period=args.period_to, group=group)
    result = engine_malmquist.malmquist(
        before, after, inputs, outputs, args.orientation, workers=_workers(before.height)
    )
    _tell_left_out(result)
    out = result.frame()
    write_frame(out, args.output, fmt, sheet="malmquist")
    say(f"{args.output}: {out.height} units")
    return 0


PROCESS_COMMANDS = {
    ("export", "index"): export_index,
    ("load", "processes"): load_processes,
    ("load", "costing"): load_costing,
    ("export", "costing"): export_costing,
    ("load", "targets"): load_targets,
    ("export", "targets"): export_targets,
    ("export", "context"): export_context,
}
