"""Deterministic demo programme modelled on the Silesian benchmarking group.

`demo_catalogue()`, `demo_units()` and `demo_values()` return the same data on every call
(fixed seeds, no global random state, no clock); `write_demo_files()` writes them in the
file formats of docs/contracts.md.

How the values are made: every unit has a latent *efficiency* (drawn once) and a size
(its population). For each service area the unit gets an area efficiency (mostly its general
efficiency, partly its own) that improves gently over the years; volumes scale with the
population, costs with volumes, wages and prices (Polish wage and price growth 2020-2024),
and counts that are parts of a whole are drawn as shares of that whole, so the data are
internally consistent (decisions within the deadline <= decisions issued, recycled waste <=
collected waste, LED lamps <= lamps, FTEs of the services <= staff of the office, ...).

Only the unit types that carry a task report its variables (`catalogue.AREA_UNIT_TYPES`):
building permits and vehicles by counties and cities with county rights; waste, property tax,
civil status, business register, citizens' affairs and street lighting by gminas and cities.

Deliberate data-quality cases, for the data-quality pages:

* ``OUTLIERS``: a few implausible values, each with a comment starting "verify: unusually".
* ``ZERO_DENOMINATORS``: two gminas held no open NGO competition in one year
  (``NGO_COMPETITIONS = 0``), so ``NGO_OFFERS_PER_COMPETITION`` divides by zero there.
* ``BUNDLED_MAINTENANCE``: two gminas do not report street-lighting maintenance (included in
  the energy contract); ``LIGHT_COST_PER_POINT`` uses ``coalesce`` for them.
* about 1 % of the other values are missing (empty value), some with a comment.
"""

from __future__ import annotations

import csv
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import polars as pl
import yaml

from miara.demo import catalogue as cat

SEED = 20240
PERIODS: tuple[str, ...] = ("2020", "2021", "2022", "2023", "2024")

VALUES_SCHEMA = {
    "unit": pl.String,
    "variable": pl.String,
    "period": pl.String,
    "value": pl.Float64,
    "comment": pl.String,
}
UNITS_HEADER = ("code", "name", "type", "parent", "country")
VALUES_HEADER = ("unit", "variable", "period", "value", "comment")

# --- units: (TERYT-like code, name, type, population 2020, area km²) ---------------------

_UNITS: list[tuple[str, str, str, int, float]] = [
    # cities with county rights
    ("2469011", "Katowice", "city_county", 292_800, 164.64),
    ("2475011", "Sosnowiec", "city_county", 199_900, 91.06),
    ("2466011", "Gliwice", "city_county", 177_200, 133.88),
    ("2478011", "Zabrze", "city_county", 171_600, 80.40),
    ("2461011", "Bielsko-Biała", "city_county", 169_800, 124.51),
    ("2462011", "Bytom", "city_county", 163_700, 69.44),
    ("2473011", "Rybnik", "city_county", 137_800, 148.36),
    ("2472011", "Ruda Śląska", "city_county", 136_600, 77.73),
    ("2477011", "Tychy", "city_county", 127_200, 81.81),
    ("2465011", "Dąbrowa Górnicza", "city_county", 119_400, 188.73),
    ("2463011", "Chorzów", "city_county", 107_300, 33.24),
    ("2468011", "Jaworzno", "city_county", 91_100, 152.59),
    ("2467011", "Jastrzębie-Zdrój", "city_county", 88_300, 85.33),
    ("2470011", "Mysłowice", "city_county", 74_600, 65.62),
    ("2474011", "Siemianowice Śląskie", "city_county", 67_200, 25.50),
    ("2479011", "Żory", "city_county", 62_000, 64.64),
    ("2471011", "Piekary Śląskie", "city_county", 55_300, 39.98),
    # urban gminas
    ("2405011", "Knurów", "gmina_urban", 37_600, 33.95),
    ("2405021", "Pyskowice", "gmina_urban", 18_300, 30.88),
    ("2408011", "Mikołów", "gmina_urban", 40_900, 79.17),
    ("2408021", "Łaziska Górne", "gmina_urban", 22_200, 20.09),
    ("2414011", "Bieruń", "gmina_urban", 19_600, 40.14),
    ("2414021", "Lędziny", "gmina_urban", 16_800, 31.48),
    ("2415011", "Rydułtowy", "gmina_urban", 21_300, 14.94),
    # rural gminas
    ("2405032", "Gierałtowice", "gmina_rural", 12_300, 39.93),
    ("2405042", "Pilchowice", "gmina_rural", 11_400, 69.45),
    ("2408032", "Ornontowice", "gmina_rural", 6_000, 15.44),
    ("2408042", "Wyry", "gmina_rural", 8_000, 34.35),
    ("2410022", "Pawłowice", "gmina_rural", 18_200, 75.68),
    ("2410042", "Suszec", "gmina_rural", 12_300, 77.16),
    ("2414032", "Bojszowy", "gmina_rural", 8_000, 35.05),
    ("2415022", "Marklowice", "gmina_rural", 5_600, 14.31),
    # urban-rural gminas
    ("2410033", "Pszczyna", "gmina_mixed", 49_200, 175.35),
    ("2402013", "Czechowice-Dziedzice", "gmina_mixed", 45_300, 66.00),
    ("2405053", "Sośnicowice", "gmina_mixed", 8_900, 114.88),
    ("2405063", "Toszek", "gmina_mixed", 9_400, 96.47),
    ("2403023", "Skoczów", "gmina_mixed", 26_900, 62.51),
    # county offices
    ("2405000", "Powiat gliwicki", "county", 117_300, 663.34),
    ("2408000", "Powiat mikołowski", "county", 98_100, 232.52),
    ("2410000", "Powiat pszczyński", "county", 111_400, 473.52),
    ("2413000", "Powiat tarnogórski", "county", 139_400, 643.76),
    ("2414000", "Powiat bieruńsko-lędziński", "county", 60_500, 157.95),
    ("2415000", "Powiat wodzisławski", "county", 157_100, 286.90),
]

