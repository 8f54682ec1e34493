"""Include under your API prefix: ``path("api/", include("api_errors.urls"))``."""

from __future__ import annotations

from django.urls import path

from api_errors import views

app_name = "api_errors"

urlpatterns = [
    path("errors/", views.catalog_view, name="catalog"),
    path("examples/errors/<str:code>/", views.example_error_view, name="example-error"),
]
