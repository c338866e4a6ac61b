"""The demo's good practices (issue 13): a few published practices in Polish, written by
offices in the best quartile of indicators on which the demo office (the first demo
unit) is weak — so its scorecard shows "units in the best quartile describe these
practices" — one more in review, and one in Czech by the Czech office.

Written through the practices services as the operator, like the other demo data.
"""

from __future__ import annotations

import datetime

from miara.accounts.scope import OPERATOR
from miara.analytics.selectors import results_frame
from miara.catalogue.models import Indicator
from miara.engine.periods import Period
from miara.practices.models import Practice
from miara.practices.services import PracticeData, practice_act, practice_create
from miara.units.models import Unit

# By the indicator a practice is about (the demo is deterministic: the demo office is
# weak on these, and other offices are in their best quartile).
POLISH_PRACTICES = {
    "LIGHT_FAILURES_PER_100": {
        "title": "Umowa serwisowa z czasem reakcji i zgłoszenia awarii przez internet",
        "problem": "Awarie latarni zgłaszano telefonicznie, a naprawy trwały **tygodniami**.",
        "what_was_done": (
            "- nowa umowa serwisowa: naprawa w 48 godzin, kary za zwłokę,\n"
            "- mapa punktów świetlnych i formularz zgłoszeń na stronie gminy,\n"
            "- przegląd nocny raz w kwartale."
        ),
        "results": "Mniej awarii na 100 punktów świetlnych i krótszy czas naprawy.",
        "cost": "85000",
        "effort": "3 osobomiesiące",
    },
    "WASTE_COMPLAINTS_PER_10K": {
        "title": "Harmonogram odbioru w aplikacji i GPS w śmieciarkach",
        "problem": "Mieszkańcy często reklamowali nieodebrane odpady.",
        "what_was_done": (
            "Operator montuje w śmieciarkach lokalizatory GPS, a mieszkańcy dostają "
            "przypomnienia o odbiorze w aplikacji. Reklamację sprawdza się na trasie pojazdu."
        ),
        "results": "Mniej reklamacji na 10 tys. mieszkańców; spory rozstrzygane w jeden dzień.",
        "cost": "42000",
        "effort": "2 osobomiesiące",
    },
    "PERMIT_OVERTURNED_SHARE": {
        "title": "Wzory uzasadnień i przegląd decyzji przed wysłaniem",
        "problem": "Wojewoda uchylał wiele decyzji z powodu braków w uzasadnieniu.",
        "what_was_done": (
            "Radca prawny opracował wzory uzasadnień, a co piątą decyzję czyta przed "
            "wysłaniem druga osoba."
        ),
        "results": "Mniejszy odsetek decyzji uchylonych w postępowaniu odwoławczym.",
        "cost": "12000",
        "effort": "1 osobomiesiąc",
    },
}

CZECH_PRACTICE = {
    "title": "Elektronické podání a kontrola úplnosti hned při příjmu",
    "problem": "Žádosti často přicházely neúplné a vyřízení se protahovalo.",
    "what_was_done": (
        "Úřad zavedl elektronický formulář s kontrolou povinných příloh a podatelna "
        "kontroluje úplnost hned při příjmu."
    ),
    "results": "Méně výzev k doplnění a kratší doba vyřízení.",
    "cost": "240000",
    "effort": "6 člověkoměsíců",
}


def _weak_indicators_and_best_units(unit_code: str) -> list[tuple[str, str]]:
    """For the indicators where the unit is below the median in the latest year, the
    code of another Polish unit in the best quartile: [(indicator, unit), ...], the
    weakest first."""
    directions = dict(
        Indicator.objects.exclude(direction="neutral").values_list("code", "direction")
    )
    frame = results_frame(groups=["all"], few=True)
    if frame.is_empty():
        return []
    # The latest year in which the office has results (the cycle's year may not yet).
    years = [Period.parse(p) for p in frame.filter(frame["unit"] == unit_code)["period"].unique()]
    years = [p for p in years if p.kind == "year"]
    if not years:
        return []
    year = frame.filter(frame["period"] == max(years).code)
    polish = set(Unit.objects.filter(country="PL").values_list("code", flat=True))
    found = []
    mine = year.filter(year["unit"] == unit_code)
    for code, value, median in mine.select("indicator", "value", "median").rows():
        if code not in directions or value is None or not median:
            continue
        gap = (value - median) / abs(median) * (-1 if directions[code] == "lower" else 1)
        best = sorted(
            u
            for u, q in year.filter(year["indicator"] == code).select("unit", "quartile").rows()
            if q == 1 and u != unit_code and u in polish
        )
        if gap < 0 and best:
            found.append((gap, code, best[0]))
    return [(code, unit) for _gap, code, unit in sorted(found)]


def _area_of(indicators: list[str]) -> str | None:
    first = Indicator.objects.filter(code__in=indicators[:1]).select_related("area").first()
    return first.area.code if first is not None and first.area_id else None


def _create(unit_code, text, indicators, started_on, currency, named):
    data = PracticeData(
        title=text["title"],
        started_on=started_on,
        problem=text["problem"],
        what_was_done=text["what_was_done"],
        results=text["results"],
        cost=text["cost"],
        currency=currency,
        effort=text["effort"],
        contact="",
        area=_area_of(indicators),
        indicators=indicators,
        named=named,
    )
    return practice_create(
        acting_user=OPERATOR, unit_code=unit_code, data=data, submit=True, channel="demo"
    )


def _publish(practice: Practice) -> None:
    practice_act(
        acting_user=OPERATOR,
        practice_id=practice.pk,
        action="publish",
        version=practice.version,
        channel="demo",
    )


def demo_practices(unit_code: str, *, czech_code: str | None = None) -> None:
    """Published practices for the demo office's weakest indicators (the last one left in
    review), and a named Czech one."""
    if Practice.objects.exists():
        return
    pairs = [
        (indicator, author)
        for indicator, author in _weak_indicators_and_best_units(unit_code)
        if indicator in POLISH_PRACTICES
    ]
    started_on = datetime.date(2023, 3, 1)
    for i, (indicator, author) in enumerate(pairs):
        text = POLISH_PRACTICES[indicator]
        practice = _create(author, text, [indicator], started_on, "PLN", named=(i == 0))
        if i < len(pairs) - 1:  # the last one is still in review
            _publish(practice)
    if czech_code and Unit.objects.filter(code=czech_code).exists():
        codes = list(
            Indicator.objects.filter(code__startswith="CZ_")
            .exclude(direction="neutral")
            .order_by("code")
            .values_list("code", flat=True)[:1]
        )
        practice = _create(
            czech_code, CZECH_PRACTICE, codes, datetime.date(2024, 1, 1), "CZK", named=True
        )
        _publish(practice)
