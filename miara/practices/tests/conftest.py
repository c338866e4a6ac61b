"""Practices of the test programme: carol (an editor of B2) writes them; dave manages B2."""

from __future__ import annotations

import datetime

import pytest

from miara.practices.services import PracticeData, practice_act, practice_create


def practice_data(**changes) -> PracticeData:
    base = {
        "title": "Sorting bins at the source",
        "started_on": datetime.date(2024, 3, 1),
        "problem": "Too little of the waste was **recycled**.",
        "what_was_done": "Bins for paper, glass and plastics in every yard.",
        "results": "The recycling rate rose.",
        "cost": "12 500,50",
        "currency": "pln",
        "effort": "2 person-months",
        "contact": "Beta waste office, odpady@beta.example",
        "area": "WASTE",
        "indicators": ["RECYCLING_RATE"],
    }
    base.update(changes)
    return PracticeData(**base)


@pytest.fixture
def dave(programme):
    from miara.accounts.services import user_add

    user, _ = user_add(
        username="dave", role="manager", unit_codes=["B2"], password="Correct-horse-42"
    )
    return user


@pytest.fixture
def published(carol, alice):
    """B2's practice, submitted by carol and published by alice (not named)."""
    practice = practice_create(acting_user=carol, unit_code="B2", data=practice_data(), submit=True)
    return practice_act(
        acting_user=alice, practice_id=practice.pk, action="publish", version=practice.version
    )
