"""Async views and their sync twins, limited per ``X-Client`` header (so a test gets fresh
counters from a new client id), and the URLconf of tests/test_limits_async.py and
tests/test_limits_clock.py, also served by uvicorn (tests/async_server_settings.py)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from django.http import JsonResponse
from django.urls import path

from api_errors.limits import Policy, enforce, quota, rate_limit

KEY = "header:x-client"
ALGORITHMS = ("fixed", "sliding", "gcra")


def both(name, decorator):
    """An async view and a sync one under one decorator: they count in the same counters."""

    @decorator
    async def async_view(request):
        await asyncio.sleep(0)
        return JsonResponse({"ok": True})

    @decorator
    def sync_view(request):
        return JsonResponse({"ok": True})

    return [
        path(f"api/async-limits/{name}/", async_view),
        path(f"api/sync-limits/{name}/", sync_view),
    ]


def client_of(group, request):
    return request.META.get("HTTP_X_CLIENT", "")


def rate_of(group, request):
    return "2/m"


@dataclass(frozen=True)
class OwnPolicy(Policy):
    """A policy class of one's own: its slot() might do anything (use the database)."""

    def slot(self, value, request, now):
        return 2, self.counted_slot(value, 2, "2/m")


@rate_limit(group="al-raises", key=KEY, rate="2/m")
async def raising_view(request):
    raise RuntimeError("the view failed")


urlpatterns = [
    path("api/async-limits/raises/", raising_view),
    *(
        route
        for algorithm in ALGORITHMS
        for route in [
            *both(
                algorithm,
                rate_limit(group=f"al-{algorithm}", key=KEY, rate="2/m", algorithm=algorithm),
            ),
            *both(
                f"{algorithm}/hundred",
                rate_limit(group=f"al-{algorithm}-100", key=KEY, rate="100/h", algorithm=algorithm),
            ),
        ]
    ),
    *both("user-or-ip", rate_limit(group="al-user-or-ip", key="user_or_ip", rate="2/m")),
    *both("callable-key", rate_limit(group="al-callable-key", key=client_of, rate="2/m")),
    *both("callable-rate", rate_limit(group="al-callable-rate", key=KEY, rate=rate_of)),
    *both("post-only", rate_limit(group="al-post-only", key=KEY, rate="2/m", method="POST")),
    *both("own-policy", enforce(OwnPolicy(group="al-own-policy", key=KEY))),
    # Two windows of five minutes: servers seven minutes apart are never in the same one.
    *both("five-minutes", rate_limit(group="al-five-minutes", key=KEY, rate="2/5m")),
    *both("month", quota(group="al-month", key=KEY, limit=2)),
    *both("thirty-days", quota(group="al-thirty-days", key=KEY, limit=2, period="30d")),
]
