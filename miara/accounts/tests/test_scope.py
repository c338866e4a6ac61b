"""The access rule and the role predicates of `miara.accounts.scope`."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.test import Client

from miara.accounts.scope import (
    access_unit,
    is_coordinator,
    manages_unit,
    may_submit_for,
    reads_all_units,
    unit_staff,
    writable_unit_ids,
)
from miara.accounts.services import user_add
from miara.collection.cycles import cycle_open
from miara.testing.responses import body_without_secrets
from miara.units.models import Unit

pytestmark = pytest.mark.django_db

HIDDEN, MISSING = "B2", "ZZ9"  # bob may not see B2; no unit has the code ZZ9
NO_UNIT = "There is no unit with the code"


def _pk(code: str) -> int:
    return Unit.objects.get(code=code).pk


@pytest.fixture
def admin(programme):
    user, _ = user_add(
        username="root", role="editor", unit_codes=["A1"], password="Correct-horse-42"
    )
    user.is_superuser = True
    user.save()
    return user


def _deactivated(user):
    user.is_active = False
    user.save()
    return user


class TestRolePredicates:
    def test_coordinators_and_administrators_coordinate(self, alice, admin, erin, mike, bob):
        assert is_coordinator(alice) and is_coordinator(admin)
        assert not any(is_coordinator(u) for u in (erin, mike, bob, AnonymousUser(), None))
        assert not is_coordinator(_deactivated(alice))

    def test_coordinators_experts_and_administrators_read_all_units(
        self, alice, erin, admin, mike, bob
    ):
        assert reads_all_units(alice) and reads_all_units(erin) and reads_all_units(admin)
        assert not any(reads_all_units(u) for u in (mike, bob, AnonymousUser(), None))
        assert not reads_all_units(_deactivated(erin))

    def test_a_manager_manages_only_their_own_units(self, mike, bob, alice):
        assert manages_unit(mike, _pk("A1"))
        assert not manages_unit(mike, _pk("B2"))
        # An editor of A1 and a coordinator are not its managers.
        assert not manages_unit(bob, _pk("A1")) and not manages_unit(alice, _pk("A1"))
        assert not manages_unit(_deactivated(mike), _pk("A1"))

    def test_the_manager_or_a_coordinator_may_submit(self, mike, bob, alice, erin):
        assert may_submit_for(mike, _pk("A1")) and may_submit_for(alice, _pk("B2"))
        assert not may_submit_for(mike, _pk("B2"))
        assert not may_submit_for(bob, _pk("A1")) and not may_submit_for(erin, _pk("A1"))

    def test_unit_staff_are_the_active_editors_and_managers(self, alice, erin, mike, bob, carol):
        _deactivated(carol)
        assert set(unit_staff()) == {mike, bob}

    def test_writable_units_follow_the_predicates(self, alice, admin, erin, mike):
        assert writable_unit_ids(alice) is None and writable_unit_ids(admin) is None
        assert writable_unit_ids(erin) == set()
        assert writable_unit_ids(mike) == {_pk("A1")}


class TestAccessUnit:
    def test_it_returns_a_unit_the_user_may_see(self, bob, erin):
        assert access_unit(bob, "A1").code == "A1"
        assert access_unit(erin, HIDDEN).code == HIDDEN

    def test_a_hidden_unit_is_refused_exactly_as_a_missing_one(self, bob):
        with pytest.raises(Http404) as hidden:
            access_unit(bob, HIDDEN)
        with pytest.raises(Http404) as missing:
            access_unit(bob, MISSING)
        assert str(hidden.value).replace(HIDDEN, "?") == str(missing.value).replace(MISSING, "?")
        with pytest.raises(Http404):
            access_unit(AnonymousUser(), "A1")


def _urls(code: str, cycle_id: int) -> list[tuple[str, str]]:
    """Every page, download and form that takes a unit's code from the request."""
    entry = f"/collection/{cycle_id}/{code}/"
    return [
        ("get", entry),
        ("post", entry),
        ("post", entry + "field/"),
        ("get", entry + "excel/"),
        ("post", entry + "upload/"),
        ("get", entry + "upload/problems/"),
        ("post", entry + "submit/"),
        ("get", f"/collection/value-history/{code}/WASTE_T/2024/"),
        ("get", f"/units/{code}/benchmark/"),
        ("get", f"/units/{code}/benchmark.csv"),
        ("get", f"/units/{code}/similar/"),
        ("get", f"/units/{code}/similar.csv"),
        ("post", f"/units/{code}/similar/defaults/"),
        ("get", f"/units/{code}/report/"),
        ("post", f"/units/{code}/report/"),
        ("get", f"/indicators/WASTE_PC/?unit={code}"),
        ("get", f"/indicators/WASTE_PC.csv?unit={code}"),
    ]


def test_a_hidden_unit_answers_as_a_missing_one_on_everybody_without_secrets(bob, alice):
    """A code bob may not see gets the answer of a code that does not exist: same status,
    same page. Before `access_unit`, each of these answered 404 for ZZ9 but 403 for B2
    (the questionnaire and its forms, the value history, benchmark, similar units, the
    unit report and the indicator page), which told anyone which codes exist."""
    cycle = cycle_open(
        period="2024",
        name="Year 2024",
        variable_codes=["WASTE_T"],
        unit_codes=["A1", "B2"],
        acting_user=alice,
    )
    client = Client()
    client.force_login(bob)
    for (method, hidden_url), (_, missing_url) in zip(
        _urls(HIDDEN, cycle.pk), _urls(MISSING, cycle.pk), strict=True
    ):
        hidden = getattr(client, method)(hidden_url)
        missing = getattr(client, method)(missing_url)
        what = f"{method.upper()} {hidden_url}"
        assert hidden.status_code == missing.status_code == 404, what
        hidden_body, missing_body = (
            body_without_secrets(hidden, HIDDEN),
            body_without_secrets(missing, MISSING),
        )
        assert NO_UNIT in missing_body, what
        assert hidden_body == missing_body, what
    # The same pages open for bob's own unit, so the paths above are the real ones.
    assert client.get(f"/collection/{cycle.pk}/A1/").status_code == 200
    assert client.get("/units/A1/benchmark/").status_code == 200


def test_templates_ask_the_same_predicates(alice, erin, bob):
    from django.template import Context, Template

    template = Template(
        "{% load access %}{% if user|is_coordinator %}C{% endif %}"
        "{% if user|reads_all_units %}R{% endif %}"
    )
    shown = {u.username: template.render(Context({"user": u})) for u in (alice, erin, bob)}
    assert shown == {"alice": "CR", "erin": "R", "bob": ""}
    assert template.render(Context({"user": AnonymousUser()})) == ""


def test_pages_word_themselves_by_the_predicates(client, alice, erin, bob):
    """The menu offers the coordinators' pages to coordinators only; the units list and
    the report page speak of all units to those who read all units."""
    cycles = 'href="/collection/cycles/"'
    for user, coordinates, reads_all in (
        (alice, True, True),
        (erin, False, True),
        (bob, False, False),
    ):
        client.force_login(user)
        units = client.get("/units/").content.decode()
        assert (cycles in units) is coordinates, user
        assert ("Participating units" in units) is reads_all, user
        assert ("Your units" in units) is not reads_all, user
        report = client.get("/units/A1/report/").content.decode()
        assert ("Reports for the whole programme" in report) is reads_all, user
