"""What the public pages show, read from the publication selectors and the catalogue.

Every figure comes from miara.publication.selectors (which decides what may be public:
k, withheld groups, embargo, retraction); this module only names and arranges it. The
catalogue describes the method, not any unit, so it is public as it is; listed groups'
members are never read here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from miara.accounts.models import AuditEntry
from miara.catalogue.models import Indicator, PeerGroup, ServiceArea, Variable
from miara.engine.errors import FormulaError, PeriodError
from miara.engine.formula.lexer import tokenize
from miara.engine.periods import Period
from miara.lib.memo import per_request
from miara.publication import selectors
from miara.publication.selectors import PublishedPeriod
from miara.units.models import Programme

ALL_UNITS = "all"
# The words for the operators of a formula read aloud (methodology.md, "Formulas").
_OPERATOR_WORDS = {"*": "×", "/": "÷", "-": "−", "^": "^"}
PUBLISHED = "published"


@dataclass(frozen=True)
class GroupRow:
    """One group's public figures, or why they are withheld."""

    indicator: str
    group: str
    label: str
    n: int | None
    mean: float | None
    median: float | None
    q1: float | None
    q3: float | None
    withheld: str | None


@dataclass
class Input:
    code: str
    label: str
    unit: str
    kind: str  # "variable" | "indicator"


# The kinds of catalogue entries a load counts (catalogue.services.catalogue_load).
_KINDS = {
    "service areas": gettext_lazy("service areas"),
    "variables": gettext_lazy("variables"),
    "indicators": gettext_lazy("indicators"),
    "peer groups": gettext_lazy("peer groups"),
    "peer group members": gettext_lazy("members of peer groups"),
    "validation rules": gettext_lazy("validation rules"),
}


@dataclass
class CatalogueChange:
    """A load of the catalogue, as the audit trail keeps it: when, and what it changed."""

    at: dt.datetime
    created: dict = field(default_factory=dict)
    updated: dict = field(default_factory=dict)

    @property
    def items(self) -> list[str]:
        """ "indicators: 2 added, 1 changed" per kind of entry, in the reader's language."""
        texts = []
        for kind in dict.fromkeys([*self.created, *self.updated]):
            parts = []
            if self.created.get(kind):
                parts.append(_("%(count)s added") % {"count": self.created[kind]})
            if self.updated.get(kind):
                parts.append(_("%(count)s changed") % {"count": self.updated[kind]})
            texts.append(f"{_KINDS.get(kind, kind)}: {', '.join(parts)}")
        return texts


def period_or_404(period: str) -> PublishedPeriod:
    """The period as the public sees it, or the 404 of an unknown period: an embargoed or
    unpublished period looks exactly like one that never existed."""
    try:
        Period.parse(period)
    except PeriodError:
        raise Http404("no such period") from None
    found = selectors.published_period(period)
    if found is None:
        raise Http404("no such period")
    return found


def indicator_or_404(code: str) -> Indicator:
    found = Indicator.objects.select_related("area").filter(code=code).first()
    if found is None:
        raise Http404("no such indicator")
    return found


def areas_with_indicators() -> list[tuple[ServiceArea | None, list[Indicator]]]:
    """The catalogue's indicators by service area, in the catalogue's order; those without
    an area last."""
    indicators = list(Indicator.objects.select_related("area").order_by("code"))
    areas = list(ServiceArea.objects.all())
    grouped = [(area, [i for i in indicators if i.area_id == area.pk]) for area in areas]
    loose = [i for i in indicators if i.area_id is None]
    if loose:
        grouped.append((None, loose))
    return [(area, items) for area, items in grouped if items]


def formula_in_words(formula: str, labels: dict[str, str]) -> str:
    """The formula with every code replaced by its name in the reader's language, so a
    reader who does not know the codes can follow it: "Recycled waste ÷ Waste × 100"."""
    try:
        tokens = tokenize(formula)
    except FormulaError:
        return formula
    words: list[str] = []
    for token in tokens:
        if token.kind == "END":
            break
        if token.kind == "CODE":
            words.append(labels.get(token.text, token.text))
        elif token.kind == "NUMBER":
            words.append(token.text)
        else:
            words.append(_OPERATOR_WORDS.get(token.text, token.text))
    text = " ".join(words)
    for tight in ("( ", " )", " ,"):
        text = text.replace(tight, tight.strip())
    return text


