"""Per-request cost of a rate-limited DRF view on Redis, against the same view unlimited.

Every variant serves a DRF view through Django's WSGI handler with Django's RedisCache
at ``REDIS_URL`` (default redis://127.0.0.1:6379/13). The requests come from
``CLIENTS`` addresses in turn, each far below its rate, as real traffic does (one client
at a huge rate would grow DRF's per-client history without end). Variants run interleaved
in shuffled rounds; the report gives the median time per request, the ratio to the
unlimited view, and the Redis round trips per request, counted on the connection.

It then counts, with callgrind, the client-side instructions of one bare redis-py PING
and of one ``rate_limit`` check (``RateLimitPolicy.count``) on the same Redis.

    python benchmarks/rate_limit.py [--requests 200] [--rounds 40] [--no-instructions]
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
from collections.abc import Callable
from typing import Any

from django.urls import path
from harness import (
    CHILD_FLAG,
    arguments,
    configure_django,
    count_instructions,
    in_callgrind_child,
    interleaved,
    measured_regions,
    thousands,
    wsgi_environ,
)

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/13")
RATE = "1000/h"  # never reached by one client here: every request is counted and admitted
CLIENTS = 1000
COUNTED_CALLS = 300


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
            "DEFAULT_THROTTLE_RATES": {"anon": RATE},
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
        @rate_limit(group="bench-api-errors", key="ip", rate=RATE)
        def get(self, request: Any) -> Response:
            return Response({"ok": True})

    class RatelimitDecorated(Unlimited):
        @method_decorator(ratelimit(group="bench-ratelimit", key="ip", rate=RATE))
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


def client_addresses() -> list[str]:
    return [f"10.{n // 65536}.{n // 256 % 256}.{n % 256}" for n in range(CLIENTS)]


def instruction_regions() -> list[tuple[str, Callable[[], object], int, int]]:
    """In the callgrind child: one PING and one ``rate_limit`` check, by many clients."""
    from django.core.cache import cache
    from django.test import RequestFactory

    from api_errors.limits import RateLimitPolicy

    client = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
    policy = RateLimitPolicy(group="bench-check", key="ip", rate=RATE)
    factory = RequestFactory()
    requests = itertools.cycle([factory.get("/", REMOTE_ADDR=a) for a in client_addresses()])
    # Every client calls once before counting: a client's window key and address are then
    # known, as they are for a returning client in its window.
    return [
        ("redis-py PING", client.ping, 100, COUNTED_CALLS),
        ("rate_limit check", lambda: policy.count(next(requests)), CLIENTS, COUNTED_CALLS),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--no-instructions", action="store_true")
    parser.add_argument(CHILD_FLAG, action="store_true", help=argparse.SUPPRESS)
    args = arguments("", requests=200, rounds=40, parser=parser)
    configure()
    globals()["urlpatterns"] = build_urls()

    from django.core.cache import cache
    from django.core.handlers.wsgi import WSGIHandler

    try:
        cache.clear()
    except Exception as exc:
        sys.exit(f"Redis is not reachable at {REDIS_URL}: {exc}")
    if in_callgrind_child():
        measured_regions(instruction_regions())
        return

    handler = WSGIHandler()
    trips = RoundTrips()
    addresses = itertools.cycle(client_addresses())

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        assert status.startswith("200"), status

    served: dict[str, int] = dict.fromkeys(VARIANTS, 0)
    round_trips: dict[str, int] = dict.fromkeys(VARIANTS, 0)

    def server_of(name: str, path_info: str) -> Callable[[], None]:
        def serve() -> None:
            before = trips.count
            environ = wsgi_environ(path_info, REMOTE_ADDR=next(addresses))
            for _ in handler(environ, start_response):
                pass
            round_trips[name] += trips.count - before
            served[name] += 1

        return serve

    variants = {name: server_of(name, path_info) for name, path_info in VARIANTS.items()}
    medians = interleaved(variants, args.requests, args.rounds)
    baseline = medians["unlimited"]
    print(f"Redis at {REDIS_URL}; {args.rounds} rounds x {args.requests} requests")
    print(f"from {CLIENTS} clients at {RATE} each")
    print(f"{'variant':<30}{'us/request':>12}{'ratio':>8}{'round trips':>13}")
    for name, value in medians.items():
        per_request = round_trips[name] / served[name]
        print(f"{name:<30}{value:>12.1f}{value / baseline:>8.2f}{per_request:>13.2f}")
    if args.no_instructions:
        return
    counts = count_instructions(
        __file__, [("redis-py PING", COUNTED_CALLS), ("rate_limit check", COUNTED_CALLS)]
    )
    ping = counts["redis-py PING"]
    print("\nClient-side instructions per call (callgrind)")
    for name, value in counts.items():
        print(f"{name:<30}{thousands(value):>12}{value / ping:>8.2f}x")


if __name__ == "__main__":
    main()
