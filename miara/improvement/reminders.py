"""E-mail reminders of project tasks that are due soon or overdue.

Plain text, one message per owner listing all their tasks, sent through Django's mail
back end (the console by default, SMTP when configured), like the collection's reminders.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from miara.accounts.audit import audit_record
from miara.accounts.scope import is_coordinator, is_operator
from miara.improvement.selectors import owners_due, today


def _message(user, tasks, on: datetime.date, base_url: str) -> tuple[str, str]:
    subject = _("Reminder: your project tasks")
    lines = [_("Hello %(name)s,") % {"name": user.get_full_name() or user.username}, ""]
    lines.append(_("These tasks of improvement projects are due soon or overdue:"))
    lines.append("")
    for task in tasks:
        mark = _("overdue") if task.due_date < on else _("due")
        url = base_url + reverse("improvement:project", args=[task.project_id])
        lines.append(
            f"- {task.title} ({task.project.title}, {task.project.unit.code}): "
            f"{mark} {task.due_date.isoformat()} — {url}"
        )
    lines += ["", _("This is an automatic message from miara.")]
    return subject, "\n".join(lines) + "\n"


def task_reminders_send(
    *,
    acting_user,
    on: datetime.date | None = None,
    within_days: int = 7,
    base_url: str = "",
    channel: str = "cli",
) -> int:
    """E-mail every owner of a task not done that is overdue or due within `within_days`;
    returns how many messages were sent. The operator or a coordinator; audited."""
    if not (is_operator(acting_user) or is_coordinator(acting_user)):
        raise PermissionDenied
    on = on or today()
    base_url = base_url.rstrip("/")
    people = owners_due(on=on, within_days=within_days)
    sent = 0
    for user, tasks in people.items():
        subject, body = _message(user, tasks, on, base_url)
        sent += send_mail(subject, body, None, [user.email])
    with transaction.atomic():
        audit_record(
            user=acting_user,
            action="improvement.remind",
            channel=channel,
            summary=f"{sent} reminder(s) of project tasks",
            details={
                "sent": sent,
                "on": on.isoformat(),
                "recipients": sorted(u.username for u in people),
                "tasks": sorted(t.pk for tasks in people.values() for t in tasks),
            },
        )
    return sent
