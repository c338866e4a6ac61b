"""The scorecard on the benchmark page: gap to the median, sorting, area filter, the
row graphics and the trend, each checked against the stored results."""

import csv
import io
import re

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from miara.analytics.selectors import results_frame
from miara.analytics.services import compute
from miara.catalogue.models import Indicator, PeerGroup
from miara.units.models import Unit

from .test_views import benchmark_url, cell, csv_url, english, row_html

pytestmark = pytest.mark.django_db


def stored(period="2024", group="all", unit="A1"):
    frame = results_frame(periods=[period], groups=[group], units=[unit])
    return {r["indicator"]: r for r in frame.iter_rows(named=True)}


def expected_relative_gap(row, direction):
    """An independent computation of the sorting key: (value - median) / |median|, negated
    for lower-is-better; undefined for neutral indicators."""
    if direction == "neutral" or row["median"] in (None, 0):
        return None
    gap = (np.float64(row["value"]) - row["median"]) / abs(row["median"])
    return float(-gap if direction == "lower" else gap)


def row_order(page):
    return re.findall(r'<tr[^>]*data-indicator="([A-Z_]+)"', page)


class TestGap:
    def test_it_shows_the_stored_gap_to_the_median_and_says_better_or_worse(self, client, bob):
        client.force_login(bob)
        page = client.get(benchmark_url()).content.decode()
        directions = dict(Indicator.objects.values_list("code", "direction"))
        decimals = dict(Indicator.objects.values_list("code", "decimals"))
        for code, row in stored().items():
            shown = cell(row_html(page, code), "gap")
            figure = shown.split()[0].replace("\u2212", "-").lstrip("+")
            if round(row["gap_to_median"], decimals[code]) != 0:
                assert figure == english(row["gap_to_median"], decimals[code])
            relative = expected_relative_gap(row, directions[code])
            if relative is None:
                assert "better" not in shown and "worse" not in shown
            elif relative == 0:
                assert "at the median" in shown
            else:
                percent = abs(relative) * 100
                text = f"{percent:.1f}" if percent < 10 else f"{percent:.0f}"
                word = "better" if relative > 0 else "worse"
                assert f"{text} % {word}" in shown, (code, shown)

    def test_it_sorts_by_gap_largest_shortfall_first(self, client, alice):
        client.force_login(alice)
        for unit in ("A1", "B2", "C3"):
            page = client.get(benchmark_url(unit, sort="gap")).content.decode()
            directions = dict(Indicator.objects.values_list("code", "direction"))
            figures = stored(unit=unit)
            keys = {
                code: expected_relative_gap(figures[code], directions[code])
                if code in figures
                else None
                for code in directions
            }
            expected = sorted(keys, key=lambda c: (keys[c] is None, keys[c] or 0, c))
            assert row_order(page) == expected
            assert "largest shortfall against the median first" in page

    def test_it_keeps_the_catalogue_order_by_default(self, client, bob):
        client.force_login(bob)
        page = client.get(benchmark_url()).content.decode()
        assert row_order(page) == ["RECYCLING_RATE", "WASTE_PC", "PERMIT_COST", "POP"]


class TestAreaFilter:
    def test_it_shows_only_the_chosen_service_area(self, client, bob):
        client.force_login(bob)
        page = client.get(benchmark_url(area="WASTE")).content.decode()
        assert row_order(page) == ["RECYCLING_RATE", "WASTE_PC"]
        assert '<option value="WASTE" selected>' in page
        # The filter still offers every area.
        assert '<option value="PERMITS">' in page

    def test_it_combines_the_filter_with_sorting_and_the_csv(self, client, bob):
        client.force_login(bob)
        page = client.get(benchmark_url(area="WASTE", sort="gap")).content.decode()
        assert set(row_order(page)) == {"RECYCLING_RATE", "WASTE_PC"}
        response = client.get(csv_url(area="WASTE", sort="gap"))
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        assert [r["indicator"] for r in rows] == row_order(page)
        assert {r["area"] for r in rows} == {"WASTE"}
        figures = stored()
        for row in rows:
            assert float(row["gap_to_median"]) == figures[row["indicator"]]["gap_to_median"]

    def test_it_explains_an_unknown_area_or_sort(self, client, bob):
        client.force_login(bob)
        response = client.get(benchmark_url(area="NOPE"))
        assert response.status_code == 404
        assert "There is no service area with the code “NOPE”" in response.content.decode()
        response = client.get(benchmark_url(sort="size"))
        assert response.status_code == 404
        assert "not by “size”" in response.content.decode()
        assert client.get(csv_url(area="NOPE")).status_code == 404


