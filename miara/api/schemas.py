"""Input and output shapes of the API, one set per endpoint (contracts.md, "REST API").

Each endpoint declares its own schemas, even where two look alike today, so that one
can grow without changing the other.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import StringConstraints, WithJsonSchema, field_validator

from miara.collection.services import MAX_COMMENT
from miara.engine.periods import PERIOD_REGEX, Period, PeriodError

# Limits of one request. A page of 10,000 result rows is about 3 MB of JSON.
MAX_PAGE = 10_000
DEFAULT_PAGE = 1_000
MAX_VALUES_PER_WRITE = 10_000

LanguageMap = dict[str, str]

# --- input strings -----------------------------------------------------------------------
# Every code a caller sends is normalised here, once, before any endpoint authorises or
# looks it up: " B2" and "B2\t" are B2 for the permission check and for the write alike.
# The patterns are part of the published schema, so clients (and fuzzers) know what is
# valid; control characters, NUL above all (PostgreSQL refuses it in text), never are.
NO_CONTROL = r"^[^\x00-\x1f\x7f]*$"
CODE_MAX = 60
UNIT_CODE_MAX = 40
TEXT_MAX = 2000

UnitCode = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=UNIT_CODE_MAX, pattern=NO_CONTROL
    ),
]
Code = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=CODE_MAX, pattern=NO_CONTROL),
]
PeriodCode = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=7, pattern=PERIOD_REGEX)
]
# Free text (comments, names, reasons): line breaks and tabs are fine, NUL is not.
Text = Annotated[str, StringConstraints(max_length=TEXT_MAX, pattern=r"^[^\x00]*$")]


# --- errors ------------------------------------------------------------------------------


class ErrorOut(Schema):
    detail: str = Field(description="What is wrong, in plain words")


class FieldError(Schema):
    index: int | None = Field(
        None, description="Position of the offending item in the request's list, from 0"
    )
    field: str = Field(description="The field (or query parameter) that is wrong")
    message: str


class ValidationErrorOut(Schema):
    detail: list[FieldError]


# --- catalogue ---------------------------------------------------------------------------


class AreaOut(Schema):
    code: str
    name: LanguageMap
    description: LanguageMap


class VariableOut(Schema):
    code: str
    name: LanguageMap
    description: LanguageMap
    unit: str = Field(description="Unit of measure, free text")
    area: str | None
    min: float | None
    max: float | None


class IndicatorOut(Schema):
    code: str
    name: LanguageMap
    description: LanguageMap
    formula: str
    direction: str = Field(description="higher | lower | neutral")
    unit: str
    decimals: int
    area: str | None


class GroupOut(Schema):
    code: str
    name: LanguageMap
    description: LanguageMap
    kind: str = Field(description="all (implicit: every unit with a value) | listed | rule")
    unit_types: list[str]
    context_variable: str | None
    context_min: float | None
    context_max: float | None


# --- units -------------------------------------------------------------------------------


class UnitOut(Schema):
    code: str
    name: str
    type: str
    parent: str | None
    country: str


# --- results -----------------------------------------------------------------------------


class ResultRowOut(Schema):
    """The results export's fields (contracts.md), then the per-unit gaps and change."""

    indicator: str
    period: str
    group: str
    unit: str
    value: float
    rank: int | None
    percentile: float | None
    quartile: int | None
    zscore: float | None
    n: int
    mean: float | None
    median: float | None
    q1: float | None
    q3: float | None
    min: float | None
    max: float | None
    best: float | None
    std: float | None
    gap_to_median: float | None
    gap_to_best: float | None
    change: float | None
    status: str = Field(
        description="provisional | final | revised: the state of the result set the row "
        "comes from (provisional figures may still change)"
    )


class ResultsPageOut(Schema):
    count: int = Field(description="Rows matching the filters, over all pages")
    limit: int
    offset: int
    items: list[ResultRowOut]


# --- values ------------------------------------------------------------------------------


class StoredValueOut(Schema):
    unit: str
    variable: str
    period: str
    value: float | None = Field(description="null means 'not available'")
    comment: str
    version: int = Field(description="Send it back when writing to detect concurrent changes")


class ValuesPageOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[StoredValueOut]


