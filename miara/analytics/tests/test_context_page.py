"""The context-fair comparison page, its CSV and the median intervals: figures equal to an
independent least-squares fit of the stored values, and a participant never shown another
unit's value, expected value or context."""

import csv
import io
import re

import numpy as np
import pytest

from miara.analytics.benchmark import current_result_set
from miara.analytics.context import median_intervals
from miara.analytics.selectors import results_frame
from miara.analytics.services import compute
from miara.catalogue.models import Indicator
from miara.collection.selectors import values_frame
from miara.collection.services import values_load
from miara.engine.context import bootstrap_median_interval
from miara.testing.urls import url_with_query
from miara.units.models import Programme
from miara.units.services import units_load

pytestmark = pytest.mark.django_db

EXTRA = {  # unit: (waste t, recycled t, population)
    "E5": (900, 250, 90000),
    "F6": (400, 90, 30000),
    "G7": (1200, 420, 150000),
    "H8": (650, 170, 52000),
    "I9": (200, 40, 9000),
    "J10": (1700, 700, 240000),
}


@pytest.fixture
def wider(programme, tmp_path):
    """Ten units in 2024: enough for a fit on one or two variables."""
    units = tmp_path / "more-units.csv"
    units.write_text(
        "code,name,type\n" + "".join(f"{code},Unit {code},gmina_urban\n" for code in EXTRA),
        encoding="utf-8",
    )
    units_load(path=units)
    values = tmp_path / "more-values.csv"
    lines = ["unit,variable,period,value"]
    for code, (waste, recycled, population) in EXTRA.items():
        lines += [
            f"{code},WASTE_T,2024,{waste}",
            f"{code},RECYCLED_T,2024,{recycled}",
            f"{code},POPULATION,2024,{population}",
        ]
    values.write_text("\n".join(lines) + "\n", encoding="utf-8")
    values_load(path=values)
    compute()
    return programme


def page_url(code="RECYCLING_RATE", view="analytics:indicator_context", **params):
    return url_with_query(view, code, **params)


def independent_fit(indicator="RECYCLING_RATE", variables=("POPULATION",)):
    """Stored indicator values of the group `all` and stored variables, fitted with numpy."""
    values = results_frame(periods=["2024"], groups=["all"], indicators=[indicator])
    context = values_frame(periods=["2024"], variables=list(variables)).pivot(
        on="variable", index="unit", values="value"
    )
    frame = values.select("unit", "value").join(context, on="unit").drop_nulls().sort("unit")
    x = np.column_stack([np.ones(frame.height), frame.select(variables).to_numpy()])
    y = frame["value"].to_numpy()
    beta = np.linalg.lstsq(x, y, rcond=None)[0]
    expected = x @ beta
    r2 = 1 - np.sum((y - expected) ** 2) / np.sum((y - y.mean()) ** 2)
    return dict(zip(frame["unit"], expected, strict=True)), r2, frame.height


def csv_rows(response):
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


class TestCoordinator:
    def test_every_unit_with_the_expected_value_of_an_independent_fit(self, client, alice, wider):
        client.force_login(alice)
        response = client.get(page_url(view="analytics:indicator_context_csv", period="2024"))
        assert response.status_code == 200
        rows = csv_rows(response)
        expected, r2, n = independent_fit()
        assert n == 10 and len(rows) == 10
        for row in rows:
            assert float(row["expected"]) == pytest.approx(expected[row["unit"]], rel=1e-9)
            assert float(row["against_expectation"]) == pytest.approx(
                float(row["value"]) - expected[row["unit"]], rel=1e-9, abs=1e-9
            )
            assert float(row["r_squared"]) == pytest.approx(r2, rel=1e-9)
            assert row["POPULATION"]

    def test_lower_is_better_counts_less_than_expected_as_better(self, client, alice, wider):
        client.force_login(alice)
        rows = csv_rows(client.get(page_url("WASTE_PC", view="analytics:indicator_context_csv")))
        for row in rows:
            assert float(row["against_expectation"]) == pytest.approx(
                float(row["expected"]) - float(row["value"]), abs=1e-9
            )

    def test_the_page_shows_the_chart_its_table_and_the_line(self, client, alice, wider):
        client.force_login(alice)
        response = client.get(page_url(unit="A1", period="2024"))
        page = response.content.decode()
        assert response.status_code == 200
        assert 'data-chart="chart-context"' in page
        assert page.count('data-col="expected"') == 10
        assert "The fitted line" in page
        assert response.context["mine"].label.code == "A1"
        assert re.search(r'data-stat="against"[^>]*>.*(better|worse) than expected', page, re.S)

    def test_too_few_units_say_so(self, client, alice, programme):
        client.force_login(alice)
        response = client.get(page_url(period="2024"))
        assert response.status_code == 200
        assert 'data-why="too_few_units"' in response.content.decode()
        assert "needs at least 6" in response.content.decode()

    @pytest.mark.parametrize(
        ("variables", "message"),
        [("NOPE", "NOPE: not a context variable"), ("WASTE_T", "WASTE_T: not a context")],
    )
    def test_a_bad_variable_is_named(self, client, alice, wider, variables, message):
        client.force_login(alice)
        response = client.get(page_url(variables=variables))
        assert response.status_code == 404
        assert message in response.content.decode()


