"""What the benchmarks share: a Django set up in-process, WSGI requests without a server,
and variants timed in interleaved, shuffled batches so machine noise hits them alike."""

from __future__ import annotations

import argparse
import gc
import io
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def arguments(
    description: str, requests: int, rounds: int, parser: argparse.ArgumentParser | None = None
) -> argparse.Namespace:
    parser = parser or argparse.ArgumentParser(description=description)
    parser.add_argument("--requests", type=int, default=requests, help="requests per batch")
    parser.add_argument("--rounds", type=int, default=rounds, help="shuffled rounds of batches")
    return parser.parse_args()


def configure_django(urlconf: str, **overrides: Any) -> None:
    """Minimal settings for serving ``urlconf``'s views; the script is its own URLconf."""
    import django
    from django.conf import settings

    sys.modules.setdefault(urlconf, sys.modules["__main__"])
    settings.configure(
        **{
            "DEBUG": False,
            "SECRET_KEY": "benchmark",
            "ALLOWED_HOSTS": ["*"],
            "ROOT_URLCONF": urlconf,
            "DATABASES": {},
            "LOGGING_CONFIG": None,
            **overrides,
        }
    )
    django.setup()


def wsgi_environ(path_info: str, **extra: Any) -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path_info,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.url_scheme": "http",
        **extra,
    }


def interleaved(
    variants: dict[str, Callable[[], None]], requests: int, rounds: int
) -> dict[str, float]:
    """Median microseconds per request of each variant: ``rounds`` rounds in which every
    variant serves one batch of ``requests``, in a new random order each round. A first
    round warms caches and connections and is not counted."""
    samples: dict[str, list[float]] = {name: [] for name in variants}
    order = list(variants)
    for round_number in range(rounds + 1):
        random.shuffle(order)
        for name in order:
            serve = variants[name]
            start = time.perf_counter()
            for _ in range(requests):
                serve()
            elapsed = time.perf_counter() - start
            if round_number:
                samples[name].append(elapsed / requests * 1e6)
    return {name: statistics.median(values) for name, values in samples.items()}


# --- instruction counts -------------------------------------------------------------------
# The measuring process runs under valgrind's callgrind, which dumps its counters each time
# the marker function is entered. Wall clocks on a shared machine wander; these counts do not.
MARKER = "getppid"
CHILD_FLAG = "--callgrind-child"


def mark() -> None:
    """A region boundary: callgrind dumps (and resets) its counters on entering getppid."""
    os.getppid()


def in_callgrind_child() -> bool:
    return CHILD_FLAG in sys.argv


def measured_regions(regions: list[tuple[str, Callable[[], None], int, int]]) -> None:
    """In the child: for each ``(label, call, warmup, count)``, ``warmup`` unmeasured calls,
    then ``count`` calls between two marks. The cyclic garbage collector is off, so no
    region pays for a collection that another's garbage triggered."""
    gc.disable()
    for _label, call, warmup, count in regions:
        gc.collect()
        for _ in range(warmup):
            call()
        mark()
        for _ in range(count):
            call()
        mark()


def count_instructions(
    script: str, labels_and_counts: list[tuple[str, int]], *extra_args: str
) -> dict[str, float]:
    """Run ``script`` (which calls ``measured_regions`` with these labels in this order)
    under callgrind; instructions per call of each region."""
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind)")
    with tempfile.TemporaryDirectory() as directory:
        out = Path(directory) / "callgrind.out"
        subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                f"--dump-before={MARKER}",
                f"--callgrind-out-file={out}",
                sys.executable,
                script,
                CHILD_FLAG,
                *extra_args,
            ],
            check=True,
            env={**os.environ, "PYTHONHASHSEED": "0"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        # Dump 1 is start-up; then each region is a warm-up dump followed by its own.
        totals: dict[int, int] = {}
        for part in Path(directory).glob("callgrind.out.*"):
            number = int(part.name.rsplit(".", 1)[1])
            for line in part.read_text().splitlines():
                if line.startswith("totals:"):
                    totals[number] = int(line.split()[1])
        return {
            label: totals[2 * index + 2] / count
            for index, (label, count) in enumerate(labels_and_counts)
        }


def thousands(instructions: float) -> str:
    return f"{instructions / 1000:,.0f}k"


# --- servers --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(port: int, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing listens on {port} after {seconds}s")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def serve_example(
    env: dict[str, str], port: int, workers: int, log: Any = subprocess.DEVNULL
) -> subprocess.Popen[bytes]:
    """Migrate and seed the example's database, then serve it with gunicorn as ``make
    serve`` does, and wait until it listens. The caller stops it."""
    for command in (["migrate", "--noinput"], ["seed_demo"]):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
    gunicorn = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "example_project.wsgi",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    wait_for(port)
    return gunicorn


def start_redis(port: int, workdir: Path) -> subprocess.Popen[bytes]:
    """A redis-server of the benchmark's own on a loopback port, saving nothing."""
    return subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""],
        cwd=workdir,
        stdout=subprocess.DEVNULL,
    )


# --- load -------------------------------------------------------------------------------


@dataclass(frozen=True)
class WrkRun:
    """What one wrk run reports."""

    rate: float  # requests per second
    requests: int
    refused: int  # responses that were not 2xx or 3xx
    p50_ms: float
    p99_ms: float


LATENCY_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _percentile_ms(output: str, percent: int) -> float:
    found = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
    if found is None:
        raise SystemExit(f"wrk reported no {percent}th percentile:\n{output}")
    return float(found.group(1)) * LATENCY_UNITS[found.group(2)]


def wrk(
    url: str,
    seconds: int,
    connections: int,
    headers: list[str] | None = None,
    *,
    threads: int = 2,
    script: Path | None = None,
) -> WrkRun:
    """Load ``url`` with wrk for ``seconds`` (``script``: a Lua script shaping requests)."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for header in headers or []:
        command += ["-H", header]
    if script is not None:
        command += ["-s", str(script)]
    output = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True, timeout=seconds + 30
    ).stdout
    refused = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return WrkRun(
        rate=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
        requests=int(re.search(r"(\d+) requests in", output).group(1)),  # type: ignore[union-attr]
        refused=int(refused.group(1)) if refused else 0,
        p50_ms=_percentile_ms(output, 50),
        p99_ms=_percentile_ms(output, 99),
    )
