"""Deterministic demo data of process-managed offices: process maps, costing, cases.

Two parts, both pure data (no Django, no database; fixed seeds, no clock):

* **A Czech town office** modelled on the Czech "smart administration" programme
  (domain.md, Kopřivnice): a fictional town of about 22,000 inhabitants, a municipality
  with extended powers (obec s rozšířenou působností), costs in CZK, every name in
  Czech. Twelve departments (two of them support departments), about forty processes in
  a tree of process groups, three years of costing (2023-2025) and, for its key
  processes, the cases of every month (received, closed, closed within the legal
  deadline, average lead time, complaints) as its document-management system reports
  them. A key process's yearly output is the sum of its cases closed in the months.
* **Costing of a few Polish demo offices** (PLN), whose process maps share the codes of
  three common processes (building permits, vehicle registration, identity cards) and
  name the same catalogue variables, so the full cost of one decision is benchmarked
  across offices. Their staff, costs and outputs follow the demo values of the same
  office and year (generator.py): the permit department's staff is the one that
  reports PERMIT_FTE, its output the PERMITS_ISSUED it reports.

`write_office_files()` writes everything in the file formats of contracts.md: a units
file for the Czech office, one process map (CSV) per office and one costing workbook
(XLSX, sheets departments/allocation/outputs) per office and year. The monthly cases are
values of catalogue variables (`czech_monthly_values()`), entered through the one write
path by `setup.py`.
"""

from __future__ import annotations

import csv
import functools
import math
import random
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from miara.demo import catalogue as cat
from miara.demo.generator import PERIODS, SEED, demo_values

MAP_HEADER = (
    "code",
    "name",
    "group",
    "parent_group",
    "owner",
    "output",
    "legal_deadline_days",
    "cost_variable",
    "output_variable",
    "criteria",
)

# The quality and performance criteria of a key process (its catalogue indicators,
# demo/catalogue.py): cost per case, share within the deadline, lead time, complaints,
# cases closed per case received.
CZECH_CRITERIA = ("UNIT_COST", "DEADLINE_SHARE", "LEAD_TIME", "COMPLAINT_RATE", "CLEARANCE")

# --- the Czech office ---------------------------------------------------------------------

CZECH_UNIT = {
    "code": "599981",
    "name": "Lipová nad Odrou",
    "type": "orp",
    "parent": None,
    "country": "CZ",
}
CZECH_PERIODS: tuple[str, ...] = ("2023", "2024", "2025")
CZECH_MONTHS: tuple[str, ...] = tuple(f"{y}-{m:02d}" for y in CZECH_PERIODS for m in range(1, 13))
#: Residents on 1 January and the area in km² (context values of the office).
CZECH_POPULATION = (22_140, 21_990, 21_870)
CZECH_AREA_KM2 = 27.5

#: Average personnel cost of one FTE a year in CZK (pay with the employer's social and
#: health insurance), and its growth: the public-sector pay rises of 2024 and 2025.
_CZ_COST_PER_FTE = 690_000.0
_CZ_WAGES = (1.00, 1.07, 1.12)
_CZ_PRICES = (1.00, 1.024, 1.049)

# department: (code, name, kind, FTE in 2023, pay relative to the office's average,
# other cost as a share of personnel cost, time spent on no process)
_CZ_DEPARTMENTS: list[tuple[str, str, str, float, float, float, float]] = [
    ("KS", "Kancelář starosty", "primary", 8.0, 1.06, 0.30, 0.06),
    ("SU", "Odbor stavební úřad", "primary", 12.0, 1.05, 0.12, 0.04),
    ("OD", "Odbor dopravy", "primary", 16.0, 0.94, 0.16, 0.07),
    ("OSV", "Odbor sociálních věcí", "primary", 14.0, 0.95, 0.10, 0.05),
    ("ZU", "Živnostenský úřad", "primary", 6.0, 0.93, 0.10, 0.12),
    ("OF", "Odbor finanční", "primary", 11.0, 1.00, 0.09, 0.06),
    ("OVV", "Odbor vnitřních věcí", "primary", 14.0, 0.92, 0.14, 0.08),
    ("OZP", "Odbor životního prostředí", "primary", 7.0, 1.00, 0.11, 0.09),
    ("OSK", "Odbor školství", "primary", 5.0, 1.00, 0.10, 0.10),
    ("OSM", "Odbor správy majetku", "primary", 9.0, 1.02, 0.20, 0.05),
    ("OI", "Odbor informatiky", "support", 5.0, 1.18, 1.10, 0.0),
    ("PO", "Personální oddělení", "support", 3.0, 0.98, 0.30, 0.0),
]

# The tree of process groups: group -> its parent (None: a top group).
_CZ_GROUPS: dict[str, str | None] = {
    "Řídicí procesy": None,
    "Výkon státní správy": None,
    "Samospráva": None,
    "Stavební řízení": "Výkon státní správy",
    "Doprava a silniční hospodářství": "Výkon státní správy",
    "Občanské agendy": "Výkon státní správy",
    "Sociální věci": "Výkon státní správy",
    "Živnosti a životní prostředí": "Výkon státní správy",
    "Majetek, finance a školství": "Samospráva",
}


