"""One small renderer per style: catalog error in, JSON-ready body out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from api_errors.conf import ApiErrorsSettings
from api_errors.conversion import ResolvedError

ERRORS_KEY = "errors"
CORRELATION_KEY = "correlation_id"
DEBUG_KEY = "debug"

JSON = "application/json"
PROBLEM_JSON = "application/problem+json"


@dataclass(frozen=True)
class RenderContext:
    """What a renderer may need beyond the error itself."""

    path: str
    correlation_id: str | None
    conf: ApiErrorsSettings


def render_status(error: ResolvedError, context: RenderContext) -> dict[str, Any]:
    return {"status": False, "error_code": error.code, "error_message": str(error.client_message)}


def render_success(error: ResolvedError, context: RenderContext) -> dict[str, Any]:
    return {"success": False, "message": str(error.client_message), "error_code": error.code}


def render_problem(error: ResolvedError, context: RenderContext) -> dict[str, Any]:
    """RFC 9457: with no type URI configured, ``about:blank`` and the status phrase as title."""
    template = context.conf.PROBLEM_TYPE_URI
    if template:
        problem_type = template.format(code=error.code)
        title = str(error.entry.message)
    else:
        problem_type = "about:blank"
        title = status_phrase(error.http_status) or "Error"
    return {
        "type": problem_type,
        "title": title,
        "status": error.http_status,
        "detail": str(error.client_message),
        "instance": context.path,
        "code": error.code,
    }


def status_phrase(status: int) -> str | None:
    """``"Not Found"`` for 404; ``None`` for a status HTTP does not name."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return None


Renderer = Callable[[ResolvedError, RenderContext], dict[str, Any]]

RENDERERS: dict[str, Renderer] = {
    "status": render_status,
    "success": render_success,
    "problem": render_problem,
}
CONTENT_TYPES = {"problem": PROBLEM_JSON}


def render_envelope(error: ResolvedError, context: RenderContext) -> dict[str, Any]:
    """The body of the active style plus the documented optional keys."""
    body = RENDERERS[context.conf.STYLE](error, context)
    if error.errors is not None:
        body[ERRORS_KEY] = error.errors
    if context.conf.CORRELATION_ID_IN_BODY and context.correlation_id:
        body[CORRELATION_KEY] = context.correlation_id
    if error.is_server_error and error.exception and context.conf.EXPOSE_SERVER_ERROR_DETAILS:
        body[DEBUG_KEY] = {
            "exception": type(error.exception).__qualname__,
            "message": str(error.exception),
        }
    return body


def content_type_for(style: str) -> str:
    return CONTENT_TYPES.get(style, JSON)


def render_success_envelope(data: Any, style: str) -> Any:
    """Wrap a successful body the way the style's errors are wrapped (problem style does not)."""
    if style == "status":
        return {"status": True, "error_code": 0, "data": data}
    if style == "success":
        return {"success": True, "data": data}
    return data