#: Gminas with a coal mine or large industry: a much larger property-tax base.
_INDUSTRIAL = {"2408032", "2405032", "2410022", "2410042", "2414011"}

# --- deliberate data-quality cases --------------------------------------------------------

#: (unit, variable, period, factor or fixed value, comment). Factors multiply the generated
#: value; every outlier keeps the consistency rules (a part never exceeds its whole).
OUTLIERS: list[tuple[str, str, str, float, str]] = [
    (
        "2462011",
        "WASTE_SYSTEM_COST",
        "2022",
        10.0,
        "verify: unusually high (ten times the previous year; possibly an extra digit)",
    ),
    (
        "2405032",
        "LIGHT_ENERGY_COST",
        "2023",
        3.2,
        "verify: unusually high (energy bought outside the price-capped tariff)",
    ),
    (
        "2413000",
        "VEH_AVG_WAIT_MIN",
        "2021",
        4.0,
        "verify: unusually high (registration system outage in spring)",
    ),
    (
        "2405021",
        "HR_LEAVERS",
        "2022",
        3.5,
        "verify: unusually high (reorganisation of the office)",
    ),
    (
        "2475011",
        "SCH_SPENDING",
        "2024",
        0.1,
        "verify: unusually low (possibly a missing digit)",
    ),
]

#: (unit, period, comment): no open NGO competition, only small grants (art. 19a).
ZERO_DENOMINATORS: list[tuple[str, str, str]] = [
    ("2408032", "2021", "no open competition held; small grants only (art. 19a)"),
    ("2415022", "2023", "no open competition held; small grants only (art. 19a)"),
]

#: Units whose street-lighting maintenance is part of the energy contract (not reported).
BUNDLED_MAINTENANCE = {"2405063", "2415022"}
_BUNDLED_COMMENT = "maintenance included in the energy supplier's contract"

_MISSING_SHARE = 0.01
_MISSING_COMMENTS = (
    "not available from the accounting system",
    "data not collected this year",
)
# variables never made missing at random (context of everything else)
_NEVER_MISSING = {"POPULATION", "AREA_KM2", "BUDGET_TOTAL", "STAFF_FTE"}

# --- year effects (index 0 = 2020) --------------------------------------------------------

_WAGES = (1.00, 1.07, 1.16, 1.30, 1.45)  # public-sector pay incl. contributions
_PRICES = (1.00, 1.05, 1.19, 1.31, 1.36)  # consumer prices
_ENERGY_PLN_MWH = (560.0, 640.0, 980.0, 1010.0, 940.0)  # street-lighting tariff incl. distribution
_WASTE_COST = (1.00, 1.15, 1.30, 1.42, 1.50)  # waste collection and treatment prices
_SCHOOL_COST = (1.00, 1.06, 1.17, 1.36, 1.62)  # teachers' pay rises (2023, 2024)
_BUDGET = (1.00, 1.08, 1.17, 1.32, 1.45)
_PERMIT_DEMAND = (1.00, 1.08, 0.97, 0.86, 0.91)  # construction boom and slowdown
_BUSINESS_DEMAND = (1.00, 1.10, 1.04, 1.00, 1.02)
_ID_DEMAND = (0.78, 1.12, 1.02, 1.05, 1.10)  # pandemic year, then catching up
_TURNOVER = (0.80, 1.05, 1.30, 1.15, 1.00)  # job-hopping in the inflation years
_TRAINING = (0.60, 0.80, 1.00, 1.00, 1.05)  # pandemic: fewer trainings
_SICKNESS = (1.15, 1.12, 1.05, 1.00, 1.00)
_EXAM_SHOCK = (0.0, -2.0, 1.0, 2.0, -0.5)


# --- small helpers -------------------------------------------------------------------------


def _clamp(x: float, low: float, high: float) -> float:
    return max(low, min(high, x))


def _count(x: float) -> float:
    return float(max(0, round(x)))


def _money(x: float) -> float:
    return round(max(0.0, x), 2)