@dataclass(frozen=True)
class _Process:
    code: str
    name: str
    group: str
    owner: str
    output: str  # what the output is, in Czech
    deadline: int | None  # legal deadline in days
    volume: float  # output in 2023
    trend: tuple[float, float]  # output of 2024 and 2025 relative to the year before
    effort: float  # share of the owner's process time in 2023 (relative weight)
    direct: float = 0.0  # direct cost in 2023, CZK
    key: str | None = None  # variable prefix of a key process (catalogue.CZECH_KEY_PROCESSES)


_P = _Process
# Legal deadlines: the Code of Administrative Procedure (správní řád, 500/2004 Sb., § 71:
# 30 days, 60 in complicated cases), the Building Act for building permits, 20 days for a
# driving licence (361/2000 Sb.), 30 days for an identity card (269/2021 Sb.), 5 days for
# an entry in the trade register (455/1991 Sb.), 15 days for a request for information
# (106/1999 Sb.), 60 days for a complaint (§ 175 správního řádu).
_CZ_PROCESSES: list[_Process] = [
    # management processes
    _P(
        "KS_RADA_ZASTUPITELSTVO",
        "Příprava jednání rady a zastupitelstva",
        "Řídicí procesy",
        "KS",
        "projednané materiály",
        None,
        410,
        (1.02, 0.98),
        0.30,
    ),
    _P(
        "KS_STRATEGIE_KVALITA",
        "Strategické plánování a řízení kvality",
        "Řídicí procesy",
        "KS",
        "vyhodnocené cíle a kritéria procesů",
        None,
        64,
        (1.10, 1.05),
        0.20,
        120_000,
    ),
    _P(
        "KS_KOMUNIKACE",
        "Komunikace s veřejností a městský zpravodaj",
        "Řídicí procesy",
        "KS",
        "vydaná čísla zpravodaje",
        None,
        11,
        (1.0, 1.0),
        0.25,
        380_000,
    ),
    _P(
        "KS_STIZNOSTI",
        "Vyřizování stížností",
        "Řídicí procesy",
        "KS",
        "vyřízené stížnosti",
        60,
        96,
        (0.92, 0.88),
        0.12,
    ),
    _P(
        "KS_INFORMACE",
        "Poskytování informací podle zákona č. 106/1999 Sb.",
        "Řídicí procesy",
        "KS",
        "vyřízené žádosti o informace",
        15,
        72,
        (1.08, 1.04),
        0.13,
    ),
    # building authority
    _P(
        "SU_STAVEBNI_POVOLENI",
        "Vydání stavebního povolení",
        "Stavební řízení",
        "SU",
        "vydaná rozhodnutí",
        60,
        0,
        (0.93, 0.97),
        0.34,
        0.0,
        "CZ_BUILD",
    ),
    _P(
        "SU_UZEMNI_ROZHODNUTI",
        "Vydání územního rozhodnutí",
        "Stavební řízení",
        "SU",
        "vydaná územní rozhodnutí",
        60,
        178,
        (0.91, 0.95),
        0.22,
    ),
    _P(
        "SU_KOLAUDACE",
        "Kolaudační souhlas",
        "Stavební řízení",
        "SU",
        "vydané kolaudační souhlasy",
        30,
        152,
        (1.04, 0.96),
        0.14,
    ),
    _P(
        "SU_OHLASENI",
        "Ohlášení a oznámení stavby",
        "Stavební řízení",
        "SU",
        "vyřízená ohlášení",
        30,
        224,
        (0.97, 1.02),
        0.12,
    ),
    _P(
        "SU_ODSTRANENI",
        "Odstranění stavby",
        "Stavební řízení",
        "SU",
        "vydaná rozhodnutí o odstranění stavby",
        60,
        9,
        (1.0, 0.8),
        0.04,
    ),
    _P(
        "SU_DOZOR",
        "Stavební dozor a kontrolní prohlídky",
        "Stavební řízení",
        "SU",
        "provedené kontrolní prohlídky",
        None,
        296,
        (1.03, 1.05),
        0.14,
    ),
    # transport
    _P(
        "OD_REGISTRACE_VOZIDEL",
        "Registrace silničních vozidel",
        "Doprava a silniční hospodářství",
        "OD",
        "provedené zápisy do registru vozidel",
        30,
        0,
        (1.02, 1.01),
        0.38,
        0.0,
        "CZ_VEHREG",
    ),
    _P(
        "OD_RIDICSKE_PRUKAZY",
        "Vydávání řidičských průkazů",
        "Doprava a silniční hospodářství",
        "OD",
        "vydané řidičské průkazy",
        20,
        0,
        (1.05, 0.97),
        0.24,
        0.0,
        "CZ_LICENCE",
    ),
    _P(
        "OD_ZKOUSKY",
        "Zkoušky odborné způsobilosti řidičů",
        "Doprava a silniční hospodářství",
        "OD",
        "vykonané zkoušky",
        None,
        880,
        (0.98, 1.01),
        0.12,
    ),
    _P(
        "OD_PRESTUPKY",
        "Projednávání dopravních přestupků",
        "Doprava a silniční hospodářství",
        "OD",
        "rozhodnuté přestupky",
        60,
        1_620,
        (1.06, 1.09),
        0.18,
        95_000,
    ),
    _P(
        "OD_SILNICNI_URAD",
        "Silniční správní úřad",
        "Doprava a silniční hospodářství",
        "OD",
        "vydaná povolení zvláštního užívání komunikací",
        30,
        236,
        (1.01, 1.03),
        0.08,
    ),
    # citizens' affairs
    _P(
        "OVV_OBCANSKE_PRUKAZY",
        "Vydávání občanských průkazů",
        "Občanské agendy",
        "OVV",
        "vydané občanské průkazy",
        30,
        0,
        (1.06, 0.95),
        0.24,
        0.0,
        "CZ_IDCARD",
    ),
    _P(
        "OVV_CESTOVNI_PASY",
        "Vydávání cestovních pasů",
        "Občanské agendy",
        "OVV",
        "vydané cestovní pasy",
        30,
        2_460,
        (0.86, 0.92),
        0.16,
    ),
    _P(
        "OVV_EVIDENCE_OBYVATEL",
        "Evidence obyvatel",
        "Občanské agendy",
        "OVV",
        "provedené změny v evidenci obyvatel",
        None,
        1_830,
        (0.99, 1.0),
        0.12,
    ),
    _P(
        "OVV_MATRIKA",
        "Matriční agenda",
        "Občanské agendy",
        "OVV",
        "zapsané matriční události",
        30,
        640,
        (0.97, 0.98),
        0.16,
    ),
    _P(
        "OVV_CZECH_POINT",
        "Czech POINT a ověřování",
        "Občanské agendy",
        "OVV",
        "vydané ověřené výstupy a provedená ověření",
        None,
        9_800,
        (1.03, 1.04),
        0.14,
    ),
    _P(
        "OVV_PRESTUPKY",
        "Projednávání přestupků",
        "Občanské agendy",
        "OVV",
        "rozhodnuté přestupky",
        60,
        452,
        (1.02, 0.97),
        0.18,
    ),
    # social affairs
    _P(
        "OSV_OSPOD",
        "Sociálně-právní ochrana dětí",
        "Sociální věci",
        "OSV",
        "vedené případy ohrožených dětí",
        None,
        384,
        (1.04, 1.03),
        0.42,
    ),
    _P(
        "OSV_SOCIALNI_PRACE",
        "Sociální práce s dospělými",
        "Sociální věci",
        "OSV",
        "klienti sociální práce",
        None,
        226,
        (1.07, 1.05),
        0.28,
    ),
    _P(
        "OSV_PARKOVACI_PRUKAZY",
        "Parkovací průkazy pro osoby se zdravotním postižením",
        "Sociální věci",
        "OSV",
        "vydané parkovací průkazy",
        30,
        158,
        (1.03, 1.02),
        0.06,
        24_000,
    ),
    _P(
        "OSV_OPATROVNICTVI",
        "Veřejné opatrovnictví",
        "Sociální věci",
        "OSV",
        "opatrovanci",
        None,
        24,
        (1.04, 1.0),
        0.24,
    ),
    # trade licensing and the environment
    _P(
        "ZU_ZIVNOSTENSKY_REJSTRIK",
        "Ohlášení živnosti a změny v živnostenském rejstříku",
        "Živnosti a životní prostředí",
        "ZU",
        "provedené zápisy do živnostenského rejstříku",
        5,
        0,
        (0.98, 1.01),
        0.62,
        0.0,
        "CZ_TRADE",
    ),
    _P(
        "ZU_KONTROLA",
        "Živnostenská kontrola",
        "Živnosti a životní prostředí",
        "ZU",
        "provedené kontroly",
        None,
        138,
        (1.05, 1.04),
        0.38,
    ),
    _P(
        "OZP_ODPADY",
        "Odpadové hospodářství",
        "Živnosti a životní prostředí",
        "OZP",
        "vydaná rozhodnutí a stanoviska",
        30,
        118,
        (1.02, 1.03),
        0.26,
    ),
    _P(
        "OZP_KACENI_DREVIN",
        "Povolení kácení dřevin",
        "Živnosti a životní prostředí",
        "OZP",
        "vydaná povolení",
        30,
        86,
        (0.95, 1.04),
        0.16,
    ),
    _P(
        "OZP_VODOPRAVNI_URAD",
        "Vodoprávní úřad",
        "Živnosti a životní prostředí",
        "OZP",
        "vydaná vodoprávní rozhodnutí",
        60,
        212,
        (1.01, 0.98),
        0.40,
    ),
    _P(
        "OZP_OVZDUSI",
        "Ochrana ovzduší",
        "Živnosti a životní prostředí",
        "OZP",
        "vydaná stanoviska",
        30,
        58,
        (1.04, 1.02),
        0.18,
    ),
    # self-government: property, finance and schools
    _P(
        "OF_ROZPOCET",
        "Sestavení a kontrola rozpočtu",
        "Majetek, finance a školství",
        "OF",
        "schválená rozpočtová opatření",
        None,
        14,
        (1.0, 1.07),
        0.30,
    ),
    _P(
        "OF_MISTNI_POPLATKY",
        "Správa místních poplatků",
        "Majetek, finance a školství",
        "OF",
        "vyměřené poplatkové povinnosti",
        None,
        11_200,
        (1.0, 0.99),
        0.42,
        64_000,
    ),
    _P(
        "OF_POHLEDAVKY",
        "Vymáhání pohledávek",
        "Majetek, finance a školství",
        "OF",
        "vymáhané pohledávky",
        None,
        720,
        (0.94, 0.96),
        0.28,
        41_000,
    ),
    _P(
        "OSM_PRONAJMY",
        "Pronájem a prodej obecního majetku",
        "Majetek, finance a školství",
        "OSM",
        "uzavřené smlouvy",
        None,
        164,
        (1.01, 1.02),
        0.30,
    ),
    _P(
        "OSM_INVESTICE",
        "Příprava a realizace investičních akcí",
        "Majetek, finance a školství",
        "OSM",
        "dokončené investiční akce",
        None,
        17,
        (1.12, 0.94),
        0.44,
        1_250_000,
    ),
    _P(
        "OSM_BYTY",
        "Správa obecních bytů",
        "Majetek, finance a školství",
        "OSM",
        "spravované byty",
        None,
        518,
        (0.99, 0.99),
        0.26,
    ),
    _P(
        "OSK_ZRIZOVATEL_SKOL",
        "Zřizovatelská agenda škol a školských zařízení",
        "Majetek, finance a školství",
        "OSK",
        "zřizované školy a školská zařízení",
        None,
        9,
        (1.0, 1.0),
        0.62,
    ),
    _P(
        "OSK_DOTACE",
        "Dotace spolkům a neziskovým organizacím",
        "Majetek, finance a školství",
        "OSK",
        "uzavřené smlouvy o dotaci",
        None,
        86,
        (1.05, 1.02),
        0.38,
    ),
]

