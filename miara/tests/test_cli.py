"""The `miara` command as a user runs it: a real process on its own SQLite database."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from miara.analytics.selectors import RESULT_COLUMNS
from miara.testing.cli import PROGRAMME_STEPS, programme_files_write

MIARA = shutil.which("miara", path=str(Path(sys.executable).parent)) or "miara"


@pytest.fixture
def workdir(tmp_path):
    programme_files_write(tmp_path)
    return tmp_path


def miara(workdir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MIARA_", "DJANGO_"))}
    env |= {"MIARA_DATABASE_URL": f"sqlite:///{workdir}/miara.sqlite3", "MIARA_SECRET_KEY": "test"}
    return subprocess.run(
        [MIARA, *args], cwd=workdir, env=env, capture_output=True, text=True, timeout=300
    )


def loaded(workdir: Path) -> Path:
    for args in PROGRAMME_STEPS:
        done = miara(workdir, *args)
        assert done.returncode == 0, done.stderr
    return workdir


def test_it_loads_computes_and_exports_in_three_formats(workdir):
    loaded(workdir)
    for fmt in ("csv", "xlsx", "json"):
        done = miara(workdir, "export", "results", "-o", f"results.{fmt}", "--format", fmt)
        assert done.returncode == 0, done.stderr
    csv = pl.read_csv(workdir / "results.csv", schema_overrides={"period": pl.String})
    assert csv.columns[: len(RESULT_COLUMNS)] == RESULT_COLUMNS
    assert {"all", "CITIES", "LARGE"} <= set(csv["group"])
    records = json.loads((workdir / "results.json").read_text())
    assert len(records) == csv.height
    assert [r["value"] for r in records] == csv["value"].to_list()  # JSON keeps full precision
    sheet = openpyxl.load_workbook(workdir / "results.xlsx", read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0][: len(RESULT_COLUMNS)]) == RESULT_COLUMNS
    assert len(rows) - 1 == csv.height
    # Excel stores 15-17 significant digits; openpyxl writes 16.
    assert [r[4] for r in rows[1:]] == pytest.approx(csv["value"].to_list(), rel=1e-15)


def test_it_filters_exports(workdir):
    loaded(workdir)
    done = miara(
        workdir,
        "export",
        "results",
        "-o",
        "r.csv",
        "--indicator",
        "WASTE_PC",
        "--period",
        "2024",
        "--group",
        "CITIES",
    )
    assert done.returncode == 0, done.stderr
    frame = pl.read_csv(workdir / "r.csv", schema_overrides={"period": pl.String})
    assert (
        set(frame["indicator"]) == {"WASTE_PC"}
        and set(frame["period"]) == {"2024"}
        and set(frame["group"]) == {"CITIES"}
    )
    assert sorted(frame["unit"]) == ["A1", "B2"]


def test_it_fails_with_the_line_and_leaves_the_database_unchanged(workdir):
    loaded(workdir)
    miara(workdir, "export", "values", "-o", "before.csv")
    (workdir / "bad.csv").write_text(
        "unit,variable,period,value\nA1,WASTE_T,2022,5\nA1,WASTE_T,2024,abc\n"
    )
    done = miara(workdir, "load", "values", "bad.csv")
    assert done.returncode == 1
    assert "bad.csv, line 3, column value: 'abc' is not a number" in done.stderr
    miara(workdir, "export", "values", "-o", "after.csv")
    assert (workdir / "before.csv").read_text() == (workdir / "after.csv").read_text()


def test_it_reports_a_formula_error_with_its_position(workdir):
    (workdir / "bad.yaml").write_text(
        "variables: [{code: A}]\nindicators:\n  - {code: B, formula: 'A * (2 +'}\n"
    )
    miara(workdir, "migrate")
    done = miara(workdir, "load", "catalogue", "bad.yaml")
    assert done.returncode == 1
    assert "bad.yaml, line 3: indicator B" in done.stderr and "character" in done.stderr


def test_it_reloads_the_same_files_without_changes(workdir):
    loaded(workdir)
    for kind, name in (
        ("units", "units.csv"),
        ("catalogue", "catalogue.yaml"),
        ("values", "values.csv"),
    ):
        done = miara(workdir, "load", kind, name)
        assert done.returncode == 0
        assert "created" not in done.stdout and "updated" not in done.stdout.replace(
            "unchanged", ""
        ), done.stdout


def test_it_creates_users_and_tokens(workdir):
    loaded(workdir)
    done = miara(
        workdir,
        "user",
        "add",
        "clerk",
        "--role",
        "editor",
        "--unit",
        "A1",
        "--password",
        "Contract-check-1",
    )
    assert done.returncode == 0, done.stderr
    token = miara(workdir, "token", "create", "clerk")
    assert token.returncode == 0 and token.stdout.strip().startswith("miara_")
    assert miara(workdir, "token", "create", "nobody").returncode == 1
    bad = miara(workdir, "user", "add", "x", "--role", "editor", "--unit", "ZZ")
    assert bad.returncode == 1 and "unknown unit code(s): ZZ" in bad.stderr


def test_it_rejects_a_bad_period(workdir):
    loaded(workdir)
    done = miara(workdir, "compute", "--period", "2024-Q5")
    assert done.returncode == 1 and "'2024-Q5' is not a period" in done.stderr


def test_serve_refuses_an_unmigrated_database(workdir):
    done = miara(workdir, "serve", "--port", "0")
    assert done.returncode == 1 and "miara migrate" in done.stderr


def test_serve_runs_worker_processes_on_one_port_and_stops_them(workdir):
    import signal
    import socket
    import time
    import urllib.request

    loaded(workdir)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MIARA_", "DJANGO_"))}
    env |= {"MIARA_DATABASE_URL": f"sqlite:///{workdir}/miara.sqlite3", "MIARA_SECRET_KEY": "test"}
    server = subprocess.Popen(
        [MIARA, "serve", "--port", str(port), "--workers", "2", "--threads", "2"],
        cwd=workdir,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )

    def pages(count: int) -> list[int]:
        deadline = time.monotonic() + 60
        statuses = []
        while time.monotonic() < deadline and len(statuses) < count:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/catalogue/", timeout=10) as r:
                    statuses.append(r.status)
            except OSError:
                time.sleep(0.3)
        return statuses

    def workers(count: int) -> list[str]:
        # The server's children, once there are `count` of them (a replacement takes a moment).
        deadline = time.monotonic() + 30
        while True:
            found = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
            if len(found) == count or time.monotonic() > deadline:
                return found
            time.sleep(0.2)

    seen = []
    try:
        assert pages(6) == [200] * 6
        children = workers(2)
        seen += children
        assert len(children) == 2
        # A worker that dies is replaced, and the server goes on serving meanwhile.
        os.kill(int(children[0]), signal.SIGKILL)
        deadline = time.monotonic() + 30
        while children[0] in workers(2) and time.monotonic() < deadline:
            time.sleep(0.2)
        replaced = workers(2)
        seen += replaced
        assert len(replaced) == 2 and children[0] not in replaced and children[1] in replaced
        assert pages(4) == [200] * 4
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    assert server.returncode == 0
    # SIGTERM stops every worker, not only the one that answered.
    assert not any(Path(f"/proc/{pid}").exists() for pid in seen)
