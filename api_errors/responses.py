"""Catalog error to ``HttpResponse``: status, headers, content type, and a fallback."""

from __future__ import annotations

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse

from api_errors.conf import ApiErrorsSettings
from api_errors.conversion import ResolvedError
from api_errors.envelopes import RenderContext, content_type_for, render_envelope

# Used only when rendering itself fails, so it depends on nothing that could fail too.
FALLBACK_BODIES = {
    "status": {
        "status": False,
        "error_code": 68300008,
        "error_message": "Service error, please try again later!",
    },
    "success": {
        "success": False,
        "message": "Unexpected server-side error",
        "error_code": "INTERNAL_ERROR",
    },
    "problem": {
        "type": "about:blank",
        "title": "Internal Server Error",
        "status": 500,
        "detail": "Unexpected server-side error",
        "code": "INTERNAL_ERROR",
    },
}


def to_json(body: object) -> bytes:
    return json.dumps(
        body, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")


def build_error_response(error: ResolvedError, context: RenderContext) -> HttpResponse:
    body = render_envelope(error, context)
    response = HttpResponse(
        to_json(body), status=error.http_status, content_type=content_type_for(context.conf.STYLE)
    )
    for name, value in error.headers.items():
        response[name] = value
    response.api_error = error  # type: ignore[attr-defined]
    # The api_errors record replaces django.request's own line for this response.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


def fallback_response(conf: ApiErrorsSettings | None) -> HttpResponse:
    """A minimal valid 500 envelope of the configured style."""
    style = conf.STYLE if conf is not None and conf.STYLE in FALLBACK_BODIES else "status"
    response = HttpResponse(
        to_json(FALLBACK_BODIES[style]), status=500, content_type=content_type_for(style)
    )
    response.api_error = None  # type: ignore[attr-defined]
    return response