#: No building was ordered removed in 2024: no output, so no unit cost (the page says why).
_CZ_NO_OUTPUT = {("SU_ODSTRANENI", "2024")}

#: Time every primary department spends on processes of others (percent of its time):
#: materials for the council, answers to requests for information, and the finance and
#: property departments' part of investments and schools.
_CZ_SHARED_TIME: dict[str, float] = {"KS_RADA_ZASTUPITELSTVO": 2.0, "KS_INFORMACE": 1.0}
_CZ_EXTRA_TIME: dict[str, dict[str, float]] = {
    "OF": {"OSM_INVESTICE": 6.0, "OSK_ZRIZOVATEL_SKOL": 3.0},
    "OSM": {"OSK_ZRIZOVATEL_SKOL": 4.0},
    "SU": {"KS_STIZNOSTI": 1.0},
}

# Key processes, month by month: (variable prefix, cases received in an average month of
# 2023, seasonal pattern Jan-Dec, lead time in days by year, spread of lead times,
# complaints per 1,000 cases by year)
_SEASONS = {
    "building": (0.70, 0.78, 1.05, 1.25, 1.30, 1.18, 0.98, 0.80, 1.02, 1.12, 0.98, 0.84),
    "steady": (0.92, 0.95, 1.08, 1.06, 1.06, 1.04, 0.98, 0.90, 1.00, 1.04, 1.00, 0.97),
    "summer": (0.80, 0.86, 1.00, 1.12, 1.26, 1.30, 1.10, 0.92, 0.90, 0.92, 0.90, 0.92),
}
_CZ_KEY_MONTHLY: dict[str, tuple[float, str, tuple[float, float, float], float, tuple]] = {
    # The building authority got slower with the new Building Act (mid-2024), then faster
    # once the quality programme reorganised the process.
    "CZ_BUILD": (23.0, "building", (47.0, 53.0, 41.0), 0.35, (38.0, 46.0, 24.0)),
    "CZ_VEHREG": (1_140.0, "steady", (1.6, 1.4, 1.1), 0.95, (0.9, 0.8, 0.6)),
    "CZ_LICENCE": (318.0, "steady", (15.5, 14.2, 12.4), 0.28, (2.4, 2.1, 1.6)),
    "CZ_IDCARD": (352.0, "summer", (18.5, 17.0, 15.8), 0.30, (1.6, 1.4, 1.2)),
    "CZ_TRADE": (108.0, "steady", (3.4, 3.0, 2.3), 0.50, (3.1, 2.6, 2.2)),
}


