"""Writes of good practices: propose (create), update, submit, review (comment, return
with a reason, accept), publish, withdraw, attach files.

Who does what (issue 13):

* a unit's managers and editors propose practices for their unit and change them while
  they are drafts or returned; they submit them for review and may withdraw them;
* experts and coordinators review submitted practices: comment, return with a reason,
  accept;
* a coordinator publishes an accepted practice (accepting is a judgement of content,
  publishing a decision of the programme); a coordinator may also publish a submitted
  practice at once, which records both steps.

Each function authorises, checks the whole input first, writes in one transaction and
records an audit entry. A change naming a version other than the stored one is refused
(`PracticeConflict`).
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from miara.accounts.audit import audit_record
from miara.accounts.models import Role
from miara.accounts.scope import can_see_unit, is_coordinator, is_operator, reads_all_units
from miara.catalogue.models import Indicator, ServiceArea
from miara.practices import attachments as files
from miara.practices.models import Attachment, Practice, ReviewEntry, attachments_dir
from miara.units.models import Unit

State = Practice.State
EDITABLE = (State.DRAFT, State.RETURNED)
IN_REVIEW = (State.SUBMITTED, State.ACCEPTED)


class PracticeInputError(ValueError):
    """Input that cannot be a practice; `field` names what is wrong."""

    def __init__(self, message: str, field: str = ""):
        self.field = field
        super().__init__(message)


class PracticeNotFound(LookupError):
    """No such practice, or one the user may not read: the same answer for both."""


class PracticeConflict(Exception):
    def __init__(self, *, title: str, given: int, stored: int):
        self.title, self.given, self.stored = title, given, stored
        super().__init__(
            _(
                "The practice “%(title)s” was changed meanwhile (you had version %(given)s, "
                "stored is version %(stored)s); reload it and try again."
            )
            % {"title": title, "given": given, "stored": stored}
        )


# --- who may do what -------------------------------------------------------------------


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def belongs_to(user, unit: Unit) -> bool:
    """Whether the user is one of the unit's own people."""
    if not _active(user) or is_operator(user):
        return False
    return user.units.filter(pk=unit.pk).exists()


def may_author(user, unit: Unit) -> bool:
    """A unit's managers and editors propose and change its practices (and the operator)."""
    if is_operator(user):
        return True
    return _active(user) and user.role in (Role.MANAGER, Role.EDITOR) and belongs_to(user, unit)


def is_reviewer(user) -> bool:
    """Experts and coordinators review practices."""
    return is_operator(user) or (
        reads_all_units(user) and (is_coordinator(user) or user.role == Role.EXPERT)
    )


def may_publish(user) -> bool:
    return is_operator(user) or is_coordinator(user)


def may_read(user, practice: Practice) -> bool:
    """Published practices: everyone (the public too). The others: the author unit's
    people; reviewers once the practice left the draft."""
    if practice.state == State.PUBLISHED or is_operator(user):
        return True
    if not _active(user):
        return False
    if belongs_to(user, practice.unit):
        return True
    return is_reviewer(user) and practice.state != State.DRAFT


def practice_for(*, acting_user, practice_id) -> Practice:
    practice = Practice.objects.select_related("unit", "area", "author").filter(pk=practice_id)
    practice = practice.first()
    if practice is None or not may_read(acting_user, practice):
        raise PracticeNotFound(practice_id)
    return practice


def _check_version(practice: Practice, version: int | None) -> None:
    if version is not None and version != practice.version:
        raise PracticeConflict(title=practice.title, given=version, stored=practice.version)


def _locked(practice_id: int) -> Practice:
    return Practice.objects.select_for_update().select_related("unit").get(pk=practice_id)


# --- checks of the input ---------------------------------------------------------------


@dataclass
class PracticeData:
    """What an author states about a practice; indicators and the area are codes."""

    title: str
    started_on: datetime.date
    problem: str = ""
    what_was_done: str = ""
    results: str = ""
    cost: Decimal | float | str | None = None
    currency: str = ""
    effort: str = ""
    contact: str = ""
    area: str | None = None
    indicators: list[str] = field(default_factory=list)
    named: bool = False


TEXT_LIMIT = 20_000


