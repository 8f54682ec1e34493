"""An over-limit flood against the example as ``make serve`` runs it: gunicorn workers,
PostgreSQL and Redis, loaded by wrk.

Starts a redis-server of its own on a free loopback port, creates a scratch PostgreSQL
database (``--postgres``, the machine's by default), migrates and seeds it, and serves the
example with gunicorn. wrk then alternates between ``/api/errors/`` (the catalog: no
database, no limits) and ``/api/search/`` with the demo key, which is over its rate after
its first five calls, so the flood is answered with 429s. It prints each run's requests
per second, the share of 429s, and the ratio of the flood's throughput to the catalog's.
Every process it starts is stopped by PID and the scratch database is dropped.

    python benchmarks/flood.py [--seconds 8] [--runs 3] [--connections 64] [--workers 4]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
from pathlib import Path

from harness import ROOT, free_port, serve_example, start_redis, stop, wait_for, wrk

KEY = "demo-key-123"
DATABASE = "api_errors_flood"


def postgres(url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(statement)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=int, default=8, help="length of each wrk run")
    parser.add_argument("--runs", type=int, default=3, help="runs of each endpoint, alternated")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    for tool in ("wrk", "redis-server"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is not installed (Debian: apt-get install {tool})")

    workdir = Path(tempfile.mkdtemp(prefix="api-errors-flood-"))
    redis_port, web_port = free_port(), free_port()
    redis = start_redis(redis_port, workdir)
    database_url = args.postgres.rsplit("/", 1)[0] + f"/{DATABASE}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "example_project.settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "PYTHONPATH": str(ROOT),
    }
    gunicorn = None
    created = False
    try:
        wait_for(redis_port)
        postgres(args.postgres, f"DROP DATABASE IF EXISTS {DATABASE}")
        postgres(args.postgres, f"CREATE DATABASE {DATABASE}")
        created = True
        gunicorn = serve_example(env, web_port, args.workers)
        base = f"http://127.0.0.1:{web_port}"
        targets = {
            "/api/errors/": (f"{base}/api/errors/", []),
            "over-limit /api/search/": (
                f"{base}/api/search/?q=read",
                [f"Authorization: Bearer {KEY}"],
            ),
        }
        wrk(f"{base}/api/errors/", 2, args.connections, [])  # warm every worker
        rates: dict[str, list[float]] = {name: [] for name in targets}
        print(f"{args.workers} gunicorn workers, PostgreSQL, Redis; wrk with {args.connections}")
        print(f"connections, {args.runs} runs of {args.seconds}s each")
        for run in range(args.runs):
            for name, (url, headers) in targets.items():
                load = wrk(url, args.seconds, args.connections, headers)
                rates[name].append(load.rate)
                refused = load.refused / load.requests
                print(f"  run {run + 1} {name:<24} {load.rate:>8.0f} req/s, {refused:.1%} 429s")
        flood, plain = (statistics.median(rates[name]) for name in reversed(targets))
        print(f"median: /api/errors/ {plain:.0f} req/s, over-limit flood {flood:.0f} req/s")
        print(f"ratio (flood / catalog): {flood / plain:.2f}")
    finally:
        if gunicorn is not None:
            stop(gunicorn)
        stop(redis)
        if created:
            postgres(args.postgres, f"DROP DATABASE IF EXISTS {DATABASE}")
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
