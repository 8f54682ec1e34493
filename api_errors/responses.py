"""Catalog error to ``HttpResponse``: status, headers, the style's body, and a fallback."""

from __future__ import annotations

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse

from api_errors.catalog.types import ResolvedError
from api_errors.styles import RenderContext, StatusStyle, Style


def to_json(body: object) -> bytes:
    return json.dumps(
        body, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")


def build_error_response(
    error: ResolvedError, context: RenderContext, style: Style
) -> HttpResponse:
    body = style.render(error, context)
    response = HttpResponse(to_json(body), status=error.http_status, content_type=style.media_type)
    for name, value in error.headers.items():
        response[name] = value
    response.api_error = error  # type: ignore[attr-defined]
    # The api_errors record replaces django.request's own line for this response.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


def fallback_response(style: type[Style] | None, path: str) -> HttpResponse:
    """A minimal valid 500 envelope of ``style`` (the status style's when it is unusable),
    used when rendering itself failed, so it depends on nothing that could fail too."""
    chosen = style or StatusStyle
    response = HttpResponse(
        to_json(chosen.fallback(path)), status=500, content_type=chosen.media_type
    )
    response.api_error = None  # type: ignore[attr-defined]
    return response
