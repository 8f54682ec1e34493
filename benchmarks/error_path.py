"""Instructions per request on the error path: api_errors against DRF's default handler,
drf-standardized-errors and drf-exceptions-hog, serving the same DRF views through
Django's WSGI handler in one process.

Instruction counts come from valgrind's callgrind (the same figure every run); wall-clock
medians of the main cases come from interleaved, shuffled batches. Sections:

- cases: 200, a serializer's validation error (3 fields, 1 nested), NotFound, an
  unhandled KeyError and Throttled(wait=10), per handler;
- field errors: a ValidationError of 1, 10, 100 and 1,000 fields, and the cost per error;
- middleware: what a correlation-id middleware adds to a 200, new id and client id.

    python benchmarks/error_path.py [--requests 200] [--rounds 30] [--no-wall-clock]
"""

from __future__ import annotations

import argparse
import io
import logging
import statistics
from collections.abc import Callable
from typing import Any

from django.urls import path
from harness import (
    CHILD_FLAG,
    configure_django,
    count_instructions,
    in_callgrind_child,
    interleaved,
    measured_regions,
    thousands,
    wsgi_environ,
)

HANDLERS = {
    "DRF default": "rest_framework.views.exception_handler",
    "drf-standardized-errors": "drf_standardized_errors.handler.exception_handler",
    "drf-exceptions-hog": "exceptions_hog.exception_handler",
    "api_errors": "api_errors.handlers.exception_handler",
}
CASES = ("ok", "validation", "not-found", "unhandled", "throttled")
FIELD_COUNTS = (1, 10, 100, 1000)
# Where N field errors come from: a view raising ValidationError({...}) itself (the least DRF
# work per error, so the handler's share shows most), or a serializer of N required fields.
SOURCES = {
    "raised": "A ValidationError of N fields raised by the view",
    "serializer": "A serializer with N missing required fields",
}
MIDDLEWARE = {
    "bare Django": [],
    "api_errors": ["api_errors.middleware.APIErrorsMiddleware"],
    "django-guid": ["django_guid.middleware.guid_middleware"],
    "django-log-request-id": ["log_request_id.middleware.RequestIDMiddleware"],
}
CLIENT_ID = {"HTTP_X_CORRELATION_ID": "client-req-1234"}
# Calls per measured region: enough to hide the odd cache refill, few enough for valgrind.
COUNT = 40
WARMUP = 20
REPEATS = 3


def handler_slug(name: str) -> str:
    return name.lower().replace(" ", "-").replace("_", "-")


def configure() -> None:
    configure_django(
        __name__,
        INSTALLED_APPS=["rest_framework", "api_errors", "drf_standardized_errors", "django_guid"],
        MIDDLEWARE=[],
        REST_FRAMEWORK={
            "DEFAULT_AUTHENTICATION_CLASSES": [],
            "DEFAULT_PERMISSION_CLASSES": [],
            "UNAUTHENTICATED_USER": None,
        },
        DJANGO_GUID={"GUID_HEADER_NAME": "X-Correlation-ID"},
        LOG_REQUEST_ID_HEADER="HTTP_X_CORRELATION_ID",
        GENERATE_REQUEST_ID_IF_NOT_IN_HEADER=True,
    )
    urlpatterns.extend(build_urls())
    # Every record is formatted and written, as a server's log would be, to a stream
    # that discards it.
    stream = logging.StreamHandler(io.StringIO())
    stream.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    stream.stream.write = lambda text: len(text)  # type: ignore[method-assign]
    logging.basicConfig(handlers=[stream], level=logging.INFO, force=True)


