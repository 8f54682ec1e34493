"""Per-request cost of ApiErrorsMiddleware, measured against a bare Django stack in one run.

Every variant serves the same tiny view through Django's real WSGI handler. Variants run
interleaved in shuffled rounds so machine noise hits them alike; the report gives each
variant's median time per request, its ratio to the bare stack and the added microseconds.
django-guid is measured too when installed (``pip install -e '.[bench]'``).

    python benchmarks/correlation_middleware.py [--requests 300] [--rounds 150]
"""

from __future__ import annotations

import argparse
import importlib.util
import io
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
from django.http import HttpResponse
from django.urls import path

HAS_GUID = importlib.util.find_spec("django_guid") is not None


def ping(request: Any) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("api/ping/", ping)]


class PassThroughMiddleware:
    """The floor: what Django charges for any one middleware layer."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        return self.get_response(request)


VARIANTS: dict[str, dict[str, Any]] = {
    "bare Django": {"MIDDLEWARE": []},
    "empty middleware": {"MIDDLEWARE": [f"{__name__}.PassThroughMiddleware"]},
    "api_errors, new id": {"MIDDLEWARE": ["api_errors.middleware.ApiErrorsMiddleware"]},
    "api_errors, client id": {
        "MIDDLEWARE": ["api_errors.middleware.ApiErrorsMiddleware"],
        "HTTP_X_CORRELATION_ID": "client-req-1234",
    },
}
if HAS_GUID:
    VARIANTS["django-guid, new id"] = {"MIDDLEWARE": ["django_guid.middleware.guid_middleware"]}


def configure() -> None:
    sys.modules.setdefault(__name__, sys.modules["__main__"])
    settings.configure(
        DEBUG=False,
        SECRET_KEY="benchmark",
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=["api_errors", *(["django_guid"] if HAS_GUID else [])],
        MIDDLEWARE=[],
        DATABASES={},
        LOGGING_CONFIG=None,
        DJANGO_GUID={"GUID_HEADER_NAME": "X-Correlation-ID"},
    )
    django.setup()


def make_app(middleware: list[str]) -> Callable[[dict[str, Any]], None]:
    from django.core.handlers.wsgi import WSGIHandler

    settings.MIDDLEWARE = middleware
    handler = WSGIHandler()

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        return None

    def call(environ: dict[str, Any]) -> None:
        for _ in handler(environ, start_response):
            pass

    return call


def environ(extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/api/ping/",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.url_scheme": "http",
        **extra,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="requests per batch")
    parser.add_argument("--rounds", type=int, default=150, help="shuffled rounds of batches")
    args = parser.parse_args()
    configure()

    apps: dict[str, tuple[Callable[[dict[str, Any]], None], dict[str, Any]]] = {}
    for name, variant in VARIANTS.items():
        extra = {k: v for k, v in variant.items() if k != "MIDDLEWARE"}
        apps[name] = (make_app(variant["MIDDLEWARE"]), environ(extra))

    samples: dict[str, list[float]] = {name: [] for name in apps}
    order = list(apps)
    for _ in range(args.rounds + 1):
        random.shuffle(order)
        for name in order:
            app, base = apps[name]
            start = time.perf_counter()
            for _ in range(args.requests):
                app(dict(base))
            samples[name].append((time.perf_counter() - start) / args.requests * 1e6)
    # The first round warms caches and is dropped.
    medians = {name: statistics.median(values[1:]) for name, values in samples.items()}
    baseline = medians["bare Django"]
    print(f"{args.rounds} rounds x {args.requests} requests, median per request")
    print(f"{'variant':<24}{'us/request':>12}{'ratio':>8}{'added us':>10}")
    for name, value in medians.items():
        print(f"{name:<24}{value:>12.2f}{value / baseline:>8.3f}{value - baseline:>10.2f}")


if __name__ == "__main__":
    main()
