"""Per-request cost of a rate-limited DRF view on Redis, against the same view unlimited.

Every variant serves a DRF view through Django's WSGI handler with Django's RedisCache
at ``REDIS_URL`` (default redis://127.0.0.1:6379/13). Variants run interleaved in
shuffled rounds; the report gives the median time per request, the ratio to the
unlimited view, and the Redis round trips per request, counted on the connection.

    python benchmarks/rate_limit.py [--requests 200] [--rounds 40]
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django
from django.conf import settings
from django.urls import path

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/13")
HUGE_RATE = "100000000/h"  # never reached: every request is counted and admitted


def configure() -> None:
    sys.modules.setdefault(__name__, sys.modules["__main__"])
    settings.configure(
        DEBUG=False,
        SECRET_KEY="benchmark",
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=["rest_framework", "api_errors"],
        MIDDLEWARE=["api_errors.middleware.ApiErrorsMiddleware"],
        DATABASES={},
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
        LOGGING_CONFIG=None,
    )
    django.setup()


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


def environ(path_info: str) -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path_info,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.url_scheme": "http",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per batch")
    parser.add_argument("--rounds", type=int, default=40, help="shuffled rounds of batches")
    args = parser.parse_args()
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

    def serve(path_info: str) -> None:
        for _ in handler(environ(path_info), start_response):
            pass

    samples: dict[str, list[float]] = {name: [] for name in VARIANTS}
    round_trips: dict[str, int] = dict.fromkeys(VARIANTS, 0)
    order = list(VARIANTS)
    for round_number in range(args.rounds + 1):
        random.shuffle(order)
        for name in order:
            before = trips.count
            start = time.perf_counter()
            for _ in range(args.requests):
                serve(VARIANTS[name])
            elapsed = time.perf_counter() - start
            if round_number:  # the first round warms connections and is dropped
                samples[name].append(elapsed / args.requests * 1e6)
                round_trips[name] += trips.count - before

    served = args.rounds * args.requests
    baseline = statistics.median(samples["unlimited"])
    print(f"Redis at {REDIS_URL}; {args.rounds} rounds x {args.requests} requests")
    print(f"{'variant':<30}{'us/request':>12}{'ratio':>8}{'round trips':>13}")
    run: Callable[[str], float] = lambda name: statistics.median(samples[name])  # noqa: E731
    for name in VARIANTS:
        value = run(name)
        print(
            f"{name:<30}{value:>12.1f}{value / baseline:>8.2f}{round_trips[name] / served:>13.2f}"
        )


if __name__ == "__main__":
    main()
