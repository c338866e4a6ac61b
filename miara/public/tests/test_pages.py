"""The public site for visitors without a login: what it shows, what it never shows, and
how it answers bad addresses (issue 13)."""

from __future__ import annotations

import csv
import io
import json
import re

import polars as pl
import pytest

from miara.public.tests.conftest import THRESHOLD, make_public, retract
from miara.publication import selectors

PAGES = [
    "/public/",
    "/public/indicators/",
    "/public/indicators/RECYCLING_RATE/",
    "/public/indicators/RECYCLING_RATE/2024/",
    "/public/indicators/PERMIT_COST/2023/",
    "/public/periods/",
    "/public/periods/2024/",
    "/public/periods/2024/?group=all",
    "/public/search/?q=waste",
]
DOWNLOADS = [
    "/public/periods/2024.csv",
    "/public/periods/2024.json",
    "/public/periods/2024.jsonstat",
    "/public/indicators/RECYCLING_RATE.csv",
    "/public/indicators/RECYCLING_RATE.json",
    "/public/indicators/WASTE_PC/2023.csv",
    "/public/indicators/WASTE_PC/2023.json",
]
UNIT_WORDS = re.compile(r"\b(A1|B2|C3|D4|Alpha|Beta|Gamma|Delta)\b")


def _text(response) -> str:
    return response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES + DOWNLOADS)
def test_every_public_address_answers_anonymous_visitors(public, client, url):
    response = client.get(url)
    assert response.status_code == 200
    # No cookie: neither a session nor a CSRF token, so anyone's cache may keep the page.
    assert not response.cookies


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES + DOWNLOADS)
def test_no_unit_and_no_unit_figure_leaves_an_anonymised_programme(public, client, url):
    """Neither names nor codes of units, nor the figures only a unit has: a group's min,
    max and best, nor the figures of a group smaller than k."""
    from miara.analytics.models import GroupStatistic

    text = _text(client.get(url))
    assert not UNIT_WORDS.search(text), UNIT_WORDS.search(text).group()
    published = set()
    for period in ("2023", "2024"):
        frame = selectors.public_aggregates(period)
        for name in ("mean", "median", "q1", "q3"):
            published |= {v for v in frame.get_column(name).to_list() if v is not None}
    secret = set()
    for stat in GroupStatistic.objects.filter(result_set__status="final"):
        if stat.n < THRESHOLD:
            secret |= {stat.mean, stat.median}
        secret |= {stat.min, stat.max, stat.best}
    secret -= published | {None}
    assert secret, "the test must look for something"
    for value in secret:
        assert repr(value) not in text, value
    # The pages show figures rounded: the one-decimal text of RECYCLING_RATE's extremes.
    from miara.catalogue.models import Indicator

    rate = Indicator.objects.get(code="RECYCLING_RATE")
    for stat in GroupStatistic.objects.filter(indicator=rate, result_set__status="final"):
        for value in (stat.min, stat.max):
            if value not in published:
                assert f">{value:.1f}<" not in text


@pytest.mark.django_db
def test_the_public_sees_the_aggregates_of_the_group_all(public, client):
    frame = selectors.public_aggregates("2024", indicators=["RECYCLING_RATE"])
    row = frame.filter(frame["group"] == "all").row(0, named=True)
    page = _text(client.get("/public/indicators/RECYCLING_RATE/2024/"))
    assert f"{row['median']:.1f}" in page
    assert f"{row['mean']:.1f}" in page
    assert "Recycling rate" in page


@pytest.mark.django_db
def test_groups_smaller_than_k_are_not_shown(public, client):
    """CITIES has two units (k = 3): its row says it is withheld and carries no figure."""
    page = _text(client.get("/public/indicators/RECYCLING_RATE/2024/"))
    row = re.search(r"Cities with county rights</th>(.*?)</tr>", page, re.S)
    assert row is not None, "the withheld group keeps its row, saying why"
    assert "withheld: fewer than 3 units" in row.group(1)
    text = re.sub(r"<[^>]+>", "", row.group(1)).replace("fewer than 3 units", "")
    assert not re.search(r"\d", text)


@pytest.mark.django_db
def test_every_page_carries_the_citation_and_the_licence(public, client, settings):
    settings.PUBLIC_LICENCE = "CC BY-SA 4.0"
    for url in PAGES:
        page = _text(client.get(url))
        assert f"Source: Test programme, miara, http://testserver{url.split('?')[0]}" in page
        assert "CC BY-SA 4.0" in page


@pytest.mark.django_db
def test_the_catalogue_shows_definitions_formulas_and_its_history(public, client):
    page = _text(client.get("/public/indicators/"))
    assert "RECYCLED_T / WASTE_T * 100" in page
    assert "higher is better" in page
    assert "History of changes" in page
    assert "indicators: 4 added" in page
    detail = _text(client.get("/public/indicators/RECYCLING_RATE/"))
    assert "Recycled waste ÷ Municipal waste collected × 100" in detail


