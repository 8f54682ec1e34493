"""Include for the "Error Handling" page: ``path("api/docs/", include("api_errors.docs_urls"))``
serves it at ``/api/docs/errors/``."""

from __future__ import annotations

from django.urls import path

from api_errors.docs_views import error_handling_view

app_name = "api_errors_docs"

urlpatterns = [
    path("errors/", error_handling_view, name="error-handling"),
]
