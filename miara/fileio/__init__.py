"""Reading tabular files (CSV and XLSX) with errors that name the line, cell and column."""

from miara.fileio.loads import LoadReport
from miara.fileio.problems import FileProblem, Problem
from miara.fileio.tables import read_table

__all__ = ["FileProblem", "LoadReport", "Problem", "read_table"]
