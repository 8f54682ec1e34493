"""The test URLconf, plus the tracing integrations' views."""

from django.urls import path

from tests import tracing_views
from tests.urls import handler400, handler403, handler404, handler500, urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]

urlpatterns = [
    path("api/tracing/capture-message/", tracing_views.capture_message),
    path("api/tracing/async-capture-message/", tracing_views.async_capture_message),
    *urlpatterns,
]
