"""Entry points: the DRF exception handler and Django's error views.

Wire them up with ``REST_FRAMEWORK["EXCEPTION_HANDLER"]``, ``handler400``..``handler500``
in the root URLconf and ``CSRF_FAILURE_VIEW``. Off the API paths the Django views
answer exactly as Django's defaults do.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.views import csrf, defaults

from api_errors.conf import get_settings
from api_errors.pipeline import respond_to_error_status, respond_to_exception


def exception_handler(exc: Exception, context: dict[str, Any]) -> HttpResponse:
    """DRF's ``EXCEPTION_HANDLER``: every exception, not only ``APIException``, gets an envelope."""
    request = context["request"]
    django_request = getattr(request, "_request", request)
    return respond_to_exception(exc, django_request)


def _on_api_path(request: HttpRequest) -> bool:
    return get_settings().is_api_path(request.path_info)


def handler400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if not _on_api_path(request):
        return defaults.bad_request(request, exception or BadRequest())
    return respond_to_exception(exception or BadRequest(), request, send_signal=False)


def handler403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if not _on_api_path(request):
        return defaults.permission_denied(request, exception or PermissionDenied())
    return respond_to_exception(exception or PermissionDenied(), request, send_signal=False)


def handler404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if not _on_api_path(request):
        return defaults.page_not_found(request, exception)
    return respond_to_exception(exception or Http404(), request, send_signal=False)


def handler500(request: HttpRequest) -> HttpResponse:
    """Django has already sent ``got_request_exception``; the exception is still in flight."""
    if not _on_api_path(request):
        return defaults.server_error(request)
    exception = sys.exc_info()[1]
    if exception is None:
        return respond_to_error_status(500, request, {})
    return respond_to_exception(exception, request, send_signal=False)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: a permission-denied envelope on API paths."""
    if not _on_api_path(request):
        return csrf.csrf_failure(request, reason)
    return respond_to_exception(PermissionDenied(reason), request, send_signal=False)