@pytest.mark.django_db
def test_the_indicator_page_has_a_chart_and_its_table(public, client):
    page = _text(client.get("/public/indicators/RECYCLING_RATE/"))
    assert 'data-chart="public-trend"' in page
    assert page.count('href="/public/indicators/RECYCLING_RATE/2023/"') >= 1
    assert page.count('href="/public/indicators/RECYCLING_RATE/2024/"') >= 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/public/periods/2025/",
        "/public/periods/2025.csv",
        "/public/indicators/RECYCLING_RATE/2025/",
        "/public/indicators/RECYCLING_RATE/2025.json",
        "/public/periods/not-a-period/",
        "/public/indicators/NO_SUCH/",
        "/public/indicators/NO_SUCH/2024/",
    ],
)
def test_unknown_and_unpublished_addresses_are_404(public, client, url):
    assert client.get(url).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/public/periods/2024/?group=NO_SUCH",
        "/public/search/?q=" + "x" * 5000,
        "/public/search/?q=",
    ],
)
def test_odd_queries_get_a_page_not_an_error(public, client, url):
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_provisional_results_are_not_public(programme, client, settings):
    """The programme's fixture computes provisional results only: nothing is public yet,
    search included."""
    settings.PUBLIC_CACHE_SECONDS = 0
    assert client.get("/public/periods/2024/").status_code == 404
    assert client.get("/public/indicators/RECYCLING_RATE/2024/").status_code == 404
    assert "/public/periods/2024/" not in _text(client.get("/public/search/?q=2024"))
    assert "No results have been published yet." in _text(client.get("/public/"))
    page = _text(client.get("/public/indicators/RECYCLING_RATE/"))
    assert "No figures of this indicator have been published yet." in page
    assert "RECYCLED_T / WASTE_T * 100" in page  # the catalogue is public all the same
    make_public("2024")
    assert "/public/periods/2024/" in _text(client.get("/public/search/?q=2024"))


@pytest.mark.django_db
def test_an_embargoed_period_is_invisible_everywhere(public, client, monkeypatch):
    """The selectors do not return a period under embargo; the site then knows nothing of
    it: 404, not in the lists, not found by search."""
    real_periods = selectors.published_periods
    real_period = selectors.published_period
    monkeypatch.setattr(
        selectors, "published_periods", lambda: [p for p in real_periods() if p.period != "2024"]
    )
    monkeypatch.setattr(
        selectors, "published_period", lambda p: None if p == "2024" else real_period(p)
    )
    assert client.get("/public/periods/2024/").status_code == 404
    assert client.get("/public/indicators/WASTE_PC/2024.csv").status_code == 404
    assert "2024" not in _text(client.get("/public/periods/"))
    assert "/2024/" not in _text(client.get("/public/search/?q=2024"))


def _retracted(period):
    import datetime as dt

    from django.utils import timezone

    return selectors.PublishedPeriod(
        period=period.period,
        state="retracted",
        result_set=period.result_set,
        result_state=period.result_state,
        threshold=period.threshold,
        published_on=period.published_on,
        retracted_on=timezone.make_aware(dt.datetime(2026, 11, 30, 12, 0)),
        retraction_reason="An error in the waste tonnage of several units.",
    )


@pytest.fixture
def retracted_2024(public, monkeypatch):
    real_periods = selectors.published_periods
    real_period = selectors.published_period

    def periods():
        return [_retracted(p) if p.period == "2024" else p for p in real_periods()]

    def period(code):
        found = real_period(code)
        return _retracted(found) if found and code == "2024" else found

    monkeypatch.setattr(selectors, "published_periods", periods)
    monkeypatch.setattr(selectors, "published_period", period)
    real_aggregates = selectors.public_aggregates
    monkeypatch.setattr(
        selectors,
        "public_aggregates",
        lambda p, **kw: real_aggregates("1999") if p == "2024" else real_aggregates(p, **kw),
    )


@pytest.mark.django_db
def test_a_retracted_period_says_so_with_date_and_reason_and_no_figures(retracted_2024, client):
    for url in ("/public/periods/2024/", "/public/indicators/RECYCLING_RATE/2024/"):
        response = client.get(url)
        assert response.status_code == 200
        page = _text(response)
        assert "were retracted on 2026-11-30" in page
        assert "An error in the waste tonnage of several units." in page
        assert '<td class="num">' not in page
    download = client.get("/public/periods/2024.csv")
    assert download.status_code == 410
    assert "retracted" in _text(download)
    assert "retracted" in _text(client.get("/public/periods/"))


