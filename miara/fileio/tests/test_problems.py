from django.utils import translation

from miara.fileio.problems import FileProblem, Problem


def test_a_place_is_named_in_the_readers_language():
    problem = Problem("x", line=3, column="value")
    sheet_problem = Problem("x", line=7, cell="D7", sheet="Costs")
    assert problem.where() == "line 3, column value"
    with translation.override("pl"):
        assert problem.where() == "wiersz 3, kolumna value"
        assert sheet_problem.where() == "arkusz Costs, wiersz 7, komórka D7"
    with translation.override("cs"):
        assert sheet_problem.where() == "list Costs, řádek 7, buňka D7"


def test_problems_beyond_those_reported_are_counted_in_the_readers_language():
    problems = [Problem("bad", line=n) for n in range(2, 5)]
    error = FileProblem("values.csv", problems[:1], total=3)
    assert error.report().endswith("... and 2 more problems")
    with translation.override("cs"):
        assert error.report() == "values.csv, řádek 2: bad\n... a dalších 2 problémů"
