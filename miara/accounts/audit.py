"""The one way to write the audit log."""

from __future__ import annotations

from miara.accounts.models import AuditEntry, User


def audit_record(
    *, user, action: str, summary: str = "", details: dict | None = None, channel: str = "cli"
) -> AuditEntry:
    """Record who did what. Call inside the transaction of the change it describes. The
    person at the command line (`scope.OPERATOR`) and anonymous callers are recorded
    without a user."""
    return AuditEntry.objects.create(
        user=user if (isinstance(user, User) and user.is_authenticated) else None,
        action=action,
        channel=channel,
        summary=summary,
        details=details or {},
    )


def load_recorded(
    *, user, action: str, channel: str, file: str, report, about: str = "", details=None
) -> AuditEntry:
    """Record a file load that changed something (`report`: a fileio.LoadReport): which
    file, for what (`about`, e.g. the unit and period), what it created and updated."""
    return audit_record(
        user=user,
        action=action,
        channel=channel,
        summary=f"{about + ' ' if about else ''}{file}: {report.summary()}",
        details={
            **(details or {}),
            "file": file,
            "created": report.created,
            "updated": report.updated,
        },
    )
