"""The example under gunicorn (as ``make serve``) while its limits' Redis hangs.

Starts a redis-server of its own on a free loopback port, migrates and seeds a fresh
SQLite database, serves the example with gunicorn's sync workers counting in that Redis
(by default on the lowest redis-py that pyproject.toml admits, from ``.redis-lowest``),
and loads two endpoints from client threads: ``/api/errors/`` (no limits) and the rate-
limited ``/api/search/`` with the demo key. After a baseline it freezes Redis with SIGSTOP
for ``--outage`` seconds, then thaws it and keeps loading.

Per phase it prints requests per second, the statuses and the slowest answer, and whether
counting resumed (the search counters in Redis grow again). Every process it starts is
stopped by PID, whatever happens.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from harness import ROOT, free_port, serve_example, start_redis, stop, wait_for

LOWEST = ROOT / ".redis-lowest"
KEY = "demo-key-123"


class Load:
    """Client threads, each sending one request after another to one path."""

    def __init__(self, port: int, path: str, headers: dict[str, str], threads: int) -> None:
        self.port, self.path, self.headers = port, path, headers
        self.results: list[tuple[float, float, int, str]] = []  # (sent, seconds, status, ...)
        self.lock = threading.Lock()
        self.running = True
        self.threads = [threading.Thread(target=self.run, daemon=True) for _ in range(threads)]

    def run(self) -> None:
        while self.running:
            sent = time.monotonic()
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=40)
                connection.request("GET", self.path, headers=self.headers)
                response = connection.getresponse()
                body = response.read()
                status = response.status
                kind = response.getheader("Content-Type", "")
                code = str(json.loads(body).get("error_code", "")) if "json" in kind else kind
                connection.close()
            except Exception as exc:  # a refused or reset connection is a result too
                status, code = 0, type(exc).__name__
            with self.lock:
                self.results.append((sent, time.monotonic() - sent, status, code))

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def finish(self) -> None:
        self.running = False
        for thread in self.threads:
            thread.join(timeout=60)

    def between(self, start: float, end: float) -> list[tuple[float, float, int, str]]:
        with self.lock:
            return [r for r in self.results if start <= r[0] < end]


def redis_keys(port: int) -> int:
    out = subprocess.run(
        ["redis-cli", "-p", str(port), "--scan", "--pattern", "*"],
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    ).stdout
    return len(out.split())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", type=float, default=10)
    parser.add_argument("--outage", type=float, default=35)
    parser.add_argument("--recovery", type=float, default=10)
    parser.add_argument("--threads", type=int, default=4, help="client threads per endpoint")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--installed-redis", action="store_true", help="use the venv's redis-py, not the lowest"
    )
    args = parser.parse_args()
    if shutil.which("redis-server") is None:
        raise SystemExit("redis-server is not installed")
    if not args.installed_redis and not LOWEST.exists():
        raise SystemExit("the lowest redis-py is missing: make .redis-lowest/.installed")

    workdir = Path(tempfile.mkdtemp(prefix="limits-outage-"))
    redis_port, web_port = free_port(), free_port()
    redis_server = start_redis(redis_port, workdir)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "example_project.settings",
        "EXAMPLE_DB_PATH": str(workdir / "db.sqlite3"),
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "PYTHONPATH": os.pathsep.join(
            [*([] if args.installed_redis else [str(LOWEST)]), str(ROOT)]
        ),
    }
    gunicorn = None
    try:
        wait_for(redis_port)
        log = (workdir / "gunicorn.log").open("w")
        gunicorn = serve_example(env, web_port, args.workers, log)
        version = subprocess.run(
            [sys.executable, "-c", "import redis; print(redis.__version__)"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        plain = Load(web_port, "/api/errors/", {}, args.threads)
        limited = Load(
            web_port, "/api/search/?q=read", {"Authorization": f"Bearer {KEY}"}, args.threads
        )
        plain.start()
        limited.start()
        t0 = time.monotonic()
        time.sleep(args.baseline)
        keys_before = redis_keys(redis_port)
        t1 = time.monotonic()
        os.kill(redis_server.pid, signal.SIGSTOP)
        time.sleep(args.outage)
        os.kill(redis_server.pid, signal.SIGCONT)
        t2 = time.monotonic()
        time.sleep(args.recovery)
        t3 = time.monotonic()
        plain.finish()
        limited.finish()
        keys_after = redis_keys(redis_port)
        counted_after = sum(1 for r in limited.between(t2, t3) if r[2] in (200, 429))
        log.close()
        killed = (workdir / "gunicorn.log").read_text().count("WORKER TIMEOUT")
    finally:
        if gunicorn is not None:
            stop(gunicorn)
        os.kill(redis_server.pid, signal.SIGCONT)
        stop(redis_server)

    print(f"redis-py {version}, {args.workers} gunicorn workers, {args.threads} threads each")
    print(f"{'phase':<10}{'endpoint':<14}{'req/s':>8}{'slowest s':>11}  statuses")
    phases = [("baseline", t0, t1), ("outage", t1, t2), ("recovery", t2, t3)]
    rates: dict[tuple[str, str], float] = {}
    for phase, start, end in phases:
        for name, load in (("/api/errors/", plain), ("/api/search/", limited)):
            results = load.between(start, end)
            rate = len(results) / (end - start)
            rates[phase, name] = rate
            slowest = max((r[1] for r in results), default=0.0)
            statuses = Counter(f"{r[2]}:{r[3]}" for r in results)
            shown = ", ".join(f"{k} x{v}" for k, v in statuses.most_common())
            print(f"{phase:<10}{name:<14}{rate:>8.1f}{slowest:>11.3f}  {shown}")
    early = [round(r[0] - t0, 2) for r in limited.between(t0, t1) if r[2] == 503]
    if early:
        print(f"503s before the outage, seconds after the start: {early[:10]}")
    ratio = rates["outage", "/api/errors/"] / rates["baseline", "/api/errors/"]
    print(f"/api/errors/ throughput during the outage: {ratio:.2f} of the baseline")
    print(f"workers killed by gunicorn's timeout: {killed}")
    print(f"Redis keys: {keys_before} before the outage, {keys_after} after recovery")
    print(f"search requests counted after recovery (200 or 429): {counted_after}")


if __name__ == "__main__":
    main()
