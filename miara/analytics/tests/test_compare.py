"""The comparison page: stored values side by side, the reference median, scope and
anonymity, bad input, the CSV, and saved comparisons."""

import csv
import io
import json
import re

import numpy as np
import pytest
from django.urls import reverse

from miara.accounts.models import AuditEntry
from miara.analytics import comparison
from miara.analytics.models import SavedComparison
from miara.analytics.selectors import results_frame
from miara.analytics.similar import SimilarChoice, similar_codes
from miara.testing.responses import body_without_secrets
from miara.testing.urls import url_with_query
from miara.units.models import Programme, Unit

pytestmark = pytest.mark.django_db

NAMES = {"A1": "Alpha", "B2": "Beta", "C3": "Gamma", "D4": "Delta"}


def compare_url(**params):
    return url_with_query("analytics:compare", **params)


def compare_csv_url(**params):
    return reverse("analytics:compare_csv") + "?" + "&".join(f"{k}={v}" for k, v in params.items())


def chart_specs(page: str) -> list[dict]:
    return [
        json.loads(found)
        for found in re.findall(
            r'<script type="application/json" data-chart="[^"]+">(.*?)</script>', page, re.S
        )
    ]


def bars(spec: dict) -> list[dict]:
    return [
        row
        for layer in spec["layer"]
        for row in layer.get("data", {}).get("values", [])
        if "label" in row
    ]


def set_visibility(value):
    programme = Programme.current()
    programme.visibility = value
    programme.save()


def stored(indicator, unit, period="2024", group="all"):
    frame = results_frame(periods=[period], groups=[group], units=[unit], indicators=[indicator])
    return frame.row(0, named=True) if frame.height else None


class TestTable:
    def test_it_shows_the_stored_values_and_the_median_of_all_units(self, client, alice):
        client.force_login(alice)
        response = client.get(compare_url(units="A1,B2,C3", indicators="RECYCLING_RATE,WASTE_PC"))
        assert response.status_code == 200
        result = response.context["comparison"]
        assert [u.shown.key for u in result.units] == ["A1", "B2", "C3"]
        for row in result.rows:
            for unit, value in row.cells:
                assert value == stored(row.indicator.code, unit.unit.code)["value"]
            assert row.median == stored(row.indicator.code, "A1")["median"]
            assert row.n == 4
        page = response.content.decode()
        assert "Alpha" in page and "Beta" in page and "Gamma" in page
        assert response.context["share_url"].endswith(
            "/compare/?period=2024&units=A1,B2,C3&indicators=RECYCLING_RATE,WASTE_PC"
        )

    def test_it_draws_one_chart_per_indicator_with_the_median(self, client, alice):
        client.force_login(alice)
        page = client.get(
            compare_url(units="A1,B2,D4", indicators="RECYCLING_RATE,WASTE_PC,PERMIT_COST")
        ).content.decode()
        specs = chart_specs(page)
        assert len(specs) == 3
        recycling = specs[0]
        assert [b["label"] for b in bars(recycling)] == ["Alpha", "Beta", "Delta"]
        assert [b["value"] for b in bars(recycling)] == [
            stored("RECYCLING_RATE", c)["value"] for c in ("A1", "B2", "D4")
        ]
        medians = [
            r
            for layer in recycling["layer"]
            for r in layer.get("data", {}).get("values", [])
            if "median" in r
        ]
        assert medians[0]["median"] == stored("RECYCLING_RATE", "A1")["median"]
        # Delta has no permit cost (division by zero): no bar, "no data" in the table.
        assert [b["label"] for b in bars(specs[2])] == ["Alpha", "Beta"]
        assert "no data" in page
        assert page.count("Show as a table") == 3
        assert "Recycling rate: highest Delta" in page  # the text summary

    def test_my_similar_units_use_the_engines_median(self, client, bob):
        client.force_login(bob)
        response = client.get(
            compare_url(
                unit="A1", peers="similar", variables="POPULATION", k=3, indicators="RECYCLING_RATE"
            )
        )
        assert response.status_code == 200
        result = response.context["comparison"]
        members = [
            "A1",
            *similar_codes(
                unit=Unit.objects.get(code="A1"),
                period="2024",
                choice=SimilarChoice(("POPULATION",), 3),
            ),
        ]
        # Anonymised (the default): bob's own unit alone is a column; the similar units
        # count in the median only.
        assert Programme.current().visibility == Programme.Visibility.ANONYMISED
        assert [u.unit.code for u in result.units] == ["A1"]
        values = [stored("RECYCLING_RATE", c)["value"] for c in members]
        assert result.rows[0].median == pytest.approx(float(np.median(values)), rel=1e-12)
        assert result.rows[0].n == len(members) == 4
        assert "A1 and its 3 similar units" not in response.content.decode()  # names, not codes
        assert "Alpha and its 3 similar units" in response.content.decode()

    def test_a_peer_group_uses_its_stored_median(self, client, alice):
        client.force_login(alice)
        response = client.get(compare_url(unit="A1", peers="CITIES", indicators="RECYCLING_RATE"))
        result = response.context["comparison"]
        assert [u.unit.code for u in result.units] == ["A1", "B2"]
        assert result.rows[0].median == stored("RECYCLING_RATE", "A1", group="CITIES")["median"]
        assert result.reference_label == "Cities with county rights"

    def test_its_csv_has_every_unit_and_indicator_at_full_precision(self, client, alice):
        client.force_login(alice)
        response = client.get(compare_csv_url(units="A1,B2", indicators="RECYCLING_RATE,WASTE_PC"))
        assert response.status_code == 200
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        assert [(r["indicator"], r["unit"]) for r in rows] == [
            ("RECYCLING_RATE", "A1"),
            ("RECYCLING_RATE", "B2"),
            ("WASTE_PC", "A1"),
            ("WASTE_PC", "B2"),
        ]
        for row in rows:
            assert float(row["value"]) == stored(row["indicator"], row["unit"])["value"]
            assert row["value"] == repr(stored(row["indicator"], row["unit"])["value"])


