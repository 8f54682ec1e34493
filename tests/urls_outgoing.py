"""URLconf for the outgoing HTTP tests: one view per client library."""

from django.urls import path

from tests import outgoing_views

urlpatterns = [
    path("api/outgoing/requests/", outgoing_views.with_requests),
    path("api/outgoing/httpx/", outgoing_views.with_httpx),
    path("api/outgoing/urllib3/", outgoing_views.with_urllib3),
    path("api/outgoing/httpx-async/", outgoing_views.with_httpx_async),
]