def _withheld(frame):
    import polars as pl

    return frame.with_columns(
        pl.when(pl.col("indicator") == "WASTE_PC")
        .then(pl.lit("differencing"))
        .when(pl.col("indicator") == "PERMIT_COST")
        .then(pl.lit("threshold"))
        .otherwise(pl.col("withheld"))
        .alias("withheld")
    )


@pytest.mark.django_db
def test_withheld_groups_say_why_and_show_no_figure(public, client, monkeypatch):
    """A withheld row keeps its place; whatever figures the frame still holds, the page and
    the downloads show none of them."""
    real = selectors.public_aggregates
    monkeypatch.setattr(selectors, "public_aggregates", lambda p, **kw: _withheld(real(p, **kw)))
    hidden = real("2024", indicators=["WASTE_PC", "PERMIT_COST"])
    page = _text(client.get("/public/periods/2024/"))
    assert "withheld to protect a smaller group" in page
    assert f"withheld: fewer than {THRESHOLD} units" in page
    for url in ("/public/periods/2024/", "/public/periods/2024.csv", "/public/periods/2024.json"):
        text = _text(client.get(url))
        for row in hidden.filter(pl.col("mean").is_not_null()).iter_rows(named=True):
            assert repr(row["mean"]) not in text
            assert f"{row['mean']:.1f}" not in text or url.endswith((".csv", ".json"))
    rows = list(csv.DictReader(io.StringIO(_text(client.get("/public/periods/2024.csv")))))
    waste = next(r for r in rows if r["indicator"] == "WASTE_PC")
    assert waste["withheld"] == "differencing"
    assert waste["n"] == waste["mean"] == waste["median"] == ""


@pytest.mark.django_db
def test_downloads_read_back_as_the_public_table(public, client):
    frame = selectors.public_aggregates("2024")
    rows = list(csv.DictReader(io.StringIO(_text(client.get("/public/periods/2024.csv")))))
    assert len(rows) == frame.height
    by_key = {(r["indicator"], r["group"]): r for r in rows}
    for expected in frame.iter_rows(named=True):
        got = by_key[(expected["indicator"], expected["group"])]
        if expected["withheld"]:
            assert got["withheld"] == expected["withheld"] and got["mean"] == got["n"] == ""
            continue
        assert float(got["mean"]) == expected["mean"]  # full precision
        assert int(got["n"]) == expected["n"]
        assert got["result_set"] == str(expected["result_set"])
        assert got["result_state"] == "final"
    assert by_key[("RECYCLING_RATE", "all")]["formula"] == "RECYCLED_T / WASTE_T * 100"

    data = json.loads(client.get("/public/periods/2024.json").content)
    assert data["about"]["licence"] == "CC BY 4.0"
    assert data["about"]["source"] == "Test programme"
    assert data["about"]["result_set"] == frame.get_column("result_set")[0]
    assert len(data["rows"]) == frame.height
    assert {r["median"] for r in data["rows"]} == set(frame.get_column("median").to_list())
    assert set(data["rows"][0]) == set(data["columns"])


