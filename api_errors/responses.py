"""Catalog error to ``HttpResponse``: status, headers, the style's body, and a fallback."""

from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.http.response import HttpResponseBase

from api_errors.catalog.types import ResolvedError
from api_errors.styles import RenderContext, StatusStyle, Style

# One encoder for every body: making one per response costs more than encoding a body.
# No cycle check: a style that made a cyclic body fails with RecursionError instead, which
# the pipeline answers with its fallback all the same.
_encoder = DjangoJSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)
_ascii_encoder = DjangoJSONEncoder(separators=(",", ":"), check_circular=False)


def to_json(body: object) -> bytes:
    """``body`` as compact UTF-8 JSON; a lone surrogate (from a client's ``"\\ud800"``) is
    written as its escape rather than failing the response."""
    text = _encoder.encode(body)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return _ascii_encoder.encode(body).encode("ascii")


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


def is_envelope(response: HttpResponseBase) -> bool:
    """Whether ``response`` is one of ours (built here, the fallback included)."""
    return "api_error" in response.__dict__


def fallback_response(style: type[Style] | None, path: str) -> HttpResponse:
    """A minimal valid 500 envelope of ``style`` (the status style's when it is unusable),
    used when rendering itself failed, so it depends on nothing that could fail too."""
    chosen = style or StatusStyle
    response = HttpResponse(
        to_json(chosen.fallback(path)), status=500, content_type=chosen.media_type
    )
    response.api_error = None  # type: ignore[attr-defined]
    return response
