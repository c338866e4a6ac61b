"""Email reminders to the units that have not yet submitted their data for a cycle.

Plain text, one message per person (listing all of their units that still owe data),
sent through Django's mail backend: the console in the demo, SMTP in production.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import formats
from django.utils.translation import gettext as _

from miara.accounts.audit import audit_record
from miara.accounts.models import User
from miara.accounts.scope import is_coordinator, unit_staff
from miara.collection.models import Cycle, SubmissionState

# States in which the unit still owes the coordinator its data.
WAITING = (SubmissionState.DRAFT, SubmissionState.RETURNED, SubmissionState.REOPENED)


def _entry_path(submission) -> str:
    """The questionnaire the unit fills in; the overview if the entry pages are absent."""
    try:
        return reverse("collection:entry_form", args=[submission.cycle_id, submission.unit.code])
    except NoReverseMatch:
        return reverse("home")


def reminder_recipients(*, cycle: Cycle) -> dict[User, list]:
    """Active editors and managers with an email address, each with the submissions of
    their units that are still waiting (draft, returned or reopened)."""
    waiting = list(
        cycle.submissions.filter(state__in=WAITING).select_related("unit").order_by("unit__code")
    )
    by_unit = {s.unit_id: s for s in waiting}
    people: dict[User, list] = {}
    users = (
        unit_staff()
        .filter(units__in=list(by_unit))
        .exclude(email="")
        .distinct()
        .prefetch_related("units")
        .order_by("username")
    )
    for user in users:
        mine = [by_unit[u.pk] for u in user.units.all() if u.pk in by_unit]
        if mine:
            people[user] = sorted(mine, key=lambda s: s.unit.code)
    return people


def _message(*, user, cycle: Cycle, submissions: list, base_url: str) -> tuple[str, str]:
    deadline = (
        formats.date_format(cycle.deadline, "DATE_FORMAT") if cycle.deadline else _("not set")
    )
    subject = _("Reminder: data for %(cycle)s") % {"cycle": cycle.name}
    lines = [
        _("Hello %(name)s,") % {"name": user.get_full_name() or user.username},
        "",
        _(
            "The data of the following units for “%(cycle)s” (period %(period)s) have not been submitted yet:"
        )
        % {"cycle": cycle.name, "period": cycle.period},
        "",
    ]
    for submission in submissions:
        lines.append(
            f"- {submission.unit.name} ({submission.unit.code}): "
            f"{submission.get_state_display()} — {base_url}{_entry_path(submission)}"
        )
    lines += [
        "",
        _("Deadline: %(deadline)s") % {"deadline": deadline},
        "",
        _("This is an automatic message from miara, sent by the programme coordinator."),
    ]
    return subject, "\n".join(lines) + "\n"


def cycle_send_reminders(
    cycle: Cycle, acting_user, *, base_url: str = "", channel: str = "web"
) -> int:
    """Email every editor and manager of the units whose submission is still waiting;
    returns how many messages were sent. Coordinators only; recorded in the audit log.

    `base_url` (e.g. "https://miara.example.org") makes the links absolute.
    """
    if not is_coordinator(acting_user):
        raise PermissionDenied
    base_url = base_url.rstrip("/")
    sent = 0
    recipients = reminder_recipients(cycle=cycle)
    for user, submissions in recipients.items():
        subject, body = _message(user=user, cycle=cycle, submissions=submissions, base_url=base_url)
        sent += send_mail(subject, body, None, [user.email])
    with transaction.atomic():
        audit_record(
            user=acting_user,
            action="cycle.remind",
            channel=channel,
            summary=f"{cycle.name} ({cycle.period}): {sent} reminder(s)",
            details={
                "cycle": cycle.pk,
                "sent": sent,
                "recipients": sorted(user.username for user in recipients),
                "units": sorted({s.unit.code for subs in recipients.values() for s in subs}),
            },
        )
    return sent
