"""drf-spectacular integration: every operation documents the error envelopes it can send.

Set ``REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"] = "api_errors.openapi.ErrorsAutoSchema"``
(install ``api-errors[openapi]``). The documented errors are computed by converting a
representative exception through the same conversion as real requests, so the schema's
codes, statuses and examples are what the server sends.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig
from drf_spectacular.drainage import warn
from drf_spectacular.openapi import AutoSchema
from rest_framework import exceptions as drf_exceptions
from rest_framework.authentication import SessionAuthentication
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.permissions import (
    SAFE_METHODS,
    AllowAny,
    IsAuthenticated,
    IsAuthenticatedOrReadOnly,
)
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle

from api_errors.active import get_catalog, get_style
from api_errors.catalog.types import ResolvedError
from api_errors.conf import DRF_EXCEPTION_HANDLER, get_settings, middleware_installed
from api_errors.conversion import to_api_error
from api_errors.declarations import (
    CHARGES_ATTRIBUTE,
    LIMITS_ATTRIBUTE,
    RAISES_ATTRIBUTE,
    declared,
    handler_for,
    uses_django_ratelimit,
)
from api_errors.exceptions import InsufficientBalance, RateLimited
from api_errors.limits.headers import POLICY_HEADER, STATE_HEADER
from api_errors.limits.policies import Policy, fail_open
from api_errors.limits.terms import terms_of
from api_errors.limits.throttling import PolicyThrottle
from api_errors.renderers import EnvelopeJSONRenderer
from api_errors.styles import RenderContext
from api_errors.validation import sample_detail

# Permissions that refuse only the anonymous (these exact classes, not subclasses).
AUTHENTICATION_ONLY = (IsAuthenticated, IsAuthenticatedOrReadOnly)
# Filter backends whose query parameters cannot make a request fail.
HARMLESS_FILTERS = (OrderingFilter, SearchFilter)
# Paginators that answer 404 for a page that does not exist (``?page=999``, a bad cursor).
PAGINATORS_WITH_404 = (PageNumberPagination, CursorPagination)


class ErrorsAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema plus the error responses of each operation.

    What an operation can fail with is read from DRF's and drf-spectacular's public hooks
    for the view as it serves this operation (a ViewSet's action included): its
    permissions, authenticators, throttles, parsers, pagination and filters, and what its
    handler declares. A status the user documented keeps their words; only what is
    missing is filled in. Views with another exception handler are left as they are.
    """

    def get_operation(
        self, path: str, path_regex: str, path_prefix: str, method: str, registry: Any
    ) -> dict[str, Any] | None:
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        self._throttles: list[Any] | None = None
        responses: dict[str, Any] = operation["responses"]
        if self._wraps_success():
            for status, response in responses.items():
                wrap_success(status, response)
        if self.answers_with_envelopes():
            limits = self.policies_by_status()
            violated = self.violated_policies_by_status(limits)
            for code, errors in self.possible_errors(operation).items():
                documented = error_response(
                    code, errors, path, limits.get(code, []), violated.get(code, [])
                )
                fill_in(responses.setdefault(str(code), {}), documented)
        for response in responses.values():
            fill_in(response, {"headers": correlation_header()})
        return operation

    def answers_with_envelopes(self) -> bool:
        """Whether this view's exceptions go through api_errors' DRF handler."""
        handler = self._call("get_exception_handler", None)
        name = f"{getattr(handler, '__module__', '')}.{getattr(handler, '__qualname__', '')}"
        return name == DRF_EXCEPTION_HANDLER

    def _call(self, hook: str, default: Any) -> Any:
        """``view.<hook>()``; a hook that fails is reported through drf-spectacular."""
        try:
            return getattr(self.view, hook)()
        except Exception as exc:
            warn(f"api_errors could not call {type(self.view).__name__}.{hook}(): {exc!r}")
            return default

    def _declared(self, attribute: str) -> list[Any]:
        return declared(self.view, self.method, attribute)

    def throttles(self) -> list[Any]:
        """The view's throttles, asked once per operation."""
        if getattr(self, "_throttles", None) is None:
            self._throttles = self._call("get_throttles", [])
        return self._throttles or []

    def _wraps_success(self) -> bool:
        renderers = self._call("get_renderers", [])
        return get_style().wraps_success and any(
            isinstance(renderer, EnvelopeJSONRenderer) for renderer in renderers
        )

    def can_be_not_found(self, operation: dict[str, Any]) -> bool:
        """A path parameter, a page that does not exist, or a ``format`` no renderer has
        (DRF answers an unknown ``?format=`` or suffix with 404)."""
        if any(p.get("in") == "path" for p in operation.get("parameters", [])):
            return True
        if api_settings.URL_FORMAT_OVERRIDE:
            return True
        paginator = self._get_paginator() if self._is_list_view() else None  # type: ignore[no-untyped-call]
        return isinstance(paginator, PAGINATORS_WITH_404)

    def validates_query(self, operation: dict[str, Any]) -> bool:
        """Whether a query parameter can fail validation: any but pagination's, search's
        and ordering's, which fall back or are ignored. A filter backend that validates
        (django-filter's) runs on detail operations too, through ``get_object()``, though
        the schema lists its parameters on the list only."""
        harmless = {p["name"] for p in self._get_pagination_parameters()}  # type: ignore[no-untyped-call]
        for backend in getattr(self.view, "filter_backends", None) or []:
            if not issubclass(backend, HARMLESS_FILTERS):
                return True
            harmless |= {p["name"] for p in backend().get_schema_operation_parameters(self.view)}
        return any(
            p.get("in") == "query" and p.get("name") not in harmless
            for p in operation.get("parameters", [])
        )

    def policies(self) -> list[Policy]:
        """The policies that can refuse this operation: declared ones and the view's policy
        throttles, not those in shadow mode."""
        policies: list[Policy] = list(self._declared(LIMITS_ATTRIBUTE))
        for throttle in self.throttles():
            if isinstance(throttle, PolicyThrottle):
                policies.append(throttle.policy(self.view))
        return [policy for policy in policies if not policy.shadow]

    def policies_by_status(self) -> dict[int, list[Policy]]:
        """The refusing policies, by the status their error is answered with."""
        catalog, conf = get_catalog(), get_settings()
        found: dict[int, list[Policy]] = {}
        for policy in self.policies():
            status = to_api_error(policy.error_class(), catalog, conf).http_status
            found.setdefault(status, []).append(policy)
        return found

    @staticmethod
    def violated_policies_by_status(limits: dict[int, list[Policy]]) -> dict[int, list[str]]:
        """The names a body can give in ``violated-policies``, by status: the refusing
        policies', and at 503 all of them when they fail closed."""
        found = {status: [policy.group for policy in group] for status, group in limits.items()}
        if limits and not fail_open():
            found[503] = [policy.group for policies in limits.values() for policy in policies]
        return found

    def limit_exceptions(self) -> list[BaseException]:
        """The errors of the limits on this operation: the refusing policies, DRF's own
        throttles, and django-ratelimit's ``@ratelimit``."""
        policies = self.policies()
        rate_limited = False
        for throttle in self.throttles():
            if isinstance(throttle, PolicyThrottle):
                continue
            if isinstance(throttle, ScopedRateThrottle):
                scope = getattr(self.view, "throttle_scope", None)
                rate_limited |= bool(scope and scope in throttle.THROTTLE_RATES)
            else:
                rate_limited = True
        handler = handler_for(self.view, self.method)
        rate_limited |= uses_django_ratelimit(handler) or uses_django_ratelimit(
            getattr(self.view, "dispatch", None)
        )
        exceptions: list[BaseException] = [policy.refusal() for policy in policies]
        if rate_limited:
            exceptions.append(RateLimited())
        if policies and not fail_open():
            exceptions.append(policies[0].unavailable())
        if self._declared(CHARGES_ATTRIBUTE):
            exceptions.append(InsufficientBalance())
        return exceptions

    def representative_exceptions(self, operation: dict[str, Any]) -> list[BaseException]:
        """One exception per way this operation can fail, as the view would raise it."""
        exceptions: list[BaseException] = [
            RuntimeError(),
            drf_exceptions.MethodNotAllowed(self.method),
            drf_exceptions.NotAcceptable(),
        ]
        if self.can_be_not_found(operation):
            exceptions.append(drf_exceptions.NotFound())
        if "requestBody" in operation:
            exceptions += [
                # Its example shows one field error, as a serializer reports it.
                drf_exceptions.ValidationError(sample_detail()),
                drf_exceptions.ParseError(),
                drf_exceptions.UnsupportedMediaType("*/*"),
                RequestDataTooBig(),
            ]
        elif self.validates_query(operation):
            exceptions.append(drf_exceptions.ValidationError({}))
        authenticators = self._call("get_authenticators", [])
        exceptions += self._authentication_exceptions(authenticators)
        permissions = self._call("get_permissions", [])
        csrf = self.method not in SAFE_METHODS and any(
            isinstance(authenticator, SessionAuthentication) for authenticator in authenticators
        )
        if csrf or any(self._can_deny(permission, authenticators) for permission in permissions):
            exceptions.append(drf_exceptions.PermissionDenied())
        exceptions += self.limit_exceptions()
        exceptions += [exc_class() for exc_class in self._declared(RAISES_ATTRIBUTE)]
        return exceptions

    @staticmethod
    def _can_deny(permission: Any, authenticators: list[Any]) -> bool:
        """Whether ``permission`` can answer 403. One that asks only for a signed-in user
        cannot, behind an authenticator: DRF answers the anonymous with 401 instead."""
        if isinstance(permission, AllowAny):
            return False
        return not (authenticators and type(permission) in AUTHENTICATION_ONLY)

    def _authentication_exceptions(
        self, authenticators: list[Any]
    ) -> list[drf_exceptions.APIException]:
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


