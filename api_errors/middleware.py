"""Correlation id on every response; envelopes for plain-view exceptions and Django's own
error pages on API paths; the places a DRF throttle's concurrency limit took, given back."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.module_loading import import_string

from api_errors.conf import APIErrorsSettings, get_settings
from api_errors.correlation import reset_correlation_id, set_correlation_id
from api_errors.deprecation import renamed
from api_errors.http_values import is_header_name
from api_errors.integrations.base import (
    Integration,
    active_integrations,
    bind_all,
    request_correlation_id,
    unbind_all,
)
from api_errors.limits.headers import STATE_HEADER, USAGE_ATTRIBUTE, rate_limit_headers
from api_errors.limits.leases import LEASES_ATTRIBUTE, settle_leases
from api_errors.pipeline import respond_to_error_status, respond_to_exception
from api_errors.responses import is_envelope

EXPOSE_HEADERS = "Access-Control-Expose-Headers"
# Where the exception behind a DEBUG page is kept for the envelope that replaces the page.
EXCEPTION_ATTRIBUTE = "_api_errors_exception"
# Where a reporter class set on the request before ours is kept for non-API paths.
PREVIOUS_REPORTER_ATTRIBUTE = "_api_errors_previous_reporter"
REPORTER_ATTRIBUTE = "exception_reporter_class"

GetResponse = Callable[[HttpRequest], HttpResponseBase]
AsyncGetResponse = Callable[[HttpRequest], Awaitable[HttpResponseBase]]


def _is_json(response: HttpResponseBase) -> bool:
    content_type = response.get("Content-Type", "")
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or media_type.endswith("+json")


# Headers that describe the body of a response the envelope replaces, so they go with it.
BODY_HEADERS = frozenset(
    {
        "content-type",
        "content-length",
        "content-encoding",
        "content-disposition",
        "content-range",
        "etag",
        "last-modified",
        "transfer-encoding",
    }
)


class KeepingReporter:
    """The exception reporter of Django's debug page on an API path. The envelope replaces
    the page, so it keeps the exception on the request and renders nothing: rendering the
    page could fail (a path converter raising again) or touch the session, and change
    what the response carries.

    Every request gets it, so no request pays for a path check: off the API paths it
    makes the reporter the request had before, or Django's default."""

    def __new__(cls, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request is not None and not get_settings().is_api_path(request.path_info):
            reporter = request.__dict__.get(PREVIOUS_REPORTER_ATTRIBUTE) or import_string(
                settings.DEFAULT_EXCEPTION_REPORTER
            )
            return reporter(request, *args, **kwargs)
        return super().__new__(cls)

    def __init__(self, request: HttpRequest, exc_type: Any, exc_value: Any, tb: Any) -> None:
        if request is not None and exc_value is not None:
            request.__dict__[EXCEPTION_ATTRIBUTE] = exc_value

    def get_traceback_html(self) -> str:
        return ""

    def get_traceback_text(self) -> str:
        return ""


def _header_key(conf: APIErrorsSettings) -> str | None:
    header = conf.CORRELATION_ID_HEADER
    return header.lower() if is_header_name(header) else None


def stamp_header(
    response: HttpResponseBase, header: str, correlation_id: str, conf: APIErrorsSettings
) -> None:
    """Set the correlation header. Every id is printable ASCII by the time it gets here, and
    the name is checked once per settings, so Django's checks on each write (a fifth of
    the middleware's cost) are skipped by writing its header store directly."""
    key = conf.derived(_header_key)
    store = getattr(response.headers, "_store", None)
    if key is not None and type(store) is dict:
        store[key] = (header, correlation_id)
    else:
        response.headers[header] = correlation_id


def replacing(old: HttpResponseBase, new: HttpResponseBase) -> HttpResponseBase:
    """``new`` with what the middleware below added to ``old`` (security and language
    headers, cookies), as it would have had if Django had not rendered ``old``."""
    for name, value in old.items():
        if name.lower() not in BODY_HEADERS and name not in new:
            new[name] = value
    for name, morsel in old.cookies.items():
        new.cookies.setdefault(name, morsel)
    return new


class APIErrorsMiddleware:
    """Put it near the top of ``MIDDLEWARE`` so it sees what the others answer."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: GetResponse | AsyncGetResponse) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)
        # The integrations of the settings last seen, as one pair so threads swap it whole.
        self.integrations_for: tuple[APIErrorsSettings | None, tuple[Integration, ...]] = (None, ())

    def active_integrations(self, conf: APIErrorsSettings) -> tuple[Integration, ...]:
        seen, integrations = self.integrations_for
        if seen is not conf:
            integrations = active_integrations(conf)
            self.integrations_for = (conf, integrations)
        return integrations

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self.__acall__(request)
        conf = get_settings()
        integrations = self.active_integrations(conf)
        correlation_id = self.start(request, conf, integrations)
        token = set_correlation_id(correlation_id)
        states = bind_all(integrations, correlation_id) if integrations else None
        try:
            try:
                response: HttpResponseBase = self.get_response(request)  # type: ignore[assignment]
            except Exception as exc:
                response = self.escaped(exc, request, conf)
            response = self.finish(request, response, correlation_id, conf)
            if LEASES_ATTRIBUTE in request.__dict__:
                settle_leases(request, response)
            return response
        finally:
            if states is not None:
                unbind_all(integrations, states)
            reset_correlation_id(token)

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        conf = get_settings()
        integrations = self.active_integrations(conf)
        correlation_id = self.start(request, conf, integrations)
        token = set_correlation_id(correlation_id)
        states = bind_all(integrations, correlation_id) if integrations else None
        try:
            try:
                response = await self.get_response(request)  # type: ignore[misc]
            except Exception as exc:
                response = self.escaped(exc, request, conf)
            response = self.finish(request, response, correlation_id, conf)
            if LEASES_ATTRIBUTE in request.__dict__:
                # Giving a lease back is a round trip to the store: not on the event loop.
                await sync_to_async(settle_leases)(request, response)
            return response
        finally:
            if states is not None:
                unbind_all(integrations, states)
            reset_correlation_id(token)

    @staticmethod
    def start(
        request: HttpRequest, conf: APIErrorsSettings, integrations: tuple[Integration, ...] = ()
    ) -> str:
        """The request's correlation id. On API paths, Django's debug page (only ever shown
        with DEBUG) keeps its exception for the envelope that replaces it."""
        correlation_id = request_correlation_id(request, conf, integrations)
        request.correlation_id = correlation_id  # type: ignore[attr-defined]
        attributes = request.__dict__
        previous = attributes.get(REPORTER_ATTRIBUTE)
        if previous is not None and previous is not KeepingReporter:
            attributes[PREVIOUS_REPORTER_ATTRIBUTE] = previous
        attributes[REPORTER_ATTRIBUTE] = KeepingReporter
        return correlation_id

    @staticmethod
    def escaped(exc: Exception, request: HttpRequest, conf: APIErrorsSettings) -> Any:
        """An exception Django's own error handling let through (e.g. raised again while
        rendering a debug page): an envelope on API paths, Django's business elsewhere."""
        if not conf.is_api_path(request.path_info):
            raise exc
        return respond_to_exception(exc, request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> Any:
        if not get_settings().is_api_path(request.path_info):
            return None
        return respond_to_exception(exception, request)

    def finish(
        self,
        request: HttpRequest,
        response: HttpResponseBase,
        correlation_id: str,
        conf: APIErrorsSettings,
    ) -> HttpResponseBase:
        if response.status_code >= 400:
            response = self.enveloped(request, response, conf)
        if conf.RATE_LIMIT_HEADERS:
            self.add_rate_limit_headers(request, response, conf.RATE_LIMIT_HEADERS_ON_SUCCESS)
        header = conf.CORRELATION_ID_HEADER
        stamp_header(response, header, correlation_id, conf)
        # Only a CORS request (one with an Origin) reads the exposed names.
        if conf.EXPOSE_CORRELATION_HEADER and "HTTP_ORIGIN" in request.META:
            self.expose(response, header)
        return response

    @staticmethod
    def enveloped(
        request: HttpRequest, response: HttpResponseBase, conf: APIErrorsSettings
    ) -> HttpResponseBase:
        """An error response as an envelope: ours already, or replacing one made on an API
        path without one."""
        if (
            not is_envelope(response)
            and conf.is_api_path(request.path_info)
            and not _is_json(response)
        ):
            exception = request.__dict__.pop(EXCEPTION_ATTRIBUTE, None)
            if exception is not None:
                # Django answered it with a debug page; DEBUG must not change the answer.
                envelope = respond_to_exception(exception, request, send_signal=False)
            else:
                envelope = respond_to_error_status(response.status_code, request, response.headers)
            response = replacing(response, envelope)
        if is_envelope(response) and "Content-Length" not in response:
            # Made above, or below a middleware that would have set it (CommonMiddleware).
            response["Content-Length"] = str(len(response.content))  # type: ignore[attr-defined]
        return response

    @staticmethod
    def add_rate_limit_headers(
        request: HttpRequest, response: HttpResponseBase, on_success: bool
    ) -> None:
        """The counts a request was admitted under: always when a shadow limit would have
        refused it, else with ``on_success``. A refused one already carries its own."""
        usages = request.__dict__.get(USAGE_ATTRIBUTE)
        if not usages or STATE_HEADER in response:
            return
        if on_success or any(usage.exceeded for usage in usages):
            for name, value in rate_limit_headers(usages).items():
                response[name] = value

    @staticmethod
    def expose(response: HttpResponseBase, header: str) -> None:
        """Add ``header`` to ``Access-Control-Expose-Headers`` without dropping others' names."""
        existing = response.get(EXPOSE_HEADERS)
        if not existing:
            response[EXPOSE_HEADERS] = header
            return
        names = {name.strip().lower() for name in existing.split(",")}
        if header.lower() not in names and "*" not in names:
            response[EXPOSE_HEADERS] = f"{existing}, {header}"


__getattr__ = renamed(__name__, {"ApiErrorsMiddleware": "APIErrorsMiddleware"}, globals())
