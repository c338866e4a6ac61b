"""E-mail reminders of audit findings whose deadline has passed or comes soon.

Plain text, one message per owner listing all their findings still waiting for their
action, sent through Django's mail back end (the console by default, SMTP when
configured), like the reminders of project tasks.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from miara.accounts.audit import audit_record
from miara.accounts.scope import is_coordinator, is_operator
from miara.assurance.models import Finding
from miara.assurance.selectors import WAITING, today


def owners_due(*, on: datetime.date, within_days: int = 7) -> dict:
    """Owners with an e-mail address and their findings still waiting for the action
    whose deadline has passed or falls within `within_days`."""
    horizon = on + datetime.timedelta(days=within_days)
    findings = (
        Finding.objects.select_related("unit", "owner")
        .filter(state__in=WAITING, deadline__lte=horizon, owner__is_active=True)
        .exclude(Q(owner__email="") | Q(owner__isnull=True))
        .order_by("owner__username", "deadline", "pk")
    )
    people: dict = defaultdict(list)
    for finding in findings:
        people[finding.owner].append(finding)
    return dict(people)


def _message(user, findings, on: datetime.date, base_url: str) -> tuple[str, str]:
    subject = _("Reminder: your audit findings")
    lines = [_("Hello %(name)s,") % {"name": user.get_full_name() or user.username}, ""]
    lines.append(_("The deadlines of these audit findings have passed or come soon:"))
    lines.append("")
    for finding in findings:
        mark = _("overdue") if finding.deadline < on else _("due")
        url = base_url + reverse("assurance:finding", args=[finding.pk])
        lines.append(
            f"- {finding.title} ({finding.unit.code}, {finding.get_state_display()}): "
            f"{mark} {finding.deadline.isoformat()} — {url}"
        )
    lines += ["", _("This is an automatic message from miara.")]
    return subject, "\n".join(lines) + "\n"


def finding_reminders_send(
    *,
    acting_user,
    on: datetime.date | None = None,
    within_days: int = 7,
    base_url: str = "",
    channel: str = "cli",
) -> int:
    """E-mail every owner of a finding waiting past (or near) its deadline; returns how
    many messages were sent. The operator or a coordinator; audited."""
    if not (is_operator(acting_user) or is_coordinator(acting_user)):
        raise PermissionDenied
    on = on or today()
    base_url = base_url.rstrip("/")
    people = owners_due(on=on, within_days=within_days)
    sent = 0
    for user, findings in people.items():
        subject, body = _message(user, findings, on, base_url)
        sent += send_mail(subject, body, None, [user.email])
    with transaction.atomic():
        audit_record(
            user=acting_user,
            action="assurance.remind",
            channel=channel,
            summary=f"{sent} reminder(s) of audit findings",
            details={
                "sent": sent,
                "on": on.isoformat(),
                "recipients": sorted(u.username for u in people),
                "findings": sorted(f.pk for fs in people.values() for f in fs),
            },
        )
    return sent