def _fte(x: float, minimum: float = 0.25) -> float:
    return max(minimum, round(x * 4) / 4)


@dataclass(frozen=True)
class _Unit:
    code: str
    name: str
    type: str
    pop0: int
    area_km2: float
    efficiency: float  # latent, ~N(0, 1), higher is better
    improvement: float  # yearly drift of efficiency
    pop_growth: float  # yearly population growth rate

    def population(self, t: int) -> float:
        return float(round(self.pop0 * (1 + self.pop_growth) ** t))

    def by_type(self, city: float, urban: float, rural: float, mixed: float, county: float):
        return {
            "city_county": city,
            "gmina_urban": urban,
            "gmina_rural": rural,
            "gmina_mixed": mixed,
            "county": county,
        }[self.type]


def _make_unit(code: str, name: str, type_: str, pop0: int, area: float) -> _Unit:
    rng = random.Random(f"{SEED}:{code}:profile")
    growth = {
        "city_county": rng.uniform(-0.009, -0.003),
        "gmina_urban": rng.uniform(-0.005, 0.002),
        "gmina_rural": rng.uniform(0.002, 0.010),
        "gmina_mixed": rng.uniform(-0.001, 0.006),
        "county": rng.uniform(-0.002, 0.004),
    }[type_]
    return _Unit(
        code=code,
        name=name,
        type=type_,
        pop0=pop0,
        area_km2=area,
        efficiency=_clamp(rng.gauss(0, 1), -2.2, 2.2),
        improvement=rng.gauss(0.05, 0.05),
        pop_growth=growth,
    )


class _Area:
    """Random source and efficiency of one unit in one service area."""

    def __init__(self, unit: _Unit, area: str):
        self.unit = unit
        self.rng = random.Random(f"{SEED}:{unit.code}:{area}")
        self.base = _clamp(0.7 * unit.efficiency + 0.5 * self.rng.gauss(0, 1), -2.5, 2.5)

    def eff(self, t: int) -> float:
        return self.base + self.unit.improvement * t

    def noise(self, sd: float) -> float:
        return math.exp(self.rng.gauss(0, sd))

    def gauss(self, sd: float) -> float:
        return self.rng.gauss(0, sd)

    def uniform(self, low: float, high: float) -> float:
        return self.rng.uniform(low, high)


Series = dict[str, list[float | None]]
_YEARS = range(len(PERIODS))


def _salary(a: _Area, t: int) -> float:
    base = a.unit.by_type(72_000, 64_000, 60_000, 62_000, 66_000)
    return base * _WAGES[t] * a.noise(0.03)


def _yearly(a: _Area, year: Callable[[int, float], dict[str, float | None]]) -> Series:
    """An area's series: `year(t, efficiency)` gives the values of year t by variable."""
    s: Series = {}
    for t in _YEARS:
        for code, value in year(t, a.eff(t)).items():
            s.setdefault(code, []).append(value)
    return s


# --- generators per area -------------------------------------------------------------------


def _context(u: _Unit) -> Series:
    a = _Area(u, "CONTEXT")
    budget_pc = a.uniform(
        *u.by_type((6_500, 8_500), (5_500, 7_200), (5_200, 7_000), (5_400, 7_200), (1_300, 2_000))
    )
    staff_per_1000 = a.uniform(
        *u.by_type((3.8, 5.0), (2.8, 3.8), (2.8, 4.2), (2.8, 4.0), (1.2, 1.8))
    )
    staff_fixed = u.by_type(0, 25, 25, 25, 60)
    s: Series = {"POPULATION": [], "AREA_KM2": [], "BUDGET_TOTAL": [], "STAFF_FTE": []}
    for t in _YEARS:
        pop = u.population(t)
        s["POPULATION"].append(pop)
        s["AREA_KM2"].append(u.area_km2)
        s["BUDGET_TOTAL"].append(_money(pop * budget_pc * _BUDGET[t] * a.noise(0.03)))
        staff = (staff_fixed + pop / 1000 * staff_per_1000) * (1 + 0.01 * t) * a.noise(0.01)
        s["STAFF_FTE"].append(_fte(staff))
    return s


def _permits(u: _Unit, pop: list[float]) -> Series:
    a = _Area(u, "PERMITS")
    rate = a.uniform(3.0, 5.5)  # decisions per 1,000 residents

    def year(t: int, e: float) -> dict[str, float | None]:
        issued = _count(pop[t] / 1000 * rate * _PERMIT_DEMAND[t] * a.noise(0.08))
        avg_days = _clamp(44 - 6 * e + a.gauss(3), 18, 63)
        in_deadline = _count(issued * _clamp(0.955 + 0.015 * e + a.gauss(0.008), 0.85, 1.0))
        appealed = _count(issued * _clamp(0.05 - 0.01 * e + a.gauss(0.008), 0.01, 0.12))
        overturned = _count(appealed * _clamp(0.3 - 0.05 * e + a.gauss(0.05), 0.05, 0.7))
        fte = _fte(issued / _clamp(90 + 15 * e + a.gauss(8), 40, 160), 1.0)
        return {
            "PERMIT_APPLICATIONS": _count(issued * a.uniform(1.03, 1.15)),
            "PERMITS_ISSUED": issued,
            "PERMITS_IN_DEADLINE": in_deadline,
            "PERMIT_DAYS_TOTAL": _count(issued * avg_days),
            "PERMITS_APPEALED": appealed,
            "PERMITS_OVERTURNED": overturned,
            "PERMIT_STAFF_COST": _money(fte * _salary(a, t)),
            "PERMIT_FTE": fte,
        }

    return _yearly(a, year)


