"""The one rule of justification: a warning with a comment on one of the variables it
reads is justified; errors never are; justified warnings do not block."""

import polars as pl

from miara.engine.quality import FINDINGS_SCHEMA, finding_counts, justify


def frame(rows):
    return pl.DataFrame(
        [
            {
                "unit": u,
                "variable": v,
                "period": "2024",
                "check": c,
                "severity": s,
                "detail": None,
            }
            for u, v, c, s in rows
        ],
        schema=FINDINGS_SCHEMA,
    )


def commented(pairs):
    return pl.DataFrame(pairs, schema={"unit": pl.String, "variable": pl.String}, orient="row")


FOUND = frame(
    [
        ("A", "X", "change", "warning"),
        ("A", "X", "range", "error"),
        ("A", "R1", "rule", "warning"),
        ("B", "X", "outlier", "warning"),
        ("B", "R1", "rule", "warning"),
    ]
)


def test_a_comment_on_the_value_or_on_a_value_the_rule_reads_justifies_a_warning():
    out = justify(FOUND, commented([("A", "Y"), ("A", "X")]), {"R1": {"Y", "Z"}})
    assert out.select("unit", "variable", "check", "justified", "blocking").rows() == [
        ("A", "X", "change", True, False),
        ("A", "X", "range", False, True),  # an error is never justified
        ("A", "R1", "rule", True, False),  # Y is read by R1
        ("B", "X", "outlier", False, True),  # A's comment is not B's
        ("B", "R1", "rule", False, True),
    ]
    assert out.columns == [*FOUND.columns, "justified", "blocking"]


def test_a_comment_on_a_variable_the_rule_does_not_read_justifies_nothing():
    out = justify(FOUND, commented([("B", "Q")]), {"R1": {"Y"}})
    assert out.get_column("justified").to_list() == [False] * 5
    assert justify(FOUND.head(0), commented([]), {}).columns[-2:] == ["justified", "blocking"]


def test_counts_errors_and_open_warnings_per_unit():
    out = justify(FOUND, commented([("A", "X")]), {"R1": {"X"}})
    assert finding_counts(out) == {
        "A": {"errors": 1, "open_warnings": 0},
        "B": {"errors": 0, "open_warnings": 2},
    }
    assert finding_counts(out.head(0)) == {}
