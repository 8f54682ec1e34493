"""The generated "Error Handling" page under /api/docs/, beside api_errors' catalog views."""

from django.urls import include, path

urlpatterns = [
    path("api/docs/", include("api_errors.docs_urls")),
    path("api/", include("api_errors.urls")),
]