def _rng(*parts: object) -> random.Random:
    return random.Random(":".join(str(p) for p in (SEED, "offices", *parts)))


def _poisson(rng: random.Random, mean: float) -> int:
    """A Poisson-distributed count (Knuth's method; a normal approximation above 30)."""
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _within(lead: float, deadline: float, spread: float) -> float:
    """The share of cases closed within the deadline when lead times are log-normal with
    mean `lead` and log-spread `spread`."""
    mu = math.log(lead) - spread**2 / 2
    return 0.5 * (1 + math.erf((math.log(deadline) - mu) / (spread * math.sqrt(2))))


def czech_departments() -> list[tuple[str, str, str]]:
    """(code, name, kind) of the Czech office's departments."""
    return [(code, name, kind) for code, name, kind, *_rest in _CZ_DEPARTMENTS]


def czech_process_map() -> list[dict[str, str]]:
    """The Czech office's process map as rows of the process map file (contracts.md)."""
    key_processes = {process: prefix for prefix, process, _names in cat.CZECH_KEY_PROCESSES}
    rows = []
    for p in _CZ_PROCESSES:
        prefix = key_processes.get(p.code)
        rows.append(
            {
                "code": p.code,
                "name": p.name,
                "group": p.group,
                "parent_group": _CZ_GROUPS[p.group] or "",
                "owner": p.owner,
                "output": p.output,
                "legal_deadline_days": "" if p.deadline is None else str(p.deadline),
                "cost_variable": f"{prefix}_COST" if prefix else "",
                "output_variable": f"{prefix}_CLOSED" if prefix else "",
                "criteria": ";".join(f"{prefix}_{c}" for c in CZECH_CRITERIA) if prefix else "",
            }
        )
    return rows


