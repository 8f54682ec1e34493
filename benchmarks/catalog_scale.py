"""How the catalog's readers grow with its size: the Error Handling page, the catalog JSON,
looking up one code (the example-error view) and the OpenAPI schema, with 10, 1,000 and
10,000 entries added to the platform preset through ``API_ERRORS["ERRORS"]``.

Linear means the time per entry stays flat as the catalog grows; a lookup should not grow
at all. Wall-clock medians (these run for milliseconds to seconds, so a shared machine's
noise is small beside them).

    python benchmarks/catalog_scale.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import logging
import statistics
import time
from collections.abc import Callable
from typing import Any

from django.urls import include, path
from harness import configure_django, wsgi_environ

SIZES = (10, 1000, 10000)
FIRST_CODE = 69100000


def configure() -> None:
    configure_django(
        __name__,
        INSTALLED_APPS=["rest_framework", "drf_spectacular", "api_errors"],
        MIDDLEWARE=["api_errors.middleware.APIErrorsMiddleware"],
        TEMPLATES=[
            {"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}
        ],
        REST_FRAMEWORK={
            "EXCEPTION_HANDLER": "api_errors.handlers.exception_handler",
            "DEFAULT_SCHEMA_CLASS": "api_errors.openapi.ErrorsAutoSchema",
            "DEFAULT_AUTHENTICATION_CLASSES": [],
            "DEFAULT_PERMISSION_CLASSES": [],
            "UNAUTHENTICATED_USER": None,
        },
    )
    from rest_framework import serializers
    from rest_framework.generics import GenericAPIView
    from rest_framework.response import Response

    from api_errors import Conflict, raises

    class Folder(serializers.Serializer[Any]):
        name = serializers.CharField()

    class Folders(GenericAPIView[Any]):
        serializer_class = Folder

        @raises(Conflict)
        def get(self, request: Any) -> Response:
            return Response({})

    urlpatterns.extend(
        [
            path("api/", include("api_errors.urls")),
            path("api/docs/", include("api_errors.docs_urls")),
            path("api/folders/", Folders.as_view()),
        ]
    )


urlpatterns: list[Any] = []


def entries(count: int) -> list[dict[str, Any]]:
    return [
        {"code": FIRST_CODE + i, "http_status": 400, "message": f"Problem number {i}."}
        for i in range(count)
    ]


def median_seconds(call: Callable[[], object], rounds: int) -> float:
    call()  # builds the catalog for these settings
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    configure()
    logging.disable(logging.CRITICAL)  # one record per example error is not what is measured
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import override_settings
    from drf_spectacular.generators import SchemaGenerator

    app = WSGIHandler()

    def get(path_info: str, expected: int) -> Callable[[], None]:
        def call() -> None:
            statuses: list[str] = []
            body = b"".join(app(wsgi_environ(path_info), lambda s, h: statuses.append(s)))
            assert statuses[0].startswith(str(expected)), (path_info, statuses, body[:200])

        return call

    readers: dict[str, Callable[[int], Callable[[], object]]] = {
        "Error Handling page": lambda n: get("/api/docs/errors/", 200),
        "catalog JSON": lambda n: get("/api/errors/", 200),
        "one code's example": lambda n: get(f"/api/examples/errors/{FIRST_CODE + n - 1}/", 400),
        "OpenAPI schema": lambda n: lambda: SchemaGenerator().get_schema(request=None, public=True),
    }
    results: dict[str, dict[int, float]] = {name: {} for name in readers}
    for size in SIZES:
        with override_settings(API_ERRORS={"ERRORS": entries(size)}):
            for name, reader in readers.items():
                results[name][size] = median_seconds(reader(size), args.rounds)

    print(f"Median of {args.rounds} runs; catalog = platform preset + N entries")
    header = "".join(f"{f'N={size:,}':>14}" for size in SIZES)
    print(f"{'reader':<22}{header}{'10,000 / 1,000':>16}")
    for name, by_size in results.items():
        cells = "".join(f"{by_size[size] * 1000:>12.1f}ms" for size in SIZES)
        growth = by_size[SIZES[-1]] / by_size[SIZES[-2]]
        print(f"{name:<22}{cells}{growth:>15.1f}x")


if __name__ == "__main__":
    main()
