"""The ASGI application that benchmarks/async_limits.py serves under uvicorn.

Three async views on Django's RedisCache at ``REDIS_URL``, each counted per ``X-Client``:
``/awaited/`` limited by ``rate_limit`` (the store awaited on the event loop),
``/threaded/`` counting the same limit as async views did before, the sync store called
through ``sync_to_async`` in a worker thread, and ``/unlimited/``.
"""

from __future__ import annotations

import os
from typing import Any

from harness import configure_django

RATE = "1000000/h"  # never reached: every request is counted and admitted
KEY = "header:x-client"

configure_django(
    __name__,
    INSTALLED_APPS=["rest_framework", "api_errors"],
    MIDDLEWARE=["api_errors.middleware.APIErrorsMiddleware"],
    API_ERRORS={"LIMITS_AWAIT_STORE": True},
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    },
)

from asgiref.sync import sync_to_async  # noqa: E402  (Django is configured first)
from django.core.asgi import get_asgi_application  # noqa: E402
from django.http import JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402

from api_errors.limits import RateLimitPolicy, rate_limit  # noqa: E402

THREADED = RateLimitPolicy(group="bench-threaded", key=KEY, rate=RATE)


@rate_limit(group="bench-awaited", key=KEY, rate=RATE)
async def awaited(request: Any) -> JsonResponse:
    return JsonResponse({"ok": True})


async def threaded(request: Any) -> JsonResponse:
    await sync_to_async(THREADED.enforce, thread_sensitive=False)(request)
    return JsonResponse({"ok": True})


async def unlimited(request: Any) -> JsonResponse:
    return JsonResponse({"ok": True})


urlpatterns = [
    path("awaited/", awaited),
    path("threaded/", threaded),
    path("unlimited/", unlimited),
]

application = get_asgi_application()
