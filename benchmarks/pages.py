#!/usr/bin/env python
"""Page speed under concurrent load: scorecard and indicator pages on a real `miara serve`.

    python benchmarks/pages.py --database-url postgresql://postgres@127.0.0.1:5432/miara_bench
    python benchmarks/pages.py --database-url sqlite:////tmp/demo/var/miara.sqlite3 --clients 5

Starts `miara serve` (waitress) on a free loopback port against the given database (for
the national figures: the database that `benchmarks/national.py --only e2e` leaves
behind), adds a coordinator for the run, samples units and indicators, then lets
`--clients` concurrent clients (threads, each with its own session and keep-alive
connection) request `--requests` pages each: the unit scorecard
(`/units/<code>/benchmark/`) and the indicator page (`/indicators/<CODE>/?unit=`) in turn.

With `--rounds 2` (the default) the same pages are requested twice from the same server:
the first round meets cold page caches (each server process builds a national group's
rows and a unit's scorecard once per result set, `miara.lib.memo`), the second shows the
steady state of pages people revisit. It reports, per round and page kind, the server
time that the application itself measured (`Server-Timing: app;dur=…`,
miara.web.middleware) and the time the client waited (which adds the queue of the WSGI
server and the loopback), as median, p95 and max, plus throughput. Only 127.0.0.1 is ever contacted; every loop is bounded by a count and by
`--seconds`. Targets (issue 4): server time median < 150 ms, p95 < 400 ms.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import http.cookies
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PASSWORD = "Quiet-lamp-4417-load"
USERNAME = "bench_pages"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_server(port: int, seconds: float = 60) -> None:
    """Return once something answers on 127.0.0.1:`port`; stop the run after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the server did not start within {seconds:.0f} s")


def miara(args: list[str], env: dict, **kwargs) -> subprocess.CompletedProcess:
    code = "import sys; from miara.cli import main; sys.exit(main())"
    return subprocess.run([sys.executable, "-c", code, *args], env=env, cwd=REPO, **kwargs)


class Client:
    """One browser-like client: a keep-alive connection and a session cookie."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, dict, bytes]:
        headers = {
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "Accept-Encoding": "gzip",  # as every browser asks
        }
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.conn.port}/login/"
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        if response.headers.get("Content-Encoding") == "gzip":
            data = gzip.decompress(data)
        for header in response.headers.get_all("Set-Cookie") or []:
            jar = http.cookies.SimpleCookie(header)
            for key, morsel in jar.items():
                self.cookies[key] = morsel.value
        return response.status, dict(response.headers), data

    def log_in(self) -> None:
        _status, _headers, page = self.request("GET", "/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        body = urllib.parse.urlencode(
            {"username": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": token}
        )
        status, _headers, _data = self.request("POST", "/login/", body)
        if status != 302:
            raise SystemExit(f"log-in failed with HTTP {status}")


def sample_targets(env: dict, units: int, indicators: int, seed: int) -> tuple[list, list, str]:
    script = (
        "import django, json; django.setup();"
        "from miara.units.models import Unit; from miara.catalogue.models import Indicator;"
        "from miara.analytics.selectors import computed_periods;"
        "print(json.dumps([list(Unit.objects.values_list('code', flat=True)),"
        " list(Indicator.objects.values_list('code', flat=True)), computed_periods()[:1]]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        env={**env, "DJANGO_SETTINGS_MODULE": "miara.settings"},
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    import json

    unit_codes, indicator_codes, periods = json.loads(out.strip().splitlines()[-1])
    if not periods:
        raise SystemExit("the database has no computed results")
    rng = random.Random(seed)
    return (
        rng.sample(unit_codes, min(units, len(unit_codes))),
        rng.sample(indicator_codes, min(indicators, len(indicator_codes))),
        periods[0],
    )


def _ticks_per_second() -> int:
    return os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(root: int) -> float:
    """CPU time (user + system) of a process and its living descendants, from /proc."""
    children: dict[int, list[int]] = {}
    times: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry.name), int(fields[1])
        children.setdefault(ppid, []).append(pid)
        times[pid] = (int(fields[11]) + int(fields[12])) / _ticks_per_second()
    total, stack = 0.0, [root]
    while stack:
        pid = stack.pop()
        total += times.get(pid, 0.0)
        stack.extend(children.get(pid, []))
    return total


def machine_busy_seconds() -> float:
    """CPU time all cores spent busy since boot (/proc/stat: all but idle and iowait)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / _ticks_per_second()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=25, help="pages per client")
    parser.add_argument("--units", type=int, default=50, help="units sampled")
    parser.add_argument("--indicators", type=int, default=20, help="indicators sampled")
    parser.add_argument("--threads", type=int, default=2, help="waitress threads per worker")
    parser.add_argument("--workers", type=int, default=2, help="server processes (one per core)")
    parser.add_argument("--seconds", type=float, default=900, help="stop after this long")
    parser.add_argument("--seed", type=int, default=20261201)
    parser.add_argument(
        "--rounds",
        type=int,
        default=2,
        help="times the same pages are requested from the same server: the first round"
        " meets cold page caches (miara.lib.memo), later ones warm caches",
    )
    args = parser.parse_args()

    env = {
        **os.environ,
        "MIARA_DATABASE_URL": args.database_url,
        "MIARA_SECRET_KEY": "bench-pages",
        "MIARA_VAR_DIR": "/tmp/miara-bench-pages-var",
        # The server's own time per page comes in the Server-Timing header, off by default.
        "MIARA_SERVER_TIMING": "1",
    }
    # The database may come from an older miara (national.py's run): bring its schema up.
    migrated = miara(["migrate"], env, capture_output=True, text=True)
    if migrated.returncode != 0:
        raise SystemExit(f"miara migrate failed: {migrated.stderr.strip()[-500:]}")
    added = miara(
        ["user", "add", USERNAME, "--role", "coordinator", "--password", PASSWORD],
        env,
        capture_output=True,
        text=True,
    )
    if added.returncode != 0:
        raise SystemExit(f"could not add the user for the run: {added.stderr.strip()}")
    units, indicators, period = sample_targets(env, args.units, args.indicators, args.seed)
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from miara.cli import main; sys.exit(main())",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--threads",
            str(args.threads),
            "--workers",
            str(args.workers),
        ],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_server(port)
        status = 0
        for round_ in range(1, args.rounds + 1):
            print(
                f"round {round_} of {args.rounds}"
                + (" (caches cold)" if round_ == 1 else " (caches warm)")
            )
            status |= run_load(
                args, port, units, indicators, period, warm_up=round_ == 1, server_pid=server.pid
            )
        return status
    finally:
        server.terminate()
        server.wait(timeout=30)