def build_urls() -> list[Any]:
    from django.utils.module_loading import import_string
    from rest_framework import serializers
    from rest_framework.exceptions import NotFound, Throttled, ValidationError
    from rest_framework.response import Response
    from rest_framework.views import APIView

    class Address(serializers.Serializer[Any]):
        city = serializers.CharField()

    class Person(serializers.Serializer[Any]):
        name = serializers.CharField()
        age = serializers.IntegerField()
        email = serializers.EmailField()
        address = Address()

    invalid = {"age": "old", "email": "nobody", "address": {"city": ""}}
    many = {
        count: type(
            f"Required{count}",
            (serializers.Serializer,),
            {f"field{i}": serializers.CharField() for i in range(count)},
        )
        for count in FIELD_COUNTS
    }

    def view_for(handler: Callable[..., Any]) -> type[APIView]:
        class Errors(APIView):
            def get_exception_handler(self) -> Any:
                return handler

            def get(self, request: Any, case: str) -> Response:
                if case == "ok":
                    return Response({"ok": True})
                if case == "validation":
                    Person(data=invalid).is_valid(raise_exception=True)
                if case == "not-found":
                    raise NotFound()
                if case == "throttled":
                    raise Throttled(wait=10)
                if case.startswith("serializer-"):
                    many[int(case.removeprefix("serializer-"))](data={}).is_valid(
                        raise_exception=True
                    )
                if case.startswith("raised-"):
                    count = int(case.removeprefix("raised-"))
                    raise ValidationError(
                        {f"field{i}": ["This field is required."] for i in range(count)}
                    )
                return Response({}[case])  # the unhandled KeyError

        return Errors

    # One route for every handler, so URL resolution costs them all the same.
    views = {
        handler_slug(name): view_for(import_string(dotted)).as_view()
        for name, dotted in HANDLERS.items()
    }

    def dispatch(request: Any, handler: str, case: str) -> Any:
        return views[handler](request, case=case)

    return [path("api/<str:handler>/<str:case>/", dispatch)]


def make_app(middleware: list[str]) -> Callable[[str, dict[str, Any]], int]:
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler

    settings.MIDDLEWARE = middleware
    handler = WSGIHandler()
    statuses: list[str] = []

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        statuses.append(status)

    def call(path_info: str, extra: dict[str, Any]) -> int:
        for _ in handler(wsgi_environ(path_info, **extra), start_response):
            pass
        return int(statuses.pop()[:3])

    return call


Region = tuple[str, str, str, dict[str, Any], int]  # label, middleware, path, META, calls


def plan(only: str = "") -> list[Region]:
    """Every measured region, in order: the parent needs only the labels and counts."""
    return [region for region in full_plan() if only in region[0]]


