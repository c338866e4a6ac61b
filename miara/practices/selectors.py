"""Reads of good practices, scoped to the acting user (or the public, `user=None`):

* published practices are read by everyone; the others by the author unit's people and,
  once submitted, by reviewers (`services.may_read`);
* how the author office is shown (`author_shown`): in an anonymised programme only its
  type, unless the author chose to be named — to other participants and the public alike;
  the contact and the attachments go with the name;
* the evidence around the start (methodology.md, "Evidence around a change"):
  `engine.evidence` on the stored results of the group "all", read as the system because
  a published practice is read by people who may not see its unit; to those who may not
  see the unit by name only the relative gaps are shown, never a raw value;
* search: PostgreSQL full-text search ('simple' configuration: Polish and Czech texts
  side by side, no stemming dictionary for either ships with PostgreSQL), a plain
  substring match on SQLite; filters by service area, indicator, unit type and "the unit
  was in the best quartile of this indicator";
* the scorecard's hint (`answer_unit_practices`, for `analytics.hooks`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import polars as pl
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from miara.accounts.scope import can_see_unit, is_operator
from miara.analytics.benchmark import ALL_UNITS
from miara.analytics.hooks import UnitPractices
from miara.analytics.selectors import current_result_sets, results_frame
from miara.engine.evidence import EVIDENCE_SCHEMA, Evidence, evidence, period_of
from miara.engine.periods import Period
from miara.practices.models import Practice
from miara.practices.services import belongs_to, is_reviewer
from miara.presentation.labels import unit_type_label
from miara.units.models import Programme

State = Practice.State


def _base() -> QuerySet[Practice]:
    return Practice.objects.select_related("unit", "area").prefetch_related("indicators")


def practices_for(*, user) -> QuerySet[Practice]:
    """The practices the user may read: the published ones, their own units' and, for
    reviewers, every one past the draft."""
    practices = _base()
    if is_operator(user):
        return practices
    readable = Q(state=State.PUBLISHED)
    if user is not None and user.is_authenticated and user.is_active:
        readable |= Q(unit_id__in=list(user.units.values_list("id", flat=True)))
        if is_reviewer(user):
            readable |= ~Q(state=State.DRAFT)
    return practices.filter(readable)


def published_practices() -> QuerySet[Practice]:
    """What the public reads: published practices only."""
    return _base().filter(state=State.PUBLISHED)


# --- how the author office is shown ----------------------------------------------------


def anonymised() -> bool:
    return Programme.current().visibility == Programme.Visibility.ANONYMISED


def author_shown(practice: Practice, user) -> bool:
    """Whether the reader may learn which office wrote the practice: always in a named
    programme; in an anonymised one when the author chose to be named, to the office's
    own people and to those who read every unit (experts, coordinators)."""
    if practice.named or not anonymised() or is_operator(user):
        return True
    if user is None or not user.is_authenticated:
        return False
    return belongs_to(user, practice.unit) or (
        can_see_unit(user, practice.unit) and is_reviewer(user)
    )


@dataclass(frozen=True)
class Author:
    """The author office as one reader sees it."""

    shown: bool
    label: str  # the office's name, or "an office (its type)"
    code: str  # empty when not shown


def author_of(practice: Practice, user) -> Author:
    if author_shown(practice, user):
        return Author(True, practice.unit.name, practice.unit.code)
    kind = unit_type_label(practice.unit.type) if practice.unit.type else _("unit")
    kind = str(kind)
    # "City with county rights" reads "an office (city with county rights)"; an
    # abbreviation such as (ORP) keeps its capitals.
    return Author(False, _("an office (%(type)s)") % {"type": kind[:1].lower() + kind[1:]}, "")


# --- evidence ------------------------------------------------------------------------


def _percent(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


@dataclass
class EvidenceRow:
    """One linked indicator's evidence. `raw` says whether the values and medians may be
    shown to this reader; the gaps (relative figures) always may."""

    indicator: object
    evidence: Evidence | None
    raw: bool

    @property
    def before_percent(self):
        return _percent(self.evidence.before_gap) if self.evidence else None

    @property
    def after_percent(self):
        return _percent(self.evidence.after_gap) if self.evidence else None

    @property
    def change_points(self):
        if self.evidence is None or self.evidence.gap_change is None:
            return None
        return round(self.evidence.gap_change * 100, 1)

    @property
    def median_change_percent(self):
        return _percent(self.evidence.median_change_relative) if self.evidence else None


def practice_evidence(*, user, practice: Practice) -> list[EvidenceRow]:
    """For each linked indicator: the author unit against the median of all units before
    and after the practice started, from the current stored results."""
    indicators = list(practice.indicators.all())
    if not indicators:
        return []
    raw = author_shown(practice, user) and (is_operator(user) or can_see_unit(user, practice.unit))
    # The public reads published (final or revised) results only, never a provisional year.
    periods = final_periods() if user is None else None
    if periods == []:
        return [EvidenceRow(indicator, None, raw) for indicator in indicators]
    frame = results_frame(
        user=None,
        periods=periods,
        indicators=[i.code for i in indicators],
        groups=[ALL_UNITS],
        units=[practice.unit.code],
        few=True,
    )
    rows = []
    for indicator in indicators:
        mine = frame.filter(pl.col("indicator") == indicator.code)
        if mine.is_empty() or indicator.direction == "neutral":
            rows.append(EvidenceRow(indicator, None, raw))
            continue
        kind = Period.parse(mine["period"][0]).kind
        start = period_of(practice.started_on, kind).code
        data = mine.select("period", "value", "median").cast(EVIDENCE_SCHEMA)
        found = evidence(data, start=start, direction=indicator.direction)
        if not raw:
            found = Evidence(
                start=found.start,
                before_period=found.before_period,
                before_gap=found.before_gap,
                after_period=found.after_period,
                after_gap=found.after_gap,
            )
        rows.append(EvidenceRow(indicator, found, raw))
    return rows


def evidence_chart(rows: list[EvidenceRow]) -> dict | None:
    """A Vega-Lite spec: the gap to the median before and after, per indicator (relative
    figures only, as the table beside it)."""
    data = []
    for row in rows:
        for when, value in ((_("before"), row.before_percent), (_("latest"), row.after_percent)):
            if value is not None:
                data.append({"indicator": str(row.indicator.label), "when": when, "gap": value})
    if not data:
        return None
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "data": {"values": data},
        "mark": "bar",
        "width": "container",
        "encoding": {
            "y": {"field": "indicator", "type": "nominal", "title": None},
            "yOffset": {"field": "when", "type": "nominal"},
            "x": {
                "field": "gap",
                "type": "quantitative",
                "title": _("Gap to the median (%)"),
                "axis": {"tickCount": 6},
            },
            "color": {"field": "when", "type": "nominal", "title": None},
        },
    }


# --- search --------------------------------------------------------------------------

SEARCHED = ("title", "problem", "what_was_done", "results")


def text_search(practices: QuerySet[Practice], query: str) -> QuerySet[Practice]:
    """Full-text search on PostgreSQL ('simple' configuration, web-search syntax: words,
    "phrases", -excluded), ranked; every word as a substring on SQLite."""
    query = (query or "").strip()[:200]
    if not query:
        return practices
    if connection.vendor == "postgresql":
        vector = SearchVector(*SEARCHED, config="simple")
        wanted = SearchQuery(query, config="simple", search_type="websearch")
        return (
            practices.annotate(search_vector=vector, search_rank=SearchRank(vector, wanted))
            .filter(search_vector=wanted)
            .order_by("-search_rank", "-published_at", "-pk")
        )
    for word in query.split():
        match = Q()
        for name in SEARCHED:
            match |= Q(**{f"{name}__icontains": word})
        practices = practices.filter(match)
    return practices


def final_periods() -> list[str]:
    """The periods whose current result set is final or revised (published results)."""
    return [r.period for r in current_result_sets() if r.status in ("final", "revised")]


def judged_periods() -> list[str]:
    """The final periods; the current ones of every period when none is final (a
    programme's first, provisional year)."""
    return final_periods() or [r.period for r in current_result_sets()]


def best_quartile_unit_codes(indicator_codes: list[str], unit_codes: list[str]) -> dict:
    """Per indicator, the codes among `unit_codes` in its best quartile (1) in the latest
    final (else current) result set that has the indicator, group "all" (read as the
    system: only the fact is used, never shown as a figure)."""
    periods = judged_periods()
    if not indicator_codes or not unit_codes or not periods:
        return {}
    frame = results_frame(
        user=None,
        periods=periods,
        indicators=indicator_codes,
        groups=[ALL_UNITS],
        units=unit_codes,
        few=True,
    )
    latest: dict[str, Period] = {}
    for indicator, period in frame.select("indicator", "period").unique().iter_rows():
        parsed = Period.parse(period)
        if indicator not in latest or parsed > latest[indicator]:
            latest[indicator] = parsed
    found: dict[str, set[str]] = {}
    for indicator, period, unit, quartile in frame.select(
        "indicator", "period", "unit", "quartile"
    ).iter_rows():
        if quartile == 1 and period == latest[indicator].code:
            found.setdefault(indicator, set()).add(unit)
    return found


def best_quartile(practices: QuerySet[Practice], indicator_code: str) -> QuerySet[Practice]:
    """The practices linked to the indicator whose author unit was in its best quartile."""
    linked = practices.filter(indicators__code=indicator_code)
    codes = list(linked.values_list("unit__code", flat=True).distinct())
    best = best_quartile_unit_codes([indicator_code], codes).get(indicator_code, set())
    return linked.filter(unit__code__in=best)


@dataclass
class Filters:
    query: str = ""
    area: str = ""
    indicator: str = ""
    unit_type: str = ""
    best: bool = False


def search(practices: QuerySet[Practice], filters: Filters) -> QuerySet[Practice]:
    if filters.area:
        practices = practices.filter(area__code=filters.area)
    if filters.indicator:
        if filters.best:
            practices = best_quartile(practices, filters.indicator)
        else:
            practices = practices.filter(indicators__code=filters.indicator)
    if filters.unit_type:
        practices = practices.filter(unit__type=filters.unit_type)
    return text_search(practices.distinct(), filters.query)


def unit_types(practices: QuerySet[Practice]) -> list[tuple[str, str]]:
    codes = sorted(set(practices.exclude(unit__type="").values_list("unit__type", flat=True)))
    return [(code, unit_type_label(code)) for code in codes]


# --- what analytics asks (analytics.hooks) ---------------------------------------------


def answer_unit_practices(sender=None, *, user, unit, **kwargs):
    """The scorecard's "units in the best quartile describe these practices": per
    indicator with such published practices, the list filtered to them."""
    published = Practice.objects.filter(state=State.PUBLISHED).exclude(unit=unit)
    pairs = list(published.values_list("indicators__code", "unit__code").distinct())
    pairs = [(i, u) for i, u in pairs if i]
    if not pairs:
        return UnitPractices()
    best = best_quartile_unit_codes(sorted({i for i, _u in pairs}), sorted({u for _i, u in pairs}))
    links = {}
    for indicator in sorted(best):
        query = urlencode({"indicator": indicator, "best": "1"})
        links[indicator] = reverse("practices:library") + "?" + query
    sets = ",".join(str(r.pk) for r in current_result_sets())
    text = repr(sorted(best.items())) + sets + repr(sorted(published.values_list("pk", "version")))
    return UnitPractices(links=links, stamp=hashlib.sha256(text.encode()).hexdigest()[:16])