@pytest.mark.django_db
def test_caching_headers_etag_and_304(public, client):
    response = client.get("/public/periods/2024/")
    assert response["ETag"]
    assert response["Last-Modified"]
    assert "public" in response["Cache-Control"] and "max-age=" in response["Cache-Control"]
    vary = {v.strip() for v in response["Vary"].split(",")}
    assert {"Accept-Language", "Cookie"} <= vary
    again = client.get("/public/periods/2024/", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert client.get("/public/periods/2024/", HTTP_IF_NONE_MATCH='"other"').status_code == 200


@pytest.mark.django_db
def test_a_harvester_polling_with_if_modified_since_gets_304(public, client):
    first = client.get("/public/periods/2024.csv")
    again = client.get("/public/periods/2024.csv", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert again.status_code == 304
    older = "Mon, 01 Jan 2024 00:00:00 GMT"
    assert client.get("/public/periods/2024.csv", HTTP_IF_MODIFIED_SINCE=older).status_code == 200


@pytest.mark.django_db
def test_the_etag_changes_with_publication_and_language(public, client):
    before = client.get("/public/periods/2023/")["ETag"]
    assert client.get("/public/periods/2023/", HTTP_ACCEPT_LANGUAGE="pl")["ETag"] != before
    retract("2024")  # something public changed
    after = client.get("/public/periods/2023/", HTTP_IF_NONE_MATCH=before)
    assert after.status_code == 200
    assert after["ETag"] != before


@pytest.mark.django_db
def test_the_cache_serves_a_page_until_something_public_changes(public, client, settings):
    settings.PUBLIC_CACHE_SECONDS = 60
    from django.core.cache import cache

    cache.clear()
    first = _text(client.get("/public/indicators/RECYCLING_RATE/"))
    assert "2024" in first
    make_public("2024")  # revised: a new result set id, so a new key
    second = client.get("/public/periods/2024.csv")
    result_sets = {r["result_set"] for r in csv.DictReader(io.StringIO(_text(second)))}
    assert result_sets == {str(selectors.published_period("2024").result_set)}


@pytest.mark.django_db
def test_pages_in_polish_and_czech(public, client):
    pl_page = _text(client.get("/public/indicators/RECYCLING_RATE/", HTTP_ACCEPT_LANGUAGE="pl"))
    assert "Poziom recyklingu" in pl_page
    assert 'lang="pl"' in pl_page
    assert "Źródło: Program testowy" in pl_page
    # Catalogue names with a Polish name are not shown in English, the formula in words
    # included ("Recycled waste" has no Polish name, so it stays).
    assert "Zebrane odpady komunalne" in pl_page
    assert "Municipal waste" not in pl_page
    cs_page = _text(client.get("/public/indicators/RECYCLING_RATE/", HTTP_ACCEPT_LANGUAGE="cs"))
    assert "Míra recyklace" in cs_page
    assert "Zdroj: Testovací program" in cs_page


@pytest.mark.django_db
def test_search_finds_indicators_in_the_readers_language(public, client):
    page = _text(client.get("/public/search/?q=recyklingu", HTTP_ACCEPT_LANGUAGE="pl"))
    assert "/public/indicators/RECYCLING_RATE/" in page
    page = _text(client.get("/public/search/?q=PERMIT_COST"))
    assert "/public/indicators/PERMIT_COST/" in page
    assert "/public/indicators/WASTE_PC/" not in page
    assert "/public/periods/2024/" in _text(client.get("/public/search/?q=2024"))


@pytest.mark.django_db
def test_the_language_form_needs_no_csrf_cookie(public):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post("/public/language/", {"language": "cs", "next": "/public/"})
    assert response.status_code == 302
    assert response["Location"] == "/public/"
    assert "Veřejné výsledky" in _text(client.get("/public/"))


@pytest.mark.django_db
def test_the_welcome_page_links_the_public_site(programme, client):
    assert 'href="/public/"' in _text(client.get("/"))


@pytest.mark.django_db
def test_the_jsonstat_download_holds_the_same_figures_in_its_order(public, client, monkeypatch):
    """Each value read back at the index JSON-stat's row-major order gives (period,
    indicator, group, statistic), against the CSV; withheld cells are null with a status."""
    real = selectors.public_aggregates
    monkeypatch.setattr(selectors, "public_aggregates", lambda p, **kw: _withheld(real(p, **kw)))
    data = json.loads(client.get("/public/periods/2024.jsonstat").content)
    assert data["version"] == "2.0" and data["class"] == "dataset"
    assert data["id"] == ["period", "indicator", "group", "statistic"]
    dims = [data["dimension"][d]["category"]["index"] for d in data["id"]]
    assert data["size"] == [len(d) for d in dims]
    assert len(data["value"]) == data["size"][0] * data["size"][1] * data["size"][2] * 5
    assert data["dimension"]["indicator"]["category"]["label"]["RECYCLING_RATE"] == "Recycling rate"
    rows = list(csv.DictReader(io.StringIO(_text(client.get("/public/periods/2024.csv")))))
    for row in rows:
        for s, statistic in enumerate(dims[3]):
            i = dims[1].index(row["indicator"])
            g = dims[2].index(row["group"])
            index = ((0 * len(dims[1]) + i) * len(dims[2]) + g) * len(dims[3]) + s
            value = data["value"][index]
            assert (
                "" if value is None else repr(value) if isinstance(value, float) else str(value)
            ) == row[statistic]
            if row["withheld"]:
                assert value is None
                assert data["status"][str(index)] == row["withheld"]
    assert any(r["withheld"] for r in rows)


@pytest.mark.django_db
def test_a_signed_in_users_messages_never_reach_a_cached_public_page(public, client, bob, settings):
    """Public pages are shared by everyone through the cache: one user's pending message
    (which may name their unit) must not be rendered into them."""
    from django.contrib.messages import constants
    from django.contrib.messages.storage.session import SessionStorage

    settings.PUBLIC_CACHE_SECONDS = 60
    settings.MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
    client.force_login(bob)
    session = client.session
    session[SessionStorage.session_key] = [
        ["__json_message", 0, constants.SUCCESS, "Values of Alpha saved"]
    ]
    session.save()
    assert "Values of Alpha saved" not in _text(client.get("/public/"))
    from django.test import Client

    assert "Values of Alpha saved" not in _text(Client().get("/public/"))