class ValueIn(Schema):
    unit: UnitCode
    variable: Code
    period: PeriodCode = Field(description="2024, 2024-Q1 or 2024-03")
    # Documented as a number or null, but taken as it comes: the endpoint checks it along
    # with codes, periods and bounds, so one answer lists every offending item at once.
    value: Annotated[
        Any,
        WithJsonSchema({"anyOf": [{"type": "number"}, {"type": "null"}]}),
    ] = Field(description="A finite number, or null for 'not available'")
    comment: (
        Annotated[str, StringConstraints(max_length=MAX_COMMENT, pattern=r"^[^\x00]*$")] | None
    ) = Field(None, description="Omit to keep the stored comment")
    version: int | None = Field(
        None,
        ge=0,
        le=2**31 - 1,
        description="The version you read; the write fails with 409 if it changed meanwhile. "
        "0 means 'I expect no value yet'.",
    )


class ValuesWriteIn(Schema):
    values: list[ValueIn] = Field(
        min_length=1,
        max_length=MAX_VALUES_PER_WRITE,
        description="At least one value; an empty list is refused (422), not taken as a "
        "write of nothing, since it is almost always a client's bug",
    )


class WrittenVersionOut(Schema):
    unit: str
    variable: str
    period: str
    version: int


class ValuesWriteOut(Schema):
    created: int
    updated: int
    unchanged: int
    versions: list[WrittenVersionOut] = Field(
        description="The stored version of every value sent, in the order sent"
    )


class ConflictOut(Schema):
    unit: str
    variable: str
    period: str
    given_version: int
    stored_version: int
    given_value: float | None
    stored_value: float | None


class ValuesConflictOut(Schema):
    detail: str
    conflicts: list[ConflictOut]


class LockedValueOut(Schema):
    unit: str
    variable: str
    period: str


class ValuesLockedOut(Schema):
    detail: str
    locked: list[LockedValueOut] = Field(
        description="Values of a submitted or accepted questionnaire; the coordinator must "
        "return or reopen it before they can change"
    )


class HistoryEntryOut(Schema):
    version: int = Field(description="The value's version after this change")
    old_value: float | None
    new_value: float | None
    old_comment: str
    new_comment: str
    channel: str = Field(description="import | form | excel | api")
    user: str | None = Field(description="Username of who made the change; null for the system")
    at: datetime
    source: str = Field(description="File name or request that made the change")


class ValueHistoryOut(Schema):
    unit: str
    variable: str
    period: str
    items: list[HistoryEntryOut] = Field(description="Newest first")


# --- cycles ------------------------------------------------------------------------------


class CycleOut(Schema):
    id: int
    period: str
    name: str
    deadline: date | None
    open: bool
    variables: int = Field(description="Number of questionnaire items")
    units: int = Field(description="Number of units taking part that you may see")


class QuestionnaireItemOut(Schema):
    variable: str
    name: LanguageMap
    unit: str = Field(description="Unit of measure, free text")
    required: bool
    help: LanguageMap


class CycleDetailOut(Schema):
    id: int
    period: str
    name: str
    deadline: date | None
    open: bool
    instructions: dict[str, Any]
    items: list[QuestionnaireItemOut] = Field(description="In the questionnaire's order")


class CycleSubmissionOut(Schema):
    id: int = Field(description="The submission's id, for /submissions/{id}")
    unit: str
    unit_name: str
    state: str = Field(description="draft | submitted | returned | accepted | reopened")
    version: int
    items: int = Field(description="Questionnaire items")
    filled: int = Field(description="Items with a value (not null)")
    required: int = Field(description="Required items")
    required_filled: int = Field(description="Required items with a value")
    errors: int = Field(description="Data-quality errors")
    open_warnings: int = Field(description="Warnings without a justifying comment")
    last_activity: datetime = Field(description="Last change of state or of one of its values")


class CycleIn(Schema):
    period: str = Field(description="2024, 2024-Q1 or 2024-03", pattern=PERIOD_REGEX)
    name: str = Field(min_length=1, max_length=200, pattern=NO_CONTROL)
    deadline: date | None = None
    variables: list[Code] = Field(
        min_length=1, description="Variable codes, in questionnaire order"
    )
    units: list[UnitCode] = Field(min_length=1, description="Codes of the units taking part")
    required: list[Code] | None = Field(
        None, description="Which of `variables` are required; omit to require all"
    )

    @field_validator("period")
    @classmethod
    def _canonical_period(cls, value: str) -> str:
        try:
            parsed = Period.parse(value)
        except PeriodError as error:
            raise ValueError(str(error)) from None
        if parsed.code != value:
            raise ValueError(f"write the period as {parsed.code}")
        return value

    @field_validator("name")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("give the cycle a name")
        return value.strip()

    @field_validator("variables", "units")
    @classmethod
    def _no_duplicates(cls, codes: list[str]) -> list[str]:
        repeated = sorted({c for c in codes if codes.count(c) > 1})
        if repeated:
            raise ValueError(f"listed more than once: {', '.join(repeated)}")
        return codes

    @field_validator("required")
    @classmethod
    def _among_variables(cls, codes: list[str] | None, info) -> list[str] | None:
        asked = set(info.data.get("variables") or [])
        stray = sorted(set(codes or []) - asked)
        if codes is not None and stray:
            raise ValueError(f"not among the variables: {', '.join(stray)}")
        return codes


