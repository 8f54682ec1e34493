"""Views that raise every exception family, reachable from DRF, plain sync and async views."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from django.contrib.auth.models import User
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    BadRequest,
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.views.decorators.http import require_GET
from django_ratelimit.decorators import ratelimit
from django_ratelimit.exceptions import Ratelimited
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions as drf
from rest_framework import serializers
from rest_framework.authentication import BasicAuthentication, SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

import api_errors
from api_errors import get_correlation_id, raises
from api_errors.catalog import Condition
from api_errors.renderers import EnvelopeJSONRenderer

SECRET = "s3cr3t-internal-detail"


class Custom409(drf.APIException):
    status_code = 409
    default_detail = "Conflict."


EXCEPTIONS: dict[str, Callable[[], BaseException]] = {
    "http404": lambda: Http404(SECRET),
    "permission_denied": lambda: PermissionDenied(SECRET),
    "object_does_not_exist": lambda: ObjectDoesNotExist(SECRET),
    "django_validation": lambda: DjangoValidationError(
        {"name": [DjangoValidationError("Bad name %(n)s", code="bad", params={"n": 1})]}
    ),
    "django_validation_list": lambda: DjangoValidationError("Not valid", code="nope"),
    "suspicious": lambda: SuspiciousOperation(SECRET),
    "bad_request": lambda: BadRequest(SECRET),
    "request_too_big": lambda: RequestDataTooBig(SECRET),
    "ratelimited": lambda: Ratelimited(SECRET),
    "runtime": lambda: RuntimeError(SECRET),
    "drf_validation": lambda: drf.ValidationError({"name": ["This field is required."]}),
    "drf_parse": lambda: drf.ParseError(),
    "drf_not_authenticated": lambda: drf.NotAuthenticated(),
    "drf_authentication_failed": lambda: drf.AuthenticationFailed(),
    "drf_permission_denied": lambda: drf.PermissionDenied(),
    "drf_permission_denied_custom": lambda: drf.PermissionDenied("You do not own this folder."),
    "drf_not_found": lambda: drf.NotFound(),
    "drf_method_not_allowed": lambda: drf.MethodNotAllowed("GET"),
    "drf_not_acceptable": lambda: drf.NotAcceptable(),
    "drf_unsupported_media_type": lambda: drf.UnsupportedMediaType("text/plain"),
    "drf_throttled": lambda: drf.Throttled(wait=3.2),
    "drf_api_exception": lambda: drf.APIException(SECRET),
    "drf_custom_409": lambda: Custom409(),
    "invalid_parameter": lambda: api_errors.InvalidParameter(),
    "bad_request_typed": lambda: api_errors.MalformedRequest(),
    "not_authenticated": lambda: api_errors.AuthenticationRequired(),
    "authentication_failed": lambda: api_errors.InvalidCredentials(),
    "client_expired": lambda: api_errors.ClientExpired(),
    "access_denied": lambda: api_errors.AccessDenied(),
    "not_found": lambda: api_errors.ResourceNotFound(),
    "conflict": lambda: api_errors.Conflict(),
    "state_not_ready": lambda: api_errors.StateNotReady(),
    "connector_not_linked": lambda: api_errors.ConnectorNotLinked(),
    "download_not_supported": lambda: api_errors.DownloadNotSupported(),
    "file_rejected": lambda: api_errors.FileRejected(),
    "upstream_failure": lambda: api_errors.UpstreamFailure(SECRET),
    "rate_limited": lambda: api_errors.RateLimited(retry_after=7),
    "quota_exceeded": lambda: api_errors.QuotaExceeded(),
    "total_limit_exceeded": lambda: api_errors.TotalLimitExceeded(),
    "insufficient_balance": lambda: api_errors.InsufficientBalance(),
    "service_unavailable": lambda: api_errors.ServiceUnavailable(),
    "custom_message": lambda: api_errors.Conflict("A folder named 'x' already exists."),
}


def _raise(name: str) -> None:
    raise EXCEPTIONS[name]()


class RequestTooLarge(api_errors.APIError):
    condition = Condition.REQUEST_TOO_LARGE


class UnsupportedMediaType(api_errors.APIError):
    condition = Condition.UNSUPPORTED_MEDIA_TYPE


# DRF answers its NotAuthenticated and AuthenticationFailed with 403 where no authenticator
# names a challenge, as none does on the views below.
class UnchallengedAuthenticationRequired(api_errors.AuthenticationRequired):
    http_status = 403


class UnchallengedInvalidCredentials(api_errors.InvalidCredentials):
    http_status = 403


# The DRF views below document what they send, so that contract mode (pytest
# --api-errors-contract) holds their responses to the generated schema. The raising views
# declare a typed exception for every condition EXCEPTIONS' members are converted to.
RAISED = (
    api_errors.InvalidParameter,
    api_errors.MalformedRequest,
    api_errors.AuthenticationRequired,
    api_errors.InvalidCredentials,
    api_errors.ClientExpired,
    api_errors.AccessDenied,
    api_errors.Conflict,
    api_errors.StateNotReady,
    api_errors.ConnectorNotLinked,
    api_errors.DownloadNotSupported,
    api_errors.FileRejected,
    api_errors.UpstreamFailure,
    api_errors.RateLimited,
    api_errors.QuotaExceeded,
    api_errors.TotalLimitExceeded,
    api_errors.InsufficientBalance,
    api_errors.ServiceUnavailable,
    RequestTooLarge,
    UnsupportedMediaType,
    UnchallengedAuthenticationRequired,
    UnchallengedInvalidCredentials,
)
AN_OBJECT = extend_schema(responses={200: OpenApiTypes.OBJECT})


@raises(*RAISED)
class DRFRaiseView(APIView):
    def get(self, request, name):
        _raise(name)

    def post(self, request, name):
        _raise(name)


def plain_raise(request, name):
    _raise(name)


async def async_raise(request, name):
    await asyncio.sleep(0)
    _raise(name)


class ItemSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=5)
    size = serializers.IntegerField(min_value=0)


class AddressSerializer(serializers.Serializer):
    city = serializers.CharField()

    def validate(self, attrs):
        if attrs.get("city") == "Nowhere":
            raise serializers.ValidationError("City does not exist.")
        return attrs


class FolderSerializer(serializers.Serializer):
    title = serializers.CharField()
    address = AddressSerializer()
    items = ItemSerializer(many=True)
    tags = serializers.ListField(child=serializers.CharField(max_length=3))

    def validate(self, attrs):
        if attrs.get("title") == "forbidden":
            raise serializers.ValidationError("This title is reserved.", code="reserved")
        return attrs


class DRFValidateView(APIView):
    @extend_schema(request=FolderSerializer, responses={201: FolderSerializer})
    def post(self, request):
        serializer = FolderSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(serializer.data, status=201)


class DRFValidateManyView(APIView):
    @extend_schema(request=ItemSerializer(many=True), responses={201: ItemSerializer(many=True)})
    def post(self, request):
        serializer = ItemSerializer(data=request.data, many=True)
        serializer.is_valid(raise_exception=True)
        return Response(serializer.data, status=201)


class DRFAuthView(APIView):
    authentication_classes = [BasicAuthentication]
    permission_classes = [IsAuthenticated]

    @AN_OBJECT
    def get(self, request):
        return Response({"ok": True})


class DRFNoAuthHeaderView(APIView):
    authentication_classes = []
    permission_classes = [IsAuthenticated]

    @AN_OBJECT
    def get(self, request):
        return Response({"ok": True})


class DRFOkView(APIView):
    renderer_classes = [EnvelopeJSONRenderer]

    @AN_OBJECT
    def get(self, request):
        return Response({"id": 1})

    # A 400 of the view's own making, which its schema keeps as written.
    @extend_schema(responses={400: OpenApiTypes.OBJECT})
    def post(self, request):
        return Response({"detail": "chosen by the view"}, status=400)

    @extend_schema(responses={204: None, 205: None, 304: None})
    def delete(self, request):
        return Response(status=int(request.GET.get("status", 204)))


def plain_ok(request):
    return JsonResponse({"ok": True})


async def async_correlation(request):
    await asyncio.sleep(0.01)
    return JsonResponse({"correlation_id": get_correlation_id(), "attr": request.correlation_id})


def plain_correlation(request):
    return JsonResponse({"correlation_id": get_correlation_id(), "attr": request.correlation_id})


@require_GET
def get_only(request):
    return JsonResponse({"ok": True})


def html_error(request):
    return HttpResponseBadRequest("<h1>Bad</h1>")


def json_error(request):
    return JsonResponse({"chosen": "by the view"}, status=400)


def read_body(request):
    return JsonResponse({"keys": sorted(request.POST)})


def page(request):
    return HttpResponse("<p>hello</p>")


class AlwaysThrottle(BaseThrottle):
    """Refuses every request and asks the client to wait 3.2 seconds."""

    def allow_request(self, request, view):
        return False

    def wait(self):
        return 3.2


class DRFThrottledView(APIView):
    throttle_classes = [AlwaysThrottle]

    def get(self, request):
        return Response({"ok": True})


@ratelimit(key="ip", rate="0/m")
def plain_ratelimited(request):
    return JsonResponse({"ok": True})


def html_status(request, status):
    """A view answering with its own HTML error page, as third-party views often do."""
    return HttpResponse(f"<h1>{status}</h1>", status=status)


@raises(*RAISED)
class DRFCreateThenRaiseView(APIView):
    """Writes a row, then fails: under ATOMIC_REQUESTS the row must not survive."""

    def post(self, request, name):
        User.objects.create(username="rolled-back")
        _raise(name)


DJANGO_VALIDATION_FORMS: dict[str, Callable[[], DjangoValidationError]] = {
    "dict": lambda: DjangoValidationError(
        {
            "name": [
                DjangoValidationError("Too short: %(n)s", code="short", params={"n": 2}),
                DjangoValidationError("No digits", code="digits"),
            ],
            NON_FIELD_ERRORS: [
                DjangoValidationError("Pick another %(what)s", params={"what": "pair"})
            ],
        }
    ),
    "list": lambda: DjangoValidationError(
        [
            DjangoValidationError("Limit is %(limit)d", code="limit", params={"limit": 10}),
            DjangoValidationError("Not valid", code="nope"),
        ]
    ),
}


def django_validation_form(request, form):
    raise DJANGO_VALIDATION_FORMS[form]()


class DRFSessionAuthView(APIView):
    """Session authentication names no challenge, so DRF turns NotAuthenticated into 403."""

    authentication_classes = [SessionAuthentication]
    permission_classes = [IsAuthenticated]

    @AN_OBJECT
    def get(self, request):
        return Response({"ok": True})


class AnalyticAccessError(api_errors.AccessDenied):
    """One exact code per catalog; a catalog it names none for answers permission_denied."""

    codes = {"platform": 68300006, "drive": "ACCESS_DENIED"}


def exact_codes(request):
    raise AnalyticAccessError()
