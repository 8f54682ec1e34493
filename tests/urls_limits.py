from django.urls import path

from tests import limits_views as views

handler404 = "api_errors.handlers.handler404"
handler500 = "api_errors.handlers.handler500"

urlpatterns = [
    *views.limited_patterns(),
    path("api/limits/drf-decorator/charged/<str:name>/", views.ChargedAPIView.as_view()),
    path("api/limits/plain/charged/<str:name>/", views.charged_view),
    path("api/limits/async/charged/<str:name>/", views.async_charged_view),
    path("api/limits/ratelimit/", views.ratelimit_view),
    path("api/limits/shared/ratelimit/", views.shared_by_ratelimit),
    path("api/limits/shared/policy/", views.shared_by_policy),
    path("api/limits/post-only/", views.post_only_view),
    path("api/limits/plan/", views.plan_view),
    path("api/limits/scoped/", views.ScopedUploadView.as_view()),
    path("api/limits/two-limits/", views.two_limits_view),
    path("api/limits/plan-quota/", views.plan_quota_view),
    path("api/limits/30d/", views.thirty_day_quota_view),
    path("api/limits/charged-then-limited/", views.charged_then_limited_view),
    path("api/limits/honest/", views.honest_view),
    path("api/limits/honest-3s/", views.honest_3s_view),
    path("api/limits/drf-honest/", views.HonestAPIView.as_view()),
]