class TestScope:
    def test_an_anonymised_participant_may_not_pick_another_unit(self, client, bob):
        set_visibility(Programme.Visibility.ANONYMISED)
        client.force_login(bob)
        response = client.get(compare_url(units="A1,B2", indicators="RECYCLING_RATE"))
        # The same answer as for a code that does not exist: codes cannot be probed.
        assert response.status_code == 404
        page = response.content.decode()
        missing = client.get(compare_url(units="A1,ZZ9", indicators="RECYCLING_RATE"))
        assert missing.status_code == 404
        assert body_without_secrets(response, "B2") == body_without_secrets(missing, "ZZ9")
        value = stored("RECYCLING_RATE", "B2")["value"]
        assert "Beta" not in page and f"{value:.1f}" not in page
        assert not chart_specs(page)
        assert (
            client.get(compare_csv_url(units="A1,B2", indicators="RECYCLING_RATE")).status_code
            == 404
        )

    def test_an_anonymised_participant_sees_no_other_unit_one_by_one(self, client, bob):
        set_visibility(Programme.Visibility.ANONYMISED)
        client.force_login(bob)
        params = {
            "unit": "A1",
            "peers": "similar",
            "variables": "POPULATION",
            "k": 3,
            "indicators": "RECYCLING_RATE,WASTE_PC",
        }
        response = client.get(compare_url(**params))
        assert response.status_code == 200
        page = response.content.decode()
        charts = json.dumps(chart_specs(page))
        for code in ("B2", "C3", "D4"):
            assert NAMES[code] not in page and NAMES[code] not in charts
            assert code not in charts
            assert f'data-unit="{code}"' not in page and f"units={code}" not in page
        # A column would follow a unit across indicators (and similar units come nearest
        # first, reproducible from public statistics): no other unit, not even by pseudonym.
        assert not re.search(r"Unit [A-Z2-9]{4}-[A-Z2-9]{2,4}", page + charts)
        assert [u.unit.code for u in response.context["comparison"].units] == ["A1"]
        assert "Alpha" in page  # their own unit by name
        text = client.get(compare_csv_url(**params)).content.decode()
        for code in ("B2", "C3", "D4"):
            assert NAMES[code] not in text and f",{code}," not in text
        # Nor may they ask for another unit's peers.
        assert (
            client.get(
                compare_url(unit="B2", peers="similar", indicators="RECYCLING_RATE")
            ).status_code
            == 404
        )

    def test_a_named_programme_lets_participants_pick_other_units(self, client, bob):
        set_visibility(Programme.Visibility.NAMED)
        client.force_login(bob)
        response = client.get(compare_url(units="A1,B2", indicators="RECYCLING_RATE"))
        assert response.status_code == 200
        assert "Beta" in response.content.decode()

    def test_the_form_offers_only_the_units_a_participant_may_pick(self, client, bob):
        set_visibility(Programme.Visibility.ANONYMISED)
        client.force_login(bob)
        page = client.get(compare_url()).content.decode()
        assert 'value="A1"' in page and 'value="B2"' not in page and "Beta" not in page

    def test_it_sends_anonymous_visitors_to_the_login(self, client, programme):
        assert client.get(compare_url()).status_code == 302


