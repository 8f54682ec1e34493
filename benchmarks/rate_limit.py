"""Per-request cost of a rate-limited DRF view on Redis, against the same view unlimited.

Every variant serves a DRF view through Django's WSGI handler with Django's RedisCache
at ``REDIS_URL`` (default redis://127.0.0.1:6379/13). Variants run interleaved in
shuffled rounds; the report gives the median time per request, the ratio to the
unlimited view, and the Redis round trips per request, counted on the connection.

    python benchmarks/rate_limit.py [--requests 200] [--rounds 40]
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

from django.urls import path
from harness import arguments, configure_django, interleaved, wsgi_environ

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/13")
HUGE_RATE = "100000000/h"  # never reached: every request is counted and admitted


def configure() -> None:
    configure_django(
        __name__,
        INSTALLED_APPS=["rest_framework", "api_errors"],
        MIDDLEWARE=["api_errors.middleware.APIErrorsMiddleware"],
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": REDIS_URL,
            }
        },
        REST_FRAMEWORK={
            "EXCEPTION_HANDLER": "api_errors.handlers.exception_handler",
            "DEFAULT_AUTHENTICATION_CLASSES": [],
            "DEFAULT_PERMISSION_CLASSES": [],
            "UNAUTHENTICATED_USER": None,
            "DEFAULT_THROTTLE_RATES": {"anon": HUGE_RATE},
        },
    )


def build_urls() -> list[Any]:
    from django.utils.decorators import method_decorator
    from django_ratelimit.decorators import ratelimit
    from rest_framework.response import Response
    from rest_framework.throttling import AnonRateThrottle
    from rest_framework.views import APIView

    from api_errors.limits import rate_limit

    class Unlimited(APIView):
        def get(self, request: Any) -> Response:
            return Response({"ok": True})

    class ApiErrorsLimited(Unlimited):
        @rate_limit(group="bench-api-errors", key="ip", rate=HUGE_RATE)
        def get(self, request: Any) -> Response:
            return Response({"ok": True})

    class RatelimitDecorated(Unlimited):
        @method_decorator(ratelimit(group="bench-ratelimit", key="ip", rate=HUGE_RATE))
        def get(self, request: Any) -> Response:
            return Response({"ok": True})

    class DrfThrottled(Unlimited):
        throttle_classes = [AnonRateThrottle]

    return [
        path("api/unlimited/", Unlimited.as_view()),
        path("api/api-errors/", ApiErrorsLimited.as_view()),
        path("api/django-ratelimit/", RatelimitDecorated.as_view()),
        path("api/drf-throttle/", DrfThrottled.as_view()),
    ]


VARIANTS = {
    "unlimited": "/api/unlimited/",
    "api_errors rate_limit": "/api/api-errors/",
    "django-ratelimit @ratelimit": "/api/django-ratelimit/",
    "DRF AnonRateThrottle": "/api/drf-throttle/",
}


class RoundTrips:
    """Counts commands sent to Redis (a pipeline is sent once: one round trip)."""

    def __init__(self) -> None:
        import redis.connection

        self.count = 0
        original = redis.connection.AbstractConnection.send_packed_command

        def counting(connection: Any, command: Any, check_health: bool = True) -> Any:
            self.count += 1
            return original(connection, command, check_health)

        redis.connection.AbstractConnection.send_packed_command = counting  # type: ignore[method-assign]


def main() -> None:
    args = arguments((__doc__ or "").splitlines()[0], requests=200, rounds=40)
    configure()
    globals()["urlpatterns"] = build_urls()

    from django.core.cache import cache
    from django.core.handlers.wsgi import WSGIHandler

    try:
        cache.clear()
    except Exception as exc:
        sys.exit(f"Redis is not reachable at {REDIS_URL}: {exc}")

    handler = WSGIHandler()
    trips = RoundTrips()

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        assert status.startswith("200"), status

    served: dict[str, int] = dict.fromkeys(VARIANTS, 0)
    round_trips: dict[str, int] = dict.fromkeys(VARIANTS, 0)

    def server_of(name: str, path_info: str) -> Callable[[], None]:
        def serve() -> None:
            before = trips.count
            for _ in handler(wsgi_environ(path_info), start_response):
                pass
            round_trips[name] += trips.count - before
            served[name] += 1

        return serve

    variants = {name: server_of(name, path_info) for name, path_info in VARIANTS.items()}
    medians = interleaved(variants, args.requests, args.rounds)
    baseline = medians["unlimited"]
    print(f"Redis at {REDIS_URL}; {args.rounds} rounds x {args.requests} requests")
    print(f"{'variant':<30}{'us/request':>12}{'ratio':>8}{'round trips':>13}")
    for name, value in medians.items():
        per_request = round_trips[name] / served[name]
        print(f"{name:<30}{value:>12.1f}{value / baseline:>8.2f}{per_request:>13.2f}")


if __name__ == "__main__":
    main()
