"""Clients for the named users: each carries its own API token, as a script would."""

from __future__ import annotations

import pytest
from django.test import Client

from miara.testing.cycles import cycle_2024


def client_for(user) -> Client:
    from miara.accounts.services import token_create

    return Client(HTTP_AUTHORIZATION=f"Bearer {token_create(user=user)}")


@pytest.fixture
def as_alice(alice):
    return client_for(alice)


@pytest.fixture
def as_erin(erin):
    return client_for(erin)


@pytest.fixture
def as_bob(bob):
    return client_for(bob)


@pytest.fixture
def as_carol(carol):
    return client_for(carol)


@pytest.fixture
def as_mike(mike):
    return client_for(mike)


@pytest.fixture
def anonymous(programme):
    return Client()


QUESTIONNAIRE = ["WASTE_T", "RECYCLED_T", "POPULATION"]


@pytest.fixture
def cycle(alice):
    """The 2024 questionnaire for A1 and B2, each submission in draft."""
    return cycle_2024(alice, QUESTIONNAIRE, required_codes=["WASTE_T", "POPULATION"])


def submission_of(cycle, unit: str):
    from miara.collection.models import Submission

    return Submission.objects.get(cycle=cycle, unit__code=unit)
