"""The indicator page and its CSVs: definition, lineage, charts' data and the group's
table equal to the stored results and values, and scoped to what the reader may see."""

import csv
import io
import json
import re

import pytest

from miara.analytics.peers import indicator_scope, pseudonym
from miara.analytics.selectors import results_frame
from miara.analytics.services import compute
from miara.catalogue.models import Indicator, PeerGroup
from miara.collection.selectors import values_frame
from miara.testing.urls import url_with_query
from miara.units.models import Programme, Unit

from .test_views import english

pytestmark = pytest.mark.django_db


def page_url(code="RECYCLING_RATE", **params):
    return url_with_query("analytics:indicator", code, **params)


def csv_url(code="RECYCLING_RATE", **params):
    return url_with_query("analytics:indicator_csv", code, **params)


def chart_data(page: str, chart_id: str) -> list[dict]:
    """The data rows of one chart's spec as the page embeds it (top-level and layers)."""
    match = re.search(
        rf'<script type="application/json" data-chart="{chart_id}">(.*?)</script>', page, re.S
    )
    assert match, f"no chart {chart_id}"
    spec = json.loads(match.group(1))
    rows = list(spec.get("data", {}).get("values", []))
    for layer in spec.get("layer", []):
        rows += layer.get("data", {}).get("values", [])
    return rows


