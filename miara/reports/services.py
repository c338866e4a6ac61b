"""Writes of the reports app: report jobs, and building one unit's report files.

`report_job_create()` is the one way to ask for reports (authorised, audited); the runner
(`runner.py`) then calls `report_job_run()`. The command line builds files directly with
`report_build()`, acting as the operator (`OPERATOR`), as every `miara` command does.
"""

from __future__ import annotations

import io
import logging
import shutil
import traceback
import zipfile
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from miara.accounts.audit import audit_record
from miara.accounts.scope import reads_all_units, require_unit_access
from miara.analytics.benchmark import current_result_set, unit_peer_groups
from miara.analytics.models import UnitResult
from miara.analytics.selectors import computed_periods
from miara.lib.jobs import job_claim, job_queued_announce, worker_is_gone
from miara.reports.content import unit_report
from miara.reports.errors import ReportRequestError
from miara.reports.excel import unit_report_xlsx
from miara.reports.models import ReportJob, reports_dir
from miara.reports.pdf import unit_report_pdf
from miara.units.models import Unit

log = logging.getLogger(__name__)

# A running job whose runner has not reported for this long is taken to be orphaned (its
# server was stopped): it is queued again, or failed after MAX_ATTEMPTS.
STALE_AFTER = timedelta(minutes=3)
MAX_ATTEMPTS = 3


def languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def formats_of(fmt: str) -> list[str]:
    return ["pdf", "xlsx"] if fmt == ReportJob.Format.BOTH else [fmt]


def report_build(*, user, unit: Unit, period: str, group: str, language: str, fmt: str) -> bytes:
    """One unit's report as PDF or XLSX bytes, read through the user's scope."""
    require_unit_access(user, unit)
    if group not in unit_peer_groups(user=user, unit=unit, period=period):
        raise ReportRequestError(
            _("%(unit)s is not compared within the group “%(group)s” in %(period)s.")
            % {"unit": unit.name, "group": group, "period": period}
        )
    report = unit_report(user=user, unit=unit, period=period, group=group, language=language)
    return unit_report_pdf(report) if fmt == "pdf" else unit_report_xlsx(report)


def report_filename(*, unit: Unit, period: str, group: str, language: str, fmt: str) -> str:
    name = slugify(unit.name) or "unit"
    return f"miara-{unit.code}-{name}-{period}-{group}-{language}.{fmt}"


def programme_units(*, period: str, group: str) -> list[Unit]:
    """The units compared within the group in the period: those a batch produces reports for."""
    result_set = current_result_set(period)
    if result_set is None:
        return []
    ids = (
        UnitResult.objects.filter(result_set=result_set, group=group)
        .values_list("unit_id", flat=True)
        .distinct()
    )
    return list(Unit.objects.filter(pk__in=ids).order_by("name"))


def check_request(*, period: str, language: str, fmt: str) -> None:
    if period not in computed_periods():
        raise ReportRequestError(
            _("No results have been computed for the period “%(period)s”.") % {"period": period}
        )
    if language not in languages():
        raise ReportRequestError(_("Reports are written in Polish, Czech or English."))
    if fmt not in ReportJob.Format.values:
        raise ReportRequestError(_("Choose PDF, Excel or both."))


def report_job_create(
    *,
    user,
    kind: str,
    period: str,
    group: str,
    language: str,
    fmt: str,
    unit: Unit | None = None,
    channel: str = "web",
) -> ReportJob:
    """Queue a report job: one unit's report, or every unit's for a whole programme.

    A unit-scoped user may ask only for their own units; a whole programme only
    coordinators and experts. The job runs in the server's background runner.
    """
    check_request(period=period, language=language, fmt=fmt)
    if kind == ReportJob.Kind.UNIT:
        if unit is None:
            raise ReportRequestError(_("Choose a unit."))
        require_unit_access(user, unit)
        if group not in unit_peer_groups(user=user, unit=unit, period=period):
            raise ReportRequestError(
                _("%(unit)s is not compared within the group “%(group)s” in %(period)s.")
                % {"unit": unit.name, "group": group, "period": period}
            )
        units = [unit]
    elif kind == ReportJob.Kind.PROGRAMME:
        if not reads_all_units(user):
            raise PermissionDenied
        units = programme_units(period=period, group=group)
        if not units:
            raise ReportRequestError(
                _("No unit has results in the group “%(group)s” for %(period)s.")
                % {"group": group, "period": period}
            )
    else:
        raise ReportRequestError(_("Unknown kind of report."))
    with transaction.atomic():
        job = ReportJob.objects.create(
            requested_by=user,
            kind=kind,
            format=fmt,
            period=period,
            group=group,
            language=language,
            progress_total=len(units) * len(formats_of(fmt)),
        )
        job.units.set(units)
        audit_record(
            user=user,
            action="report.requested",
            channel=channel,
            summary=f"report job #{job.pk}: {kind} {fmt} {period} {group} {language}",
            details={
                "job": job.pk,
                "kind": kind,
                "format": fmt,
                "period": period,
                "group": group,
                "language": language,
                "units": [u.code for u in units],
            },
        )
        job_queued_announce()
    return job


def report_job_claim(*, worker: str) -> ReportJob | None:
    """Take the oldest queued job for this runner, or None. Safe with several runners."""
    return job_claim(ReportJob, worker=worker)


