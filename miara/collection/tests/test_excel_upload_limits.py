"""A questionnaire upload that is damaged, a zip bomb or far too long gets a 400 that
says what is wrong, quickly, and stores nothing."""

import io
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from miara.collection.models import Value
from miara.testing.cycles import cycle_2024
from miara.testing.workbooks import ROW, Repeated, zip_bytes

pytestmark = pytest.mark.django_db
PASSWORD = "Correct-horse-42"


@pytest.fixture
def cycle(alice):
    return cycle_2024(alice, ["WASTE_T", "RECYCLED_T"])


@pytest.fixture
def editor(client, bob):
    client.login(username=bob.username, password=PASSWORD)
    return client


def template(client, cycle) -> bytes:
    response = client.get(reverse("collection:entry_excel", args=[cycle.pk, "A1"]))
    assert response.status_code == 200
    return response.content


def upload(client, cycle, data: bytes):
    file = SimpleUploadedFile("q.xlsx", data, content_type="application/octet-stream")
    started = time.perf_counter()
    response = client.post(
        reverse("collection:entry_upload", args=[cycle.pk, "A1"]), {"file": file}
    )
    return response, time.perf_counter() - started


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def test_a_questionnaire_inflated_by_a_zip_bomb_is_refused_quickly(editor, cycle):
    parts = members(template(editor, cycle))
    # The questionnaire keeps its text inline; a shared-strings part is read all the same.
    item = b"<si><t>aaaaaaaaaaaaaaaaaaaaaaaa</t></si>"
    block = item * (1024 * 1024 // len(item))
    head = b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    parts["xl/sharedStrings.xml"] = Repeated(block, 480, head, b"</sst>")
    bomb = zip_bytes(parts)
    assert len(bomb) < 2 * 1024 * 1024
    response, seconds = upload(editor, cycle, bomb)
    assert response.status_code == 400
    page = response.content.decode()
    assert "inflate" in page or "compressed" in page
    assert seconds < 5
    assert not Value.objects.filter(period="2024", unit__code="A1", channel="excel").exists()


def test_a_questionnaire_of_five_million_rows_is_refused_quickly(editor, cycle):
    parts = members(template(editor, cycle))
    sheet = "xl/worksheets/sheet2.xml"
    xml = parts[sheet]
    assert b"<sheetData>" in xml  # the data sheet, second after the instructions
    end = xml.index(b"</sheetData>")
    parts[sheet] = Repeated(ROW * 10_000, 500, xml[:end], xml[end:])
    response, seconds = upload(editor, cycle, zip_bytes(parts))
    assert response.status_code == 400
    page = response.content.decode()
    assert "rows" in page or "inflates" in page
    assert seconds < 5


def flipped(content: bytes, position: int) -> bytes:
    return content[:position] + bytes([content[position] ^ 0xFF]) + content[position + 1 :]


def test_a_questionnaire_with_one_flipped_byte_is_refused_in_words_or_read(editor, cycle):
    good = template(editor, cycle)
    positions = sorted({len(good) * i // 40 for i in range(40)} | {len(good) - 1, len(good) - 22})
    statuses = {}
    for position in positions:
        response, _ = upload(editor, cycle, flipped(good, position))
        statuses[position] = response.status_code
        if response.status_code == 400:
            assert "q.xlsx was not uploaded" in response.content.decode(), position
    assert set(statuses.values()) <= {302, 400}, statuses
    assert 400 in statuses.values()
    assert not Value.objects.filter(period="2024", unit__code="A1", channel="excel").exists()


def test_the_cli_refuses_a_damaged_values_workbook_in_words_or_loads_it_whole(
    programme, tmp_path, capsys
):
    """`miara load values` of a workbook with one flipped byte: either exit 1 with a
    message naming the file, or (a byte no reader uses) the values loaded exactly."""
    from openpyxl import Workbook

    from miara.cli import main

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["unit", "variable", "period", "value"])
    for year in range(2010, 2020):
        sheet.append(["A1", "WASTE_T", str(year), 1000 + year])
    out = io.BytesIO()
    workbook.save(out)
    good = out.getvalue()
    path = tmp_path / "values.xlsx"
    outcomes = set()
    for position in sorted({len(good) * i // 30 for i in range(30)} | {len(good) - 22}):
        Value.objects.filter(period__in=[str(y) for y in range(2010, 2020)]).delete()
        path.write_bytes(flipped(good, position))
        code = main(["load", "values", str(path)])
        printed = capsys.readouterr()
        stored = sorted(
            Value.objects.filter(unit__code="A1", variable__code="WASTE_T")
            .filter(period__in=[str(y) for y in range(2010, 2020)])
            .values_list("period", "value")
        )
        if code == 0:
            assert stored == [(str(y), 1000.0 + y) for y in range(2010, 2020)], position
        else:
            assert stored == [], position
            assert "values.xlsx" in printed.err + printed.out, position
        outcomes.add(code)
    assert 1 in outcomes