def _business(u: _Unit, pop: list[float]) -> Series:
    a = _Area(u, "BUSINESS")
    active_rate = a.uniform(75, 115)
    apps_rate = a.uniform(14, 22)

    def year(t: int, e: float) -> dict[str, float | None]:
        apps = _count(pop[t] / 1000 * apps_rate * _BUSINESS_DEMAND[t] * a.noise(0.06))
        fte = _fte(apps / _clamp(650 + 90 * e + a.gauss(50), 250, 1200))
        return {
            "BUSINESS_APPLICATIONS": apps,
            "BUSINESS_NEXT_DAY": _count(apps * _clamp(0.97 + 0.01 * e + a.gauss(0.01), 0.85, 1.0)),
            "BUSINESS_FTE": fte,
            "BUSINESS_STAFF_COST": _money(fte * _salary(a, t)),
            "BUSINESS_ACTIVE": _count(pop[t] / 1000 * active_rate * (1 + 0.02 * t)),
        }

    return _yearly(a, year)


def _civil(u: _Unit, pop: list[float]) -> Series:
    a = _Area(u, "CIVIL")
    events_rate = a.uniform(*u.by_type((22, 34), (10, 18), (7, 12), (9, 15), (0, 0)))
    cert_rate = a.uniform(28, 45)

    def year(t: int, e: float) -> dict[str, float | None]:
        events = _count(pop[t] / 1000 * events_rate * a.noise(0.04))
        certs = _count(pop[t] / 1000 * cert_rate * a.noise(0.05))
        online = _count(certs * _clamp(0.12 + 0.04 * t + 0.04 * e + a.gauss(0.03), 0.02, 0.8))
        fte = _fte((events + certs) / _clamp(900 + 120 * e + a.gauss(60), 400, 1600), 0.5)
        return {
            "CIVIL_EVENTS": events,
            "CIVIL_CERTIFICATES": certs,
            "CIVIL_ONLINE_REQUESTS": online,
            "CIVIL_FTE": fte,
            "CIVIL_STAFF_COST": _money(fte * _salary(a, t)),
        }

    return _yearly(a, year)


def _waste(u: _Unit, pop: list[float]) -> Series:
    a = _Area(u, "WASTE")
    kg = a.uniform(*u.by_type((310, 390), (300, 370), (230, 300), (260, 330), (0, 0)))
    cost_per_t = a.uniform(650, 850)

    def year(t: int, e: float) -> dict[str, float | None]:
        collected = round(pop[t] * kg * (1 + 0.015 * t) * a.noise(0.03) / 1000, 1)
        rate = _clamp(0.30 + 0.035 * t + 0.03 * e + a.gauss(0.02), 0.12, 0.75)
        cost = _money(collected * cost_per_t * _WASTE_COST[t] * math.exp(-0.05 * e) * a.noise(0.04))
        due = _money(cost * a.uniform(0.90, 1.05))
        paid = _money(due * _clamp(0.95 + 0.015 * e + a.gauss(0.02), 0.8, 1.04))
        complaints = _count(pop[t] / 10_000 * _clamp(15 - 4 * e + a.gauss(3), 1, 60))
        return {
            "WASTE_COLLECTED_T": collected,
            "WASTE_RECYCLED_T": round(collected * rate, 1),
            "WASTE_SYSTEM_COST": cost,
            "WASTE_FEES_DUE": due,
            "WASTE_FEES_PAID": paid,
            "WASTE_COMPLAINTS": complaints,
        }

    return _yearly(a, year)


def _proptax(u: _Unit, pop: list[float]) -> Series:
    a = _Area(u, "PROPTAX")
    due_pc = a.uniform(*u.by_type((1_000, 1_500), (700, 1_200), (450, 900), (500, 950), (0, 0)))
    if u.code in _INDUSTRIAL:
        due_pc *= a.uniform(1.8, 2.6)
    indexation = (1.00, 1.04, 1.09, 1.20, 1.31)
    reminders_rate = a.uniform(15, 45)
    share = _clamp(0.055 - 0.012 * a.eff(0) + a.gauss(0.01), 0.01, 0.2)

    def year(t: int, e: float) -> dict[str, float | None]:
        nonlocal share
        if t > 0:
            share = _clamp(share * math.exp(a.rng.gauss(-0.03 * e, 0.08)), 0.005, 0.25)
        due = _money(pop[t] * due_pc * indexation[t] * a.noise(0.02))
        arrears = _money(due * share)
        reminders = _count(pop[t] / 1000 * reminders_rate * a.noise(0.1))
        return {
            "PROPTAX_DUE": due,
            "PROPTAX_ARREARS": arrears,
            "PROPTAX_RECOVERED": _money(
                arrears * _clamp(0.8 + 0.12 * e + a.gauss(0.08), 0.15, 1.6)
            ),
            "PROPTAX_REMINDERS": reminders,
            "PROPTAX_ENFORCEMENT": _count(
                reminders * _clamp(0.3 - 0.05 * e + a.gauss(0.04), 0.05, 0.8)
            ),
        }

    return _yearly(a, year)