@functools.cache
def czech_cases() -> pl.DataFrame:
    """The monthly cases of the Czech office's key processes.

    One row per key process and month: `prefix, period, received, closed, in_deadline,
    lead_days, complaints`. Cases closed follow those received with a small backlog that
    is worked off; the share closed within the deadline follows the month's lead time.
    """
    deadlines = {p.key: p.deadline for p in _CZ_PROCESSES if p.key}
    trends = {p.key: p.trend for p in _CZ_PROCESSES if p.key}
    rows = []
    for prefix, (monthly, season, leads, spread, complaints) in _CZ_KEY_MONTHLY.items():
        rng = _rng("cz-cases", prefix)
        backlog = monthly * 0.4
        level = monthly
        for i, period in enumerate(CZECH_MONTHS):
            year, month = divmod(i, 12)
            if month == 0 and year > 0:
                level *= trends[prefix][year - 1]
            received = round(level * _SEASONS[season][month] * math.exp(rng.gauss(0, 0.08)))
            closed = max(0, round(received * rng.uniform(0.93, 1.03) + 0.35 * backlog))
            backlog = max(0.0, backlog + received - closed)
            # Lead time moves from one year's level to the next through the year.
            following = leads[min(year + 1, 2)]
            lead = leads[year] + (following - leads[year]) * month / 24
            lead = round(max(0.3, lead * math.exp(rng.gauss(0, 0.06))), 1)
            share = _within(lead, deadlines[prefix], spread)
            in_deadline = min(closed, round(closed * share * rng.uniform(0.99, 1.0)))
            complaint_count = _poisson(rng, closed * complaints[year] / 1000)
            rows.append((prefix, period, received, closed, in_deadline, lead, complaint_count))
    return pl.DataFrame(
        rows,
        schema={
            "prefix": pl.String,
            "period": pl.String,
            "received": pl.Int64,
            "closed": pl.Int64,
            "in_deadline": pl.Int64,
            "lead_days": pl.Float64,
            "complaints": pl.Int64,
        },
        orient="row",
    )


def czech_values() -> pl.DataFrame:
    """The values the Czech office enters from its systems, as `unit, variable, period,
    value`: the monthly cases of its key processes, their yearly totals (the yearly cases
    closed are the process's output, which its costing writes), and the office's
    population, area and staff."""
    cases = czech_cases()
    monthly = cases.unpivot(
        index=["prefix", "period"],
        on=["received", "closed", "in_deadline", "lead_days", "complaints"],
        variable_name="what",
    )
    yearly = (
        cases.with_columns(pl.col("period").str.slice(0, 4))
        .group_by("prefix", "period")
        .agg(
            pl.col("received", "in_deadline", "complaints").sum().cast(pl.Float64),
            ((pl.col("lead_days") * pl.col("closed")).sum() / pl.col("closed").sum())
            .round(1)
            .alias("lead_days"),
        )
        .unpivot(index=["prefix", "period"], variable_name="what")
    )
    cases_values = pl.concat(
        [monthly.with_columns(pl.col("value").cast(pl.Float64)), yearly]
    ).select(
        pl.lit(CZECH_UNIT["code"]).alias("unit"),
        (pl.col("prefix") + "_" + pl.col("what").str.to_uppercase()).alias("variable"),
        "period",
        "value",
    )
    staff = {period: fte for period, fte in _czech_staff().items()}
    context = [
        (CZECH_UNIT["code"], variable, period, float(value))
        for t, period in enumerate(CZECH_PERIODS)
        for variable, value in (
            ("POPULATION", CZECH_POPULATION[t]),
            ("AREA_KM2", CZECH_AREA_KM2),
            ("STAFF_FTE", staff[period]),
        )
    ]
    return pl.concat(
        [
            pl.DataFrame(
                context,
                schema={
                    "unit": pl.String,
                    "variable": pl.String,
                    "period": pl.String,
                    "value": pl.Float64,
                },
                orient="row",
            ),
            cases_values,
        ]
    ).sort("variable", "period")


def _czech_fte(code: str, fte: float, t: int) -> float:
    """A department's FTE in year t: a few departments grow or shrink by a quarter or half."""
    rng = _rng("cz-fte", code)
    changes = [0.0] + [rng.choice((-0.5, -0.25, 0.0, 0.0, 0.25, 0.5)) for _ in range(2)]
    return max(1.0, fte + sum(changes[: t + 1]))


def _czech_staff() -> dict[str, float]:
    return {
        period: sum(_czech_fte(code, fte, t) for code, _n, _k, fte, *_r in _CZ_DEPARTMENTS)
        for t, period in enumerate(CZECH_PERIODS)
    }


