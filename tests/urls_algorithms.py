"""Views limited by each algorithm, and their URLconf.

Every view counts per ``X-Client`` header, so a test gets fresh counters from a new client
id and never needs to clear a cache shared with other test runs.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.urls import path

from api_errors.limits import quota, rate_limit

KEY = "header:x-client"
ALGORITHMS = ("fixed", "sliding", "gcra")


def limited(name, rate, **options):
    @rate_limit(group=f"la-{name}", key=KEY, rate=rate, **options)
    def view(request):
        return JsonResponse({"ok": True})

    return view


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
    path("api/algorithms/quota-30d/", sliding_quota_view),
    *(
        path(f"api/algorithms/{name}/plan/", limited(f"plan-{name}", plan_rate, algorithm=name))
        for name in ALGORITHMS
    ),
]