def _vehicles(u: _Unit, pop: list[float]) -> Series:
    a = _Area(u, "VEHICLES")
    reg_rate = a.uniform(55, 85)
    lic_rate = a.uniform(5, 9)
    visit_factor = a.uniform(1.2, 1.45)
    demand = (1.00, 1.04, 0.98, 1.02, 1.03)

    def year(t: int, e: float) -> dict[str, float | None]:
        reg = _count(pop[t] / 1000 * reg_rate * demand[t] * a.noise(0.04))
        lic = _count(pop[t] / 1000 * lic_rate * a.noise(0.06))
        visits = _count((reg + lic) * visit_factor * a.noise(0.03))
        online = _clamp(0.15 + 0.07 * t + 0.06 * e + a.gauss(0.04), 0.0, 0.9)
        fte = _fte((reg + lic) / _clamp(1900 + 250 * e + a.gauss(120), 900, 3200), 1.0)
        return {
            "VEH_REGISTRATIONS": reg,
            "VEH_LICENCES": lic,
            "VEH_AVG_WAIT_MIN": round(_clamp(22 - 5 * e + a.gauss(3), 4, 60), 1),
            "VEH_VISITS": visits,
            "VEH_ONLINE_BOOKINGS": _count(visits * online),
            "VEH_FTE": fte,
            "VEH_STAFF_COST": _money(fte * _salary(a, t)),
        }

    return _yearly(a, year)


def _citizens(u: _Unit, pop: list[float]) -> Series:
    a = _Area(u, "CITIZENS")
    id_rate = a.uniform(60, 85)
    reg_rate = a.uniform(30, 55)

    def year(t: int, e: float) -> dict[str, float | None]:
        ids = _count(pop[t] / 1000 * id_rate * _ID_DEMAND[t] * a.noise(0.04))
        reg = _count(pop[t] / 1000 * reg_rate * a.noise(0.05))
        online = _clamp(0.05 + 0.015 * t + 0.02 * e + a.gauss(0.01), 0.005, 0.4)
        fte = _fte((ids + reg) / _clamp(1400 + 180 * e + a.gauss(90), 600, 2600), 0.5)
        return {
            "CIT_ID_APPLICATIONS": ids,
            "CIT_ID_ONLINE": _count(ids * online),
            "CIT_REG_CASES": reg,
            "CIT_FTE": fte,
            "CIT_STAFF_COST": _money(fte * _salary(a, t)),
        }

    return _yearly(a, year)


def _schools(u: _Unit, pop: list[float]) -> Series:
    a = _Area(u, "SCHOOLS")
    pupil_share = a.uniform(
        *u.by_type((0.11, 0.135), (0.085, 0.1), (0.09, 0.105), (0.088, 0.103), (0.03, 0.045))
    )
    class_size = a.uniform(*u.by_type((22, 26), (20, 24), (15, 19), (17, 21), (25, 29)))
    per_teacher = a.uniform(*u.by_type((10.5, 12.5), (10, 12), (8, 10), (9, 11), (11, 13.5)))
    per_pupil = a.uniform(
        *u.by_type(
            (11_000, 13_500), (10_500, 12_500), (12_500, 16_000), (11_500, 14_000), (12_000, 15_000)
        )
    )
    coverage = a.uniform(
        *u.by_type((0.62, 0.78), (0.58, 0.74), (0.60, 0.75), (0.60, 0.75), (0.85, 0.98))
    )
    exam_base = u.by_type(56.0, 55.0, 53.0, 54.0, 58.0)

    def year(t: int, e: float) -> dict[str, float | None]:
        pupils = _count(pop[t] * pupil_share * (1 - 0.008 * t) * a.noise(0.01))
        spending = _money(
            pupils * per_pupil * _SCHOOL_COST[t] * math.exp(-0.03 * e) * a.noise(0.02)
        )
        return {
            "SCH_PUPILS": pupils,
            "SCH_CLASSES": _count(pupils / (class_size * a.noise(0.01))),
            "SCH_TEACHER_FTE": round(pupils / (per_teacher * a.noise(0.015)), 2),
            "SCH_SPENDING": spending,
            "SCH_SUBSIDY": _money(spending * _clamp(coverage * a.noise(0.02), 0.3, 0.99)),
            "SCH_EXAM_SCORE": round(
                _clamp(exam_base + 3 * e + _EXAM_SHOCK[t] + a.gauss(1.5), 30, 85), 1
            ),
        }

    return _yearly(a, year)


