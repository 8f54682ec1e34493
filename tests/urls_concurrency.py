from django.urls import path

from tests import concurrency_views as views

handler404 = "api_errors.handlers.handler404"
handler500 = "api_errors.handlers.handler500"

urlpatterns = [
    path("api/concurrency/plain/", views.plain_view),
    path("api/concurrency/async/", views.async_view),
    path("api/concurrency/raises/", views.raising_view),
    path("api/concurrency/stream/", views.streaming_view),
    path("api/concurrency/async-stream/", views.async_streaming_view),
    path("api/concurrency/short/", views.short_lease_view),
    path("api/concurrency/hint/", views.long_hint_view),
    path("api/concurrency/shadow/", views.shadow_view),
    path("api/concurrency/plan/", views.unlimited_plan_view),
    path("api/concurrency/post-only/", views.post_only_view),
    path("api/concurrency/drf-decorated/", views.DecoratedAPIView.as_view()),
    path("api/concurrency/drf-throttled/", views.ThrottledAPIView.as_view()),
]
