#!/usr/bin/env python
"""Mixed load on a real `miara serve --workers N`: many users, no think time, bounded.

    python benchmarks/load.py --database-url postgresql://postgres@127.0.0.1:5432/miara_load

The database is a demo database (`MIARA_DATABASE_URL=... miara demo --no-serve`): computed
results and an open collection cycle. The benchmark adds `--users` editors, one per unit
whose questionnaire is open, starts the server on a free port of 127.0.0.1 (and contacts
nothing else), and lets every user, in its own thread with its own session and keep-alive
connection, request without pause for `--seconds`: 40 % the unit's scorecard, 40 % an
indicator page for the unit, 20 % an autosave of one of the unit's questionnaire fields
(the form's `field/` call, with the version the last answer gave).

It reports requests per second, errors (any answer but 200), whether every acknowledged
autosave is stored (each field's stored value and version must be those of the last
acknowledged save: a lost write shows as a smaller version), the warnings in the server's
log, and how the requests were spread over the worker processes (the server side of each
client connection is found in /proc, so this needs Linux).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pages import Client as _PageClient
from pages import free_port, miara, percentile, wait_for_server

REPO = Path(__file__).resolve().parent.parent
PASSWORD = "Quiet-lamp-4417-load"

PREPARE = """
import json, sys, django
django.setup()
from miara.accounts.services import user_add
from miara.analytics.selectors import computed_periods
from miara.catalogue.models import Indicator
from miara.collection.models import Cycle, Submission, SubmissionState, Value
from miara.units.models import Unit

users, password = int(sys.argv[1]), sys.argv[2]
cycle = Cycle.objects.filter(is_open=True).order_by("-period").first()
if cycle is None:
    raise SystemExit("the database has no open collection cycle")
