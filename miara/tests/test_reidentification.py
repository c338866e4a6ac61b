"""The attacker test: a participant of an anonymised programme must not re-identify units.

The attacker is an editor (and, separately, a manager) of one unit. They know what anyone
knows: every unit's name, code, population and area (public statistics). They walk every
page, CSV, chart's data, report, data-entry page and API answer that the programme offers
them, collect
every record (a table row, a CSV row, a chart datum, a line of the PDF, a row of the
workbook, a JSON object) that names another unit under a pseudonym, and try to link it:

* a record naming another unit's name or code anywhere is a link by itself;
* a pseudonym whose record carries a number within 0.5 % of a unit's public population or
  area links that pseudonym to that unit;
* a pseudonym seen in two different places (two indicators, two periods, the similar
  units and an indicator) chains what is known under one to what is shown under the other.

methodology.md, "Anonymity in an anonymised programme", is the model this test enforces.
"""

from __future__ import annotations

import csv
import io
import json
import re
import textwrap
from collections import defaultdict
from pathlib import Path

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

# Populations and areas of eight units: the public statistics the attacker knows. They
# are far from every performance figure of the programme (rates 20–60 %, permit costs
# 1,000–3,000), so a number near one of them means the context value itself.
UNITS = {
    # code: (name, type, population, area km², waste t, recycled t, permits, staff cost)
    "2469011": ("Sosnowiec", "city_county", 194931, 321.4, 61000, 17800, 610, 1180000),
    "2466011": ("Gliwice", "city_county", 174016, 534.2, 55000, 21500, 540, 820000),
    "2475011": ("Tychy", "city_county", 127307, 381.9, 40000, 18100, 455, 1090000),
    "2461011": ("Bielsko-Biała", "city_county", 168319, 624.8, 52000, 23300, 501, 640000),
    "2474011": ("Zabrze", "city_county", 155652, 803.6, 48000, 14200, 470, 1350000),
    "2410043": ("Wilamowice", "gmina_urban", 17418, 152.7, 5300, 1900, 92, 232000),
    "2413052": ("Kobiór", "gmina_rural", 4813, 462.3, 1500, 410, 31, 58000),
    "2417062": ("Ornontowice", "gmina_rural", 6142, 265.1, 1900, 690, 44, 97000),
}
OWN = "2475011"  # Tychy: the attacker's unit
PERIODS = ("2023", "2024")

CATALOGUE = textwrap.dedent(
    """
    service_areas:
      - {code: WASTE, name: Municipal waste}
      - {code: PERMITS, name: Building permits}
    variables:
      - {code: WASTE_T, name: Municipal waste collected, unit: t, area: WASTE, min: 0}
      - {code: RECYCLED_T, name: Recycled waste, unit: t, area: WASTE, min: 0}
      - {code: PERMITS_ISSUED, name: Building-permit decisions issued, unit: count, area: PERMITS, min: 0}
      - {code: PERMIT_STAFF_COST, name: Staff cost of permit decisions, unit: PLN, area: PERMITS, min: 0}
      - {code: POPULATION, name: Population, unit: persons, min: 0}
      - {code: AREA_KM2, name: Area, unit: km2, min: 0}
    indicators:
      - {code: RECYCLING_RATE, name: Recycling rate, formula: RECYCLED_T / WASTE_T * 100, direction: higher, unit: '%', decimals: 1, area: WASTE}
      - {code: PERMIT_COST, name: Cost of one building-permit decision, formula: PERMIT_STAFF_COST / PERMITS_ISSUED, direction: lower, unit: PLN, decimals: 0, area: PERMITS}
      - {code: CTX_POPULATION, name: Population, formula: POPULATION, direction: neutral, unit: persons, decimals: 0}
      - {code: CTX_AREA, name: Area, formula: AREA_KM2, direction: neutral, unit: km2, decimals: 1}
    peer_groups:
      - {code: CITIES, name: Cities with county rights, unit_types: [city_county]}
      - {code: SILESIA, name: Upper Silesian cities, members: ['2469011', '2466011', '2475011', '2474011']}
    """
)


