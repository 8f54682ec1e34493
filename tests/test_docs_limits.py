"""docs/limits.md's problem types of the limits are what the server sends."""

from __future__ import annotations

import json
import re
import sys
import types
import uuid
from pathlib import Path

from django.http import JsonResponse
from django.test import override_settings
from django.urls import path

from api_errors.limits import rate_limit

PAGE = (Path(__file__).resolve().parent.parent / "docs" / "limits.md").read_text(encoding="utf-8")
SECTION = PAGE.split("## Problem types of the limits", 1)[1].split("\n## ", 1)[0]
CLOSED_PORT = "redis://127.0.0.1:1/0"


def quoted_bodies():
    """The JSON bodies of the section's two examples: the 429, then the 503."""
    return [json.loads(line) for line in re.findall(r"^\{.*\}$", SECTION, re.M)]


def serve(monkeypatch):
    @rate_limit(group="search", key="ip", rate="5/10s")
    def search(request):
        return JsonResponse({"ok": True})

    name = f"tests.docs_limits_urlconf_{uuid.uuid4().hex}"
    module = types.ModuleType(name)
    module.urlpatterns = [path("api/search/", search)]
    monkeypatch.setitem(sys.modules, name, module)
    return name


def test_the_quoted_refusal_is_what_the_server_sends(client, monkeypatch):
    refusal, _outage = quoted_bodies()
    address = "10.{}.{}.{}".format(*uuid.uuid4().bytes[:3])
    with override_settings(ROOT_URLCONF=serve(monkeypatch), API_ERRORS={"STYLE": "problem"}):
        responses = [client.get("/api/search/", REMOTE_ADDR=address) for _ in range(6)]

    assert [response.status_code for response in responses] == [200] * 5 + [429]
    assert responses[-1].json() == refusal
    assert responses[-1]["RateLimit-Policy"] == '"search";q=5;w=10'
    assert "HTTP/1.1 429 Too Many Requests" in SECTION


def test_the_quoted_outage_is_what_the_server_sends(client, monkeypatch):
    _refusal, outage = quoted_bodies()
    closed = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache"}}
    closed["default"]["LOCATION"] = CLOSED_PORT
    with override_settings(
        ROOT_URLCONF=serve(monkeypatch),
        CACHES=closed,
        API_ERRORS={"STYLE": "problem", "LIMITS_FAIL_OPEN": False},
    ):
        response = client.get("/api/search/")

    assert response.status_code == 503
    assert response.json() == outage
