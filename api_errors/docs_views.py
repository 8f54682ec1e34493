"""The generated "Error Handling" page, served as HTML."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from api_errors.documentation import describe_errors, render_html


@require_safe
def error_handling_view(request: HttpRequest) -> HttpResponse:
    """The page for the active style and catalog, in the request's language."""
    return HttpResponse(render_html(describe_errors(), request))