def _ngo(u: _Unit, pop: list[float]) -> Series:
    a = _Area(u, "NGO")
    grants_pc = a.uniform(*u.by_type((40, 90), (25, 70), (20, 60), (20, 65), (8, 25)))
    competitions_rate = a.uniform(1.5, 3.0)
    zero_years = {p for code, p, _ in ZERO_DENOMINATORS if code == u.code}

    def year(t: int, e: float) -> dict[str, float | None]:
        grants = _money(pop[t] * grants_pc * (1 + 0.05 * t) * a.noise(0.05))
        competitions = max(
            1.0, _count(competitions_rate * math.sqrt(pop[t] / 10_000) * a.noise(0.15))
        )
        offers = _count(competitions * _clamp(3.5 + 0.6 * e + a.gauss(0.6), 1.2, 9))
        if PERIODS[t] in zero_years:
            competitions, offers = 0.0, float(a.rng.randint(3, 6))
            grants = _money(offers * a.uniform(4_000, 10_000))  # small grants: <= 10,000 PLN
        contracts = _count(offers * _clamp(0.7 + a.gauss(0.08), 0.3, 1.0))
        return {
            "NGO_GRANTS_AMOUNT": grants,
            "NGO_COMPETITIONS": competitions,
            "NGO_OFFERS": offers,
            "NGO_CONTRACTS": contracts,
            "NGO_RETURNED": _money(grants * _clamp(0.015 - 0.004 * e + a.gauss(0.004), 0.0, 0.06)),
        }

    return _yearly(a, year)


def _hr(u: _Unit, staff: list[float | None]) -> Series:
    a = _Area(u, "HR")
    headcount_factor = a.uniform(1.03, 1.08)
    training_cost = a.uniform(500, 1_200)
    sick = a.uniform(10, 16)

    def year(t: int, e: float) -> dict[str, float | None]:
        head = round((staff[t] or 0.0) * headcount_factor, 1)
        turnover = _clamp(0.08 - 0.015 * e + a.gauss(0.015), 0.01, 0.25) * _TURNOVER[t]
        leavers = _count(head * turnover)
        days_pe = _clamp(2.5 + 0.5 * e + a.gauss(0.4), 0.5, 6) * _TRAINING[t]
        return {
            "HR_HEADCOUNT_AVG": head,
            "HR_LEAVERS": leavers,
            "HR_NEW_HIRES": _count(leavers * a.uniform(0.85, 1.25)),
            "HR_TRAINING_DAYS": _count(head * days_pe),
            "HR_TRAINING_COST": _money(
                head * training_cost * _PRICES[t] * _TRAINING[t] * a.noise(0.1)
            ),
            "HR_SICK_DAYS": _count(head * sick * _SICKNESS[t] * a.noise(0.06)),
        }

    return _yearly(a, year)


def _lighting(u: _Unit, pop: list[float]) -> Series:
    a = _Area(u, "LIGHTING")
    points_rate = a.uniform(*u.by_type((95, 130), (100, 140), (180, 260), (150, 210), (0, 0)))
    led = a.uniform(0.05, 0.35)
    maint_pp = a.uniform(55, 110)
    bundled = u.code in BUNDLED_MAINTENANCE

    def year(t: int, e: float) -> dict[str, float | None]:
        nonlocal led
        if t > 0:
            led = min(1.0, led + _clamp(0.06 + 0.03 * e + a.gauss(0.03), 0.0, 0.25))
        points = _count(u.pop0 / 1000 * points_rate * (1 + 0.01 * t))
        mwh = round(points * (led * 230 + (1 - led) * 560) * a.noise(0.03) / 1000, 1)
        energy_cost = mwh * _ENERGY_PLN_MWH[t] * a.noise(0.04)
        maint = points * maint_pp * _PRICES[t] * (1 - 0.3 * led) * a.noise(0.05)
        failures = _count(points / 100 * _clamp(9 - 2 * e - 4 * led + a.gauss(1.5), 0.5, 30))
        return {
            "LIGHT_POINTS": points,
            "LIGHT_LED": _count(points * led),
            "LIGHT_ENERGY_MWH": mwh,
            "LIGHT_ENERGY_COST": _money(energy_cost + maint if bundled else energy_cost),
            "LIGHT_MAINT_COST": None if bundled else _money(maint),
            "LIGHT_FAILURES": failures,
        }

    return _yearly(a, year)


