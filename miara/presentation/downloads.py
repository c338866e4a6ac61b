"""Files for people to download: one place that names the attachment, so every download
is named the same way and every CSV is inert in Excel."""

from __future__ import annotations

import csv

from django.http import HttpResponse

from miara.fileio.formulas import csv_text

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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


def file_response(data: bytes, *, filename: str, content_type: str) -> HttpResponse:
    """`data` as an attachment named `filename`."""
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(filename: str) -> tuple[HttpResponse, InertCsvWriter]:
    """An empty CSV attachment named `filename` and the writer to fill it with."""
    response = file_response(b"", filename=filename, content_type="text/csv; charset=utf-8")
    return response, InertCsvWriter(response)