def fill_in(documented: dict[str, Any], generated: dict[str, Any]) -> None:
    """Add what ``documented`` lacks from ``generated``: whole keys, and the headers it
    does not name. What the user wrote stays, their ``content`` whole."""
    for key, value in generated.items():
        if key not in documented:
            documented[key] = value
        elif isinstance(value, dict) and isinstance(documented[key], dict) and key != "content":
            for name, item in value.items():
                documented[key].setdefault(name, item)


def _authenticate_header(authenticator: Any) -> str | None:
    try:
        return authenticator.authenticate_header(None)  # type: ignore[no-any-return]
    except Exception:
        return None


def correlation_header() -> dict[str, Any]:
    """The correlation header, which the middleware sends on every response."""
    header: dict[str, Any] = {
        "description": "The request's correlation id: quote it to support.",
        "schema": {"type": "string"},
    }
    if middleware_installed():
        header["required"] = True
    return {get_settings().CORRELATION_ID_HEADER: header}


def _integer_header(description: str) -> dict[str, Any]:
    return {"description": description, "schema": {"type": "integer", "minimum": 1}}


def error_headers(status: int, policies: list[Policy]) -> dict[str, Any]:
    """The headers of an error at ``status``; ``policies`` are the limits refusing with it."""
    headers: dict[str, Any] = {}
    if status in (429, 503):
        headers["Retry-After"] = _integer_header("Seconds to wait before retrying.")
    if (status == 429 or policies) and get_settings().RATE_LIMIT_HEADERS:
        limits = "; ".join(terms_of(policy).field_item() for policy in policies)
        headers[POLICY_HEADER] = {
            "description": f"The limits: {limits}."
            if limits
            else 'The limit, e.g. "search";q=5;w=10.',
            "schema": {"type": "string"},
        }
        headers[STATE_HEADER] = {
            "description": 'What is left, e.g. "search";r=0;t=7: t is the seconds until one '
            "more request is allowed.",
            "schema": {"type": "string"},
        }
    if status == 401:
        headers["WWW-Authenticate"] = {
            "description": "The authentication challenge.",
            "schema": {"type": "string"},
        }
    return headers


