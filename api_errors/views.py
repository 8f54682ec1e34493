"""Views that publish the catalog and let client developers trigger every documented error."""

from __future__ import annotations

from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.http import require_safe

from api_errors.active import get_catalog
from api_errors.documentation import example_field_errors
from api_errors.exceptions import APIError


@require_safe
def catalog_view(request: HttpRequest) -> JsonResponse:
    """``{"errors": [...]}``: every code the API can send."""
    return JsonResponse({"errors": [entry.describe() for entry in get_catalog().entries]})


@require_safe
def example_error_view(request: HttpRequest, code: str) -> JsonResponse:
    """Answer with exactly the catalog error ``code``, at its default status, with the
    sample field errors of the "Error Handling" page's example if it is that code."""
    catalog = get_catalog()
    entry = catalog.by_text.get(code)
    if entry is None:
        raise Http404("no such error code")
    raise APIError(code=entry.code, errors=example_field_errors(entry.code, catalog), alert=False)
