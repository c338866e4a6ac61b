"""A clerk who enters last year's values + 2 % must not drown in warnings.

Every demo unit takes part in a 2025 cycle and enters its 2024 values × 1.02 (counts
rounded to whole numbers, as a person types them); the findings of each questionnaire are
those the form shows (`submission_findings`). The target (issue 9, section 4): at most 2
warnings per unit. benchmarks/warnings.py prints the same figures as a distribution.
"""

from collections import Counter

import pytest

from miara.demo.warning_load import plus_two_percent_warnings

pytestmark = pytest.mark.django_db

TARGET = 2


def test_no_unit_gets_more_than_two_warnings_for_last_years_values_plus_two_percent(tmp_path):
    per_unit = plus_two_percent_warnings(tmp_path)
    assert len(per_unit) == 43
    distribution = Counter(per_unit.values())
    print("warnings per unit -> number of units:", dict(sorted(distribution.items())))
    worst = max(per_unit, key=per_unit.get)
    assert per_unit[worst] <= TARGET, (worst, per_unit[worst], dict(sorted(distribution.items())))
