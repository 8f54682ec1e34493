"""Any exception, or a bare error status, to a catalog error: the one mapping.

Exception classes are matched through a registry keyed by dotted class path, walking
the exception's MRO so the most specific registration wins (django-ratelimit's
``Ratelimited`` before Django's ``PermissionDenied``) and optional packages never
need importing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from api_errors.catalog.types import Catalog, Condition, FieldError, Message, ResolvedError
from api_errors.client_input import client_input_error
from api_errors.conf import APIErrorsSettings
from api_errors.exceptions import APIError
from api_errors.http_values import whole_seconds
from api_errors.validation import flatten_django_validation_error, flatten_drf_detail

Converter = Callable[[Any, Catalog], ResolvedError]

# Statuses seen without an exception (or on a generic APIException) and what they mean.
STATUS_CONDITIONS: dict[int, str] = {
    400: Condition.MALFORMED_REQUEST,
    401: Condition.NOT_AUTHENTICATED,
    402: Condition.INSUFFICIENT_BALANCE,
    403: Condition.PERMISSION_DENIED,
    404: Condition.NOT_FOUND,
    405: Condition.METHOD_NOT_ALLOWED,
    406: Condition.NOT_ACCEPTABLE,
    409: Condition.CONFLICT,
    413: Condition.REQUEST_TOO_LARGE,
    415: Condition.UNSUPPORTED_MEDIA_TYPE,
    429: Condition.RATE_LIMITED,
    503: Condition.SERVICE_UNAVAILABLE,
}

# Headers of an original error response worth keeping on its envelope.
KEPT_HEADERS = ("Allow", "WWW-Authenticate", "Retry-After")

_registry: dict[str, Converter] = {}


def condition_for_status(status: int) -> str:
    if status in STATUS_CONDITIONS:
        return STATUS_CONDITIONS[status]
    return Condition.SERVER_ERROR if status >= 500 else Condition.MALFORMED_REQUEST


def for_condition(
    condition: str,
    catalog: Catalog,
    *,
    http_status: int | None = None,
    message: Message | None = None,
    errors: list[FieldError] | None = None,
    headers: Mapping[str, str] | None = None,
    exception: BaseException | None = None,
) -> ResolvedError:
    """The catalog error for ``condition``; ``http_status`` wins over the catalog's own."""
    rule = catalog.rule(condition)
    entry = catalog.get(rule.code)
    if entry is None:
        raise LookupError(f"condition {condition!r} maps to unknown code {rule.code!r}")
    return ResolvedError(
        entry=entry,
        http_status=http_status or rule.http_status or entry.http_status,
        message=message or entry.message,
        condition=condition,
        errors=errors,
        headers=dict(headers or {}),
        exception=exception,
    )


def retry_after_seconds(seconds: float) -> str:
    """An integer ``Retry-After`` value, never below one second."""
    return str(whole_seconds(seconds))


def register(dotted_class_path: str) -> Callable[[Converter], Converter]:
    """Register the converter for an exception class, named by dotted path."""

    def decorator(converter: Converter) -> Converter:
        _registry[dotted_class_path] = converter
        _by_type.clear()
        return converter

    return decorator


_by_type: dict[type[BaseException], Converter] = {}


def converter_for_type(exc_type: type[BaseException]) -> Converter:
    """The converter registered for the nearest class in ``exc_type``'s MRO (memoised)."""
    try:
        converter = _by_type.get(exc_type)
    except TypeError:  # a class whose metaclass makes it unhashable
        return _lookup(exc_type)
    if converter is None:
        converter = _by_type[exc_type] = _lookup(exc_type)
    return converter


def _lookup(exc_type: type[BaseException]) -> Converter:
    for klass in exc_type.__mro__:
        registered = _registry.get(f"{klass.__module__}.{klass.__qualname__}")
        if registered is not None:
            return registered
    return _unhandled


def to_api_error(exc: BaseException, catalog: Catalog, conf: APIErrorsSettings) -> ResolvedError:
    """Convert ``exc`` and give 429 and 503 their ``Retry-After``."""
    converter = converter_for_type(type(exc))
    if converter is _unhandled:
        converter = _client_input_or_unhandled
    return with_retry_after(converter(exc, catalog), conf)