def run_load(
    args,
    port: int,
    units: list,
    indicators: list,
    period: str,
    *,
    warm_up: bool = True,
    server_pid: int | None = None,
) -> int:
    pages = []
    for i in range(args.clients * args.requests):
        unit = units[i % len(units)]
        if i % 2 == 0:
            pages.append(("scorecard", f"/units/{unit}/benchmark/?period={period}"))
        else:
            code = indicators[(i // 2) % len(indicators)]
            pages.append(("indicator", f"/indicators/{code}/?unit={unit}&period={period}"))
    # Warm-up: one of each kind, so the first-request costs (imports) are not counted.
    if warm_up:
        warm = Client(port)
        warm.log_in()
        for kind in ("scorecard", "indicator"):
            path = next(p for k, p in pages if k == kind)
            status, _h, _d = warm.request("GET", path)
            print(f"warm-up {kind}: HTTP {status} {path}", file=sys.stderr)

    results: dict[str, list[tuple[float, float]]] = {"scorecard": [], "indicator": []}
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + args.seconds

    def worker(n: int) -> None:
        client = Client(port)
        client.log_in()
        for kind, path in pages[n :: args.clients]:
            if time.monotonic() > stop_at:
                return
            started = time.perf_counter()
            status, headers, _data = client.request("GET", path)
            waited = (time.perf_counter() - started) * 1000
            server_ms = float(
                re.search(r"dur=([\d.]+)", headers.get("Server-Timing", "dur=nan")).group(1)
            )
            with lock:
                if status != 200:
                    errors.append(f"HTTP {status} {path}")
                results[kind].append((server_ms, waited))

    server_cpu = tree_cpu_seconds(server_pid) if server_pid else 0.0
    client_cpu = time.process_time()
    busy = machine_busy_seconds()
    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(args.clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    server_cpu = (tree_cpu_seconds(server_pid) if server_pid else 0.0) - server_cpu
    client_cpu = time.process_time() - client_cpu
    busy = machine_busy_seconds() - busy

    total = sum(len(v) for v in results.values())
    print(
        f"{args.clients} concurrent clients, {total} pages in {elapsed:.1f} s "
        f"({total / elapsed:.1f} pages/s), period {period}, {len(units)} units, "
        f"{len(indicators)} indicators, {args.workers} workers × {args.threads} threads"
    )
    print(
        f"{'page':<10} {'n':>5}  {'server median':>13} {'server p95':>10} {'server max':>10}"
        f"  {'client median':>13} {'client p95':>10}"
    )
    for kind, rows in results.items():
        if not rows:
            continue
        server = [r[0] for r in rows]
        client = [r[1] for r in rows]
        print(
            f"{kind:<10} {len(rows):>5}  {statistics.median(server):>10.1f} ms {percentile(server, 0.95):>7.1f} ms"
            f" {max(server):>7.1f} ms  {statistics.median(client):>10.1f} ms {percentile(client, 0.95):>7.1f} ms"
        )
    if total:
        print(
            f"CPU per page: server {server_cpu / total * 1000:.1f} ms, load generator "
            f"{client_cpu / total * 1000:.1f} ms, whole machine {busy / total * 1000:.1f} ms "
            f"(the rest: PostgreSQL and the system); {os.cpu_count()} cores"
        )
    if errors:
        print(f"{len(errors)} errors, e.g. {errors[:3]}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
