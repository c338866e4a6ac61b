"""A report names its peer group in the report's language, "similar units" included."""

import pytest
from django.utils import translation

from miara.reports.content import group_label

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "similar", "everyone"),
    [
        ("en", "Similar units", "All units"),
        ("pl", "Podobne jednostki", "Wszystkie jednostki"),
        ("cs", "Podobné jednotky", "Všechny jednotky"),
    ],
)
def test_the_built_in_groups_are_named_in_the_reports_language(language, similar, everyone):
    with translation.override(language):
        assert group_label("similar") == similar
        assert group_label("all") == everyone