def full_plan() -> list[Region]:
    listed: list[Region] = []
    for handler in HANDLERS:
        for case in CASES:
            listed.append(
                (
                    f"{handler}|{case}",
                    "bare Django",
                    f"/api/{handler_slug(handler)}/{case}/",
                    {},
                    COUNT,
                )
            )
        for source in SOURCES:
            for fields in FIELD_COUNTS:
                url = f"/api/{handler_slug(handler)}/{source}-{fields}/"
                calls = max(3, COUNT // max(1, fields // 10))
                listed.append((f"{handler}|{source}-{fields}", "bare Django", url, {}, calls))
    for case in CASES:
        listed.append(
            (f"api_errors + middleware|{case}", "api_errors", f"/api/api-errors/{case}/", {}, COUNT)
        )
    # The differences here are small: each is measured REPEATS times, interleaved, and the
    # report takes the median.
    for repeat in range(REPEATS):
        for name in MIDDLEWARE:
            for id_label, extra in (("new id", {}), ("client id", CLIENT_ID)):
                label = f"middleware|{name}|{id_label}#{repeat}"
                listed.append((label, name, "/api/drf-default/ok/", extra, 5 * COUNT))
    return listed


def regions(only: str) -> list[tuple[str, Callable[[], Any], int, int]]:
    apps = {name: make_app(chain) for name, chain in MIDDLEWARE.items()}
    return [
        (
            label,
            lambda app=apps[chain], url=url, extra=extra: app(url, extra),
            min(WARMUP, calls),
            calls,
        )
        for label, chain, url, extra, calls in plan(only)
    ]


def print_table(title: str, header: list[str], rows: list[list[str]]) -> None:
    print(f"\n{title}")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        cells = zip(row, widths, strict=True)
        print(
            "  ".join(
                cell.rjust(width) if i else cell.ljust(width)
                for i, (cell, width) in enumerate(cells)
            )
        )


def with_ratio(value: float, base: float, show: Callable[[float], str] = thousands) -> str:
    return f"{show(value)} ({value / base:.2f}x)"


def report(counts: dict[str, float]) -> None:
    drf = "DRF default"
    print_table(
        "Instructions per request (callgrind), ratio to DRF's default handler",
        ["case", *HANDLERS, "api_errors + middleware"],
        [
            [
                case,
                *(with_ratio(counts[f"{h}|{case}"], counts[f"{drf}|{case}"]) for h in HANDLERS),
                thousands(counts[f"api_errors + middleware|{case}"]),
            ]
            for case in CASES
        ],
    )
    first, last = FIELD_COUNTS[0], FIELD_COUNTS[-1]
    for source, title in SOURCES.items():
        per_error = {
            h: (counts[f"{h}|{source}-{last}"] - counts[f"{h}|{source}-{first}"]) / (last - first)
            for h in HANDLERS
        }
        print_table(
            f"{title}: instructions per request, and per extra error",
            ["handler", *(f"{n} fields" for n in FIELD_COUNTS), "per error"],
            [
                [
                    h,
                    *(thousands(counts[f"{h}|{source}-{n}"]) for n in FIELD_COUNTS),
                    with_ratio(per_error[h], per_error[drf]),
                ]
                for h in HANDLERS
            ],
        )
    for label in [label for label in counts if "#" in label]:
        base = label.split("#")[0]
        counts[base] = statistics.median(counts[f"{base}#{r}"] for r in range(REPEATS))
    bare = {label: counts[f"middleware|bare Django|{label}"] for label in ("new id", "client id")}
    print_table(
        f"Middleware on a 200: instructions added per request over bare Django "
        f"(median of {REPEATS})",
        ["middleware", "new id", "client id"],
        [
            [name, *(thousands(counts[f"middleware|{name}|{id}"] - bare[id]) for id in bare)]
            for name in MIDDLEWARE
            if name != "bare Django"
        ],
    )


def wall_clock(requests: int, rounds: int) -> None:
    app = make_app([])
    variants = {
        f"{handler}|{case}": (lambda url=url: app(url, {}))
        for handler in HANDLERS
        for case in CASES
        for url in [f"/api/{handler_slug(handler)}/{case}/"]
    }
    medians = interleaved(variants, requests, rounds)
    print_table(
        f"Wall clock: median us per request ({rounds} rounds x {requests}), ratio to DRF's",
        ["case", *HANDLERS],
        [
            [
                case,
                *(
                    with_ratio(
                        medians[f"{h}|{case}"], medians[f"DRF default|{case}"], "{:.0f}".format
                    )
                    for h in HANDLERS
                ),
            ]
            for case in CASES
        ],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per wall-clock batch")
    parser.add_argument("--rounds", type=int, default=30, help="shuffled wall-clock rounds")
    parser.add_argument("--no-wall-clock", action="store_true")
    parser.add_argument("--only", default="", help="count only regions whose label has this")
    parser.add_argument(CHILD_FLAG, action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if in_callgrind_child():
        configure()
        measured_regions(regions(args.only))
        return
    listed = [(label, calls) for label, _chain, _url, _extra, calls in plan(args.only)]
    counts = count_instructions(__file__, listed, "--only", args.only)
    if args.only:
        for label, value in counts.items():
            print(f"{label:<50}{thousands(value):>10}")
        return
    report(counts)
    if not args.no_wall_clock:
        configure()
        wall_clock(args.requests, args.rounds)


urlpatterns: list[Any] = []  # filled in by configure(), once Django is set up


if __name__ == "__main__":
    main()