def czech_costing(period: str) -> tuple[list[tuple], list[tuple], list[tuple]]:
    """The Czech office's costing workbook of one year: departments
    `(department, name, kind, fte, personnel_cost, other_cost)`, allocation `(department,
    process, percent)` and outputs `(process, output, direct_cost)`."""
    t = CZECH_PERIODS.index(period)
    departments = []
    for code, name, kind, fte0, pay, other, _unused in _CZ_DEPARTMENTS:
        rng = _rng("cz-pool", code, period)
        fte = _czech_fte(code, fte0, t)
        personnel = round(fte * _CZ_COST_PER_FTE * pay * _CZ_WAGES[t] * rng.uniform(0.98, 1.02))
        other_cost = round(personnel * other * _CZ_PRICES[t] * rng.uniform(0.92, 1.08))
        departments.append((code, name, kind, fte, float(personnel), float(other_cost)))

    volumes = _czech_outputs(period)
    allocation = []
    for code, _name, kind, _fte, _pay, _other, unused in _CZ_DEPARTMENTS:
        if kind != "primary":
            continue
        rng = _rng("cz-time", code, period)
        own = [p for p in _CZ_PROCESSES if p.owner == code]
        extra = {
            process: share
            for process, share in (_CZ_SHARED_TIME | _CZ_EXTRA_TIME.get(code, {})).items()
            if process not in {p.code for p in own}
        }
        idle = round(100 * unused * rng.uniform(0.7, 1.3), 1)
        available = 100 - idle - sum(extra.values())
        # Time follows the volume of work half-way: a busier year takes more of it.
        weights = {
            p.code: p.effort * math.sqrt(max(volumes[p.code] or 0.0, 0.5) / _base_volume(p))
            for p in own
        }
        total = sum(weights.values())
        shares = {p: round(available * w / total, 1) for p, w in weights.items()}
        # Rounding must not push the department over its time: the largest absorbs it.
        largest = max(shares, key=shares.__getitem__)
        shares[largest] = round(shares[largest] - (sum(shares.values()) - available), 1)
        for process, percent in (shares | extra).items():
            allocation.append((code, process, percent))

    outputs = []
    for p in _CZ_PROCESSES:
        rng = _rng("cz-direct", p.code, period)
        direct = round(p.direct * _CZ_PRICES[t] * rng.uniform(0.9, 1.1)) if p.direct else 0
        outputs.append((p.code, volumes[p.code], float(direct)))
    return departments, allocation, outputs


def _base_volume(p: _Process) -> float:
    if p.key:
        return float(czech_cases().filter(pl.col("prefix") == p.key)["closed"].head(12).sum())
    return p.volume


def _czech_outputs(period: str) -> dict[str, float | None]:
    t = CZECH_PERIODS.index(period)
    yearly_closed = dict(
        czech_cases()
        .filter(pl.col("period").str.starts_with(period))
        .group_by("prefix")
        .agg(pl.col("closed").sum())
        .iter_rows()
    )
    volumes: dict[str, float | None] = {}
    for p in _CZ_PROCESSES:
        if p.key:
            volumes[p.code] = float(yearly_closed[p.key])
            continue
        volume = p.volume
        for year in range(t):
            volume *= p.trend[year]
        if p.volume >= 50:
            volume *= _rng("cz-volume", p.code, period).uniform(0.96, 1.04)
        volumes[p.code] = 0.0 if (p.code, period) in _CZ_NO_OUTPUT else float(round(volume))
    return volumes


# --- Polish offices -----------------------------------------------------------------------

#: The Polish demo offices with process costing: Katowice (the demo manager's office),
#: three more cities with county rights and a county office (no identity cards there).
POLISH_OFFICES = ("2469011", "2466011", "2473011", "2477011", "2408000")

# (code, name, kind, departments of cities / counties)
_PL_DEPARTMENTS = [
    ("WAB", "Wydział Architektury i Budownictwa", "primary"),
    ("WK", "Wydział Komunikacji", "primary"),
    ("WSO", "Wydział Spraw Obywatelskich", "primary"),
    ("USC", "Urząd Stanu Cywilnego", "primary"),
    ("WGK", "Wydział Geodezji i Kartografii", "primary"),
    ("WI", "Wydział Informatyki", "support"),
    ("WOK", "Wydział Organizacyjno-Kadrowy", "support"),
]
_PL_GROUPS = {
    "Usługi administracyjne": None,
    "Architektura i budownictwo": "Usługi administracyjne",
    "Komunikacja": "Usługi administracyjne",
    "Sprawy obywatelskie": "Usługi administracyjne",
    "Geodezja": "Usługi administracyjne",
}
# (code, name, group, owner, output, deadline, only in cities)
_PL_PROCESSES = [
    (
        "BUD_POZWOLENIE",
        "Wydawanie pozwoleń na budowę",
        "Architektura i budownictwo",
        "WAB",
        "wydane decyzje",
        65,
        False,
    ),
    (
        "BUD_ZGLOSZENIA",
        "Przyjmowanie zgłoszeń robót budowlanych",
        "Architektura i budownictwo",
        "WAB",
        "rozpatrzone zgłoszenia",
        21,
        False,
    ),
    (
        "KOM_REJESTRACJA",
        "Rejestracja pojazdów",
        "Komunikacja",
        "WK",
        "zarejestrowane pojazdy",
        30,
        False,
    ),
    (
        "KOM_PRAWO_JAZDY",
        "Wydawanie praw jazdy",
        "Komunikacja",
        "WK",
        "wydane prawa jazdy",
        30,
        False,
    ),
    (
        "OBY_DOWODY",
        "Wydawanie dowodów osobistych",
        "Sprawy obywatelskie",
        "WSO",
        "wydane dowody osobiste",
        30,
        True,
    ),
    (
        "OBY_MELDUNKI",
        "Ewidencja ludności",
        "Sprawy obywatelskie",
        "WSO",
        "załatwione sprawy meldunkowe",
        30,
        True,
    ),
    (
        "USC_AKTY",
        "Rejestracja stanu cywilnego",
        "Sprawy obywatelskie",
        "USC",
        "sporządzone akty stanu cywilnego",
        None,
        True,
    ),
    (
        "GEO_ZASOB",
        "Prowadzenie zasobu geodezyjnego",
        "Geodezja",
        "WGK",
        "przyjęte zgłoszenia prac geodezyjnych",
        10,
        False,
    ),
]
_PL_CITY_ONLY_DEPARTMENTS = {"WSO", "USC"}