def status_to_api_error(
    status: int, catalog: Catalog, conf: APIErrorsSettings, headers: Mapping[str, str]
) -> ResolvedError:
    """The catalog error for an error response that carried no exception."""
    kept = {name: headers[name] for name in KEPT_HEADERS if name in headers}
    error = for_condition(condition_for_status(status), catalog, http_status=status, headers=kept)
    return with_retry_after(error, conf)


def with_retry_after(error: ResolvedError, conf: APIErrorsSettings) -> ResolvedError:
    if error.http_status in (429, 503) and "Retry-After" not in error.headers:
        error.headers["Retry-After"] = retry_after_seconds(conf.DEFAULT_RETRY_AFTER)
    return error


def _unhandled(exc: BaseException, catalog: Catalog) -> ResolvedError:
    return for_condition(Condition.SERVER_ERROR, catalog, exception=exc)


def _client_input_or_unhandled(exc: BaseException, catalog: Catalog) -> ResolvedError:
    """An exception no converter knows: a 400 if DRF or Django raised it reading the
    client's input, else a server error."""
    mistake = client_input_error(exc)
    if mistake is None:
        return _unhandled(exc, catalog)
    return for_condition(mistake.condition, catalog, errors=mistake.errors, exception=exc)


def _condition_converter(condition: str) -> Converter:
    def convert(exc: BaseException, catalog: Catalog) -> ResolvedError:
        return for_condition(condition, catalog, exception=exc)

    return convert


@register("api_errors.exceptions.APIError")
def _api_error(exc: APIError, catalog: Catalog) -> ResolvedError:
    headers = dict(exc.headers)
    if exc.retry_after is not None:
        headers["Retry-After"] = retry_after_seconds(exc.retry_after)
    code = exc.code_for(catalog.name)
    if code is None:
        error = for_condition(
            exc.condition,
            catalog,
            http_status=exc.http_status,
            message=exc.message,
            errors=exc.errors,
            headers=headers,
            exception=exc,
        )
    else:
        entry = catalog.get(code)
        if entry is None:
            # An undeclared code is a server bug, not something to show the client.
            return _unhandled(exc, catalog)
        error = ResolvedError(
            entry=entry,
            http_status=exc.http_status or entry.http_status,
            message=exc.message or entry.message,
            errors=exc.errors,
            headers=headers,
            exception=exc,
        )
    error.alert = exc.alert
    error.log_level = exc.log_level
    error.violated_policies = exc.violated_policies
    return error


# --- Django ---------------------------------------------------------------------------

for _path, _condition in {
    "django.http.response.Http404": Condition.NOT_FOUND,
    "django.core.exceptions.ObjectDoesNotExist": Condition.NOT_FOUND,
    "django.core.exceptions.PermissionDenied": Condition.PERMISSION_DENIED,
    "django.core.exceptions.SuspiciousOperation": Condition.MALFORMED_REQUEST,
    "django.core.exceptions.BadRequest": Condition.MALFORMED_REQUEST,
    "django.core.exceptions.RequestDataTooBig": Condition.REQUEST_TOO_LARGE,
    "django.http.multipartparser.MultiPartParserError": Condition.MALFORMED_REQUEST,
    "django_ratelimit.exceptions.Ratelimited": Condition.RATE_LIMITED,
    # A cache outage (e.g. under plain @ratelimit) is the service being unavailable.
    "redis.exceptions.ConnectionError": Condition.SERVICE_UNAVAILABLE,
    "redis.exceptions.TimeoutError": Condition.SERVICE_UNAVAILABLE,
    "django_redis.exceptions.ConnectionInterrupted": Condition.SERVICE_UNAVAILABLE,
}.items():
    register(_path)(_condition_converter(_condition))


@register("django.core.exceptions.ValidationError")
def _django_validation_error(exc: Any, catalog: Catalog) -> ResolvedError:
    return for_condition(
        Condition.VALIDATION_ERROR,
        catalog,
        errors=flatten_django_validation_error(exc),
        exception=exc,
    )


