"""Instructions per request of the example's over-limit flood against ``/api/errors/``,
in one process, through the example's own WSGI application.

``flood.py`` measures the same ratio with wrk against gunicorn, PostgreSQL and Redis, but
wall clocks on a shared machine move by a tenth from run to run. Here each request is
counted by callgrind: the demo key (its rate set to 5 an hour, so no window ends during
the count) is first pushed past its rate, then every counted search is a 429 that the
process answers from its remembered refusal. The example's settings are used as they are
(SQLite, local-memory cache, its log format and handlers), so each 429 pays for its log
record as a server does. The ratio of instructions estimates the ratio of throughputs.

    python benchmarks/over_limit.py
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from harness import (
    CHILD_FLAG,
    ROOT,
    count_instructions,
    in_callgrind_child,
    measured_regions,
    thousands,
    wsgi_environ,
)

KEY = "demo-key-123"
COUNT = 60
WARMUP = 20
TARGETS = {
    "/api/errors/": ("/api/errors/", {}),
    "over-limit /api/search/": (
        "/api/search/",
        {"QUERY_STRING": "q=report", "HTTP_AUTHORIZATION": f"Bearer {KEY}"},
    ),
}


def serve() -> Any:
    """The example's WSGI application on a fresh SQLite database, seeded."""
    sys.path.insert(0, str(ROOT))
    directory = tempfile.mkdtemp(prefix="api_errors_over_limit_")
    atexit.register(shutil.rmtree, directory, True)
    os.environ["EXAMPLE_DB_PATH"] = str(Path(directory) / "db.sqlite3")
    os.environ["DJANGO_SETTINGS_MODULE"] = "example_project.settings"
    from django.core.management import call_command

    from example_project.wsgi import application

    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    from example_project.drive.models import ApiKey

    ApiKey.objects.filter(key=KEY).update(rate="5/h")
    return application


def regions(statuses: dict[str, list[int]]) -> list[tuple[str, Any, int, int]]:
    application = serve()

    def request(label: str, path: str, extra: dict[str, str]) -> Any:
        def call() -> None:
            status: list[str] = []
            body = application(
                wsgi_environ(path, **extra), lambda line, headers: status.append(line)
            )
            for _ in body:
                pass
            body.close()
            statuses[label].append(int(status[0][:3]))

        return call

    return [
        (label, request(label, path, extra), WARMUP, COUNT)
        for label, (path, extra) in TARGETS.items()
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(CHILD_FLAG, action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--statuses", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if in_callgrind_child():
        statuses: dict[str, list[int]] = {label: [] for label in TARGETS}
        measured_regions(regions(statuses))
        Path(args.statuses).write_text(json.dumps(statuses))
        return
    with tempfile.TemporaryDirectory() as directory:
        recorded = Path(directory) / "statuses.json"
        counts = count_instructions(
            __file__, [(label, COUNT) for label in TARGETS], "--statuses", str(recorded)
        )
        statuses = json.loads(recorded.read_text())
    # Only the counted calls (the last COUNT) must be what they claim to be.
    expected = {"/api/errors/": 200, "over-limit /api/search/": 429}
    for label, status in expected.items():
        counted = set(statuses[label][-COUNT:])
        if counted != {status}:
            raise SystemExit(f"{label}: expected only {status}s, got {sorted(counted)}")
    print("Instructions per request through the example's WSGI application (callgrind)")
    for label in TARGETS:
        print(f"  {label:<26} {thousands(counts[label]):>8}")
    ratio = counts["/api/errors/"] / counts["over-limit /api/search/"]
    print(f"estimated throughput ratio (flood / catalog): {ratio:.2f}")


if __name__ == "__main__":
    main()
