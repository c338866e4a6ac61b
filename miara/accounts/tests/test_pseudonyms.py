"""How users see other units: names for those who see all units or in named programmes,
stable pseudonyms for unit-scoped users in anonymised programmes."""

import pytest

from miara.accounts.pseudonyms import pseudonym, sees_unit_names, unit_labeller
from miara.units.models import Programme, Unit

pytestmark = pytest.mark.django_db


def units():
    return {u.code: u for u in Unit.objects.all()}


def label(user, unit):
    return unit_labeller(user)(unit.pk, unit.code, unit.name)


def test_pseudonyms_are_stable_distinct_and_say_nothing_of_the_unit(programme):
    found = units()
    first = {code: pseudonym(u.pk) for code, u in found.items()}
    assert first == {code: pseudonym(u.pk) for code, u in found.items()}
    assert len(set(first.values())) == len(first)
    for code, value in first.items():
        assert len(value) == 6
        assert code not in value and found[code].name.upper() not in value


def test_an_editor_sees_own_unit_by_name_and_others_by_pseudonym(bob):
    found = units()
    own = label(bob, found["A1"])
    assert (own.label, own.code, own.own) == ("Alpha", "A1", True)
    other = label(bob, found["B2"])
    assert other.label == f"Unit {pseudonym(found['B2'].pk)}"
    assert other.code is None and not other.own
    assert not sees_unit_names(bob)


def test_coordinators_and_experts_see_every_name_and_code(alice, erin):
    b2 = units()["B2"]
    for user in (alice, erin):
        seen = label(user, b2)
        assert (seen.label, seen.code, seen.own) == ("Beta", "B2", True)


def test_a_named_programme_shows_names_but_not_codes_of_other_units(bob):
    programme = Programme.current()
    programme.visibility = Programme.Visibility.NAMED
    programme.save()
    seen = label(bob, units()["B2"])
    assert (seen.label, seen.code, seen.own) == ("Beta", None, False)