def report_job_run(job: ReportJob, *, progress: Callable[[int, int], None] | None = None) -> None:
    """Build a claimed job's files, reporting progress, and store its output under var/.

    The reports are read with the requesting user's scope as it is now, not as it was
    when they asked: someone who lost a unit meanwhile gets no report of it.
    """
    user = job.requested_by
    units = list(job.units.order_by("name"))
    kinds = formats_of(job.format)
    total = len(units) * len(kinds)
    done = 0

    def advance() -> None:
        ReportJob.objects.filter(pk=job.pk).update(
            progress_done=done, progress_total=total, heartbeat_at=timezone.now()
        )
        if progress:
            progress(done, total)

    try:
        if user is None or not user.is_active:
            raise PermissionDenied
        directory = job.directory()
        directory.mkdir(parents=True, exist_ok=True)
        files: list[tuple[str, bytes]] = []
        for unit in units:
            for fmt in kinds:
                content = report_build(
                    user=user,
                    unit=unit,
                    period=job.period,
                    group=job.group,
                    language=job.language,
                    fmt=fmt,
                )
                files.append(
                    (
                        report_filename(
                            unit=unit,
                            period=job.period,
                            group=job.group,
                            language=job.language,
                            fmt=fmt,
                        ),
                        content,
                    )
                )
                done += 1
                advance()
        if job.kind == ReportJob.Kind.UNIT and len(files) == 1:
            name, content = files[0]
        else:
            name = f"miara-reports-{job.period}-{job.group}-{job.language}.zip"
            if job.kind == ReportJob.Kind.UNIT:
                name = f"miara-{units[0].code}-{job.period}-{job.group}-{job.language}.zip"
            content = _zip(files)
        (directory / name).write_bytes(content)
        ReportJob.objects.filter(pk=job.pk).update(
            state=ReportJob.State.DONE,
            output_name=name,
            progress_done=total,
            finished_at=timezone.now(),
        )
    except Exception as error:
        if isinstance(error, PermissionDenied):
            message = _("The person who asked for these reports may no longer see these units.")
        else:
            log.error("report job %s failed:\n%s", job.pk, traceback.format_exc())
            message = f"{type(error).__name__}: {error}"
        ReportJob.objects.filter(pk=job.pk).update(
            state=ReportJob.State.FAILED, error=message, finished_at=timezone.now()
        )


def _zip(files: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files:
            archive.writestr(name, content)
    return buffer.getvalue()


def report_jobs_recover(*, now=None) -> int:
    """Queue again (or fail, after MAX_ATTEMPTS) running jobs whose runner went silent.

    Called when a runner starts and then every minute, so a server restart never leaves
    a job "running": a job whose runner's process has ended (on this machine) is queued
    again at once, any other once its heartbeat is older than STALE_AFTER. Returns how many jobs were recovered.
    """

    now = now or timezone.now()
    running = list(ReportJob.objects.filter(state=ReportJob.State.RUNNING))
    orphaned = [
        job
        for job in running
        if job.heartbeat_at is None
        or job.heartbeat_at < now - STALE_AFTER
        # A restart: the runner's process is gone, so its job need not wait for staleness.
        or worker_is_gone(job.worker)
    ]
    recovered = 0
    for job in orphaned:
        if job.attempts >= MAX_ATTEMPTS:
            changes = {
                "state": ReportJob.State.FAILED,
                "error": _("The report stopped %(n)s times (the server was restarted); giving up.")
                % {"n": job.attempts},
                "finished_at": now,
            }
        else:
            changes = {"state": ReportJob.State.QUEUED, "worker": "", "progress_done": 0}
        recovered += ReportJob.objects.filter(pk=job.pk, state=ReportJob.State.RUNNING).update(
            **changes
        )
    return recovered


def report_files_expire(*, now=None) -> int:
    """Remove the files of reports finished more than `MIARA_REPORTS_KEEP_DAYS` ago, and
    any directory under var/reports/ that no job owns; returns how many jobs lost their
    file. The jobs stay (who asked for what, and when), their page says the file was
    removed. Called by the runner when it starts and then every minute."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.REPORTS_KEEP_DAYS)
    expired = list(
        ReportJob.objects.filter(finished_at__lt=cutoff, files_removed_at__isnull=True).exclude(
            state__in=[ReportJob.State.QUEUED, ReportJob.State.RUNNING]
        )
    )
    for job in expired:
        shutil.rmtree(job.directory(), ignore_errors=True)
    known = set(ReportJob.objects.values_list("pk", flat=True))
    for directory in reports_dir().iterdir():
        if not directory.is_dir():
            continue
        owned = directory.name.isdigit() and int(directory.name) in known
        old = directory.stat().st_mtime < cutoff.timestamp()
        if not owned and old:
            shutil.rmtree(directory, ignore_errors=True)
    if not expired:
        return 0
    with transaction.atomic():
        ReportJob.objects.filter(pk__in=[j.pk for j in expired]).update(files_removed_at=now)
        audit_record(
            user=None,
            action="report.files_removed",
            channel="system",
            summary=f"removed the files of {len(expired)} reports older than "
            f"{settings.REPORTS_KEEP_DAYS} days",
            details={"jobs": [j.pk for j in expired], "keep_days": settings.REPORTS_KEEP_DAYS},
        )
    return len(expired)
