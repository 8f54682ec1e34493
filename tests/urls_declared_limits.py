"""URLconfs whose views declare limits the two ways views do, for the shared-cache check."""

from django.http import HttpResponse
from django.urls import path
from rest_framework import viewsets
from rest_framework.decorators import action, api_view
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
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


class LimitedActions(viewsets.ViewSet):
    def list(self, request):
        return Response([])

    @action(detail=False, methods=["post"])
    @rate_limit(group="checks-action", key="ip", rate="1/m")
    def publish(self, request):
        return Response({})


class ChargedActions(viewsets.ViewSet):
    def list(self, request):
        return Response([])

    @charge_balance(1)
    @action(detail=False, methods=["post"])
    def buy(self, request):
        return Response({})


@api_view(["GET"])
@rate_limit(group="checks-function", key="ip", rate="1/m")
def limited_function(request):
    return Response({})


@api_view(["POST"])
@charge_balance(1)
def charged_function(request):
    return Response({})


def routed(viewset):
    router = SimpleRouter()
    router.register("api/actions", viewset, basename="actions")
    return router.urls


decorator_patterns = [path("api/decorated/", decorated)]
action_patterns = routed(LimitedActions)
function_patterns = [path("api/function/", limited_function)]
action_charge_patterns = routed(ChargedActions)
function_charge_patterns = [path("api/function/charged/", charged_function)]
throttle_patterns = [path("api/throttled/", Throttled.as_view())]
charge_patterns = [path("api/charged/", charged)]