# --- Django REST framework ------------------------------------------------------------

DRF_CONDITIONS = {
    "rest_framework.exceptions.NotAuthenticated": Condition.NOT_AUTHENTICATED,
    "rest_framework.exceptions.AuthenticationFailed": Condition.AUTHENTICATION_FAILED,
    "rest_framework.exceptions.PermissionDenied": Condition.PERMISSION_DENIED,
    "rest_framework.exceptions.NotFound": Condition.NOT_FOUND,
    "rest_framework.exceptions.MethodNotAllowed": Condition.METHOD_NOT_ALLOWED,
    "rest_framework.exceptions.NotAcceptable": Condition.NOT_ACCEPTABLE,
    "rest_framework.exceptions.UnsupportedMediaType": Condition.UNSUPPORTED_MEDIA_TYPE,
    "rest_framework.exceptions.Throttled": Condition.RATE_LIMITED,
}


def _drf_headers(exc: Any) -> dict[str, str]:
    """The headers DRF's own handler would send: ``WWW-Authenticate`` and ``Retry-After``."""
    headers: dict[str, str] = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = str(exc.auth_header)
    if getattr(exc, "wait", None):
        headers["Retry-After"] = retry_after_seconds(exc.wait)
    return headers


def _drf_custom_message(exc: Any, condition: str) -> str | None:
    """A detail the view wrote for clients (``NotFound("No such folder")``), else ``None``.

    DRF's own wording, including defaults it fills in (``Method "PUT" not allowed.``), and
    Throttled's wait-time text give way to the catalog's message.
    """
    detail = exc.detail
    if condition == Condition.RATE_LIMITED or not isinstance(detail, str):
        return None
    exc_type: Any = type(exc)
    try:
        is_default = _is_default_detail(exc_type, str(detail))
    except TypeError:  # a class whose metaclass makes it unhashable
        is_default = _is_default_detail.__wrapped__(exc_type, str(detail))
    return None if is_default else detail


@lru_cache(maxsize=256)
def _is_default_detail(exc_type: type[Any], detail: str) -> bool:
    """Whether ``detail`` is ``exc_type``'s default wording, filled in or not. Memoised by
    text, so the usual default costs no translation lookup (the default was translated
    once already, when the exception was made). A text that is the default in one
    language counts as the default in all of them."""
    return _default_detail_pattern(str(exc_type.default_detail)).fullmatch(detail) is not None


@lru_cache(maxsize=64)
def _default_detail_pattern(template: str) -> re.Pattern[str]:
    """``'Method "{method}" not allowed.'`` as a pattern matching any filled-in value."""
    return re.compile(re.sub(r"\\\{\w+\\\}", ".*", re.escape(template)), re.S)


def _drf_api_exception(condition: str | None) -> Converter:
    def convert(exc: Any, catalog: Catalog) -> ResolvedError:
        status = int(exc.status_code)
        resolved_condition = condition or condition_for_status(status)
        return for_condition(
            resolved_condition,
            catalog,
            http_status=status,
            message=_drf_custom_message(exc, resolved_condition),
            headers=_drf_headers(exc),
            exception=exc,
        )

    return convert


for _path, _condition in DRF_CONDITIONS.items():
    register(_path)(_drf_api_exception(_condition))
register("rest_framework.exceptions.APIException")(_drf_api_exception(None))


def _drf_with_details(condition: str) -> Converter:
    """DRF's own details as the ``errors`` list: a serializer's field errors, or the parse
    failure DRF words for clients ("JSON parse error - ...")."""

    def convert(exc: Any, catalog: Catalog) -> ResolvedError:
        return for_condition(
            condition,
            catalog,
            http_status=int(exc.status_code),
            errors=flatten_drf_detail(exc.detail),
            exception=exc,
        )

    return convert


register("rest_framework.exceptions.ValidationError")(_drf_with_details(Condition.VALIDATION_ERROR))
register("rest_framework.exceptions.ParseError")(_drf_with_details(Condition.MALFORMED_REQUEST))
