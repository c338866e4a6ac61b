"""The anonymity model (methodology.md, "Anonymity in an anonymised programme"), rule by
rule, on the small programme: pseudonyms belong to one indicator and period; participants
see no other unit's context figure one by one; listed groups' members are not named to
them. Coordinators, experts and named programmes are unchanged.

The whole walk of an attacker is miara/tests/test_reidentification.py.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from miara.analytics.peers import indicator_scope, pseudonym, unit_presenter
from miara.catalogue.models import PeerGroup
from miara.units.models import Programme, Unit

pytestmark = pytest.mark.django_db

PSEUDONYM = re.compile(r"Unit ([A-Z2-9]{4}-[A-Z2-9]{2,4})")


def _visibility(value):
    programme = Programme.current()
    programme.visibility = value
    programme.save()


def _pseudonyms(client, code: str, period: str) -> set[str]:
    page = client.get(f"/indicators/{code}/?period={period}&unit=A1").content.decode()
    return set(PSEUDONYM.findall(page))


class TestPseudonyms:
    def test_they_differ_per_indicator_and_per_period(self, client, bob):
        client.force_login(bob)
        seen = {
            (code, period): _pseudonyms(client, code, period)
            for code in ("RECYCLING_RATE", "WASTE_PC", "PERMIT_COST")
            for period in ("2023", "2024")
        }
        assert all(len(aliases) >= 2 for aliases in seen.values()), seen
        places = list(seen)
        for i, first in enumerate(places):
            for second in places[i + 1 :]:
                assert not seen[first] & seen[second], (first, second)

    def test_one_place_keeps_one_pseudonym_per_unit(self, bob):
        presenter = unit_presenter(bob)
        beta = Unit.objects.get(code="B2")
        scope = indicator_scope("RECYCLING_RATE", "2024")
        shown = presenter.show(beta, scope=scope)
        assert shown.label == f"Unit {pseudonym('B2', scope=scope)}"
        assert presenter.show(beta, scope=scope) == shown
        assert shown.code is None and not shown.own

    def test_a_participants_own_unit_is_always_itself(self, bob):
        presenter = unit_presenter(bob)
        alpha = Unit.objects.get(code="A1")
        for scope in (indicator_scope("POP", "2023"), "similar:A1:2024", "comparison"):
            shown = presenter.show(alpha, scope=scope)
            assert (shown.label, shown.code, shown.own) == ("Alpha", "A1", True)

    def test_coordinators_see_names(self, alice):
        shown = unit_presenter(alice).show(Unit.objects.get(code="B2"), scope="anything")
        assert (shown.label, shown.code) == ("Beta", "B2")


class TestContextIndicators:
    """POP is neutral (the population): a participant sees the group's figures only."""

    def test_a_participant_sees_only_their_own_population(self, client, bob):
        client.force_login(bob)
        response = client.get("/indicators/POP/?period=2024&unit=A1")
        assert response.status_code == 200
        page = response.content.decode()
        assert not PSEUDONYM.search(page)
        # Not one by one: no row of the group table nor datum of a chart; the group's
        # figures (n, median, quartiles, mean, min and max) stay, unlabelled.
        units_table = page[page.index('id="units-heading"') :]
        charts = "".join(re.findall(r'<script type="application/json"[^>]*>(.*?)</script>', page))
        assert "120,100" in units_table and "120100" in charts
        for population in ("200100", "200,100", "15100", "15,100", "60100", "60,100"):
            assert population not in units_table and population not in charts
        assert [m.label.code for m in response.context["detail"].members] == ["A1"]
        assert response.context["detail"].stats.n == 4  # the group's figures stay
        rows = client.get("/indicators/POP.csv?period=2024&unit=A1").content.decode()
        assert rows.count("\n") == 2 and "A1" in rows  # header and own row

    def test_performance_indicators_still_show_pseudonymised_peers(self, client, bob):
        client.force_login(bob)
        assert len(_pseudonyms(client, "WASTE_PC", "2024")) == 3

    def test_coordinators_and_named_programmes_see_every_unit(self, client, alice, bob):
        client.force_login(alice)
        page = client.get("/indicators/POP/?period=2024").content.decode()
        assert "Beta" in page and "200,100" in page
        _visibility(Programme.Visibility.NAMED)
        client.force_login(bob)
        page = client.get("/indicators/POP/?period=2024&unit=A1").content.decode()
        assert "Beta" in page and "200,100" in page

    def test_the_scorecard_strip_has_no_other_units_population(self, client, bob, alice):
        from miara.analytics.scorecard import unit_scorecard

        def dots(user):
            card = unit_scorecard(
                user=user, unit=Unit.objects.get(code="A1"), period="2024", group="all"
            )
            rows = {r.indicator.code: r for s in card.sections for r in s.rows}
            # The other units' dots are the strip's circles (the unit is a diamond).
            return str(rows["POP"].strip).count("<circle"), str(rows["WASTE_PC"].strip).count(
                "<circle"
            )

        assert dots(bob) == (0, 3)
        assert dots(alice) == (3, 3)

    def test_the_report_strip_has_no_other_units_population(self, bob, alice):
        from miara.reports.selectors import group_distribution

        unit = Unit.objects.get(code="A1")
        mine = group_distribution(user=bob, unit=unit, period="2024", group="all")
        assert [p["value"] for p in mine["POP"]] == [120100.0]
        assert len(mine["WASTE_PC"]) == 4
        theirs = group_distribution(user=alice, unit=unit, period="2024", group="all")
        assert len(theirs["POP"]) == 4


class TestListedGroups:
    @pytest.fixture
    def listed(self, programme):
        group = PeerGroup.objects.create(
            code="PAIR", name={"en": "The pair"}, kind=PeerGroup.Kind.LISTED
        )
        group.members.set(Unit.objects.filter(code__in=["A1", "B2"]))
        return group

    def test_a_participant_sees_the_definition_and_size_not_the_members(self, client, bob, listed):
        client.force_login(bob)
        page = client.get(reverse("catalogue:index")).content.decode()
        assert "The pair" in page and "A listed group of 2 units" in page
        assert "Beta" not in page
        for language, text in (
            ("pl", "Grupa z listy licząca 2 jednostki"),
            ("cs", "s 2 jednotkami"),
        ):
            translated = client.get(
                reverse("catalogue:index"), headers={"accept-language": language}
            ).content.decode()
            assert text in translated and "Beta" not in translated

    def test_coordinators_experts_and_named_programmes_see_the_members(
        self, client, alice, erin, bob, listed
    ):
        for user in (alice, erin):
            client.force_login(user)
            assert "Beta" in client.get(reverse("catalogue:index")).content.decode()
        _visibility(Programme.Visibility.NAMED)
        client.force_login(bob)
        assert "Beta" in client.get(reverse("catalogue:index")).content.decode()