@pytest.fixture
def anonymised_programme(db, tmp_path: Path):
    from miara.analytics.services import compute
    from miara.catalogue.services import catalogue_load
    from miara.collection.services import values_load
    from miara.units.models import Programme
    from miara.units.services import units_load

    units = ["code,name,type,parent,country"]
    units += [f"{code},{u[0]},{u[1]},,PL" for code, u in UNITS.items()]
    rows = ["unit,variable,period,value,comment"]
    for code, (_n, _t, population, area, waste, recycled, permits, cost) in UNITS.items():
        for step, period in enumerate(PERIODS):
            rows += [
                f"{code},POPULATION,{period},{population - 250 * (1 - step)}",
                f"{code},AREA_KM2,{period},{area}",
                f"{code},WASTE_T,{period},{waste + 100 * step}",
                f"{code},RECYCLED_T,{period},{recycled + 300 * step}",
                f"{code},PERMITS_ISSUED,{period},{permits + 5 * step}",
                f"{code},PERMIT_STAFF_COST,{period},{cost}",
            ]
    files = {name: tmp_path / name for name in ("units.csv", "catalogue.yaml", "values.csv")}
    files["units.csv"].write_text("\n".join(units) + "\n", encoding="utf-8")
    files["catalogue.yaml"].write_text(CATALOGUE, encoding="utf-8")
    files["values.csv"].write_text("\n".join(rows) + "\n", encoding="utf-8")
    units_load(path=files["units.csv"])
    catalogue_load(path=files["catalogue.yaml"])
    values_load(path=files["values.csv"])
    compute()
    # A collection cycle of the next year, so that the data-entry pages are walked too.
    from miara.accounts.services import user_add
    from miara.collection.cycles import cycle_open

    coordinator, _ = user_add(
        username="coordinator", role="coordinator", unit_codes=[], password="Correct-horse-42"
    )
    cycle_open(
        period="2025",
        name="Year 2025",
        variable_codes=["WASTE_T", "RECYCLED_T", "POPULATION", "AREA_KM2"],
        unit_codes=list(UNITS),
        acting_user=coordinator,
    )
    programme = Programme.current()
    programme.visibility = Programme.Visibility.ANONYMISED
    programme.save()


def _known_context() -> dict[str, list[float]]:
    """What the attacker knows of each unit: populations of both periods and the area."""
    known = {}
    for code, (_n, _t, population, area, *_rest) in UNITS.items():
        known[code] = [population - 250, population, area]
    return known


PSEUDONYM = re.compile(r"\b([A-Z2-9]{4}-[A-Z2-9]{2,4})\b")
NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")


def _numbers(text: str) -> list[float]:
    found = []
    for match in NUMBER.findall(text):
        try:
            found.append(float(match.replace(",", "")))
        except ValueError:
            continue
    return found


def _html_records(html: str) -> list[str]:
    """Table rows, list items and chart data objects of a page, as plain text."""
    records = re.findall(r"<tr[^>]*>.*?</tr>", html, re.S)
    records += re.findall(r"<li[^>]*>.*?</li>", html, re.S)
    for spec in re.findall(r'<script type="application/json"[^>]*>(.*?)</script>', html, re.S):
        records += _json_records(json.loads(spec))
    return [re.sub(r"<[^>]+>", " ", r) for r in records]


def _json_records(data) -> list[str]:
    """Every JSON object (without its nested objects) as one record."""
    found = []
    if isinstance(data, dict):
        flat = {k: v for k, v in data.items() if not isinstance(v, dict | list)}
        found.append(json.dumps(flat, ensure_ascii=False))
        for value in data.values():
            found += _json_records(value)
    elif isinstance(data, list):
        for value in data:
            found += _json_records(value)
    return found


def _csv_records(text: str) -> list[str]:
    return [" | ".join(row) for row in csv.reader(io.StringIO(text))]


def _pdf_records(content: bytes) -> list[str]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    return [line for page in reader.pages for line in page.extract_text().splitlines()]