def _office(u: _Unit, pop: list[float]) -> Series:
    a = _Area(u, "OFFICE")
    admin_pc = a.uniform(*u.by_type((380, 520), (450, 650), (550, 850), (500, 750), (120, 200)))
    docs_pc = a.uniform(*u.by_type((0.9, 1.4), (1.0, 1.8), (1.0, 1.8), (1.0, 1.8), (0.6, 1.0)))
    admin_index = (1.00, 1.06, 1.14, 1.28, 1.42)

    def year(t: int, e: float) -> dict[str, float | None]:
        docs = _count(pop[t] * docs_pc * a.noise(0.05))
        edoc = _clamp(0.25 + 0.06 * t + 0.05 * e + a.gauss(0.03), 0.05, 0.95)
        return {
            "OFFICE_ADMIN_COST": _money(
                pop[t] * admin_pc * admin_index[t] * math.exp(-0.04 * e) * a.noise(0.02)
            ),
            "OFFICE_DOCS_TOTAL": docs,
            "OFFICE_EDOCS": _count(docs * edoc),
            "OFFICE_COMPLAINTS": _count(
                pop[t] / 10_000 * _clamp(3 - 0.8 * e + a.gauss(0.8), 0.2, 15)
            ),
        }

    return _yearly(a, year)


def _unit_series(u: _Unit) -> Series:
    """All variables of one unit, in catalogue order, for the areas its type reports."""
    s = _context(u)
    pop = [float(p) for p in s["POPULATION"]]  # type: ignore[arg-type]
    reports = {area for area, types in cat.AREA_UNIT_TYPES.items() if u.type in types}
    makers = {
        "PERMITS": lambda: _permits(u, pop),
        "BUSINESS": lambda: _business(u, pop),
        "CIVIL": lambda: _civil(u, pop),
        "WASTE": lambda: _waste(u, pop),
        "PROPTAX": lambda: _proptax(u, pop),
        "VEHICLES": lambda: _vehicles(u, pop),
        "CITIZENS": lambda: _citizens(u, pop),
        "SCHOOLS": lambda: _schools(u, pop),
        "NGO": lambda: _ngo(u, pop),
        "HR": lambda: _hr(u, s["STAFF_FTE"]),
        "LIGHTING": lambda: _lighting(u, pop),
        "OFFICE": lambda: _office(u, pop),
    }
    for area, _en, _pl, _cs in cat.SERVICE_AREAS:
        if area in reports:
            s.update(makers[area]())
    order = [v[0] for v in cat.VARIABLES]
    return {code: s[code] for code in order if code in s}


# --- public API -----------------------------------------------------------------------------


def demo_catalogue() -> dict:
    """Return the demo catalogue as the structure of the catalogue file (docs/contracts.md).

    Keys `service_areas`, `variables`, `indicators`, `peer_groups`, `validation_rules`;
    every name is a `{en, pl, cs}` dict and every indicator has a one-sentence
    `description` in the same three languages. Every variable has its `kind`, and those
    that grow with the unit's size are compared `per` POPULATION.
    """
    areas = [
        {"code": c, "name": {"en": en, "pl": pl_, "cs": cs}}
        for c, en, pl_, cs in cat.SERVICE_AREAS + cat.PROCESS_SERVICE_AREAS
    ]
    variables = []
    for code, area, unit, en, pl_, cs in cat.VARIABLES + cat.PROCESS_VARIABLES:
        entry: dict = {
            "code": code,
            "name": {"en": en, "pl": pl_, "cs": cs},
            "unit": cat.unit_of_measure(unit),
        }
        if area is not None:
            entry["area"] = area
        entry["min"] = 0
        entry["kind"] = cat.variable_kind(code, unit)
        if code not in cat.NOT_SIZED:
            entry["per"] = cat.SIZE_VARIABLE
        variables.append(entry)
    indicators = [
        {
            "code": code,
            "name": {"en": n[0], "pl": n[1], "cs": n[2]},
            "formula": formula,
            "direction": direction,
            "unit": cat.unit_of_measure(unit),
            "decimals": decimals,
            "area": area,
            "description": {"en": d[0], "pl": d[1], "cs": d[2]},
        }
        for code, area, formula, direction, unit, decimals, n, d in cat.INDICATORS
        + cat.PROCESS_INDICATORS
    ]
    groups = []
    for code, en, pl_, cs, unit_types, members in cat.PEER_GROUPS:
        group: dict = {"code": code, "name": {"en": en, "pl": pl_, "cs": cs}}
        if unit_types:
            group["unit_types"] = list(unit_types)
        if members:
            group["members"] = list(members)
        groups.append(group)
    rules = [
        {
            "code": code,
            "name": {"en": n[0], "pl": n[1], "cs": n[2]},
            "rule": rule,
            "severity": severity,
        }
        for code, rule, severity, n in cat.VALIDATION_RULES + cat.PROCESS_VALIDATION_RULES
    ]
    return {
        "service_areas": areas,
        "variables": variables,
        "indicators": indicators,
        "peer_groups": groups,
        "validation_rules": rules,
    }


def demo_units() -> list[dict]:
    """Return the 43 demo units (17 cities with county rights, 20 gminas, 6 county offices).

    Each unit is a dict with `code` (7-digit TERYT-like), `name`, `type`, `country` ("PL")
    and `parent` (None).
    """
    return [
        {"code": code, "name": name, "type": type_, "country": "PL", "parent": None}
        for code, name, type_, _pop, _area in _UNITS
    ]


