"""drf-spectacular integration: every operation documents the error envelopes it can send.

Set ``REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"] = "api_errors.openapi.ErrorsAutoSchema"``
(install ``api-errors[openapi]``). The documented errors are computed by converting a
representative exception through the same conversion as real requests, so the schema's
codes, statuses and examples are what the server sends.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig
from drf_spectacular.openapi import AutoSchema
from rest_framework import exceptions as drf_exceptions
from rest_framework.permissions import AllowAny
from rest_framework.throttling import BaseThrottle

from api_errors.active import get_catalog, get_style
from api_errors.catalog.types import ResolvedError
from api_errors.conf import get_settings
from api_errors.conversion import to_api_error
from api_errors.declarations import (
    CHARGES_ATTRIBUTE,
    LIMITS_ATTRIBUTE,
    RAISES_ATTRIBUTE,
    declared,
)
from api_errors.exceptions import (
    InsufficientBalance,
    RateLimited,
    ServiceUnavailable,
)
from api_errors.limits.headers import POLICY_HEADER, STATE_HEADER
from api_errors.limits.policies import Policy, fail_open
from api_errors.renderers import EnvelopeJSONRenderer
from api_errors.styles import RenderContext

BODY_METHODS = {"POST", "PUT", "PATCH"}


class ErrorsAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema plus the error responses of each operation."""

    def get_operation(
        self, path: str, path_regex: str, path_prefix: str, method: str, registry: Any
    ) -> dict[str, Any] | None:
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses: dict[str, Any] = operation["responses"]
        if self._wraps_success():
            for status, response in responses.items():
                wrap_success(status, response)
        for code, errors in self.possible_errors(operation).items():
            responses[str(code)] = error_response(code, errors, path)
        for response in responses.values():
            response.setdefault("headers", {}).update(correlation_header())
        return operation

    def _declared(self, attribute: str) -> list[Any]:
        return declared(self.view, self.method, attribute)

    def _wraps_success(self) -> bool:
        renderers = getattr(self.view, "renderer_classes", [])
        return get_style().wraps_success and any(
            isinstance(r, type) and issubclass(r, EnvelopeJSONRenderer) for r in renderers
        )

    def _policies(self) -> list[Policy]:
        policies: list[Policy] = list(self._declared(LIMITS_ATTRIBUTE))
        for throttle_class in getattr(self.view, "throttle_classes", []):
            throttle = throttle_class()
            if hasattr(throttle, "policy"):
                policies.append(throttle.policy(self.view))
        return policies

    def _plain_throttles(self) -> bool:
        return any(
            isinstance(t, type) and issubclass(t, BaseThrottle) and not hasattr(t, "policy")
            for t in getattr(self.view, "throttle_classes", [])
        )

    def representative_exceptions(self, operation: dict[str, Any]) -> list[BaseException]:
        """One exception per way this operation can fail, as the view would raise it."""
        exceptions: list[BaseException] = [
            RuntimeError(),
            drf_exceptions.MethodNotAllowed(self.method),
            drf_exceptions.NotAcceptable(),
        ]
        parameters = operation.get("parameters", [])
        if any(p.get("in") == "path" for p in parameters):
            exceptions.append(drf_exceptions.NotFound())
        if self.method in BODY_METHODS:
            exceptions += [
                drf_exceptions.ValidationError({}),
                drf_exceptions.ParseError(),
                drf_exceptions.UnsupportedMediaType("*/*"),
                RequestDataTooBig(),
            ]
        elif any(p.get("in") == "query" for p in parameters):
            exceptions.append(drf_exceptions.ValidationError({}))
        exceptions += self._authentication_exceptions()
        if any(
            not (isinstance(p, type) and issubclass(p, AllowAny))
            for p in getattr(self.view, "permission_classes", [])
        ):
            exceptions.append(drf_exceptions.PermissionDenied())
        policies = self._policies()
        for policy in policies:
            exceptions.append(policy.error_class())
        if self._plain_throttles():
            exceptions.append(RateLimited())
        if policies and not fail_open():
            exceptions.append(ServiceUnavailable())
        if self._declared(CHARGES_ATTRIBUTE):
            exceptions.append(InsufficientBalance())
        exceptions += [exc_class() for exc_class in self._declared(RAISES_ATTRIBUTE)]
        return exceptions

    def _authentication_exceptions(self) -> list[drf_exceptions.APIException]:
        authenticators = [a() for a in getattr(self.view, "authentication_classes", [])]
        if not authenticators:
            return []
        found: list[drf_exceptions.APIException] = [
            drf_exceptions.NotAuthenticated(),
            drf_exceptions.AuthenticationFailed(),
        ]
        # As APIView.handle_exception: no challenge to send means 403, not 401.
        if not _authenticate_header(authenticators[0]):
            for exc in found:
                exc.status_code = 403
        return found

    def possible_errors(self, operation: dict[str, Any]) -> dict[int, list[ResolvedError]]:
        catalog, conf = get_catalog(), get_settings()
        by_status: dict[int, list[ResolvedError]] = {}
        for exc in self.representative_exceptions(operation):
            error = to_api_error(exc, catalog, conf)
            same_status = by_status.setdefault(error.http_status, [])
            if all(known.code != error.code for known in same_status):
                same_status.append(error)
        return dict(sorted(by_status.items()))


def _authenticate_header(authenticator: Any) -> str | None:
    try:
        return authenticator.authenticate_header(None)  # type: ignore[no-any-return]
    except Exception:
        return None


def correlation_header() -> dict[str, Any]:
    return {
        get_settings().CORRELATION_ID_HEADER: {
            "description": "The request's correlation id: quote it to support.",
            "schema": {"type": "string"},
        }
    }


def _integer_header(description: str) -> dict[str, Any]:
    return {"description": description, "schema": {"type": "integer", "minimum": 1}}


def error_headers(status: int) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if status in (429, 503):
        headers["Retry-After"] = _integer_header("Seconds to wait before retrying.")
    if status == 429 and get_settings().RATE_LIMIT_HEADERS:
        headers[POLICY_HEADER] = {
            "description": 'The limit, e.g. "search";q=5;w=10.',
            "schema": {"type": "string"},
        }
        headers[STATE_HEADER] = {
            "description": 'What is left, e.g. "search";r=0;t=7.',
            "schema": {"type": "string"},
        }
    if status == 401:
        headers["WWW-Authenticate"] = {
            "description": "The authentication challenge.",
            "schema": {"type": "string"},
        }
    return headers


def error_response(status: int, errors: list[ResolvedError], path: str) -> dict[str, Any]:
    """The documented response for ``status``: the style's schema limited to ``errors``'
    codes, with the first one rendered as the example."""
    style = get_style()
    context = RenderContext(path=path, correlation_id=None, conf=style.conf)
    described = "; ".join(f"{error.code}: {error.entry.message}" for error in errors)
    code_schema = style.code_schema([error.code for error in errors])
    return {
        "description": described,
        "headers": error_headers(status),
        "content": {
            style.media_type: {
                "schema": style.error_schema(status, code_schema),
                "example": style.render(errors[0], context),
            }
        },
    }


def wrap_success(status: str, response: dict[str, Any]) -> None:
    """Describe ``EnvelopeJSONRenderer``'s wrapping of a successful body."""
    if not status.startswith("2"):
        return
    style = get_style()
    for media_type, media in response.get("content", {}).items():
        if not media_type.endswith("json"):
            continue  # a file or text the view returns itself is not enveloped
        media["schema"] = style.success_schema(media.get("schema", {}))
        media.pop("examples", None)
