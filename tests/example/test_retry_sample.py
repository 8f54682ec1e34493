"""The retry sample of the "Error Handling" page, run by Node against the example server.

The sample is taken from the served page, as a client developer would copy it. The
sample sees a ``setTimeout`` that records each wait and fires at once, so the test checks
every wait against ``Retry-After`` without sleeping.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import urllib.request

import pytest

from tests.example.support import copy_db, example_server, fetch, free_port

pytestmark = pytest.mark.slow

# Runs ``apiRequest`` from the sample file on each case; prints one JSON result per case.
HARNESS = r"""
import { readFileSync } from "node:fs";

const [samplePath, casesJson] = process.argv.slice(2);
const waits = [];
let calls = 0;
const realFetch = globalThis.fetch;
globalThis.fetch = (...args) => { calls += 1; return realFetch(...args); };
// The sample's own setTimeout: records the wait and fires at once (fetch keeps the real one).
const recordingTimeout = (callback, ms) => { waits.push(ms); return setImmediate(callback); };
const sleep = (ms) => new Promise((resolve) => recordingTimeout(resolve, ms));
// A sample that declares no sleep of its own (the reference snippet) gets this one.
const body = `return (() => {\n${readFileSync(samplePath, "utf8")}\nreturn apiRequest;\n})();`;
const apiRequest = new Function("setTimeout", "sleep", body)(recordingTimeout, sleep);

