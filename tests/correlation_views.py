"""Views for the correlation id tests: slow sync and async readers, a logging view, headers."""

from __future__ import annotations

import asyncio
import logging
import threading
import time

from django.http import JsonResponse

from api_errors import get_correlation_id

logger = logging.getLogger("tests.correlation_views")


class InFlight:
    """Counts requests inside a slow view, so a test can show they really overlapped."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.current = 0
        self.peak = 0

    def reset(self) -> None:
        with self.lock:
            self.current = 0
            self.peak = 0

    def enter(self) -> None:
        with self.lock:
            self.current += 1
            self.peak = max(self.peak, self.current)

    def leave(self) -> None:
        with self.lock:
            self.current -= 1


in_flight = InFlight()


def _delay(request) -> float:
    return float(request.GET.get("delay", "0.005"))


def _ids(request, before):
    return {
        "before": before,
        "correlation_id": get_correlation_id(),
        "attr": request.correlation_id,
    }


async def async_slow(request):
    """Reads the id before and after awaiting, so interleaved requests would show sharing."""
    in_flight.enter()
    try:
        before = get_correlation_id()
        await asyncio.sleep(_delay(request))
        return JsonResponse(_ids(request, before))
    finally:
        in_flight.leave()


def sync_slow(request):
    in_flight.enter()
    try:
        before = get_correlation_id()
        time.sleep(_delay(request))
        return JsonResponse(_ids(request, before))
    finally:
        in_flight.leave()


def logs_inside(request):
    logger.info("inside the view")
    return JsonResponse({"correlation_id": get_correlation_id()})


def expose_set_by_view(request):
    """A view that already sets Access-Control-Expose-Headers to ``?value=``."""
    response = JsonResponse({"ok": True})
    response["Access-Control-Expose-Headers"] = request.GET["value"]
    return response


async def async_expose_set_by_view(request):
    return expose_set_by_view(request)