def group_rows(page: str) -> list[dict]:
    table = re.search(r'<table class="table table--compact group-table">(.*?)</table>', page, re.S)
    assert table
    rows = []
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", table.group(1), re.S)[1:]:
        cells = dict(re.findall(r'data-col="([^"]+)">(.*?)</t[dh]>', tr, re.S))
        rows.append(
            {k: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", v)).strip() for k, v in cells.items()}
        )
    return rows


def stored(indicator="RECYCLING_RATE", period="2024", group="all"):
    frame = results_frame(periods=[period], groups=[group], indicators=[indicator])
    return {r["unit"]: r for r in frame.iter_rows(named=True)}


class TestAccess:
    def test_it_sends_anonymous_visitors_to_the_login(self, client, programme):
        assert client.get(page_url()).status_code == 302
        assert client.get(csv_url()).status_code == 302

    def test_an_editor_looks_from_their_own_unit_by_default(self, client, bob):
        client.force_login(bob)
        response = client.get(page_url())
        assert response.status_code == 200
        assert response.context["unit"].code == "A1"

    def test_it_forbids_an_editor_another_unit(self, client, bob):
        client.force_login(bob)
        # As for a unit that does not exist: 404, so that codes cannot be probed.
        assert client.get(page_url(unit="B2")).status_code == 404
        assert client.get(csv_url(unit="B2")).status_code == 404
        assert client.get(csv_url(unit="B2", table="trend")).status_code == 404

    @pytest.mark.parametrize(
        ("url", "message"),
        [
            (page_url("NOPE"), "There is no indicator with the code “NOPE”"),
            (page_url(unit="ZZ9"), "There is no unit with the code “ZZ9”"),
            (page_url(period="2030"), "No results have been computed for the period “2030”"),
            (page_url(unit="C3", group="CITIES"), "is not compared within the group “CITIES”"),
            (page_url(group="NOPE"), "There are no results of the group “NOPE”"),
            (csv_url(table="other"), "“lineage”, not “other”"),
        ],
    )
    def test_it_explains_bad_input_with_a_404(self, client, alice, url, message):
        client.force_login(alice)
        response = client.get(url)
        assert response.status_code == 404
        assert message in response.content.decode()

    def test_the_404_speaks_the_readers_language(self, client, alice):
        client.force_login(alice)
        response = client.get(page_url("NOPE"), headers={"accept-language": "pl"})
        page = response.content.decode()
        assert response.status_code == 404
        assert '<html lang="pl">' in page
        assert "Nie ma wskaźnika o kodzie „NOPE”." in page
        assert "There is no indicator" not in page


class TestDefinitionAndLineage:
    def test_it_shows_the_definition_and_the_variables_the_formula_reads(self, client, bob):
        client.force_login(bob)
        page = client.get(page_url()).content.decode()
        assert "RECYCLED_T / WASTE_T * 100" in page
        assert "higher is better" in page
        assert "Recycled waste" in page and "Municipal waste collected" in page

    def test_the_lineage_lists_the_stored_values_that_produced_the_units_number(self, client, bob):
        client.force_login(bob)
        response = client.get(page_url(period="2023"))
        lineage = {i.input.key: i for i in response.context["detail"].lineage}
        values = values_frame(units=["A1"], periods=["2023"], variables=["RECYCLED_T", "WASTE_T"])
        expected = {r["variable"]: r["value"] for r in values.iter_rows(named=True)}
        assert {k: (v.period, v.value) for k, v in lineage.items()} == {
            "RECYCLED_T": ("2023", expected["RECYCLED_T"]),
            "WASTE_T": ("2023", expected["WASTE_T"]),
        }
        page = response.content.decode()
        assert 'data-input="WASTE_T"' in page and "1,000" in page

    def test_prev_reads_the_previous_periods_value(self, client, alice):
        Indicator.objects.create(
            code="WASTE_GROWTH",
            name={"en": "Growth of waste"},
            formula="100 * (WASTE_T / prev(WASTE_T) - 1)",
            direction="lower",
        )
        compute()
        client.force_login(alice)
        response = client.get(page_url("WASTE_GROWTH", unit="A1", period="2024"))
        lineage = {i.input.key: (i.period, i.value) for i in response.context["detail"].lineage}
        assert lineage == {"WASTE_T": ("2024", 1010.0), "prev:WASTE_T": ("2023", 1000.0)}
        page = response.content.decode()
        assert "prev(WASTE_T)" in page and "previous period" in page
        result = stored("WASTE_GROWTH")["A1"]["value"]
        assert result == pytest.approx(100 * (1010 / 1000 - 1))
        assert english(result, 2) in page


class TestCharts:
    def test_the_distribution_plots_every_stored_value_with_the_unit_marked(self, client, alice):
        client.force_login(alice)
        page = client.get(page_url(unit="A1")).content.decode()
        figures = stored()
        rows = chart_data(page, "chart-distribution")
        points = [r for r in rows if "label" in r]
        assert sorted(r["value"] for r in points) == sorted(r["value"] for r in figures.values())
        assert [r["label"] for r in points if r["who"] == "unit"] == ["Alpha"]
        stats = next(iter(figures.values()))
        assert {"median": stats["median"]} in rows
        assert {"q1": stats["q1"], "q3": stats["q3"]} in rows

    def test_the_ranking_is_in_rank_order(self, client, alice):
        client.force_login(alice)
        page = client.get(page_url(unit="A1")).content.decode()
        figures = stored()
        names = dict(Unit.objects.values_list("code", "name"))
        expected = [names[c] for c in sorted(figures, key=lambda c: figures[c]["rank"])]
        assert [r["label"] for r in chart_data(page, "chart-ranking")] == expected

    def test_the_trend_shows_the_unit_against_the_stored_median_and_quartiles(self, client, bob):
        client.force_login(bob)
        page = client.get(page_url(group="CITIES")).content.decode()
        rows = {r["period"]: r for r in chart_data(page, "chart-trend")}
        assert set(rows) == {"2023", "2024"}
        for period in ("2023", "2024"):
            mine = stored(period=period, group="CITIES")["A1"]
            assert rows[period]["value"] == mine["value"]
            for name in ("median", "q1", "q3", "n"):
                assert rows[period][name] == mine[name]

    def test_every_chart_has_a_text_summary_and_a_table(self, client, bob):
        client.force_login(bob)
        page = client.get(page_url()).content.decode()
        for chart_id in ("chart-distribution", "chart-ranking", "chart-trend"):
            figure = re.search(
                rf'<figure[^>]*><div id="{chart_id}"[^>]*aria-hidden="true">.*?</figure>',
                page,
                re.S,
            )
            assert figure and '<figcaption class="chart-summary">' in figure.group(0)
        assert page.count('<details class="chart-table">') == 3
        assert "median" in re.search(
            r'<figcaption class="chart-summary">(.*?)</figcaption>', page, re.S
        ).group(1)

    def test_it_says_why_no_rank_is_shown_in_a_group_of_one(self, client, alice):
        solo = PeerGroup.objects.create(code="SOLO", name={"en": "Only Alpha"}, kind="listed")
        solo.members.add(Unit.objects.get(code="A1"))
        compute()
        client.force_login(alice)
        page = client.get(page_url(unit="A1", group="SOLO")).content.decode()
        assert "No rank is shown: only 1 unit of Only Alpha has a value for 2024" in page

    def test_it_says_no_data_instead_of_drawing_empty_charts(self, client, alice):
        Indicator.objects.create(
            code="NOTHING",
            name={"en": "Nothing yet"},
            formula="PERMITS_ISSUED / 0",
            direction="higher",
        )
        compute()
        client.force_login(alice)
        page = client.get(page_url("NOTHING", unit="A1")).content.decode()
        assert "No data: no unit of All units has a value of this indicator for 2024" in page
        assert 'data-chart="chart-distribution"' not in page
        assert 'data-chart="chart-ranking"' not in page


class TestGroupTable:
    def test_a_coordinator_sees_every_unit_with_its_raw_values(self, client, alice):
        client.force_login(alice)
        page = client.get(page_url(unit="A1")).content.decode()
        figures = stored()
        raw = values_frame(periods=["2024"], variables=["RECYCLED_T", "WASTE_T"])
        raw = {(r["unit"], r["variable"]): r["value"] for r in raw.iter_rows(named=True)}
        names = {n: c for c, n in Unit.objects.values_list("code", "name")}
        rows = group_rows(page)
        assert len(rows) == len(figures)
        for row in rows:
            code = names[
                row["unit"].split(" ")[-2]
                if False
                else row["unit"].rsplit(" ", 1)[0].lstrip("◆ ").strip()
            ]
            assert row["value"] == english(figures[code]["value"], 1)
            assert row["rank"] == str(figures[code]["rank"])
            assert row["WASTE_T"] == f"{raw[(code, 'WASTE_T')]:,.0f}"
            assert row["RECYCLED_T"] == f"{raw[(code, 'RECYCLED_T')]:,.0f}"

    def test_an_editor_sees_pseudonyms_and_only_their_own_raw_values(self, client, bob):
        client.force_login(bob)
        response = client.get(page_url())
        page = response.content.decode()
        b2 = Unit.objects.get(code="B2")
        assert f"Unit {pseudonym(b2.code, scope=indicator_scope('RECYCLING_RATE', '2024'))}" in page
        assert "Beta" not in page and "B2" not in page
        members = response.context["detail"].members
        assert [m.inputs is not None for m in members] == [m.label.code == "A1" for m in members]
        # B2's raw values appear nowhere, not in the table nor in any chart's data.
        raw = values_frame(units=["B2"], periods=["2024", "2023"])
        shown = {cell for row in group_rows(page) for cell in row.values()}
        for value in {r["value"] for r in raw.iter_rows(named=True)}:
            assert f"{value:,.0f}" not in shown and repr(value) not in page

    def test_a_named_programme_shows_other_units_names_to_an_editor(self, client, bob):
        programme = Programme.current()
        programme.visibility = Programme.Visibility.NAMED
        programme.save()
        client.force_login(bob)
        response = client.get(page_url())
        assert "Beta" in response.content.decode()
        # Named, but still not B2's raw values: those are B2's own.
        beta = next(m for m in response.context["detail"].members if m.label.label == "Beta")
        assert beta.inputs is None


class TestCsv:
    def test_it_exports_the_group_table_at_full_precision(self, client, alice):
        client.force_login(alice)
        response = client.get(csv_url(unit="A1", group="CITIES"))
        assert response.status_code == 200
        assert (
            "miara-RECYCLING_RATE-2024-CITIES-units-provisional.csv"
            in response["Content-Disposition"]
        )
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        figures = stored(group="CITIES")
        assert {r["unit"] for r in rows} == set(figures)
        raw = values_frame(periods=["2024"], variables=["WASTE_T"])
        raw = {r["unit"]: r["value"] for r in raw.iter_rows(named=True)}
        for row in rows:
            assert float(row["value"]) == figures[row["unit"]]["value"]
            assert int(row["rank"]) == figures[row["unit"]]["rank"]
            assert float(row["WASTE_T"]) == raw[row["unit"]]

    def test_an_editor_gets_pseudonyms_and_no_raw_values_of_others(self, client, bob):
        client.force_login(bob)
        rows = list(csv.DictReader(io.StringIO(client.get(csv_url()).content.decode())))
        b2 = Unit.objects.get(code="B2")
        others = [r for r in rows if r["unit"] != "A1"]
        assert len(others) == 3
        assert all(r["unit"] == "" and r["WASTE_T"] == "" for r in others)
        alias = pseudonym(b2.code, scope=indicator_scope("RECYCLING_RATE", "2024"))
        assert f"Unit {alias}" in {r["unit_name"] for r in others}
        own = next(r for r in rows if r["unit"] == "A1")
        assert float(own["WASTE_T"]) == 1010.0

    def test_it_exports_the_group_statistics_and_the_lineage(self, client, bob):
        client.force_login(bob)
        rows = list(
            csv.DictReader(io.StringIO(client.get(csv_url(table="statistics")).content.decode()))
        )
        figures = stored()["A1"]
        assert len(rows) == 1
        for name in ("n", "median", "q1", "q3", "min", "max", "mean"):
            assert float(rows[0][name]) == figures[name]
        rows = list(
            csv.DictReader(io.StringIO(client.get(csv_url(table="lineage")).content.decode()))
        )
        assert {(r["input"], r["period"], float(r["value"])) for r in rows} == {
            ("RECYCLED_T", "2024", 320.0),
            ("WASTE_T", "2024", 1010.0),
        }
        assert all(r["unit"] == "A1" for r in rows)

    def test_it_exports_the_trend(self, client, bob):
        client.force_login(bob)
        response = client.get(csv_url(table="trend"))
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        assert [r["period"] for r in rows] == ["2023", "2024"]
        for row in rows:
            mine = stored(period=row["period"])["A1"]
            assert float(row["value"]) == mine["value"]
            assert float(row["median"]) == mine["median"]


class TestLargeGroups:
    """A national group has thousands of units: the page lists the ends of the ranking and
    the unit's neighbours, marks what it leaves out, and the CSV still lists everyone."""

    def excerpt(self, n, highlight):
        """The ranks (1 = best) of the rows a page shows, None where rows are left out."""
        from miara.analytics.indicator_detail import excerpt_positions

        positions = excerpt_positions(n, highlight)
        return None if positions is None else [None if i is None else i + 1 for i in positions]

    def test_small_groups_are_listed_whole(self):
        from miara.analytics.indicator_detail import TABLE_ALL_UP_TO

        assert self.excerpt(TABLE_ALL_UP_TO, 3) is None

    def test_large_groups_keep_the_ends_and_the_units_neighbours(self):
        from miara.analytics.indicator_detail import TABLE_AROUND, TABLE_ENDS

        excerpt = self.excerpt(500, highlight=250)
        shown = [rank for rank in excerpt if rank is not None]
        expected = [
            *range(1, TABLE_ENDS + 1),
            *range(251 - TABLE_AROUND, 251 + TABLE_AROUND + 1),
            *range(501 - TABLE_ENDS, 501),
        ]
        assert shown == expected
        assert [i for i, rank in enumerate(excerpt) if rank is None] == [
            TABLE_ENDS,
            TABLE_ENDS + 1 + 2 * TABLE_AROUND + 1,
        ]
        # The unit at the top: its neighbours join the best ones, one gap only.
        top = self.excerpt(500, highlight=0)
        assert sum(rank is None for rank in top) == 1

    def test_the_page_shows_the_excerpt_and_the_csv_everyone(self, client, alice, monkeypatch):
        from miara.analytics import indicator_detail

        monkeypatch.setattr(indicator_detail, "TABLE_ALL_UP_TO", 2)
        monkeypatch.setattr(indicator_detail, "TABLE_ENDS", 1)
        monkeypatch.setattr(indicator_detail, "TABLE_AROUND", 0)
        client.force_login(alice)
        page = client.get(page_url(unit="C3", period="2024")).content.decode()
        rows = group_rows(page)
        assert 'class="row--gap"' in page
        assert "the CSV download lists them all" in page
        shown = {r["unit"].replace("◆", "").split()[0] for r in rows if "unit" in r}
        assert "Gamma" in shown and len(shown) < 4
        table = list(
            csv.DictReader(io.StringIO(client.get(csv_url(period="2024")).content.decode()))
        )
        stored = results_frame(periods=["2024"], groups=["all"], indicators=["RECYCLING_RATE"])
        assert len(table) == stored.height > len(shown)


class TestHistogramOfLargeGroups:
    """Above DOTS_UP_TO units the distribution is a histogram from the engine, and the
    page labels only the units it shows; a coordinator may still look from any unit."""

    def test_the_histogram_counts_every_unit_and_names_only_the_one_looked_from(
        self, client, bob, monkeypatch
    ):
        import numpy as np

        from miara.analytics import indicator_detail

        monkeypatch.setattr(indicator_detail, "DOTS_UP_TO", 2)
        monkeypatch.setattr(indicator_detail, "HISTOGRAM_BINS", 3)
        client.force_login(bob)
        page = client.get(page_url(unit="A1", period="2024")).content.decode()
        rows = chart_data(page, "chart-distribution")
        bins = [r for r in rows if "count" in r]
        stored = results_frame(periods=["2024"], groups=["all"], indicators=["RECYCLING_RATE"])
        values = stored["value"].drop_nulls().to_numpy()
        counts, edges = np.histogram(values, bins=3)
        assert [b["count"] for b in bins] == counts.tolist()
        assert np.allclose([b["start"] for b in bins], edges[:-1])
        labels = {r["label"] for r in rows if "label" in r}
        assert labels == {Unit.objects.get(code="A1").name}
        # The table alternative lists the same bars.
        table = re.search(
            r'<table class="table table--compact histogram-table">(.*?)</table>', page, re.S
        )
        shown = re.findall(r'data-col="count">(\d+)<', table.group(1))
        assert [int(c) for c in shown] == counts.tolist()
        assert "The bars count the units whose value falls in each range." in page
        for other in Unit.objects.exclude(code="A1"):
            assert (
                other.name
                not in page.split('data-chart="chart-distribution"')[1].split("</script>")[0]
            )

    def test_a_coordinator_may_look_from_every_unit_of_a_large_group(
        self, client, alice, monkeypatch
    ):
        from miara.analytics import indicator_detail

        monkeypatch.setattr(indicator_detail, "TABLE_ALL_UP_TO", 2)
        monkeypatch.setattr(indicator_detail, "TABLE_ENDS", 1)
        monkeypatch.setattr(indicator_detail, "TABLE_AROUND", 0)
        client.force_login(alice)
        page = client.get(page_url(unit="C3", period="2024")).content.decode()
        select = re.search(r'<select id="unit" name="unit">(.*?)</select>', page, re.S).group(1)
        offered = re.findall(r'<option value="([^"]*)"', select)
        stored = results_frame(periods=["2024"], groups=["all"], indicators=["RECYCLING_RATE"])
        assert set(offered) - {""} == set(stored["unit"].to_list())
        assert re.findall(r'<option value="([^"]+)" selected>', select) == ["C3"]