def _xlsx_records(content: bytes) -> list[str]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content), read_only=True)
    return [
        " | ".join("" if c is None else str(c) for c in row)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
    ]


class Attacker:
    """Collects what a participant sees: (place, record) pairs, and what they link."""

    def __init__(self, client: Client):
        self.client = client
        self.records: list[tuple[str, str]] = []
        self.visited = 0

    def get(self, url: str, place: str, kind: str = "html") -> None:
        response = self.client.get(url)
        # A page the participant may not open shows nothing: that is not a leak.
        if response.status_code != 200:
            assert response.status_code in (400, 403, 404), (url, response.status_code)
            return
        self.visited += 1
        if kind == "json":
            records = _json_records(response.json())
        elif kind == "csv":
            records = _csv_records(response.content.decode("utf-8-sig"))
        else:
            records = _html_records(response.content.decode())
        self.records += [(place, r) for r in records]

    def add(self, place: str, records: list[str]) -> None:
        self.visited += 1
        self.records += [(place, r) for r in records]

    def links(self) -> dict[str, list[str]]:
        """What the attacker learnt, by kind: every finding as a sentence."""
        others = {code: u for code, u in UNITS.items() if code != OWN}
        known = {code: ctx for code, ctx in _known_context().items() if code != OWN}
        findings: dict[str, list[str]] = defaultdict(list)
        places: dict[str, set[str]] = defaultdict(set)
        linked: dict[str, set[str]] = defaultdict(set)
        for place, record in self.records:
            for code, unit in others.items():
                if re.search(rf"\b{code}\b", record) or unit[0] in record:
                    findings["named"].append(f"{place}: {unit[0]} in {record[:120]!r}")
                    linked["named"].add(code)
            pseudonyms = set(PSEUDONYM.findall(record))
            if not pseudonyms:
                continue
            numbers = _numbers(PSEUDONYM.sub(" ", record))
            for alias in pseudonyms:
                places[alias].add(place)
                for code, values in known.items():
                    if any(abs(n - v) <= 0.005 * abs(v) for n in numbers for v in values):
                        findings["context"].append(
                            f"{place}: {alias} is {others[code][0]} ({record[:120]!r})"
                        )
                        linked["context"].add(code)
        for alias, seen in places.items():
            if len(seen) > 1:
                findings["chained"].append(f"{alias} under {sorted(seen)}")
        self.linked = linked
        return dict(findings)


