import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def codes(response) -> list[str]:
    return [unit.code for unit in response.context["units"]]


class TestUnitList:
    def test_it_needs_a_login(self, client, programme):
        response = client.get(reverse("units:list"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    def test_it_lists_every_unit_for_coordinators_and_experts(self, client, alice, erin):
        for user in (alice, erin):
            client.force_login(user)
            assert codes(client.get(reverse("units:list"))) == ["A1", "B2", "D4", "C3"]

    def test_it_lists_only_their_units_for_editors_and_managers(self, client, bob, mike):
        for user in (bob, mike):
            client.force_login(user)
            response = client.get(reverse("units:list"))
            assert codes(response) == ["A1"]
            assert "Beta" not in response.content.decode()

    def test_it_shows_human_type_and_country(self, client, alice):
        client.force_login(alice)
        page = client.get(reverse("units:list")).content.decode()
        assert "City with county rights" in page
        assert "Rural municipality" in page
        assert "Poland" in page

    def test_it_filters_by_type(self, client, alice):
        client.force_login(alice)
        response = client.get(reverse("units:list"), {"type": "city_county"})
        assert codes(response) == ["A1", "B2"]

    def test_it_searches_by_name(self, client, alice):
        client.force_login(alice)
        assert codes(client.get(reverse("units:list"), {"q": "gam"})) == ["C3"]

    def test_it_says_when_nothing_matches(self, client, alice):
        client.force_login(alice)
        response = client.get(reverse("units:list"), {"q": "nothing like this"})
        assert "No unit matches these filters." in response.content.decode()

    def test_it_offers_editors_only_their_own_types(self, client, bob):
        client.force_login(bob)
        response = client.get(reverse("units:list"))
        assert [code for code, _ in response.context["types"]] == ["city_county"]

    def test_it_lists_names_in_the_readers_alphabet(self, client, alice):
        from miara.units.models import Unit

        for code, name in [("Z1", "Zabrze"), ("L1", "Łaziska Górne"), ("L2", "Lubliniec")]:
            Unit.objects.create(code=code, name=name, type="gmina_urban")
        client.force_login(alice)
        client.cookies["django_language"] = "pl"
        listed = codes(client.get(reverse("units:list")))
        assert listed.index("L2") < listed.index("L1") < listed.index("Z1")
