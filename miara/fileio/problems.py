"""Errors of an import, each naming where it is so a person can fix the file."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext

MAX_REPORTED = 200


@dataclass(frozen=True)
class Problem:
    message: str
    line: int | None = None  # 1-based, the header is line 1 (as in any editor)
    column: str | None = None
    cell: str | None = None  # e.g. "D7" in a spreadsheet
    sheet: str | None = None  # in a workbook of several sheets

    def where(self) -> str:
        # In the reader's language: the same words name the place on a page, in an API
        # answer and on the terminal (where MIARA_LANGUAGE chooses).
        parts = []
        if self.sheet:
            parts.append(gettext("sheet %(sheet)s") % {"sheet": self.sheet})
        if self.line is not None:
            # A sheet has rows (as Excel numbers them); a text file has lines.
            if self.sheet:
                parts.append(gettext("row %(number)s") % {"number": self.line})
            else:
                parts.append(gettext("line %(number)s") % {"number": self.line})
        if self.cell:
            parts.append(gettext("cell %(cell)s") % {"cell": self.cell})
        if self.column:
            parts.append(gettext("column %(column)s") % {"column": self.column})
        return ", ".join(parts)

    def as_dict(self) -> dict:
        return {
            "line": self.line,
            "cell": self.cell,
            "column": self.column,
            "sheet": self.sheet,
            "message": self.message,
        }


class FileProblem(Exception):
    """An input that cannot be loaded. Nothing was stored; `problems` says why and where."""

    def __init__(self, source: str, problems: list[Problem], total: int | None = None):
        self.source = source
        self.problems = problems[:MAX_REPORTED]
        self.total = total if total is not None else len(problems)
        super().__init__(self.report())

    def report(self) -> str:
        lines = []
        for problem in self.problems:
            where = problem.where()
            prefix = f"{self.source}, {where}" if where else self.source
            lines.append(f"{prefix}: {problem.message}")
        if self.total > len(self.problems):
            lines.append(
                gettext("... and %(count)s more problems")
                % {"count": self.total - len(self.problems)}
            )
        return "\n".join(lines)
