"""docs/limit-algorithms.md is checked against the code: its checks table, its numbers, its
snippets and the responses it quotes."""

from __future__ import annotations

import re
import sys
import types
import uuid
from pathlib import Path

import pytest
from django.http import JsonResponse, StreamingHttpResponse
from django.test import override_settings
from django.urls import path
from rest_framework.views import APIView

from api_errors.checks.base import PREFIX, PROBLEMS
from api_errors.limits import concurrency_limit, rate_limit
from api_errors.limits.algorithms import SLIDING_LIMIT_MAX

PAGE = (Path(__file__).resolve().parent.parent / "docs" / "limit-algorithms.md").read_text(
    encoding="utf-8"
)


def python_blocks():
    return re.findall(r"```python\n(.*?)```", PAGE, re.S)


def test_the_checks_table_is_the_table_of_ids():
    section = PAGE.split("## Checks", 1)[1]
    rows = re.findall(r"^\| `([^`]+)` \| (.+) \|$", section, re.M)
    assert rows == [(PREFIX + i, PROBLEMS[i]) for i in ("E037", "E038", "E043", "W005", "W007")]


def test_the_sliding_maximum_is_the_codes():
    assert f"above **{SLIDING_LIMIT_MAX:,}**" in PAGE


def test_every_snippet_runs_and_declares_what_it_says(monkeypatch):
    modules = []
    for index, source in enumerate(python_blocks()):
        module = types.ModuleType(f"docs_snippet_{index}")
        module.APIView = APIView
        exec(compile(source, "docs/limit-algorithms.md", "exec"), module.__dict__)
        monkeypatch.setitem(sys.modules, module.__name__, module)
        modules.append(module)

    def declared(function):
        return [(p.group, p.algorithm, p.burst, p.shadow) for p in function.api_errors_limits]

    first, declaring, concurrent, shadow = modules
    assert declared(first.SearchView.get) == [
        ("search-monthly", "fixed", None, False),
        ("search-burst", "gcra", 3, False),
        ("search", "sliding", None, False),
    ]
    assert declared(declaring.export) == [("export", "gcra", 2, False)]
    assert declared(declaring.upload) == [
        ("upload", "sliding", None, False),
        ("upload-daily", "fixed", None, True),
    ]
    throttle = declaring.SearchThrottle().policy(None)
    assert (throttle.group, throttle.algorithm, throttle.shadow) == ("search", "sliding", False)
    assert declared(shadow.upload) == [("upload", "sliding", None, True)]

    def leases(function):
        return [(p.group, p.key, p.limit, p.lease_seconds) for p in function.api_errors_limits]

    assert leases(concurrent.export) == [("exports", "user", 2, 60)]
    assert leases(concurrent.upload) == [("uploads", "ip", 4, 300)]
    report = concurrent.ReportThrottle().policy(None)
    assert (report.group, report.limit, report.algorithm) == ("reports", 1, "concurrency")


def quoted_responses(first_words):
    """The response lines of the block that follows the paragraph starting ``first_words``."""
    block = PAGE.split(first_words, 1)[1].split("```\n", 1)[1].split("```", 1)[0]
    return [line.split() for line in block.strip().splitlines()]


def serve(monkeypatch, view):
    name = f"tests.docs_urlconf_{uuid.uuid4().hex}"
    module = types.ModuleType(name)
    module.urlpatterns = [path("api/limited/", view)]
    monkeypatch.setitem(sys.modules, name, module)
    return name


def fields(response):
    found = [response.status_code]
    for header in ("RateLimit-Policy", "RateLimit", "Retry-After"):
        if header in response:
            found.append(f"{header}: {response[header]}")
    return found


def as_quoted(line):
    """A quoted line, ``200  RateLimit-Policy: "search";q=5;w=10 ...``, as ``fields`` gives it."""
    status, *rest = line
    return [int(status), *(f"{rest[i]} {rest[i + 1]}" for i in range(0, len(rest), 2))]


@pytest.mark.parametrize(
    ("first_words", "options", "spacing"),
    [
        ('A sliding `"5/10s"`', {"group": "search", "algorithm": "sliding"}, 1.0),
        (
            'A GCRA `"5/10s"` with `burst=2`',
            {"group": "export", "algorithm": "gcra", "burst": 2},
            0,
        ),
    ],
)
def test_the_quoted_responses_are_what_the_server_sends(
    client, clock, monkeypatch, first_words, options, spacing
):
    @rate_limit(key="ip", rate="5/10s", **options)
    def view(request):
        return JsonResponse({"ok": True})

    quoted = [as_quoted(line) for line in quoted_responses(first_words)]
    address = "10.{}.{}.{}".format(*uuid.uuid4().bytes[:3])  # a client of its own
    start = clock.now
    sent = []
    with override_settings(
        ROOT_URLCONF=serve(monkeypatch, view), API_ERRORS={"RATE_LIMIT_HEADERS_ON_SUCCESS": True}
    ):
        for index in range(len(quoted)):
            clock.now = start + index * spacing
            sent.append(fields(client.get("/api/limited/", REMOTE_ADDR=address)))

    assert sent == quoted


def test_the_quoted_concurrency_responses_are_what_the_server_sends(client, monkeypatch):
    """Two exports whose streams are still being read are two in progress; then a third."""

    @concurrency_limit(group="exports", key="ip", limit=2)
    def export(request):
        return StreamingHttpResponse(iter([b"a", b"b"]))

    quoted = [as_quoted(line) for line in quoted_responses("Two exports in progress")]
    address = "10.{}.{}.{}".format(*uuid.uuid4().bytes[:3])
    with override_settings(
        ROOT_URLCONF=serve(monkeypatch, export), API_ERRORS={"RATE_LIMIT_HEADERS_ON_SUCCESS": True}
    ):
        responses = [client.get("/api/limited/", REMOTE_ADDR=address) for _ in quoted]

    assert [fields(response) for response in responses] == quoted