const results = [];
for (const { url, headers } of JSON.parse(casesJson)) {
  calls = 0;
  waits.length = 0;
  const result = {};
  try {
    result.resolved = await apiRequest(url, { headers });
  } catch (error) {
    result.thrown = {
      name: error.name,
      status: error.status ?? null,
      code: error.code ?? null,
      correlationId: error.correlationId ?? null,
    };
  }
  result.calls = calls;
  result.waits = [...waits];
  results.push(result);
}
console.log(JSON.stringify(results));
"""

# The retry snippet of the drive reference document, as published: the negative control.
REFERENCE_SNIPPET = """
async function apiRequest(url, options, maxRetries = 3) {
  for (let i = 0; i < maxRetries; i++) {
    try {
      const response = await fetch(url, options);
      if (response.ok) {
        return await response.json();
      }
      if (response.status >= 400 && response.status < 500 && response.status !== 429) {
        throw new Error(`Client error: ${response.status}`);
      }
      if (i < maxRetries - 1) {
        await sleep(Math.pow(2, i) * 1000);
        continue;
      }
    } catch (error) {
      if (i === maxRetries - 1) throw error;
      await sleep(Math.pow(2, i) * 1000);
    }
  }
}
"""

SAMPLE = re.compile(r"<pre><code>(const RETRYABLE_CODES.*?)</code></pre>", re.S)


@pytest.fixture
def node():
    path = shutil.which("node")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("node is not installed")
        pytest.skip("node is not installed")
    return path


def run_node(node, tmp_path, sample, cases):
    sample_path = tmp_path / "sample.js"
    sample_path.write_text(sample)
    harness = tmp_path / "harness.mjs"
    harness.write_text(HARNESS)
    result = subprocess.run(
        [node, str(harness), str(sample_path), json.dumps(cases)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def served_sample(base):
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(
        f"{base}/api/docs/errors/", timeout=10
    ) as response:
        page = response.read().decode()
    match = SAMPLE.search(page)
    assert match, "the page has no retry sample"
    return html.unescape(match.group(1))


def case(base, path, correlation_id):
    return {"url": f"{base}{path}", "headers": {"X-Correlation-ID": correlation_id}}


def closed_port_case():
    return {"url": f"http://127.0.0.1:{free_port()}/api/errors/", "headers": {}}


# (path, HTTP status, code, retried) per style; every answer is a real example endpoint.
CASES = {
    "status": [
        ("/api/examples/errors/68300004/", 400, 68300004, False),
        ("/api/examples/errors/NOPE/", 404, 68300007, False),
        ("/api/examples/errors/67200002/", 403, 67200002, False),
        ("/api/examples/errors/67200007/", 429, 67200007, True),
        ("/api/examples/errors/68300005/", 502, 68300005, True),
        ("/api/examples/errors/68300008/", 503, 68300008, True),
    ],
    "success": [
        ("/api/examples/errors/INVALID_ARGUMENT/", 400, "INVALID_ARGUMENT", False),
        ("/api/examples/errors/NOPE/", 404, "NOT_FOUND", False),
        ("/api/examples/errors/QUOTA_EXCEEDED/", 402, "QUOTA_EXCEEDED", False),
        # A 4xx the catalog marks retryable.
        ("/api/examples/errors/STATE_NOT_READY/", 409, "STATE_NOT_READY", True),
        ("/api/examples/errors/INTERNAL_ERROR/", 500, "INTERNAL_ERROR", True),
    ],
}


@pytest.mark.parametrize("style", sorted(CASES))
def test_served_retry_sample_keeps_its_promises(node, style, seeded_db, tmp_path):
    with example_server(style, copy_db(seeded_db, tmp_path), tmp_path / "server.log") as server:
        sample = served_sample(server.base)
        expected = CASES[style]
        cases = [case(server.base, path, f"node-{i}") for i, (path, *_) in enumerate(expected)]
        results = run_node(
            node, tmp_path, sample, [*cases, case(server.base, "/api/errors/", "ok")]
        )
        answers = {path: fetch(f"{server.base}{path}") for path, *_ in expected}
    retry_after = {
        path: int(headers.get("Retry-After") or 0) for path, (_, headers, _) in answers.items()
    }
    assert [answers[path][0] for path, *_ in expected] == [status for _, status, *_ in expected]
    results, ok = results[:-1], results[-1]
    for i, ((path, status, code, retried), result) in enumerate(
        zip(expected, results, strict=True)
    ):
        # After the last attempt it throws, with the status, the code and the correlation id.
        assert result["thrown"] == {
            "name": "Error",
            "status": status,
            "code": code,
            "correlationId": f"node-{i}",
        }, path
        assert result["calls"] == (3 if retried else 1), path
        # Each wait is at least the server's Retry-After, and grows between attempts.
        assert len(result["waits"]) == result["calls"] - 1, path
        assert all(wait >= retry_after[path] * 1000 for wait in result["waits"]), path
        assert result["waits"] == sorted(result["waits"]), path
    assert ok["resolved"]["errors"]
    assert ok["calls"] == 1


def test_retry_sample_retries_a_refused_connection_then_throws(node, tmp_path):
    from api_errors.documentation import describe_errors

    doc = describe_errors()
    [sample] = [p.sample for p in doc.practices if "RETRYABLE_CODES" in p.sample]
    [result] = run_node(node, tmp_path, sample, [closed_port_case()])
    assert result["thrown"]["name"] == "TypeError"  # fetch's own network error
    assert result["calls"] == 3
    assert result["waits"] == [1000, 2000]


def test_the_reference_documents_snippet_fails_where_ours_holds(node, seeded_db, tmp_path):
    """The harness catches what the published snippet gets wrong."""
    with example_server("success", copy_db(seeded_db, tmp_path), tmp_path / "s.log") as server:
        bad_request, not_found, internal = run_node(
            node,
            tmp_path,
            REFERENCE_SNIPPET,
            [
                case(server.base, "/api/examples/errors/INVALID_ARGUMENT/", "a"),
                case(server.base, "/api/examples/errors/NOPE/", "b"),
                case(server.base, "/api/examples/errors/INTERNAL_ERROR/", "c"),
            ],
        )
    # Its catch catches its own throw: a 400 and a 404 are retried.
    assert bad_request["calls"] == 3
    assert not_found["calls"] == 3
    # After the last 5xx attempt it resolves undefined instead of throwing.
    assert "thrown" not in internal
    assert internal["calls"] == 3