def _is_city(unit: str) -> bool:
    return unit != "2408000"


def polish_process_map(unit: str) -> list[dict[str, str]]:
    """A Polish office's process map (contracts.md): the shared processes name the
    catalogue's PROC_* variables, so their unit costs are compared across offices."""
    shared = {process: prefix for process, prefix, _names in cat.SHARED_PROCESSES}
    rows = []
    for code, name, group, owner, output, deadline, city_only in _PL_PROCESSES:
        if city_only and not _is_city(unit):
            continue
        prefix = shared.get(code)
        rows.append(
            {
                "code": code,
                "name": name,
                "group": group,
                "parent_group": _PL_GROUPS[group] or "",
                "owner": owner,
                "output": output,
                "legal_deadline_days": "" if deadline is None else str(deadline),
                "cost_variable": f"{prefix}_COST" if prefix else "",
                "output_variable": f"{prefix}_OUTPUT" if prefix else "",
                # Benchmarked across the offices: the full cost of one output.
                "criteria": f"{prefix}_UNIT_COST" if prefix else "",
            }
        )
    return rows


def _series(wide: dict, variable: str, t: int) -> float:
    """The unit's value of a variable in year t, or the nearest year's where it is
    missing (the demo leaves about 1 % of the values out)."""
    values = wide.get(variable) or [None] * len(PERIODS)
    for distance in range(len(PERIODS)):
        for year in (t - distance, t + distance):
            if 0 <= year < len(PERIODS) and values[year] is not None:
                return float(values[year])
    return 0.0


def _polish_wide(values: pl.DataFrame) -> dict[str, dict[str, list[float | None]]]:
    wide: dict[str, dict[str, list[float | None]]] = {}
    chosen = values.filter(pl.col("unit").is_in(POLISH_OFFICES))
    for unit, variable, period, value in chosen.select(
        "unit", "variable", "period", "value"
    ).iter_rows():
        series = wide.setdefault(unit, {}).setdefault(variable, [None] * len(PERIODS))
        series[PERIODS.index(period)] = value
    return wide