# --- submissions -------------------------------------------------------------------------


class SubmissionEventOut(Schema):
    from_state: str
    to_state: str
    user: str | None
    at: datetime
    comment: str


class ReviewNoteOut(Schema):
    variable: str | None = Field(description="null for a note on the whole submission")
    text: str
    user: str | None
    at: datetime


class FindingOut(Schema):
    variable: str = Field(description="The variable, or the validation rule's code")
    check: str = Field(description="range | not_finite | required | rule | change | outlier")
    severity: str = Field(description="error | warning")
    detail: str
    value: float | None
    justified: bool = Field(description="A warning whose value carries a justifying comment")
    blocking: bool = Field(description="Errors, and warnings not justified, block submitting")


class SubmissionOut(Schema):
    id: int
    cycle: int
    period: str
    unit: str
    unit_name: str
    state: str = Field(description="draft | submitted | returned | accepted | reopened")
    version: int
    locked: bool = Field(description="Submitted and accepted values cannot be changed")
    updated_at: datetime
    events: list[SubmissionEventOut] = Field(description="Oldest first")
    notes: list[ReviewNoteOut] = Field(description="The coordinator's notes, oldest first")
    findings: list[FindingOut]


class SubmissionStateOut(Schema):
    id: int
    unit: str
    period: str
    state: str
    version: int


class SubmissionBlockedOut(Schema):
    detail: str
    findings: list[FindingOut] = Field(description="What must be fixed or justified")


class SubmissionReturnIn(Schema):
    comment: Text = Field("", description="Why it goes back")
    notes: dict[Code, Text] = Field(
        default_factory=dict,
        validate_default=True,
        description="Notes per questionnaire variable: {CODE: text}",
    )

    @field_validator("notes")
    @classmethod
    def _some_reason(cls, notes: dict[str, str], info) -> dict[str, str]:
        if not (info.data.get("comment") or "").strip() and not any(
            t.strip() for t in notes.values()
        ):
            raise ValueError("say why the submission is returned: a comment or notes")
        return notes


class SubmissionReopenIn(Schema):
    reason: Text = Field(description="Why accepted data must change again; recorded")

    @field_validator("reason")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("reopening accepted data needs a reason")
        return value


# --- public ------------------------------------------------------------------------------


class PublicLineageOut(Schema):
    formula: str = Field(description="The indicator's formula")
    variables: list[str] = Field(description="The codes the formula reads")
    n: int | None = Field(None, description="Units behind the figures (omitted when withheld)")
    result_set: int = Field(description="The published result set")
    result_state: str = Field(description="final | revised")


class PublicAggregateOut(Schema):
    indicator: str
    period: str
    group: str
    n: int | None = Field(None, description="Omitted when the group is withheld")
    mean: float | None = None
    median: float | None = None
    q1: float | None = Field(None, description="Only when n >= 8")
    q3: float | None = Field(None, description="Only when n >= 8")
    withheld: str | None = Field(
        None,
        description="Why the group's figures are withheld: threshold (fewer than k units) "
        "or differencing (withheld to protect a smaller group)",
    )
    withheld_note: str | None = Field(None, description="The reason in words")
    lineage: PublicLineageOut


class PublicAggregatesOut(Schema):
    period: str
    status: str = Field(description="final | revised")
    threshold: int = Field(description="Groups of fewer units are not published")
    result_set: int | None = None
    published_on: datetime | None = None
    revised_on: datetime | None = Field(
        None, description="When a revision replaced earlier figures"
    )
    previous_result_set: int | None = None
    previous_published_on: datetime | None = None
    items: list[PublicAggregateOut]


class PublicPeriodOut(Schema):
    period: str
    state: str = Field(description="published | retracted")
    result_set: int
    result_state: str = Field(description="final | revised")
    threshold: int
    published_on: datetime
    revised_on: datetime | None = None
    previous_result_set: int | None = None
    previous_published_on: datetime | None = None
    retracted_on: datetime | None = None
    retraction_reason: str = ""
