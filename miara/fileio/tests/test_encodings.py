"""A CSV in a legacy Central European encoding is read correctly or refused, never garbled.

Windows-1250 and ISO-8859-2 share most Polish and Czech letters but put ą, ś, ź, Ś, Ź,
š, ť, ž, Š, Ť, Ž at different bytes: reading one as the other silently turns
"Świętochłowice" into "¦więtochłowice".
"""

import pytest

from miara.fileio import FileProblem, read_table

NAMES = [
    "Łaziska Górne",
    "Ústí nad Labem",
    "Żory",
    "Świętochłowice",
    "Kędzierzyn-Koźle",
    "Ząbki",
    "Šumperk",
    "Žďár nad Sázavou",
    "Třebíč",
]


def _write(tmp_path, names, encoding, bom=False):
    text = "code;name\n" + "".join(f"U{i};{name}\n" for i, name in enumerate(names))
    path = tmp_path / f"units-{encoding}.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding))
    return path


def _read_or_refuse(path):
    try:
        frame = read_table(path, required=["code", "name"])
    except FileProblem as problem:
        return None, problem
    return frame["name"].to_list(), None


@pytest.mark.parametrize("bom", [False, True])
def test_utf8_is_read_exactly(tmp_path, bom):
    names, problem = _read_or_refuse(_write(tmp_path, NAMES, "utf-8", bom=bom))
    assert problem is None
    assert names == NAMES


@pytest.mark.parametrize("encoding", ["cp1250", "iso-8859-2"])
@pytest.mark.parametrize("name", NAMES)
def test_each_name_in_a_legacy_encoding_is_read_exactly_or_refused(tmp_path, encoding, name):
    names, problem = _read_or_refuse(_write(tmp_path, [name], encoding))
    if problem is None:
        assert names == [name], f"{name!r} in {encoding} was read as {names!r}"
    else:
        assert problem.problems[0].line == 2
        assert "UTF-8" in problem.problems[0].message


@pytest.mark.parametrize("encoding", ["cp1250", "iso-8859-2"])
def test_a_whole_list_of_polish_and_czech_names_is_read_exactly(tmp_path, encoding):
    """With enough letters to tell the encodings apart, the file is read, not refused."""
    names, problem = _read_or_refuse(_write(tmp_path, NAMES, encoding))
    assert problem is None, problem and problem.report()
    assert names == NAMES


def test_iso_8859_2_is_not_read_as_windows_1250(tmp_path):
    names, problem = _read_or_refuse(_write(tmp_path, ["Świętochłowice", "Šumperk"], "iso-8859-2"))
    assert problem is None
    assert names == ["Świętochłowice", "Šumperk"]


def test_text_in_neither_encoding_is_refused_naming_the_line(tmp_path):
    path = tmp_path / "mixed.csv"
    # Line 3 holds a C1 control byte in ISO-8859-2 and an undefined byte in Windows-1250.
    path.write_bytes(b"code;name\nU1;Zory\nU2;Bad\x81name\n")
    names, problem = _read_or_refuse(path)
    assert names is None
    assert problem.problems[0].line == 3
