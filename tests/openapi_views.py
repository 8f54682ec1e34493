"""DRF views whose schemas exercise every rule of api_errors.openapi."""

from rest_framework import serializers
from rest_framework.authentication import BasicAuthentication, SessionAuthentication
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from api_errors import Conflict, StateNotReady, raises
from api_errors.limits import QuotaThrottle, charge_balance, quota, rate_limit
from api_errors.renderers import EnvelopeJSONRenderer


class ItemSerializer(serializers.Serializer):
    name = serializers.CharField()


class OpenView(APIView):
    """No authenticators, no permissions, no limits: only the errors every view can send."""

    authentication_classes = []
    permission_classes = [AllowAny]
    serializer_class = ItemSerializer

    def get(self, request):
        return Response({"name": "x"})


class ItemView(APIView):
    authentication_classes = [BasicAuthentication]
    permission_classes = [IsAuthenticated]
    serializer_class = ItemSerializer
    renderer_classes = [EnvelopeJSONRenderer]

    @raises(StateNotReady)
    def get(self, request, item_id):
        return Response({"name": "x"})

    @raises(Conflict)
    def post(self, request, item_id):
        return Response({"name": "x"}, status=201)


class SessionView(APIView):
    """Session authentication sends no challenge: DRF answers 403, never 401."""

    authentication_classes = [SessionAuthentication]
    permission_classes = [IsAuthenticated]
    serializer_class = ItemSerializer

    def get(self, request):
        return Response({"name": "x"})


class MonthlyQuota(QuotaThrottle):
    group = "openapi-quota"
    limit = 10


class LimitedView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    serializer_class = ItemSerializer
    throttle_classes = [MonthlyQuota]

    @rate_limit(group="openapi-rate", key="ip", rate="5/m")
    @charge_balance(1)
    def get(self, request):
        return Response({"name": "x"})


class DrfThrottledView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    serializer_class = ItemSerializer
    throttle_classes = [AnonRateThrottle]

    @quota(group="openapi-total", key="ip", limit=100, period="total")
    def get(self, request):
        return Response({"name": "x"})


class OtherHandlerView(APIView):
    """Answers errors with DRF's own handler: api_errors documents none of them."""

    authentication_classes = []
    permission_classes = [AllowAny]
    serializer_class = ItemSerializer

    def get_exception_handler(self):
        return drf_exception_handler

    def get(self, request):
        return Response({"name": "x"})


class BrokenThrottlesView(APIView):
    """drf-spectacular never asks for throttles; api_errors does, and reports the failure."""

    authentication_classes = []
    permission_classes = [AllowAny]
    serializer_class = ItemSerializer

    def get_throttles(self):
        raise RuntimeError("no throttles today")

    def get(self, request):
        return Response({"name": "x"})