def _checked(data: PracticeData) -> dict:
    title = (data.title or "").strip()
    if not title:
        raise PracticeInputError(_("a practice needs a title"), "title")
    if len(title) > 200:
        raise PracticeInputError(_("the title is longer than 200 characters"), "title")
    for name in ("problem", "what_was_done", "results"):
        if len(getattr(data, name) or "") > TEXT_LIMIT:
            raise PracticeInputError(
                _("the text is longer than %(limit)s characters") % {"limit": TEXT_LIMIT}, name
            )
    for name in ("effort", "contact"):
        if len(getattr(data, name) or "") > 200:
            raise PracticeInputError(_("the text is longer than 200 characters"), name)
    if not isinstance(data.started_on, datetime.date):
        raise PracticeInputError(_("the start date is not a date"), "started_on")
    cost = None
    if data.cost not in (None, ""):
        try:
            cost = Decimal(str(data.cost).replace(" ", "").replace("\u00a0", "").replace(",", "."))
        except InvalidOperation:
            raise PracticeInputError(_("the cost is not a number"), "cost") from None
        if not cost.is_finite() or cost < 0 or cost >= Decimal("1e12"):
            raise PracticeInputError(_("the cost must be a number from 0"), "cost")
        cost = cost.quantize(Decimal("0.01"))
    currency = (data.currency or "").strip().upper()
    if currency and not (len(currency) == 3 and currency.isalpha() and currency.isascii()):
        raise PracticeInputError(_("a currency is three letters, e.g. PLN or CZK"), "currency")
    if cost is not None and not currency:
        raise PracticeInputError(_("say the currency of the cost"), "currency")
    area = None
    if data.area:
        area = ServiceArea.objects.filter(code=data.area).first()
        if area is None:
            raise PracticeInputError(
                _("there is no service area “%(code)s”") % {"code": data.area}, "area"
            )
    indicators = []
    for code in dict.fromkeys(str(c).strip() for c in data.indicators if str(c).strip()):
        indicator = Indicator.objects.filter(code=code).first()
        if indicator is None:
            raise PracticeInputError(
                _("there is no indicator “%(code)s”") % {"code": code}, "indicators"
            )
        indicators.append(indicator)
    return {
        "title": title,
        "problem": data.problem or "",
        "what_was_done": data.what_was_done or "",
        "results": data.results or "",
        "cost": cost,
        "currency": currency,
        "effort": (data.effort or "").strip(),
        "contact": (data.contact or "").strip(),
        "area": area,
        "started_on": data.started_on,
        "named": bool(data.named),
        "indicators": indicators,
    }


def unit_for(*, unit_code: str, acting_user) -> Unit:
    unit = Unit.objects.filter(code=unit_code).first()
    if unit is None or not (is_operator(acting_user) or can_see_unit(acting_user, unit)):
        raise PracticeInputError(
            _("there is no unit with the code “%(code)s”") % {"code": unit_code}, "unit"
        )
    return unit


def _user_or_none(user):
    return None if is_operator(user) or not _active(user) else user


# --- writes ----------------------------------------------------------------------------


def practice_create(
    *, acting_user, unit_code: str, data: PracticeData, submit: bool = False, channel="web"
) -> Practice:
    """Propose a practice of the unit (a draft, or submitted at once)."""
    unit = unit_for(unit_code=unit_code, acting_user=acting_user)
    if not may_author(acting_user, unit):
        raise PermissionDenied(
            _("Only the managers and editors of %(unit)s may propose its practices.")
            % {"unit": unit.code}
        )
    values = _checked(data)
    indicators = values.pop("indicators")
    with transaction.atomic():
        practice = Practice.objects.create(
            unit=unit,
            author=_user_or_none(acting_user),
            state=State.SUBMITTED if submit else State.DRAFT,
            **values,
        )
        practice.indicators.set(indicators)
        if submit:
            _entry(practice, acting_user, ReviewEntry.Kind.SUBMIT, "")
        audit_record(
            user=acting_user,
            action="practice.create",
            summary=f"{unit.code}: {practice.title}",
            details={"practice": practice.pk, "state": practice.state},
            channel=channel,
        )
    return practice


def practice_update(
    *, acting_user, practice_id: int, data: PracticeData, version: int, channel="web"
) -> Practice:
    """Change what a draft or returned practice says."""
    practice = practice_for(acting_user=acting_user, practice_id=practice_id)
    if not may_author(acting_user, practice.unit):
        raise PermissionDenied
    values = _checked(data)
    indicators = values.pop("indicators")
    with transaction.atomic():
        practice = _locked(practice.pk)
        _check_version(practice, version)
        if practice.state not in EDITABLE:
            raise PracticeInputError(
                _("A practice can be changed only while it is a draft or returned."), "state"
            )
        for name, value in values.items():
            setattr(practice, name, value)
        practice.version += 1
        practice.save()
        practice.indicators.set(indicators)
        audit_record(
            user=acting_user,
            action="practice.update",
            summary=f"{practice.unit.code}: {practice.title}",
            details={"practice": practice.pk, "version": practice.version},
            channel=channel,
        )
    return practice


def _entry(practice, user, kind, text) -> ReviewEntry:
    return ReviewEntry.objects.create(
        practice=practice, author=_user_or_none(user), kind=kind, text=text
    )