locked = set(Submission.objects.filter(
    cycle=cycle, state__in=[SubmissionState.SUBMITTED, SubmissionState.ACCEPTED]
).values_list("unit_id", flat=True))
units = [u for u in Unit.objects.order_by("code") if u.pk not in locked]
items = list(cycle.items.select_related("variable").order_by("position")[:40])
variables = [
    [i.variable.code, i.variable.min_value or 0, i.variable.max_value or 100000] for i in items
][:6]
# More users than open questionnaires: users share a unit, each saving its own fields,
# so that no two users write the same value (every save must be acknowledged).
sharing = -(-users // len(units))
plan = []
for n in range(users):
    unit = units[n % len(units)]
    own = variables[n // len(units)::sharing]
    name = f"load_{n:03d}"
    user_add(username=name, role="editor", unit_codes=[unit.code], password=password)
    versions = {
        code: version
        for code, version in Value.objects.filter(
            unit=unit, period=cycle.period, variable__code__in=[v[0] for v in own]
        ).values_list("variable__code", "version")
    }
    plan.append({"user": name, "unit": unit.code, "variables": own, "versions": versions})
print(json.dumps({
    "cycle": cycle.pk, "collection_period": cycle.period, "variables": variables,
    "period": computed_periods()[0], "plan": plan,
    "indicators": list(Indicator.objects.values_list("code", flat=True)),
}))
"""

CHECK = """
import json, sys, django
django.setup()
from miara.collection.models import Value
expected = json.loads(sys.stdin.read())
lost = []
for row in expected["rows"]:
    stored = Value.objects.filter(
        unit__code=row["unit"], variable__code=row["variable"], period=expected["period"]
    ).values_list("value", "version").first()
    if stored is None or stored[1] != row["version"] or abs(float(stored[0]) - row["value"]) > 1e-9:
        lost.append([row, stored])
print(json.dumps({"checked": len(expected["rows"]), "lost": lost}, default=str))
"""


class Client(_PageClient):
    def log_in_as(self, username: str) -> None:
        import re

        _status, _headers, page = self.request("GET", "/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        body = urllib.parse.urlencode(
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token}
        )
        status, _headers, _data = self.request("POST", "/login/", body)
        if status != 302:
            raise SystemExit(f"log-in of {username} failed with HTTP {status}")

    def local_port(self) -> int | None:
        sock = self.conn.sock
        return sock.getsockname()[1] if sock is not None else None


def worker_pids(root: int) -> list[int]:
    """The server's worker processes: children of the server process (or the process
    itself when it serves alone)."""
    try:
        children = Path(f"/proc/{root}/task/{root}/children").read_text().split()
    except OSError:
        return []
    return [int(pid) for pid in children] or [root]


def connections_by_worker(pids: list[int], port: int) -> dict[int, int]:
    """{client port: worker pid} for every established connection to the server's port."""
    inode_pid = {}
    for pid in pids:
        fd_dir = Path(f"/proc/{pid}/fd")
        try:
            for fd in fd_dir.iterdir():
                try:
                    target = os.readlink(fd)
                except OSError:
                    continue
                if target.startswith("socket:["):
                    inode_pid[target[8:-1]] = pid
        except OSError:
            continue
    found = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, remote, state, inode = fields[1], fields[2], fields[3], fields[9]
            if state != "01" or int(local.rsplit(":", 1)[1], 16) != port:
                continue
            if inode in inode_pid:
                found[int(remote.rsplit(":", 1)[1], 16)] = inode_pid[inode]
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=90, help="length of the load")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8, help="threads per worker")
    parser.add_argument("--seed", type=int, default=20261203)
    parser.add_argument(
        "--source",
        type=Path,
        help="serve miara from this source tree instead (e.g. an older commit's `git archive`)",
    )
    parser.add_argument("--log", type=Path, default=Path("/tmp/miara-bench-load-server.log"))
    args = parser.parse_args()
    if args.seconds > 600:
        raise SystemExit("--seconds is at most 600")

    env = {
        **os.environ,
        "MIARA_DATABASE_URL": args.database_url,
        "MIARA_SECRET_KEY": "bench-load",
        "MIARA_VAR_DIR": "/tmp/miara-bench-load-var",
        "DJANGO_SETTINGS_MODULE": "miara.settings",
        # The load would lock the users' shared address within seconds otherwise.
        "MIARA_LOGIN_LOCK_BY_ADDRESS": "0",
    }
    migrated = miara(["migrate"], env, capture_output=True, text=True)
    if migrated.returncode != 0:
        raise SystemExit(f"miara migrate failed: {migrated.stderr.strip()[-500:]}")
    prepared = subprocess.run(
        [sys.executable, "-c", PREPARE, str(args.users), PASSWORD],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    if prepared.returncode != 0:
        raise SystemExit(f"preparing the users failed: {prepared.stderr.strip()[-800:]}")
    setup = json.loads(prepared.stdout.strip().splitlines()[-1])
    port = free_port()
    server_env = dict(env)
    cwd = REPO
    if args.source:
        server_env["PYTHONPATH"] = str(args.source.resolve())
        cwd = args.source.resolve()
    log = args.log.open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from miara.cli import main; sys.exit(main())",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
        ],
        env=server_env,
        cwd=cwd,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_server(port)
        status = run(args, setup, port, server.pid)
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.close()
    lines = args.log.read_text(errors="replace").splitlines()
    warnings = [line for line in lines if "WARNING" in line or "queue depth" in line]
    print(f"server log: {len(lines)} lines, {len(warnings)} warnings ({args.log})")
    for text, count in collections.Counter(w[:100] for w in warnings).most_common(3):
        print(f"  {count} × {text}")
    return status