def inputs(indicator: Indicator) -> list[Input]:
    """The variables and indicators a formula reads, named."""
    try:
        codes = [t.text for t in tokenize(indicator.formula) if t.kind == "CODE"]
    except FormulaError:
        return []
    wanted = list(dict.fromkeys(codes))
    variables = {v.code: v for v in Variable.objects.filter(code__in=wanted)}
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=wanted)}
    found = []
    for code in wanted:
        if code in variables:
            v = variables[code]
            found.append(Input(code, v.label, v.unit, "variable"))
        elif code in indicators:
            i = indicators[code]
            found.append(Input(code, i.label, i.unit, "indicator"))
    return found


def catalogue_changes(*, indicators_only: bool = False) -> list[CatalogueChange]:
    """The catalogue loads the audit trail records, newest first: the date and how many
    entries of each kind were created or updated. Who loaded the file is not public."""
    changes = []
    for entry in AuditEntry.objects.filter(action="catalogue.load").order_by("-at", "-id")[:50]:
        created = dict(entry.details.get("created") or {})
        updated = dict(entry.details.get("updated") or {})
        if indicators_only and not (created.get("indicators") or updated.get("indicators")):
            continue
        changes.append(CatalogueChange(at=entry.at, created=created, updated=updated))
    return changes


def group_labels(codes) -> dict[str, str]:
    """A name for each group code: "All units", a peer group's name, or the code."""
    codes = set(codes)
    labels = {g.code: g.label for g in PeerGroup.objects.filter(code__in=codes)}
    if ALL_UNITS in codes:
        labels[ALL_UNITS] = _("All units")
    return {code: labels.get(code, code) for code in codes}


def indicator_labels(codes) -> dict[str, str]:
    """Each indicator's name in the reader's language."""
    return {i.code: i.label for i in Indicator.objects.filter(code__in=set(codes))}


def group_rows(frame: pl.DataFrame, labels: dict[str, str] | None = None) -> list[GroupRow]:
    """The rows of a public table (PUBLIC_TABLE_SCHEMA) as the page shows them, with the
    figures of a withheld group dropped here too, whatever the frame holds. `labels`: the
    groups' names when the caller has read them already."""
    if labels is None:
        labels = group_labels(frame.get_column("group").unique().to_list()) if frame.height else {}
    rows = []
    for r in frame.iter_rows(named=True):
        withheld = r["withheld"]
        rows.append(
            GroupRow(
                indicator=r["indicator"],
                group=r["group"],
                label=labels.get(r["group"], r["group"]),
                n=None if withheld else r["n"],
                mean=None if withheld else r["mean"],
                median=None if withheld else r["median"],
                q1=None if withheld else r["q1"],
                q3=None if withheld else r["q3"],
                withheld=withheld,
            )
        )
    # "All units" first, then the groups by name.
    return sorted(rows, key=lambda row: (row.group != ALL_UNITS, row.label.lower()))


def withheld_text(reason: str | None, threshold: int) -> str:
    if not reason:
        return ""
    if reason == "differencing":
        return _("withheld to protect a smaller group")
    return _("withheld: fewer than %(k)s units") % {"k": threshold}


def visible_periods() -> list[PublishedPeriod]:
    """Every period the public may see, newest first (retracted ones say so); read once
    per request."""
    return per_request("public.periods", selectors.published_periods)


def programme_name() -> str:
    return Programme.current().name


def search(query: str) -> tuple[list[Indicator], list[PublishedPeriod]]:
    """Indicators whose code or name (in the reader's language, or English) contains the
    words of `query`, and published periods it names. Embargoed periods are unknown here
    as everywhere on the public site."""
    words = [w.casefold() for w in query.split() if w.strip()]
    if not words:
        return [], []
    found = []
    for indicator in Indicator.objects.select_related("area").order_by("code"):
        text = " ".join(
            [indicator.code, indicator.label, indicator.explanation, pick_en(indicator.name)]
        ).casefold()
        if all(w in text for w in words):
            found.append(indicator)
    periods = [p for p in visible_periods() if any(w == p.period.casefold() for w in words)]
    return found, periods


def pick_en(names: dict) -> str:
    return (names or {}).get("en", "")
