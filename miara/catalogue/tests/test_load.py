"""Loading a catalogue: updates by code, all-or-nothing, errors that name the line."""

import pytest

from miara.accounts.models import AuditEntry
from miara.catalogue.models import Indicator, PeerGroup, ServiceArea, Variable
from miara.catalogue.services import catalogue_load
from miara.conftest import CATALOGUE
from miara.fileio import FileProblem

pytestmark = pytest.mark.django_db


def write(tmp_path, text, name="catalogue.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_it_loads_every_section(tmp_path):
    report = catalogue_load(path=write(tmp_path, CATALOGUE))
    assert ServiceArea.objects.count() == 2
    assert Variable.objects.count() == 5
    assert Indicator.objects.get(code="RECYCLING_RATE").name["pl"] == "Poziom recyklingu"
    assert Indicator.objects.get(code="WASTE_PC").name == {"en": "Waste per inhabitant"}
    assert PeerGroup.objects.get(code="LARGE").context_min == 100000
    assert report.created["indicators"] == 4
    assert AuditEntry.objects.filter(action="catalogue.load").count() == 1


def test_it_changes_nothing_when_loaded_twice(tmp_path):
    path = write(tmp_path, CATALOGUE)
    catalogue_load(path=path)
    report = catalogue_load(path=path)
    assert not report.changed
    assert AuditEntry.objects.filter(action="catalogue.load").count() == 1


def test_it_updates_entries_with_the_same_code(tmp_path):
    catalogue_load(path=write(tmp_path, CATALOGUE))
    changed = CATALOGUE.replace("direction: lower, unit: kg", "direction: higher, unit: kg")
    report = catalogue_load(path=write(tmp_path, changed, "second.yaml"))
    assert report.updated == {"indicators": 1}
    assert Indicator.objects.get(code="WASTE_PC").direction == "higher"


def test_it_loads_json(tmp_path):
    path = write(
        tmp_path,
        '{"variables": [{"code": "X", "name": "x"}], "indicators": [{"code": "Y", "name": "y", "formula": "X * 2"}]}',
        "c.json",
    )
    catalogue_load(path=path)
    assert Indicator.objects.get(code="Y").direction == "neutral"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("variables: [{code: A, name: a}\n  - oops", "not valid YAML"),
        ("variables:\n  - {code: lower, name: a}\n", "code 'lower' must be upper-case"),
        ("variables:\n  - {code: A}\n  - {code: A}\n", "duplicate code A (first at line 2)"),
        (
            "variables:\n  - {code: A}\nindicators:\n  - {code: B, formula: A / C}\n",
            "unknown code C",
        ),
        ("variables:\n  - {code: A}\nindicators:\n  - {code: B, formula: A +* 2}\n", "indicator B"),
        ("indicators:\n  - {code: B, formula: C + 1}\n  - {code: C, formula: B + 1}\n", "cycle"),
        ("indicators:\n  - {code: B}\n", "formula is missing"),
        ("indicators:\n  - {code: B, formula: '1', direction: up}\n", "direction 'up'"),
        ("variables:\n  - {code: A, area: NOPE}\n", "unknown service area NOPE"),
        ("peer_groups:\n  - {code: G, members: [ZZ9]}\n", "unknown unit codes ZZ9"),
        ("widgets: []\n", "unknown section 'widgets'"),
        ("", "the file is empty"),
        ("- just\n- a list\n", "a catalogue is a mapping"),
    ],
)
def test_it_rejects_bad_catalogues_and_stores_nothing(tmp_path, text, expected):
    with pytest.raises(FileProblem) as caught:
        catalogue_load(path=write(tmp_path, text))
    assert expected in caught.value.report()
    assert not Variable.objects.exists() and not Indicator.objects.exists()


def test_it_names_the_line_of_a_bad_entry(tmp_path):
    text = "variables:\n  - {code: A}\n  - {code: B, min: lots}\n"
    with pytest.raises(FileProblem) as caught:
        catalogue_load(path=write(tmp_path, text))
    assert caught.value.problems[0].line == 3


def test_it_rejects_files_of_the_wrong_kind(tmp_path):
    path = tmp_path / "catalogue.pdf"
    path.write_bytes(b"%PDF-1.4\x00\x01")
    with pytest.raises(FileProblem, match="unsupported file type"):
        catalogue_load(path=path)
    binary = tmp_path / "catalogue.yaml"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    with pytest.raises(FileProblem, match="not a text file"):
        catalogue_load(path=binary)
