"""Views limited by each algorithm, and in shadow mode, and their URLconf.

Every view counts per ``X-Client`` header, so a test gets fresh counters from a new client
id and never needs to clear a cache shared with other test runs.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.urls import include, path
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from api_errors.limits import RateLimitThrottle, quota, rate_limit

KEY = "header:x-client"
ALGORITHMS = ("fixed", "sliding", "gcra")


def limited(name, rate, **options):
    @rate_limit(group=f"la-{name}", key=KEY, rate=rate, **options)
    def view(request):
        return JsonResponse({"ok": True})

    return view


class OkSerializer(serializers.Serializer):
    ok = serializers.BooleanField()


class ShadowGCRA(RateLimitThrottle):
    group = "la-drf-shadow"
    key = KEY
    rate = "2/m"
    algorithm = "gcra"
    shadow = True


class ShadowThrottledView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ShadowGCRA]
    serializer_class = OkSerializer

    def get(self, request):
        return Response({"ok": True})


class CountedAPIView(APIView):
    """For the schema: a sliding rate limit (429) and a GCRA weekly quota (403)."""

    authentication_classes = []
    permission_classes = [AllowAny]
    serializer_class = OkSerializer

    @rate_limit(group="la-drf-sliding", key=KEY, rate="5/10s", algorithm="sliding")
    @quota(group="la-drf-weekly", key=KEY, limit=700, period="7d", algorithm="gcra", burst=10)
    @quota(group="la-drf-plan", key=KEY, limit=lambda group, request: 10, period="30d")
    def get(self, request):
        return Response({"ok": True})


@quota(group="la-monthly", key=KEY, limit=1000)
@quota(group="la-total", key=KEY, limit=50, period="total")
def fixed_quotas_view(request):
    return JsonResponse({"ok": True})


@quota(group="la-quota-30d", key=KEY, limit=2, period="30d", algorithm="sliding")
def sliding_quota_view(request):
    return JsonResponse({"ok": True})


def plan_rate(group, request):
    """A rate per plan; the "huge" plan is too large for a sliding log."""
    return {"huge": "20000/h", "none": "0/m"}.get(request.META.get("HTTP_X_PLAN"), "2/m")


urlpatterns = [
    *(
        path(f"api/algorithms/{name}/edge/", limited(f"edge-{name}", "5/10s", algorithm=name))
        for name in ALGORITHMS
    ),
    path("api/algorithms/sliding/two/", limited("sliding-two", "2/10s", algorithm="sliding")),
    path("api/algorithms/gcra/two/", limited("gcra-two", "5/10s", algorithm="gcra", burst=2)),
    path("api/algorithms/sliding/honest/", limited("honest", "2/2s", algorithm="sliding")),
    path("api/algorithms/gcra/honest/", limited("gcra-honest", "2/2s", algorithm="gcra")),
    *(
        path(
            f"api/algorithms/{name}/shadow/",
            limited(f"shadow-{name}", "2/m", algorithm=name, shadow=True),
        )
        for name in ALGORITHMS
    ),
    path("api/algorithms/drf-shadow/", ShadowThrottledView.as_view()),
    path("api/algorithms/drf-counted/", CountedAPIView.as_view()),
    path("api/docs/", include("api_errors.docs_urls")),
    path("api/algorithms/quota-30d/", sliding_quota_view),
    path("api/algorithms/fixed-quotas/", fixed_quotas_view),
    *(
        path(f"api/algorithms/{name}/plan/", limited(f"plan-{name}", plan_rate, algorithm=name))
        for name in ALGORITHMS
    ),
]
