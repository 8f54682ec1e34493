"""A rate-limited async view under uvicorn: the store awaited on the event loop, against the
same limit counted as before, in a worker thread through ``sync_to_async``.

Starts a redis-server of its own on a free loopback port and one uvicorn worker serving
benchmarks/async_limits_app.py, then loads ``/awaited/``, ``/threaded/`` and
``/unlimited/`` with wrk (``CONNECTIONS`` connections, requests spread over 1,000
``X-Client`` keys, each far below its rate), in a new random order each round. It prints
each run and, per view, the median requests per second and p50 and p99 latencies, and the
ratios of the awaited view to the threaded one. Every process it starts is stopped by PID.

A shared machine's load moves those figures; the CPU time of the store call itself moves
less. So it then counts in its own process, on the same Redis, ``CALLS`` store calls from
64 concurrent tasks, awaited and through ``sync_to_async``, in alternated rounds, and
prints the median process time (all threads) per call.

    python benchmarks/async_limits.py [--seconds 8] [--rounds 3] [--connections 64]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from importlib.metadata import version
from pathlib import Path

from harness import ROOT, WrkRun, free_port, start_redis, stop, wait_for, wrk

HERE = Path(__file__).resolve().parent
VIEWS = ("awaited", "threaded", "unlimited")
CLIENTS = 1000
# One X-Client of CLIENTS per request, in turn (each wrk thread has its own counter).
SPREAD_CLIENTS = f"""
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format(nil, nil, {{["X-Client"] = "client-" .. (counter % {CLIENTS})}})
end
"""


def serve(port: int, redis_url: str) -> subprocess.Popen[bytes]:
    """One uvicorn worker on loopback serving the benchmark's application."""
    command = [
        *(sys.executable, "-m", "uvicorn", "async_limits_app:application"),
        *("--app-dir", str(HERE), "--host", "127.0.0.1", "--port", str(port)),
        *("--workers", "1", "--lifespan", "off", "--no-access-log", "--log-level", "warning"),
    ]
    env = {**os.environ, "REDIS_URL": redis_url, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    wait_for(port)
    return process


CALLS = 4000
TASKS = 64
CPU_ROUNDS = 5


def store_cpu_per_call(redis_url: str) -> dict[str, float]:
    """Median process time (µs, every thread) of one store call, awaited or in a thread."""
    os.environ["REDIS_URL"] = redis_url
    import async_limits_app  # noqa: F401  (configures Django on that Redis)
    from asgiref.sync import sync_to_async
    from django_ratelimit import ALL

    from api_errors.limits.async_store import async_counter_store
    from api_errors.limits.counters import fixed_window_slot
    from api_errors.limits.store import counter_store

    slots = [fixed_window_slot("bench-cpu", "1000000/h", f"client-{n}", ALL) for n in range(1000)]
    threaded = sync_to_async(counter_store().count, thread_sensitive=False)
    calls: dict[str, Callable[..., Awaitable[object]]] = {
        "awaited": async_counter_store().count,
        "threaded": threaded,
    }

    async def measure(count: Callable[..., Awaitable[object]]) -> float:
        async def task(number: int) -> None:
            for call in range(CALLS // TASKS):
                await count(slots[(number * 37 + call) % len(slots)], 10**9)

        started = time.process_time()
        await asyncio.gather(*(task(number) for number in range(TASKS)))
        return (time.process_time() - started) / CALLS * 1e6

    async def rounds() -> dict[str, list[float]]:
        samples: dict[str, list[float]] = {name: [] for name in calls}
        for round_number in range(CPU_ROUNDS + 1):  # the first opens pools and threads
            for name, count in calls.items():
                cpu = await measure(count)
                if round_number:
                    samples[name].append(cpu)
        return samples

    return {name: statistics.median(values) for name, values in asyncio.run(rounds()).items()}


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}"


def versions() -> str:
    names = ("django", "redis", "uvicorn")
    found = ", ".join(f"{name} {version(name)}" for name in names)
    return f"Python {platform.python_version()}, {found}"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=int, default=8, help="length of each wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each view, shuffled")
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args()
    for tool in ("wrk", "redis-server"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is not installed (Debian: apt-get install {tool})")

    workdir = Path(tempfile.mkdtemp(prefix="api-errors-async-limits-"))
    script = workdir / "spread.lua"
    script.write_text(SPREAD_CLIENTS)
    redis_port, web_port = free_port(), free_port()
    redis = start_redis(redis_port, workdir)
    server = None
    try:
        wait_for(redis_port)
        server = serve(web_port, f"redis://127.0.0.1:{redis_port}/0")
        base = f"http://127.0.0.1:{web_port}"
        # Open the pools and start the threads as traffic that ramps up would, not with a
        # burst of cold connections on one event loop (docs/async-and-clocks.md).
        for view in VIEWS:
            wrk(f"{base}/{view}/", 2, 4, threads=1, script=script)
        print(f"one uvicorn worker, Redis on loopback; wrk, {args.connections} connections,")
        print(f"{CLIENTS} clients, {args.rounds} rounds of {args.seconds}s per view")
        print(f"{machine()}; {versions()}")
        runs: dict[str, list[WrkRun]] = {view: [] for view in VIEWS}
        order = list(VIEWS)
        for round_number in range(args.rounds):
            random.shuffle(order)
            for view in order:
                load = wrk(f"{base}/{view}/", args.seconds, args.connections, script=script)
                runs[view].append(load)
                print(
                    f"  round {round_number + 1} {view:<10}{load.rate:>9.0f} req/s"
                    f"  p50 {load.p50_ms:6.2f} ms  p99 {load.p99_ms:6.2f} ms"
                    f"  not 2xx: {load.refused}"
                )
        medians = {
            view: {
                measure: statistics.median(getattr(run, measure) for run in runs[view])
                for measure in ("rate", "p50_ms", "p99_ms")
            }
            for view in VIEWS
        }
        print(f"{'view':<12}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}")
        for view, median in medians.items():
            print(
                f"{view:<12}{median['rate']:>9.0f}{median['p50_ms']:>9.2f}{median['p99_ms']:>9.2f}"
            )
        awaited, threaded = medians["awaited"], medians["threaded"]
        print(
            f"awaited / threaded: throughput {awaited['rate'] / threaded['rate']:.2f}x, "
            f"p50 {awaited['p50_ms'] / threaded['p50_ms']:.2f}x, "
            f"p99 {awaited['p99_ms'] / threaded['p99_ms']:.2f}x"
        )
        stop(server)
        server = None
        cpu = store_cpu_per_call(f"redis://127.0.0.1:{redis_port}/0")
        print(f"\nCPU per store call, {CALLS} calls from {TASKS} tasks, median of {CPU_ROUNDS}")
        for name, value in cpu.items():
            print(f"{name:<12}{value:>8.1f} us")
        print(f"awaited / threaded: {cpu['awaited'] / cpu['threaded']:.2f}x")
    finally:
        if server is not None:
            stop(server)
        stop(redis)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
