"""The README's quickstart and the logging recipe (docs/correlation.md), pasted into a new
``startproject`` and served by runserver as a newcomer runs it (autoreloader on), answer
with envelopes and log their errors."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from tests.doc_pages import ROOT, python_block_starting
from tests.example.support import free_port

pytestmark = pytest.mark.slow


def pasted_settings():
    """The settings snippet merged as a user does: ``...`` stands for what is there."""
    code = python_block_starting("README.md", "# settings.py")
    code = code.replace("INSTALLED_APPS = [...,", "INSTALLED_APPS = [*INSTALLED_APPS,")
    code = re.sub(
        r"MIDDLEWARE = \[\n(.*?)    \.\.\.,\n\]",
        r"MIDDLEWARE = [\n\1    *MIDDLEWARE,\n]",
        code,
        flags=re.S,
    )
    assert "..." not in re.sub(r"#.*", "", code), code
    return code + "\n" + python_block_starting("docs/correlation.md", "LOGGING = {")


def pasted_urls():
    code = python_block_starting("README.md", "# urls.py (root URLconf)")
    return code.replace("    ...,\n", "    *urlpatterns,\n")


@pytest.fixture
def new_project(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "django", "startproject", "mysite", str(tmp_path)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    settings = tmp_path / "mysite" / "settings.py"
    settings.write_text(settings.read_text() + "\n" + pasted_settings())
    urls = tmp_path / "mysite" / "urls.py"
    urls.write_text(urls.read_text() + "\n" + pasted_urls())
    return tmp_path


def project_env():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COV_CORE_", "DJANGO_"))}
    env["PYTHONPATH"] = str(ROOT)
    return env


def get(url):
    try:
        with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(url, timeout=5) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), error.read()


def test_the_pasted_quickstart_passes_its_checks(new_project):
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=new_project,
        env=project_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "api_errors." not in result.stdout + result.stderr


def test_the_pasted_quickstart_logs_errors_under_runserver(new_project):
    port = free_port()
    log = new_project / "runserver.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}"],
            cwd=new_project,
            env=project_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # the autoreloader's child is in the same group
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, headers, body = get(f"http://127.0.0.1:{port}/api/no/such/page/")
                break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        catalog_status, _, _ = get(f"http://127.0.0.1:{port}/api/errors/")
        time.sleep(0.5)  # the log line is written after the response
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)
    assert status == 404
    assert headers["Content-Type"] == "application/json"
    assert body == b'{"status":false,"error_code":68300007,"error_message":"Bad request!"}'
    assert catalog_status == 200
    correlation_id = headers["X-Correlation-ID"]
    lines = log.read_text()
    # The app's own record, through the snippet's handler and correlation filter.
    assert re.search(
        rf"WARNING \[{correlation_id}\] api_errors: GET /api/no/such/page/ -> 404 "
        rf"error_code=68300007 correlation_id={correlation_id}",
        lines,
    ), lines