# action -> (who may, states it applies to, new state or None, entry kind, reason needed)
def _rules():
    return {
        "submit": ("author", EDITABLE, State.SUBMITTED, ReviewEntry.Kind.SUBMIT, False),
        "comment": ("reviewer", (*IN_REVIEW, State.RETURNED), None, ReviewEntry.Kind.COMMENT, True),
        "return": ("reviewer", IN_REVIEW, State.RETURNED, ReviewEntry.Kind.RETURN, True),
        "accept": ("reviewer", (State.SUBMITTED,), State.ACCEPTED, ReviewEntry.Kind.ACCEPT, False),
        "publish": (
            "publisher",
            (State.SUBMITTED, State.ACCEPTED),
            State.PUBLISHED,
            ReviewEntry.Kind.PUBLISH,
            False,
        ),
        "withdraw": (
            "author",
            (State.DRAFT, State.SUBMITTED, State.RETURNED, State.ACCEPTED, State.PUBLISHED),
            State.WITHDRAWN,
            ReviewEntry.Kind.WITHDRAW,
            False,
        ),
    }


ACTIONS = ("submit", "comment", "return", "accept", "publish", "withdraw")


def allowed_actions(user, practice: Practice) -> list[str]:
    """The actions the user may take on the practice in its present state."""
    found = []
    for action, (who, states, _new, _kind, _reason) in _rules().items():
        if practice.state in states and _may(who, user, practice):
            found.append(action)
    return found


def _may(who: str, user, practice: Practice) -> bool:
    if who == "author":
        return may_author(user, practice.unit)
    if who == "reviewer":
        return is_reviewer(user)
    return may_publish(user)


def practice_act(
    *,
    acting_user,
    practice_id: int,
    action: str,
    text: str = "",
    version: int | None,
    channel="web",
) -> Practice:
    """Take one review step: submit, comment, return (with a reason), accept, publish,
    withdraw. Publishing a submitted practice records its acceptance too."""
    practice = practice_for(acting_user=acting_user, practice_id=practice_id)
    rules = _rules()
    if action not in rules:
        raise PracticeInputError(_("“%(action)s” is not a review step") % {"action": action})
    who, states, new_state, kind, reason_needed = rules[action]
    if not _may(who, acting_user, practice):
        raise PermissionDenied
    text = (text or "").strip()
    if reason_needed and not text:
        raise PracticeInputError(
            _("Say why the practice is returned.")
            if action == "return"
            else _("A comment needs some text."),
            "text",
        )
    if len(text) > TEXT_LIMIT:
        raise PracticeInputError(
            _("the text is longer than %(limit)s characters") % {"limit": TEXT_LIMIT}, "text"
        )
    with transaction.atomic():
        practice = _locked(practice.pk)
        _check_version(practice, version)
        if practice.state not in states:
            raise PracticeInputError(
                _("This review step is not possible while the practice is %(state)s.")
                % {"state": practice.get_state_display()}
            )
        if action == "publish" and practice.state == State.SUBMITTED:
            _entry(practice, acting_user, ReviewEntry.Kind.ACCEPT, "")
        _entry(practice, acting_user, kind, text)
        if new_state is not None:
            practice.state = new_state
            if new_state == State.PUBLISHED:
                practice.published_at = timezone.now()
            practice.version += 1
            practice.save()
        audit_record(
            user=acting_user,
            action=f"practice.{action}",
            summary=f"{practice.unit.code}: {practice.title}",
            details={"practice": practice.pk, "state": practice.state},
            channel=channel,
        )
    return practice


def attachment_add(*, acting_user, practice_id: int, name: str, data: bytes, channel="web"):
    """Attach a checked file (the authors, while they may change the practice)."""
    practice = practice_for(acting_user=acting_user, practice_id=practice_id)
    if not may_author(acting_user, practice.unit):
        raise PermissionDenied
    if practice.state not in EDITABLE:
        raise PracticeInputError(
            _("Files can be attached only while the practice is a draft or returned."), "file"
        )
    checked = files.check_upload(name, data)
    stored = uuid.uuid4().hex + "." + checked.filename.rpartition(".")[2]
    folder = attachments_dir() / str(practice.pk)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / stored
    with transaction.atomic():
        attachment = Attachment.objects.create(
            practice=practice,
            filename=checked.filename,
            stored_name=stored,
            content_type=checked.content_type,
            size=len(checked.data),
            uploaded_by=_user_or_none(acting_user),
        )
        audit_record(
            user=acting_user,
            action="practice.attach",
            summary=f"{practice.unit.code}: {practice.title}: {checked.filename}",
            details={"practice": practice.pk, "attachment": attachment.pk},
            channel=channel,
        )
        # The file is written last, inside the transaction: a failed write rolls the row
        # back; a rolled-back row leaves at most an orphan file nobody can reach.
        path.write_bytes(checked.data)
    return attachment
