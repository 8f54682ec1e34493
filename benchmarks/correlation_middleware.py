"""Per-request cost of APIErrorsMiddleware, measured against a bare Django stack in one run.

Every variant serves the same tiny view through Django's real WSGI handler. Variants run
interleaved in shuffled rounds so machine noise hits them alike; the report gives each
variant's median time per request, its ratio to the bare stack and the added microseconds.
django-guid is measured too when installed (``pip install -e '.[bench]'``).

    python benchmarks/correlation_middleware.py [--requests 300] [--rounds 150]
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.urls import path
from harness import arguments, configure_django, interleaved, wsgi_environ

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
    "api_errors, new id": {"MIDDLEWARE": ["api_errors.middleware.APIErrorsMiddleware"]},
    "api_errors, client id": {
        "MIDDLEWARE": ["api_errors.middleware.APIErrorsMiddleware"],
        "HTTP_X_CORRELATION_ID": "client-req-1234",
    },
}
if HAS_GUID:
    VARIANTS["django-guid, new id"] = {"MIDDLEWARE": ["django_guid.middleware.guid_middleware"]}


def configure() -> None:
    configure_django(
        __name__,
        INSTALLED_APPS=["api_errors", *(["django_guid"] if HAS_GUID else [])],
        MIDDLEWARE=[],
        DJANGO_GUID={"GUID_HEADER_NAME": "X-Correlation-ID"},
    )


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


def main() -> None:
    args = arguments((__doc__ or "").splitlines()[0], requests=300, rounds=150)
    configure()

    variants: dict[str, Callable[[], None]] = {}
    for name, variant in VARIANTS.items():
        app = make_app(variant["MIDDLEWARE"])
        extra = {k: v for k, v in variant.items() if k != "MIDDLEWARE"}
        variants[name] = lambda app=app, extra=extra: app(wsgi_environ("/api/ping/", **extra))

    medians = interleaved(variants, args.requests, args.rounds)
    baseline = medians["bare Django"]
    print(f"{args.rounds} rounds x {args.requests} requests, median per request")
    print(f"{'variant':<24}{'us/request':>12}{'ratio':>8}{'added us':>10}")
    for name, value in medians.items():
        print(f"{name:<24}{value:>12.2f}{value / baseline:>8.3f}{value - baseline:>10.2f}")


if __name__ == "__main__":
    main()
