"""The unit benchmark table and its CSV: figures equal to the stored results, scoped."""

import csv
import io
import re

import pytest
from django.urls import reverse
from django.utils import translation

from miara.analytics.selectors import results_frame
from miara.catalogue.models import Indicator, PeerGroup
from miara.testing.urls import url_with_query
from miara.units.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _default_language_afterwards():
    # A request in Polish leaves Polish active in the thread; later tests expect English.
    yield
    translation.deactivate()


def benchmark_url(code="A1", **params):
    return url_with_query("analytics:benchmark", code, **params)


def csv_url(code="A1", **params):
    return url_with_query("analytics:benchmark_csv", code, **params)


def row_html(page: str, indicator: str) -> str:
    match = re.search(rf'<tr[^>]*data-indicator="{indicator}">(.*?)</tr>', page, re.S)
    assert match, f"no row for {indicator}"
    return match.group(1)


def cell(row: str, column: str) -> str:
    match = re.search(rf'<td[^>]*data-col="{column}">(.*?)</td>', row, re.S)
    assert match, f"no {column} cell"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip()


def english(value: float, decimals: int) -> str:
    """An independent rendering of Django's English number format."""
    return f"{value:,.{decimals}f}"


class TestAccess:
    def test_it_sends_anonymous_visitors_to_the_login(self, client, programme):
        response = client.get(benchmark_url())
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
        assert client.get(csv_url()).status_code == 302

    def test_it_shows_an_editor_their_unit(self, client, bob):
        client.force_login(bob)
        assert client.get(benchmark_url()).status_code == 200

    def test_it_forbids_an_editor_another_unit(self, client, bob):
        client.force_login(bob)
        # As for a unit that does not exist: 404, so that codes cannot be probed.
        assert client.get(benchmark_url("B2")).status_code == 404
        assert client.get(csv_url("B2")).status_code == 404

    def test_it_shows_every_unit_to_coordinators_and_experts(self, client, alice, erin, mike):
        for user in (alice, erin):
            client.force_login(user)
            assert client.get(benchmark_url("B2")).status_code == 200
        client.force_login(mike)
        assert client.get(benchmark_url("A1")).status_code == 200
        assert client.get(benchmark_url("C3")).status_code == 404

    def test_it_explains_an_unknown_unit(self, client, alice):
        client.force_login(alice)
        response = client.get(benchmark_url("ZZ9"))
        assert response.status_code == 404
        assert "There is no unit with the code “ZZ9”" in response.content.decode()

    def test_it_explains_an_unknown_period(self, client, bob):
        client.force_login(bob)
        response = client.get(benchmark_url(period="2030"))
        assert response.status_code == 404
        page = response.content.decode()
        assert "No results have been computed for the period “2030”" in page
        assert "2024, 2023" in page

    def test_it_explains_a_group_the_unit_is_not_in(self, client, alice):
        client.force_login(alice)
        response = client.get(benchmark_url("C3", group="CITIES"))
        assert response.status_code == 404
        assert "is not compared within the group" in response.content.decode()


class TestSelectors:
    def test_it_offers_computed_periods_newest_first_and_the_units_groups(self, client, bob):
        client.force_login(bob)
        response = client.get(benchmark_url())
        assert response.context["periods"] == ["2024", "2023"]
        assert response.context["period"] == "2024"
        assert [code for code, _ in response.context["groups"]] == [
            "all",
            "CITIES",
            "LARGE",
            "similar",
        ]
        page = response.content.decode()
        assert "Cities with county rights" in page
        assert "All units" in page

    def test_it_offers_only_the_groups_of_a_small_unit(self, client, alice):
        client.force_login(alice)
        response = client.get(benchmark_url("C3"))
        assert [code for code, _ in response.context["groups"]] == ["all", "similar"]