def error_response(
    status: int,
    errors: list[ResolvedError],
    path: str,
    policies: list[Policy],
    violated: list[str] | None = None,
) -> dict[str, Any]:
    """The documented response for ``status``: the style's schema limited to ``errors``'
    codes, with the first one rendered as the example, and the headers of ``policies``.
    ``violated`` names the limits a body at this status can name."""
    style = get_style()
    context = RenderContext(path=path, correlation_id=None, conf=style.conf)
    described = "; ".join(f"{error.code}: {error.entry.message}" for error in errors)
    code_schema = style.code_schema([error.code for error in errors])
    deprecated = deprecated_codes(errors)
    if deprecated:
        code_schema["description"] = deprecated
    return {
        "description": described,
        "headers": error_headers(status, policies),
        "content": {
            style.media_type: {
                "schema": style.refusal_schema(status, code_schema, violated)
                if violated
                else style.error_schema(status, code_schema),
                "example": style.render(errors[0], context),
            }
        },
    }


def deprecated_codes(errors: list[ResolvedError]) -> str:
    """Which of ``errors``' codes are deprecated, since when and what replaces them: an
    ``enum`` cannot mark one value deprecated, so its description says it."""
    notes = [
        f"{error.code}: {error.entry.deprecated.summary()}"
        for error in errors
        if error.entry.deprecated is not None
    ]
    return "; ".join(notes) + "." if notes else ""


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