def _walk(client: Client, user, attacker: Attacker) -> None:
    from miara.catalogue.models import Indicator, PeerGroup
    from miara.reports.services import report_build
    from miara.units.models import Unit

    indicators = list(Indicator.objects.values_list("code", flat=True))
    groups = ["all", *PeerGroup.objects.values_list("code", flat=True)]
    unit = Unit.objects.get(code=OWN)
    for period in PERIODS:
        for group in [*groups, "similar"]:
            query = f"?period={period}&group={group}"
            attacker.get(f"/units/{OWN}/benchmark/{query}", f"benchmark {period}")
            attacker.get(f"/units/{OWN}/benchmark.csv{query}", f"benchmark {period}", "csv")
        for code in indicators:
            place = f"{code} {period}"
            for group in groups:
                query = f"?period={period}&group={group}&unit={OWN}"
                attacker.get(f"/indicators/{code}/{query}", place)
                for table in ("units", "trend", "statistics", "lineage"):
                    attacker.get(f"/indicators/{code}.csv{query}&table={table}", place, "csv")
        attacker.get(f"/units/{OWN}/similar/?period={period}", f"similar {period}")
        attacker.get(f"/units/{OWN}/similar.csv?period={period}", f"similar {period}", "csv")
        every = ",".join(indicators)
        for peers in ("similar", "CITIES", "SILESIA"):
            query = f"?period={period}&unit={OWN}&peers={peers}&indicators={every}"
            attacker.get(f"/compare/{query}", f"compare {period}")
            attacker.get(f"/compare.csv{query}", f"compare {period}", "csv")
        for group in groups:
            for fmt, read in (("pdf", _pdf_records), ("xlsx", _xlsx_records)):
                try:
                    content = report_build(
                        user=user, unit=unit, period=period, group=group, language="en", fmt=fmt
                    )
                except Exception as error:  # a report the user may not build shows nothing
                    if type(error).__name__ not in ("ReportRequestError", "PermissionDenied"):
                        raise
                    continue
                attacker.add(f"report {period}", read(content))
        attacker.get(f"/api/v1/results?period={period}&limit=1000", f"api {period}", "json")
        attacker.get(f"/api/v1/public/aggregates?period={period}", f"api {period}", "json")
    from miara.collection.models import Cycle, Submission

    cycle = Cycle.objects.get(period="2025")
    submission = Submission.objects.get(cycle=cycle, unit__code=OWN)
    attacker.get("/collection/", "collection")
    attacker.get(f"/collection/{cycle.pk}/{OWN}/", "collection")
    response = client.get(f"/collection/{cycle.pk}/{OWN}/excel/")
    assert response.status_code == 200
    attacker.add("collection", _xlsx_records(response.content))
    attacker.get("/api/v1/cycles", "api cycles", "json")
    attacker.get(f"/api/v1/cycles/{cycle.pk}", "api cycles", "json")
    attacker.get(f"/api/v1/cycles/{cycle.pk}/submissions", "api cycles", "json")
    attacker.get(f"/api/v1/submissions/{submission.pk}", "api cycles", "json")
    attacker.get("/catalogue/", "catalogue")
    attacker.get("/units/", "units")
    attacker.get("/", "home")
    attacker.get("/compare/", "compare form")
    attacker.get("/api/v1/values?limit=1000", "api values", "json")
    attacker.get("/api/v1/units", "api units", "json")
    for resource in ("areas", "variables", "indicators", "groups"):
        attacker.get(f"/api/v1/catalogue/{resource}", "api catalogue", "json")


@pytest.mark.parametrize("role", ["editor", "manager"])
def test_a_participant_cannot_link_any_pseudonym_to_a_unit(anonymised_programme, role):
    from miara.accounts.services import user_add

    user, _ = user_add(username="mallory", role=role, unit_codes=[OWN], password="Correct-horse-42")
    client = Client()
    client.force_login(user)
    attacker = Attacker(client)
    _walk(client, user, attacker)

    findings = attacker.links()
    # The walk did reach every kind of answer (it was not turned away): the own unit's
    # name in the reports, the pages and the API, and peers' figures under pseudonyms.
    assert attacker.visited > 100
    for kind in ("report", "benchmark", "compare", "similar", "api", "PERMIT_COST", "collection"):
        assert any(
            place.startswith(kind) and ("Tychy" in record or OWN in record)
            for place, record in attacker.records
        ), kind
    assert sum(bool(PSEUDONYM.search(r)) for _p, r in attacker.records) > 50
    summary = {kind: len(found) for kind, found in findings.items()}
    linked = {kind: f"{len(codes)}/{len(UNITS) - 1}" for kind, codes in attacker.linked.items()}
    detail = "\n".join(f for found in findings.values() for f in found[:5])
    assert not findings, f"re-identified: {linked}, findings {summary}\n{detail}"


def test_the_attacker_does_see_pseudonymised_peers(anonymised_programme):
    """The walk is not vacuous: the attacker does read other units' performance figures
    under pseudonyms (which it must fail to link), and its own unit by name."""
    from miara.accounts.services import user_add

    user, _ = user_add(
        username="mallory", role="editor", unit_codes=[OWN], password="Correct-horse-42"
    )
    client = Client()
    client.force_login(user)
    attacker = Attacker(client)
    attacker.get(f"/indicators/PERMIT_COST/?period=2024&unit={OWN}", "PERMIT_COST 2024")
    seen = {a for _p, r in attacker.records for a in PSEUDONYM.findall(r)}
    assert len(seen) == len(UNITS) - 1
    assert any("Tychy" in r for _p, r in attacker.records)
