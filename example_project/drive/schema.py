"""The OpenAPI schema's API key scheme, and the Swagger UI and Redoc pages that show it."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView
from rest_framework.request import Request


class ApiKeyScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "example_project.drive.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "description": "An API key: demo-key-123."}


class PlainOptions:
    """OPTIONS as Django's own views answer it: 200, ``Allow``, no body. DRF's default
    renders its metadata with the view's renderer, which for an HTML page is a template
    that cannot show it."""

    allowed_methods: list[str]

    def options(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        response = HttpResponse()
        response["Allow"] = ", ".join(self.allowed_methods)
        response["Content-Length"] = "0"
        return response


class SwaggerView(PlainOptions, SpectacularSwaggerView):
    pass


class RedocView(PlainOptions, SpectacularRedocView):
    pass