def demo_values() -> pl.DataFrame:
    """Return the demo values for 2020-2024 in long format.

    Columns `unit, variable, period: str`, `value: f64` (null = not available) and
    `comment: str` (nullable). The frame is the same on every call.
    """
    rows: list[tuple[str, str, str, float | None, str | None]] = []
    for spec in _UNITS:
        u = _make_unit(*spec)
        for variable, series in _unit_series(u).items():
            for t, period in enumerate(PERIODS):
                rows.append((u.code, variable, period, series[t], None))
    index = {(r[0], r[1], r[2]): i for i, r in enumerate(rows)}
    protected: set[int] = set()

    for unit, variable, period, factor, comment in OUTLIERS:
        i = index[(unit, variable, period)]
        value = rows[i][3]
        assert value is not None
        new = value * factor
        if variable.endswith("_COST") or variable == "SCH_SPENDING":
            new = round(new, 2)
        elif variable == "VEH_AVG_WAIT_MIN":
            new = round(new, 1)
        else:
            new = float(round(new))
        rows[i] = (unit, variable, period, new, comment)
        protected.add(i)

    for unit, period, comment in ZERO_DENOMINATORS:
        i = index[(unit, "NGO_COMPETITIONS", period)]
        rows[i] = (*rows[i][:4], comment)
        protected.add(i)

    for i, (unit, variable, period, value, _comment) in enumerate(rows):
        if variable == "LIGHT_MAINT_COST" and unit in BUNDLED_MAINTENANCE:
            rows[i] = (unit, variable, period, value, _BUNDLED_COMMENT)
            protected.add(i)

    rng = random.Random(f"{SEED}:missing")
    candidates = [
        i for i, r in enumerate(rows) if i not in protected and r[1] not in _NEVER_MISSING
    ]
    for n, i in enumerate(sorted(rng.sample(candidates, round(_MISSING_SHARE * len(rows))))):
        comment = _MISSING_COMMENTS[n % 2] if n % 3 == 0 else None
        rows[i] = (*rows[i][:3], None, comment)

    return pl.DataFrame(rows, schema=VALUES_SCHEMA, orient="row")


def demo_next_period(previous: pl.DataFrame, *, period: str) -> pl.DataFrame:
    """The values a demo unit enters for `period`, from its values of the period before.

    `previous` has `unit, variable, value`; the result has `unit, variable, period,
    value`, row for row (a missing value stays missing). Each unit's values of one
    service area (the general context being one more) move by the same drift, between
    -3 % and +6 %, drawn from the unit and the area: a part moves with its whole, so a
    rule such as decisions within the deadline <= decisions issued still holds, as it
    would not if every value drifted on its own. Whole numbers stay whole (rounding is
    monotone, so it keeps the order of a part and its whole), the rest keeps 2 decimals.
    """
    areas = {code: area or "CONTEXT" for code, area, *_rest in cat.VARIABLES}
    drifts: dict[tuple[str, str], float] = {}

    def drift(unit: str, variable: str) -> float:
        key = (unit, areas.get(variable, variable))
        if key not in drifts:
            drifts[key] = random.Random(f"{SEED}:{unit}:{key[1]}:{period}").uniform(0.97, 1.06)
        return drifts[key]

    factors = [
        drift(unit, variable) for unit, variable in previous.select("unit", "variable").iter_rows()
    ]
    value = pl.col("value") * pl.Series(factors, dtype=pl.Float64)
    whole = pl.col("value") == pl.col("value").round(0)
    return previous.select(
        "unit",
        "variable",
        pl.lit(period).alias("period"),
        pl.when(whole).then(value.round(0)).otherwise(value.round(2)).alias("value"),
    )


def format_number(value: float | None) -> str:
    """Write a number with a dot, at full precision, never in exponent notation; "" for None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return format(Decimal(repr(float(value))), "f")


def write_demo_files(directory: Path) -> dict[str, Path]:
    """Write `catalogue.yaml`, `units.csv` and `values.csv` into `directory`.

    The files follow docs/contracts.md (UTF-8, comma-separated, header row; empty value =
    not available). Returns `{"catalogue": path, "units": path, "values": path}`.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = {
        "catalogue": directory / "catalogue.yaml",
        "units": directory / "units.csv",
        "values": directory / "values.csv",
    }
    with paths["catalogue"].open("w", encoding="utf-8") as f:
        yaml.safe_dump(demo_catalogue(), f, allow_unicode=True, sort_keys=False, width=100)
    with paths["units"].open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(UNITS_HEADER)
        for unit in demo_units():
            writer.writerow(
                [unit["code"], unit["name"], unit["type"], unit["parent"] or "", unit["country"]]
            )
    with paths["values"].open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(VALUES_HEADER)
        for unit, variable, period, value, comment in demo_values().iter_rows():
            writer.writerow([unit, variable, period, format_number(value), comment or ""])
    return paths
