"""CSV downloads for people: one response helper, so every download is inert in Excel."""

from __future__ import annotations

import csv

from django.http import HttpResponse

from miara.fileio.formulas import csv_text


class InertCsvWriter:
    """A `csv.writer` whose text cells cannot run as spreadsheet formulas (see
    miara.fileio.formulas); numbers pass unchanged."""

    def __init__(self, stream):
        self._writer = csv.writer(stream, lineterminator="\n")

    def writerow(self, row) -> None:
        self._writer.writerow([csv_text(cell) for cell in row])

    def writerows(self, rows) -> None:
        for row in rows:
            self.writerow(row)


def csv_download(filename: str) -> tuple[HttpResponse, InertCsvWriter]:
    """An attachment response named `filename` and the writer to fill it with."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response, InertCsvWriter(response)
