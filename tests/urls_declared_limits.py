"""URLconfs whose views declare limits the two ways views do, for the shared-cache check."""

from django.http import HttpResponse
from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from api_errors.limits import RateLimitThrottle, charge_balance, rate_limit


@rate_limit(group="checks", key="ip", rate="1/m")
def decorated(request):
    return HttpResponse("ok")


class EveryMinute(RateLimitThrottle):
    group = "checks-throttle"
    rate = "1/m"


class Throttled(APIView):
    throttle_classes = [EveryMinute]

    def get(self, request):
        return Response({})


@charge_balance(1)
def charged(request):
    return HttpResponse("ok")


decorator_patterns = [path("api/decorated/", decorated)]
throttle_patterns = [path("api/throttled/", Throttled.as_view())]
charge_patterns = [path("api/charged/", charged)]