class TestBadInput:
    def test_unknown_codes_get_the_helpful_404(self, client, alice):
        client.force_login(alice)
        for params, message in (
            (
                {"units": "A1,ZZ9", "indicators": "RECYCLING_RATE"},
                "There is no unit with the code “ZZ9”",
            ),
            ({"units": "A1", "indicators": "NOPE"}, "There is no indicator with the code “NOPE”"),
            (
                {"units": "A1", "indicators": "RECYCLING_RATE", "period": "2031"},
                "No results have been computed for the period “2031”",
            ),
            (
                {"unit": "A1", "peers": "NOGROUP", "indicators": "RECYCLING_RATE"},
                "There is no peer group with the code “NOGROUP”",
            ),
        ):
            response = client.get(compare_url(**params))
            assert response.status_code == 404, params
            assert message in response.content.decode()

    def test_the_404_speaks_the_users_language(self, client, alice):
        client.force_login(alice)
        client.cookies["django_language"] = "cs"
        response = client.get(compare_url(units="A1", indicators="NOPE"))
        assert response.status_code == 404
        assert "Neexistuje ukazatel s kódem „NOPE“" in response.content.decode()

    def test_too_many_indicators_or_units_are_explained(self, client, alice, monkeypatch):
        client.force_login(alice)
        monkeypatch.setattr(comparison, "MAX_INDICATORS", 2)
        response = client.get(compare_url(units="A1", indicators="RECYCLING_RATE,WASTE_PC,POP"))
        assert response.status_code == 400
        assert (
            "You chose 3 indicators; a comparison shows at most 2 at once"
            in response.content.decode()
        )
        monkeypatch.setattr(comparison, "MAX_UNITS", 3)
        response = client.get(compare_url(units="A1,B2,C3,D4", indicators="RECYCLING_RATE"))
        assert response.status_code == 400
        assert (
            "This comparison has 4 units; a comparison shows at most 3" in response.content.decode()
        )
        assert "comparison" not in response.context

    def test_a_unit_outside_the_group_is_explained(self, client, alice):
        client.force_login(alice)
        response = client.get(compare_url(unit="C3", peers="CITIES", indicators="RECYCLING_RATE"))
        assert response.status_code == 404
        assert "Gamma is not in the group “CITIES”" in response.content.decode()


class TestSaved:
    def test_it_saves_lists_opens_and_deletes_a_comparison(self, client, alice, erin):
        client.force_login(alice)
        response = client.post(
            reverse("analytics:compare_save"),
            {
                "period": "2024",
                "units": ["A1", "B2"],
                "indicators": ["RECYCLING_RATE"],
                "name": "Cities' recycling",
            },
        )
        assert response.status_code == 302
        saved = SavedComparison.objects.get()
        assert (saved.owner, saved.units, saved.indicators, saved.period) == (
            alice,
            ["A1", "B2"],
            ["RECYCLING_RATE"],
            "2024",
        )
        assert AuditEntry.objects.filter(action="comparison.save", user=alice).exists()
        listing = client.get(reverse("analytics:compare_saved")).content.decode()
        link = re.search(r'<a href="([^"]+)">Cities&#x27;', listing)[1]
        opened = client.get(link.replace("&amp;", "&"))
        assert [u.shown.key for u in opened.context["comparison"].units] == ["A1", "B2"]
        # Someone else neither sees nor deletes it.
        client.force_login(erin)
        assert "Cities" not in client.get(reverse("analytics:compare_saved")).content.decode()
        delete = reverse("analytics:compare_saved_delete", args=[saved.pk])
        assert client.post(delete).status_code == 404
        client.force_login(alice)
        assert client.post(delete).status_code == 302
        assert not SavedComparison.objects.exists()
        assert AuditEntry.objects.filter(action="comparison.delete", user=alice).exists()

    def test_it_refuses_to_save_what_the_user_may_not_open(self, client, bob):
        set_visibility(Programme.Visibility.ANONYMISED)
        client.force_login(bob)
        response = client.post(
            reverse("analytics:compare_save"),
            {
                "period": "2024",
                "units": ["A1", "B2"],
                "indicators": ["RECYCLING_RATE"],
                "name": "x",
            },
        )
        assert response.status_code == 404
        assert not SavedComparison.objects.exists()

    def test_my_similar_units_are_saved_symbolically(self, client, bob):
        set_visibility(Programme.Visibility.ANONYMISED)
        client.force_login(bob)
        client.post(
            reverse("analytics:compare_save"),
            {
                "period": "2024",
                "unit": "A1",
                "peers": "similar",
                "variables": "POPULATION",
                "k": "3",
                "indicators": ["WASTE_PC"],
                "name": "Peers",
            },
        )
        saved = SavedComparison.objects.get()
        assert (saved.units, saved.focus, saved.peers, saved.similar_k) == ([], "A1", "similar", 3)

    def test_it_refuses_to_save_an_empty_selection(self, client, alice):
        client.force_login(alice)
        response = client.post(reverse("analytics:compare_save"), {"period": "2024", "name": "x"})
        assert response.status_code == 302
        assert not SavedComparison.objects.exists()
        page = client.get(response["Location"]).content.decode()
        assert "Choose at least one unit" in page