def run(args, setup: dict, port: int, server_pid: int) -> int:
    period, cycle = setup["period"], setup["cycle"]
    indicators = setup["indicators"]
    lock = threading.Lock()
    timings: dict[str, list[float]] = collections.defaultdict(list)
    errors: list[str] = []
    acked: dict[tuple[str, str], dict] = {}
    ports_used: list[collections.Counter] = [collections.Counter() for _ in setup["plan"]]
    ready = threading.Barrier(len(setup["plan"]) + 1)
    state = {"stop": float("inf")}

    # Log-ins are not part of the measured load: one after the other, before it starts.
    clients = []
    for entry in setup["plan"]:
        client = Client(port)
        client.log_in_as(entry["user"])
        clients.append(client)
    for client in clients:
        # The first log-ins' connections sat idle meanwhile and may have been closed by
        # the server (keep-alive timeout); each client opens a fresh one, as browsers do.
        client.conn.close()

    def user(n: int, entry: dict) -> None:
        rng = random.Random(args.seed + n)
        client = clients[n]
        ready.wait()
        versions = dict(entry["versions"])
        unit = entry["unit"]
        while time.monotonic() < state["stop"]:
            draw = rng.random()
            started = time.perf_counter()
            try:
                kind, status = request(client, rng, draw, entry, versions, unit)
            except OSError as error:  # a timeout or a dropped connection is an error too
                kind, status = "failed", type(error).__name__
                client.conn.close()
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                timings[kind].append(elapsed)
                if status != 200:
                    errors.append(f"{kind} HTTP {status}")
            local = client.local_port()
            if local:
                ports_used[n][local] += 1

    def request(client, rng, draw, entry, versions, unit):
        if draw < 0.4:
            kind = "scorecard"
            status, _h, _d = client.request("GET", f"/units/{unit}/benchmark/?period={period}")
        elif draw < 0.8:
            kind = "indicator"
            code = rng.choice(indicators)
            path = f"/indicators/{code}/?unit={unit}&period={period}"
            status, _h, _d = client.request("GET", path)
        else:
            kind = "autosave"
            variable, low, high = rng.choice(entry["variables"])
            value = round(rng.uniform(low, (low + high) / 2), 2)
            body = urllib.parse.urlencode(
                {
                    "variable": variable,
                    "value": f"{value:.2f}",
                    "comment": "",
                    "version": versions.get(variable, 0),
                    "csrfmiddlewaretoken": client.cookies.get("csrftoken", ""),
                }
            )
            status, _h, data = client.request("POST", f"/collection/{cycle}/{unit}/field/", body)
            if status == 200:
                answer = json.loads(data)
                versions[variable] = answer["version"]
                with lock:
                    acked[(unit, variable)] = {
                        "unit": unit,
                        "variable": variable,
                        "value": value,
                        "version": answer["version"],
                    }
        return kind, status

    threads = [
        threading.Thread(target=user, args=(n, entry), daemon=True)
        for n, entry in enumerate(setup["plan"])
    ]
    for thread in threads:
        thread.start()
    ready.wait()
    pids = worker_pids(server_pid)
    port_pid: dict[int, int] = {}
    started = time.monotonic()
    state["stop"] = started + args.seconds
    while any(t.is_alive() for t in threads):
        port_pid.update(connections_by_worker(pids, port))
        time.sleep(0.5)
    elapsed = time.monotonic() - started

    total = sum(len(v) for v in timings.values())
    print(
        f"{len(setup['plan'])} users, {args.workers} workers × {args.threads} threads, "
        f"{elapsed:.0f} s: {total} requests, {total / elapsed:.1f} requests/s, "
        f"{len(errors)} errors"
    )
    if errors:
        print("  errors:", dict(collections.Counter(errors)))
    for kind, values in sorted(timings.items()):
        print(
            f"  {kind:<10} {len(values):>6}  median {percentile(values, 0.5):7.0f} ms"
            f"  p95 {percentile(values, 0.95):7.0f} ms  max {max(values):7.0f} ms"
        )
    per_worker: collections.Counter = collections.Counter()
    for counter in ports_used:
        for local, count in counter.items():
            per_worker[port_pid.get(local, "unknown")] += count
    print(
        "requests per worker: "
        + ", ".join(f"{pid}: {count}" for pid, count in sorted(per_worker.items(), key=str))
    )
    checked = subprocess.run(
        [sys.executable, "-c", CHECK],
        input=json.dumps({"period": setup["collection_period"], "rows": list(acked.values())}),
        env={
            **os.environ,
            "MIARA_DATABASE_URL": args.database_url,
            "MIARA_SECRET_KEY": "bench-load",
            "DJANGO_SETTINGS_MODULE": "miara.settings",
        },
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    if checked.returncode != 0:
        raise SystemExit(f"checking the stored values failed: {checked.stderr[-800:]}")
    result = json.loads(checked.stdout.strip().splitlines()[-1])
    print(
        f"acknowledged autosaves: {len(timings['autosave']) - sum('autosave' in e for e in errors)}"
        f" saves of {result['checked']} fields; fields whose last acknowledged save is not"
        f" what is stored: {len(result['lost'])}"
    )
    return 1 if errors or result["lost"] else 0


if __name__ == "__main__":
    sys.exit(main())