class TestParticipant:
    def test_an_editor_sees_only_their_own_unit(self, client, bob, wider):
        assert Programme.current().visibility != Programme.Visibility.NAMED
        client.force_login(bob)
        response = client.get(page_url(period="2024"))
        page = response.content.decode()
        assert response.status_code == 200
        comparison = response.context["comparison"]
        assert [r.label.code for r in comparison.rows] == ["A1"]
        assert comparison.fit.n == 10 and comparison.coefficients == ()
        # No other unit's figures anywhere: not in the table, the chart or the CSV.
        assert page.count('data-col="expected"') == 1
        expected, _r2, _n = independent_fit()
        for code, value in expected.items():
            if code != "A1":
                assert f"{value:.1f}" not in page
        rows = csv_rows(client.get(page_url(view="analytics:indicator_context_csv")))
        assert [r["unit"] for r in rows] == ["A1"]
        assert float(rows[0]["expected"]) == pytest.approx(expected["A1"], rel=1e-9)

    def test_an_editor_cannot_look_from_another_unit(self, client, bob, wider):
        client.force_login(bob)
        assert client.get(page_url(unit="B2")).status_code == 404
        assert (
            client.get(page_url(view="analytics:indicator_context_csv", unit="B2")).status_code
            == 404
        )
        assert client.get(page_url(unit="NOPE")).status_code == 404


class TestMedianInterval:
    def test_intervals_of_small_groups_from_the_stored_values(self, programme):
        result_set = current_result_set("2024")
        intervals = median_intervals(result_set, "all")
        rate = Indicator.objects.get(code="RECYCLING_RATE")
        values = results_frame(periods=["2024"], groups=["all"], indicators=["RECYCLING_RATE"])
        one = bootstrap_median_interval(values["value"].to_list())
        assert intervals[rate.pk] == (one.low, one.high)

    def test_no_interval_for_a_group_of_ten(self, wider):
        rate = Indicator.objects.get(code="RECYCLING_RATE")
        assert rate.pk not in median_intervals(current_result_set("2024"), "all")

    def test_the_indicator_page_and_the_scorecard_show_it(self, client, bob, programme):
        client.force_login(bob)
        page = client.get(url_with_query("analytics:indicator", "RECYCLING_RATE")).content.decode()
        assert 'data-stat="median-interval"' in page
        card = client.get(url_with_query("analytics:benchmark", "A1")).content.decode()
        row = re.search(r'<tr[^>]*data-indicator="RECYCLING_RATE".*?</tr>', card, re.S)
        assert row, "no scorecard row of RECYCLING_RATE"
        values = results_frame(periods=["2024"], groups=["all"], indicators=["RECYCLING_RATE"])
        one = bootstrap_median_interval(values["value"].to_list())
        shown = f"90 % interval {one.low:,.1f} – {one.high:,.1f}"
        assert shown in row.group(0)
        assert shown in page

    def test_no_interval_of_a_context_figure_for_a_participant_of_an_anonymised_programme(
        self, client, alice, bob, programme
    ):
        # The bounds of a small group's interval are often single units' values (here the
        # largest population): a participant who may not see them must not get them.
        for user, shown in ((bob, False), (alice, True)):
            client.force_login(user)
            page = client.get(url_with_query("analytics:indicator", "POP", unit="A1")).content
            assert (b'data-stat="median-interval"' in page) is shown
            card = client.get(url_with_query("analytics:benchmark", "A1")).content.decode()
            row = re.search(r'<tr[^>]*data-indicator="POP".*?</tr>', card, re.S).group(0)
            assert ("median-interval" in row) is shown


class TestCompareInterval:
    def url(self, **params):
        return url_with_query(
            "analytics:compare", unit="A1", indicators="RECYCLING_RATE,POP", **params
        )

    def test_a_stored_group_has_its_interval_beside_the_median(self, client, bob, programme):
        client.force_login(bob)
        rows = client.get(self.url(peers="CITIES")).context["comparison"].rows
        stored = results_frame(periods=["2024"], groups=["CITIES"], indicators=["RECYCLING_RATE"])
        one = bootstrap_median_interval(stored["value"].to_list())
        assert rows[0].interval == (one.low, one.high)
        # A context figure: a participant of an anonymised programme gets no bounds.
        assert rows[1].indicator.code == "POP" and rows[1].interval is None

    def test_similar_units_get_it_only_for_those_who_see_them_named(
        self, client, alice, bob, programme
    ):
        client.force_login(alice)
        rows = client.get(self.url(peers="similar", k="3")).context["comparison"].rows
        assert rows[0].n == 4 and rows[0].interval is not None
        assert rows[0].interval[0] <= rows[0].median <= rows[0].interval[1]
        client.force_login(bob)
        rows = client.get(self.url(peers="similar", k="3")).context["comparison"].rows
        assert rows[0].interval is None
