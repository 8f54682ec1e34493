"""schemathesis against the example's real server: the schema promises what the server sends.

One server per style (seeded SQLite copy, DEBUG off), fuzzed with the demo key and without a
key. Every response must be documented: status, content type, body and headers; no 5xx but
the 502 the search documents (schemathesis.toml beside this file).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from example_project.drive.management.commands.seed_demo import DEMO_KEY
from tests.example.support import STYLES, copy_db, example_server

pytestmark = pytest.mark.slow

CONFIG = Path(__file__).with_name("schemathesis.toml")
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "ignored_auth",
    "unsupported_method",
    "allow_header_conformance",
    "missing_required_header",
)
MAX_EXAMPLES = 10
SEED = 20300612
REQUEST_TIMEOUT = 5
# Without a key every request ends at authentication: the coverage phase's hundreds of
# boundary and negative cases would only repeat the 401, so that run skips it.
NO_KEY_PHASES = "examples,fuzzing"
# A hard bound on one schemathesis run; a run takes 5 to 20 s.
RUN_TIMEOUT = 60
# runserver's access log: "GET /api/search/?q=fail HTTP/1.1" 502 94
ACCESS_LINE = re.compile(r'"([A-Z]+) (/[^ ?"]*)(?:\?[^ "]*)? HTTP/1\.[01]" (\d{3}) ')


def schemathesis_command(schema_url, *options):
    return [
        *(sys.executable, "-m", "schemathesis.cli", "--config-file", str(CONFIG), "run"),
        schema_url,
        *("--checks", ",".join(CHECKS)),
        *("--max-examples", str(MAX_EXAMPLES), "--seed", str(SEED)),
        *("--request-timeout", str(REQUEST_TIMEOUT), "--workers", "1"),
        *("--generation-database", "none", "--no-color"),
        *options,
    ]


def loopback_env():
    """The environment less any proxy (loopback only) and any SCHEMATHESIS_* setting."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.lower().endswith("_proxy") and not name.startswith("SCHEMATHESIS_")
    }
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    return env


def run_schemathesis(command, cwd):
    try:
        return subprocess.run(
            command,
            cwd=cwd,
            env=loopback_env(),
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:  # run() has killed it
        pytest.fail(f"schemathesis ran over {RUN_TIMEOUT}s:\n{exc.stdout}\n{exc.stderr}")


def server_errors(log, limit=200):
    """The server's own lines (tracebacks, error logs) without the access lines."""
    lines = [line for line in log.splitlines() if not ACCESS_LINE.search(line)]
    return "server log, access lines left out:\n" + "\n".join(lines[-limit:])


def served(log):
    """``Counter`` of ``(method, path, status)`` in a runserver log."""
    return Counter(ACCESS_LINE.findall(log))


@pytest.fixture(scope="module", params=STYLES)
def server(request, seeded_db, tmp_path_factory):
    """The example in one style, shared by the runs with and without the key."""
    directory = tmp_path_factory.mktemp(f"fuzz-{request.param}")
    db_path = copy_db(seeded_db, directory)
    with example_server(request.param, db_path, directory / "server.log") as server:
        yield server


@pytest.mark.parametrize("with_key", [True, False], ids=["demo-key", "no-key"])
def test_every_response_is_what_the_schema_documents(server, with_key, tmp_path):
    if with_key:
        options = ("--header", f"Authorization: Bearer {DEMO_KEY}")
    else:
        options = ("--phases", NO_KEY_PHASES)
    command = schemathesis_command(f"{server.base}/api/schema/", *options)
    already_served = len(server.log())

    result = run_schemathesis(command, tmp_path)
    log = server.log()[already_served:]
    report = f"$ {' '.join(command)}\n{result.stdout}\n{result.stderr}\n{server_errors(log)}"
    print(report)
    assert result.returncode == 0, report
    assert "6 selected / 6 total" in result.stdout, report

    requests = served(log)
    statuses = Counter(
        status for (_method, path, status) in requests.elements() if path != "/api/schema/"
    )
    assert not [status for status in statuses if status.startswith("5") and status != "502"]
    if with_key:
        # The key gets past authentication to the views, the plans and the 502 of the search.
        assert {"200", "201", "404", "409"} <= set(statuses), statuses
        assert requests["GET", "/api/search/", "429"], requests
        assert requests["GET", "/api/search/", "502"], requests
    else:
        # Nothing gets past authentication: 401, or 404 for an id that is not a number.
        assert set(statuses) <= {"401", "404"}, statuses
        assert statuses["401"], statuses
