"""`miara demo` is all-or-nothing, refuses a database that is not a demo, and says when
its port is taken."""

import hashlib
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from miara.accounts.models import User
from miara.analytics.models import ResultSet
from miara.cli import main
from miara.collection.models import Cycle, Value
from miara.demo import setup
from miara.demo.setup import DemoRefused, demo_build
from miara.units.models import Unit


def quiet(text: str) -> None:
    pass


def fail(*args, **kwargs):
    raise RuntimeError("a demo step failed")


@pytest.mark.django_db(transaction=True)
def test_a_failed_demo_leaves_nothing_and_the_next_run_succeeds(monkeypatch):
    # The last step fails, after units, catalogue, values and results were written.
    monkeypatch.setattr(setup, "demo_cycle_open", fail)
    with pytest.raises(RuntimeError, match="a demo step failed"):
        demo_build(progress=quiet)
    assert not Unit.objects.exists()
    assert not Value.objects.exists()
    assert not ResultSet.objects.exists()
    assert not User.objects.exists()

    monkeypatch.undo()
    logins = demo_build(progress=quiet)
    assert logins[0][0] == "koordynator"
    assert Unit.objects.count() == 44  # 43 Polish units and the Czech office
    assert Cycle.objects.count() == 1


@pytest.mark.django_db
def test_it_refuses_a_database_that_is_not_a_demo(alice, capsys):
    # A real programme's database (units A1..D4, a coordinator): the demo's logins, with
    # their published password, must not be added to it.
    with pytest.raises(DemoRefused, match="not the demo's"):
        demo_build(progress=quiet)
    assert not User.objects.filter(username="koordynator").exists()
    assert sorted(Unit.objects.values_list("code", flat=True)) == ["A1", "B2", "C3", "D4"]

    assert main(["demo", "--no-serve"]) == 1
    assert "not the demo's" in capsys.readouterr().err
    assert not User.objects.filter(username="koordynator").exists()


# The SQLite path, as a user meets it: a real `miara demo` process in an empty directory,
# with one of its steps made to fail (patched in the process before the command runs).
RUN_DEMO = textwrap.dedent(
    """
    import os, sys
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "miara.settings")
    import django
    django.setup()
    import miara.accounts.services as accounts
    import miara.demo.setup as setup
    from miara.cli import main

    def fail(*args, **kwargs):
        raise RuntimeError("a demo step failed")

    if sys.argv[1] == "fail-cycle":
        setup.demo_cycle_open = fail
    elif sys.argv[1] == "fail-logins":
        accounts.user_add = fail
    sys.exit(main(["demo", "--no-serve"]))
    """
)


def run_demo(directory: Path, how: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MIARA_", "DJANGO_"))}
    env["MIARA_SECRET_KEY"] = "test"  # the default database: var/miara.sqlite3
    return subprocess.run(
        [sys.executable, "-c", RUN_DEMO, how],
        cwd=directory,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_failed_sqlite_demo_leaves_no_file_or_keeps_the_previous_one(tmp_path):
    database = tmp_path / "var" / "miara.sqlite3"

    failed = run_demo(tmp_path, "fail-cycle")
    assert failed.returncode != 0
    assert "a demo step failed" in failed.stderr
    assert not database.exists()
    assert sorted(p.name for p in (tmp_path / "var").glob("miara.sqlite3*")) == []

    done = run_demo(tmp_path, "ok")
    assert done.returncode == 0, done.stderr
    assert "koordynator" in done.stdout
    assert database.exists()
    good = digest(database)

    # A later run that fails leaves the good database exactly as it was.
    failed = run_demo(tmp_path, "fail-logins")
    assert failed.returncode != 0
    assert digest(database) == good
    assert sorted(p.name for p in (tmp_path / "var").glob("miara.sqlite3*")) == ["miara.sqlite3"]

    # And the good one still opens as the complete demo.
    again = run_demo(tmp_path, "ok")
    assert again.returncode == 0, again.stderr
    assert "Loading the demo programme" not in again.stdout


def test_it_refuses_a_sqlite_database_that_is_not_a_demo(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MIARA_", "DJANGO_"))}
    env["MIARA_SECRET_KEY"] = "test"
    miara = [sys.executable, "-m", "miara.cli"]
    for args in (
        ["migrate"],
        ["user", "add", "anna", "--role", "expert", "--password", "Own-data-2025!"],
    ):
        done = subprocess.run(
            [*miara, *args], cwd=tmp_path, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
    database = tmp_path / "var" / "miara.sqlite3"
    before = digest(database)

    refused = subprocess.run(
        [*miara, "demo", "--no-serve"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert refused.returncode == 1
    assert f"the database {database} holds data that are not the demo's" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert digest(database) == before
    assert sorted(p.name for p in database.parent.glob("miara.sqlite3*")) == ["miara.sqlite3"]


@pytest.fixture
def taken_port():
    with socket.create_server(("127.0.0.1", 0)) as listener:
        yield listener.getsockname()[1]


def test_demo_says_when_its_port_is_taken(taken_port, capsys):
    # Before any database work: the port is checked first.
    assert main(["demo", "--port", str(taken_port)]) == 1
    err = capsys.readouterr().err
    assert f"port {taken_port} on 127.0.0.1 is already in use" in err
    assert "miara demo --port 8101" in err
    assert "make demo PORT=8101" in err
    assert "Traceback" not in err


def test_serve_says_when_its_port_is_taken(taken_port, capsys):
    assert main(["serve", "--port", str(taken_port)]) == 1
    err = capsys.readouterr().err
    assert "already in use" in err and "miara serve --port" in err


def test_it_rejects_a_port_that_is_not_one(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["demo", "--port", "80000"])
    assert exit_.value.code == 2
    assert "'80000' is not a port number" in capsys.readouterr().err