class TestRowGraphics:
    def test_every_ranked_row_has_a_strip_and_a_sparkline_of_the_last_periods(self, client, bob):
        client.force_login(bob)
        page = client.get(benchmark_url()).content.decode()
        history = results_frame(groups=["all"], units=["A1"], indicators=["RECYCLING_RATE"])
        by_period = {r["period"]: r["value"] for r in history.iter_rows(named=True)}
        html = row_html(page, "RECYCLING_RATE")
        assert '<svg class="strip"' in html
        assert '<svg class="sparkline-svg"' in html
        trend = cell(html, "trend")
        assert trend == "; ".join(f"{p}: {english(by_period[p], 1)}" for p in ("2023", "2024"))
        assert "Last 2 periods" in page

    def test_the_strip_puts_the_unit_where_its_value_lies_in_the_range(self, client, alice):
        client.force_login(alice)
        page = client.get(benchmark_url("A1", group="CITIES")).content.decode()
        # Two cities: for "higher is better" the better (higher) one is on the right.
        figures = results_frame(periods=["2024"], groups=["CITIES"], indicators=["RECYCLING_RATE"])
        values = {r["unit"]: r["value"] for r in figures.iter_rows(named=True)}
        strip = re.search(r'<svg class="strip".*?</svg>', row_html(page, "RECYCLING_RATE"), re.S)[0]
        diamond_x = int(re.search(r'<path d="M(\d+) ', strip)[1])
        dot_x = int(re.search(r'<circle cx="(\d+)"', strip)[1])
        assert (diamond_x > dot_x) == (values["A1"] > values["B2"])

    def test_it_draws_no_strip_and_says_why_there_is_no_rank_in_a_group_of_one(self, client, alice):
        solo = PeerGroup.objects.create(code="SOLO", name={"en": "Only Alpha"}, kind="listed")
        solo.members.add(Unit.objects.get(code="A1"))
        compute()
        client.force_login(alice)
        html = row_html(client.get(benchmark_url(group="SOLO")).content.decode(), "RECYCLING_RATE")
        assert '<svg class="strip"' not in html
        assert "no rank: no other unit in the group has a value" in html

    def test_each_indicator_links_to_its_page_from_the_same_unit_period_and_group(
        self, client, bob
    ):
        client.force_login(bob)
        page = client.get(benchmark_url(period="2023", group="CITIES")).content.decode()
        link = reverse("analytics:indicator", args=["WASTE_PC"])
        assert f'href="{link}?unit=A1&amp;period=2023&amp;group=CITIES"' in page


class TestQueries:
    def test_the_number_of_queries_does_not_grow_with_the_indicators(self, client, alice, settings):
        settings.PAGE_CACHE_SECONDS = 0  # count the queries of building the table
        client.force_login(alice)
        client.get(benchmark_url())
        with CaptureQueriesContext(connection) as before:
            assert client.get(benchmark_url()).status_code == 200
        for i in range(12):
            Indicator.objects.create(
                code=f"EXTRA_{i}",
                name={"en": f"Extra {i}"},
                formula="WASTE_T * 2",
                direction="higher",
                area_id=Indicator.objects.get(code="WASTE_PC").area_id,
            )
        compute()
        with CaptureQueriesContext(connection) as after:
            page = client.get(benchmark_url()).content.decode()
        assert "EXTRA_11" in page
        assert len(after.captured_queries) == len(before.captured_queries)


class TestPageCache:
    """The scorecard table is kept per unit, group and result sets (lib.memo): a second
    reader gets the same table, a new computation is shown at once, and a reader without
    access is refused before anything kept is looked at."""

    def test_a_kept_table_is_the_built_one_and_new_results_replace_it(
        self, client, alice, settings
    ):
        from miara.collection.models import Value
        from miara.lib import memo

        settings.PAGE_CACHE_SECONDS = 300
        memo.clear()
        client.force_login(alice)
        first = client.get(benchmark_url()).content.decode()
        with CaptureQueriesContext(connection) as kept:
            second = client.get(benchmark_url()).content.decode()
        assert row_html(first, "WASTE_PC") == row_html(second, "WASTE_PC")
        settings.PAGE_CACHE_SECONDS = 0
        with CaptureQueriesContext(connection) as built:
            client.get(benchmark_url())
        assert len(kept.captured_queries) < len(built.captured_queries)

        settings.PAGE_CACHE_SECONDS = 300
        before = stored()["WASTE_PC"]["value"]
        waste = Value.objects.get(unit__code="A1", period="2024", variable__code="WASTE_T")
        Value.objects.filter(pk=waste.pk).update(value=waste.value * 2)
        compute()
        after = stored()["WASTE_PC"]["value"]
        assert after != before
        page = client.get(benchmark_url()).content.decode()
        decimals = Indicator.objects.get(code="WASTE_PC").decimals
        assert cell(row_html(page, "WASTE_PC"), "value") == english(after, decimals)

    def test_a_reader_without_access_is_refused_whatever_is_kept(
        self, client, alice, bob, settings
    ):
        from miara.lib import memo

        settings.PAGE_CACHE_SECONDS = 300
        memo.clear()
        client.force_login(alice)
        assert client.get(benchmark_url("B2")).status_code == 200
        client.force_login(bob)
        response = client.get(benchmark_url("B2"))
        assert response.status_code == 404  # as for a unit that does not exist
        assert "WASTE_PC" not in response.content.decode()
