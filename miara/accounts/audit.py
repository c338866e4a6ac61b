"""The one way to write the audit log."""

from __future__ import annotations

from miara.accounts.models import AuditEntry


def audit_record(
    *, user, action: str, summary: str = "", details: dict | None = None, channel: str = "cli"
) -> AuditEntry:
    """Record who did what. Call inside the transaction of the change it describes."""
    return AuditEntry.objects.create(
        user=user if (user is not None and user.is_authenticated) else None,
        action=action,
        channel=channel,
        summary=summary,
        details=details or {},
    )
