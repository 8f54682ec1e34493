"""Views for the tracing integrations' tests: ones that send an event of their own."""

from __future__ import annotations

import asyncio

import sentry_sdk
from django.http import JsonResponse


def capture_message(request):
    """A request that succeeds but still sends Sentry an event."""
    sentry_sdk.capture_message("a message from a view")
    return JsonResponse({"ok": True})


async def async_capture_message(request):
    await asyncio.sleep(0)
    sentry_sdk.capture_message("a message from an async view")
    return JsonResponse({"ok": True})
