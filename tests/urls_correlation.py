"""URLconf for the correlation id tests: the main test URLs plus a few correlation views."""

from django.urls import include, path

from tests import correlation_views

handler400 = "api_errors.handlers.handler400"
handler403 = "api_errors.handlers.handler403"
handler404 = "api_errors.handlers.handler404"
handler500 = "api_errors.handlers.handler500"

urlpatterns = [
    path("api/correlation/async-slow/", correlation_views.async_slow),
    path("api/correlation/sync-slow/", correlation_views.sync_slow),
    path("api/correlation/logs/", correlation_views.logs_inside),
    path("api/correlation/expose/", correlation_views.expose_set_by_view),
    path("api/correlation/async-expose/", correlation_views.async_expose_set_by_view),
    path("pages/correlation/expose/", correlation_views.expose_set_by_view),
    path("", include("tests.urls")),
]