class TestFigures:
    @pytest.mark.parametrize(
        ("period", "group"), [("2024", "all"), ("2023", "CITIES"), ("2024", "LARGE")]
    )
    def test_it_shows_the_stored_results_at_the_indicators_decimals(
        self, client, bob, period, group
    ):
        client.force_login(bob)
        page = client.get(benchmark_url(period=period, group=group)).content.decode()
        stored = results_frame(periods=[period], groups=[group], units=["A1"])
        assert stored.height == 4
        decimals = dict(Indicator.objects.values_list("code", "decimals"))
        for row in stored.iter_rows(named=True):
            d = decimals[row["indicator"]]
            html = row_html(page, row["indicator"])
            assert cell(html, "value") == english(row["value"], d)
            # A group under 10 units has its median's bootstrap interval under it
            # (tests/test_context_page.py checks the interval).
            assert cell(html, "median").split(" 90 % interval ")[0] == english(row["median"], d)
            assert cell(html, "q1q3") == f"{english(row['q1'], d)} – {english(row['q3'], d)}"
            if row["rank"] is not None:
                assert cell(html, "rank") == f"{row['rank']} of {row['n']}"
                assert cell(html, "best") == english(row["best"], d)
            if row["quartile"] is not None:
                assert str(row["quartile"]) in cell(html, "quartile")
            if row["change"] is not None and round(row["change"], d) != 0:
                shown = cell(html, "change").split()[0].replace("\u2212", "-").lstrip("+")
                assert shown == english(row["change"], d)

    def test_it_groups_rows_by_service_area_in_catalogue_order(self, client, bob):
        client.force_login(bob)
        page = client.get(benchmark_url()).content.decode()
        assert page.index("Municipal waste") < page.index("Building permits")
        assert page.index("Building permits") < page.index("Other indicators")

    def test_it_shows_the_direction_symbol_and_text(self, client, bob):
        client.force_login(bob)
        page = client.get(benchmark_url()).content.decode()
        assert "↑" in row_html(page, "RECYCLING_RATE")
        assert "higher is better" in row_html(page, "RECYCLING_RATE")
        assert "↓" in row_html(page, "PERMIT_COST")
        assert "not ranked (context indicator)" in row_html(page, "POP")

    def test_it_shows_the_quartile_with_text_and_colour(self, client, bob):
        client.force_login(bob)
        page = client.get(benchmark_url()).content.decode()
        stored = results_frame(
            periods=["2024"], groups=["all"], units=["A1"], indicators=["RECYCLING_RATE"]
        )
        quartile = stored.row(0, named=True)["quartile"]
        html = row_html(page, "RECYCLING_RATE")
        assert f"badge--q{quartile}" in html
        assert "quarter" in cell(html, "quartile")

    def test_it_says_no_data_where_the_unit_has_no_value(self, client, alice):
        client.force_login(alice)
        page = client.get(benchmark_url("D4")).content.decode()
        # D4 issued no permits: its permit cost divides by zero and is not stored.
        assert "no data" in row_html(page, "PERMIT_COST")

    def test_it_says_why_there_is_no_rank_in_a_group_of_one(self, client, alice):
        from miara.analytics.services import compute

        solo = PeerGroup.objects.create(code="SOLO", name={"en": "Only Alpha"}, kind="listed")
        solo.members.add(Unit.objects.get(code="A1"))
        compute()
        client.force_login(alice)
        page = client.get(benchmark_url(group="SOLO")).content.decode()
        assert "no rank: no other unit in the group has a value" in row_html(page, "RECYCLING_RATE")

    def test_it_formats_numbers_for_the_readers_language(self, client, bob):
        client.force_login(bob)
        page = client.get(benchmark_url(), headers={"accept-language": "pl"}).content.decode()
        stored = results_frame(
            periods=["2024"], groups=["all"], units=["A1"], indicators=["RECYCLING_RATE"]
        )
        value = stored.row(0, named=True)["value"]
        assert cell(row_html(page, "RECYCLING_RATE"), "value") == english(value, 1).replace(
            ".", ","
        )


class TestCsv:
    def test_it_exports_the_stored_figures_at_full_precision(self, client, bob):
        client.force_login(bob)
        response = client.get(csv_url(period="2024", group="CITIES"))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        assert "miara-benchmark-A1-2024-CITIES-provisional.csv" in response["Content-Disposition"]
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        stored = {
            r["indicator"]: r
            for r in results_frame(periods=["2024"], groups=["CITIES"], units=["A1"]).iter_rows(
                named=True
            )
        }
        assert {r["indicator"] for r in rows} == set(stored)
        for row in rows:
            expected = stored[row["indicator"]]
            assert row["unit"] == "A1" and row["period"] == "2024" and row["group"] == "CITIES"
            for name in ("value", "median", "q1", "q3", "best", "percentile", "change"):
                if expected[name] is None:
                    assert row[name] == ""
                else:
                    assert float(row[name]) == expected[name]
            for name in ("n", "rank", "quartile"):
                assert row[name] == ("" if expected[name] is None else str(expected[name]))


class TestScope:
    """Bob edits A1: nothing he can fetch carries B2's own figures or its name."""

    def b2_values(self) -> set[str]:
        rows = results_frame(units=["B2"]).iter_rows(named=True)
        return {(r["indicator"], r["period"], r["value"]) for r in rows}

    def test_it_never_shows_b2_to_bob(self, client, bob):
        client.force_login(bob)
        visible = results_frame(units=["A1"])
        # The group figures the table shows (median, quartiles, best) may equal a B2
        # value by construction; any other appearance of a B2 value would be a leak.
        group_figures = set()
        for row in visible.iter_rows(named=True):
            for name in ("median", "q1", "q3", "best"):
                if row[name] is not None:
                    group_figures.add((row["indicator"], row["period"], row[name]))
        leaks = [v for v in self.b2_values() if v not in group_figures]
        assert leaks
        decimals = dict(Indicator.objects.values_list("code", "decimals"))
        pages = [
            client.get(u).content.decode()
            for u in ("/", reverse("units:list"), reverse("profile"), reverse("catalogue:index"))
        ]
        for period in ("2024", "2023"):
            for group in ("all", "CITIES", "LARGE"):
                pages.append(client.get(benchmark_url(period=period, group=group)).content.decode())
                pages.append(client.get(csv_url(period=period, group=group)).content.decode())
        for page in pages:
            assert "Beta" not in page
            assert "/units/B2/" not in page
        benchmark_pages = pages[4:]
        for _indicator, _period, value in leaks:
            for page in benchmark_pages:
                assert repr(value) not in page
        for indicator, period, value in leaks:
            formatted = english(value, decimals[indicator])
            for group in ("all", "CITIES", "LARGE"):
                page = client.get(benchmark_url(period=period, group=group)).content.decode()
                assert formatted not in row_html(page, indicator)