def polish_costing(
    values: pl.DataFrame | None = None,
) -> dict[tuple[str, str], tuple[list[tuple], list[tuple], list[tuple]]]:
    """The costing workbooks of the Polish offices, by (unit, period): departments,
    allocation and outputs as in `czech_costing`. Staff, pay and volumes are those the
    office reports in the demo values (`values`, default `demo_values()`)."""
    wide = _polish_wide(demo_values() if values is None else values)
    workbooks = {}
    for unit in POLISH_OFFICES:
        w = wide[unit]
        city = _is_city(unit)
        for t, period in enumerate(PERIODS):
            rng = _rng("pl", unit, period)
            volume = {
                "BUD_POZWOLENIE": w.get("PERMITS_ISSUED", [None] * len(PERIODS))[t],
                "BUD_ZGLOSZENIA": round(_series(w, "PERMIT_APPLICATIONS", t) * 1.7),
                "KOM_REJESTRACJA": w.get("VEH_REGISTRATIONS", [None] * len(PERIODS))[t],
                "KOM_PRAWO_JAZDY": _series(w, "VEH_LICENCES", t),
                "GEO_ZASOB": round(_series(w, "POPULATION", t) / 1000 * rng.uniform(18, 26)),
            }
            if city:
                volume |= {
                    "OBY_DOWODY": w.get("CIT_ID_APPLICATIONS", [None] * len(PERIODS))[t],
                    "OBY_MELDUNKI": _series(w, "CIT_REG_CASES", t),
                    "USC_AKTY": _series(w, "CIVIL_EVENTS", t),
                }
            # Each department's time on its processes; its staff and pay follow from the
            # staff and staff cost the office reports for the service.
            time: dict[str, dict[str, float]] = {
                "WAB": {
                    "BUD_POZWOLENIE": round(rng.uniform(60, 72), 1),
                    "BUD_ZGLOSZENIA": round(rng.uniform(18, 28), 1),
                },
            }
            vehicles = _series(w, "VEH_REGISTRATIONS", t)
            licences = _series(w, "VEH_LICENCES", t) * 2.4
            used = rng.uniform(90, 97)
            time["WK"] = {
                "KOM_REJESTRACJA": round(used * vehicles / (vehicles + licences), 1),
                "KOM_PRAWO_JAZDY": round(used * licences / (vehicles + licences), 1),
            }
            if city:
                ids = _series(w, "CIT_ID_APPLICATIONS", t)
                register = _series(w, "CIT_REG_CASES", t) * 0.8
                used = rng.uniform(88, 96)
                time["WSO"] = {
                    "OBY_DOWODY": round(used * ids / (ids + register), 1),
                    "OBY_MELDUNKI": round(used * register / (ids + register), 1),
                }
                time["USC"] = {"USC_AKTY": round(rng.uniform(88, 95), 1)}
            time["WGK"] = {"GEO_ZASOB": round(rng.uniform(86, 94), 1)}
            service = {  # department -> (share of its time the service takes, FTE, cost)
                "WAB": (
                    time["WAB"]["BUD_POZWOLENIE"] / 100,
                    _series(w, "PERMIT_FTE", t),
                    _series(w, "PERMIT_STAFF_COST", t),
                ),
                "WK": (1.0, _series(w, "VEH_FTE", t), _series(w, "VEH_STAFF_COST", t)),
            }
            if city:
                service |= {
                    "WSO": (1.0, _series(w, "CIT_FTE", t), _series(w, "CIT_STAFF_COST", t)),
                    "USC": (1.0, _series(w, "CIVIL_FTE", t), _series(w, "CIVIL_STAFF_COST", t)),
                }
            pay = service["WK"][2] / max(service["WK"][1], 0.25)
            geo_fte = max(2.0, round(_series(w, "POPULATION", t) / 16_000 * 4) / 4)
            service["WGK"] = (1.0, geo_fte, geo_fte * pay * rng.uniform(0.95, 1.05))
            departments = []
            primary_fte = 0.0
            for code, name, kind in _PL_DEPARTMENTS:
                if kind != "primary" or code not in service:
                    continue
                share, fte, cost = service[code]
                fte = max(0.25, round(fte / share * 4) / 4)
                personnel = round(cost / share, 2)
                other = round(personnel * rng.uniform(0.14, 0.22), 2)
                departments.append((code, name, kind, fte, personnel, other))
                primary_fte += fte
            for code, name, kind in _PL_DEPARTMENTS:
                if kind != "support":
                    continue
                share = 0.045 if code == "WI" else 0.035
                fte = max(1.0, round(primary_fte * share * 4) / 4)
                personnel = round(fte * pay * rng.uniform(1.0, 1.2), 2)
                other = round(personnel * (rng.uniform(0.7, 1.0) if code == "WI" else 0.25), 2)
                departments.append((code, name, kind, fte, personnel, other))
            allocation = [
                (department, process, percent)
                for department, processes in time.items()
                for process, percent in processes.items()
            ]
            outputs = [
                (
                    code,
                    None if volume.get(code) is None else float(volume[code]),
                    round(float(volume.get(code) or 0) * 11.5, 2)
                    if code == "BUD_POZWOLENIE"
                    else 0.0,
                )
                for code, *_rest, city_only in _PL_PROCESSES
                if city or not city_only
            ]
            workbooks[(unit, period)] = (departments, allocation, outputs)
    return workbooks


# --- files ----------------------------------------------------------------------------------


def write_process_map(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=MAP_HEADER, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_costing_workbook(path: Path, departments, allocation, outputs) -> Path:
    """A costing workbook of contracts.md: sheets departments, allocation, outputs."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for title, header, rows in (
        (
            "departments",
            ("department", "name", "kind", "fte", "personnel_cost", "other_cost"),
            departments,
        ),
        ("allocation", ("department", "process", "percent"), allocation),
        ("outputs", ("process", "output", "direct_cost"), outputs),
    ):
        sheet = workbook.create_sheet(title)
        sheet.append(list(header))
        for row in rows:
            sheet.append(list(row))
    workbook.save(path)
    return path


@dataclass(frozen=True)
class OfficeFiles:
    unit: str
    process_map: Path
    costing: dict[str, Path]  # period -> workbook


def write_office_files(directory: Path) -> tuple[Path, list[OfficeFiles]]:
    """Write the Czech office's units file, and for every office with process costing its
    process map and costing workbooks, into `directory`. Returns the units file and the
    offices' files (the Czech office first)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    units = directory / "units_cz.csv"
    with units.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(("code", "name", "type", "parent", "country"))
        u = CZECH_UNIT
        writer.writerow((u["code"], u["name"], u["type"], u["parent"] or "", u["country"]))
    offices = []
    code = CZECH_UNIT["code"]
    offices.append(
        OfficeFiles(
            unit=code,
            process_map=write_process_map(directory / f"processes_{code}.csv", czech_process_map()),
            costing={
                period: write_costing_workbook(
                    directory / f"costing_{code}_{period}.xlsx", *czech_costing(period)
                )
                for period in CZECH_PERIODS
            },
        )
    )
    workbooks = polish_costing()
    for unit in POLISH_OFFICES:
        offices.append(
            OfficeFiles(
                unit=unit,
                process_map=write_process_map(
                    directory / f"processes_{unit}.csv", polish_process_map(unit)
                ),
                costing={
                    period: write_costing_workbook(
                        directory / f"costing_{unit}_{period}.xlsx", *workbooks[(unit, period)]
                    )
                    for period in PERIODS
                },
            )
        )
    return units, offices
