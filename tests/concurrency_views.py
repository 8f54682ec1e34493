"""Views under concurrency limits: plain, async, raising, streaming, DRF with the decorator
and with the throttle, in shadow mode, with a short lease and with a long hint.

Every view counts per ``X-Client`` header, so a test gets fresh leases from a new client id
and never clears a cache shared with other runs. A request with an ``X-Hold`` header stays
in the view until the test releases the ``Hold`` of that name, holding its place meanwhile.
"""

from __future__ import annotations

import asyncio
import threading

from django.http import JsonResponse, StreamingHttpResponse
from rest_framework import exceptions as drf
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from api_errors.limits import ConcurrencyThrottle, concurrency_limit

KEY = "header:x-client"
# Long enough for any test; a dead worker's test names a short one of its own.
WAIT = 10


class Hold:
    """One request kept in its view: ``entered`` once the view runs, answered on ``release``."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()


HOLDS: dict[str, Hold] = {}


def hold_of(request):
    return HOLDS.get(request.META.get("HTTP_X_HOLD", ""))


def stay(request):
    hold = hold_of(request)
    if hold is not None:
        hold.entered.set()
        hold.release.wait(WAIT)


async def stay_async(request):
    hold = hold_of(request)
    if hold is not None:
        hold.entered.set()
        await asyncio.to_thread(hold.release.wait, WAIT)


@concurrency_limit(group="cc-plain", key=KEY, limit=2)
def plain_view(request):
    stay(request)
    return JsonResponse({"ok": True})


@concurrency_limit(group="cc-async", key=KEY, limit=2)
async def async_view(request):
    await stay_async(request)
    return JsonResponse({"ok": True})


@concurrency_limit(group="cc-raises", key=KEY, limit=1)
def raising_view(request):
    stay(request)
    raise RuntimeError("the view failed")


@concurrency_limit(group="cc-stream", key=KEY, limit=1)
def streaming_view(request):
    return StreamingHttpResponse(iter([b"one", b"two", b"three"]))


async def chunks():
    for chunk in (b"one", b"two", b"three"):
        await asyncio.sleep(0)
        yield chunk


@concurrency_limit(group="cc-async-stream", key=KEY, limit=1)
async def async_streaming_view(request):
    return StreamingHttpResponse(chunks())


@concurrency_limit(group="cc-short", key=KEY, limit=1, lease_seconds=0.5)
def short_lease_view(request):
    return JsonResponse({"ok": True})


@concurrency_limit(group="cc-hint", key=KEY, limit=1, lease_seconds=3, retry_after=10)
def long_hint_view(request):
    stay(request)
    return JsonResponse({"ok": True})


@concurrency_limit(group="cc-shadow", key=KEY, limit=1, shadow=True)
def shadow_view(request):
    stay(request)
    return JsonResponse({"ok": True})


@concurrency_limit(group="cc-plan", key=KEY, limit=lambda group, request: None)
def unlimited_plan_view(request):
    return JsonResponse({"ok": True})


@concurrency_limit(group="cc-post", key=KEY, limit=1, method="POST")
def post_only_view(request):
    stay(request)
    return JsonResponse({"ok": True})


class OkSerializer(serializers.Serializer):
    ok = serializers.BooleanField()


class OpenAPIView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []
    serializer_class = OkSerializer


class DecoratedAPIView(OpenAPIView):
    @concurrency_limit(group="cc-drf", key=KEY, limit=2)
    def get(self, request):
        stay(request)
        if request.query_params.get("missing"):
            raise drf.NotFound()
        return Response({"ok": True})


class HeldThrottle(ConcurrencyThrottle):
    group = "cc-throttle"
    key = KEY
    limit = 2


class ThrottledAPIView(OpenAPIView):
    throttle_classes = [HeldThrottle]

    def get(self, request):
        stay(request)
        if request.query_params.get("missing"):
            raise drf.NotFound()
        return Response({"ok": True})
