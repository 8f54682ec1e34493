"""Views whose field errors come from every place a field path can come from: serializers
(nested, many, list and dict fields) validating the body, the query string or the URL's
arguments, django-filter, Django's ``ValidationError``, ``APIError(errors=...)`` and the
client-input 400s."""

from __future__ import annotations

import asyncio

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

import api_errors
from api_errors import raises
from tests.hostile_views import WholeUnitsField
from tests.models import Wallet


class LineItemSerializer(serializers.Serializer):
    product_id = serializers.IntegerField()
    unit_price = serializers.DecimalField(max_digits=6, decimal_places=2)


class ShippingAddressSerializer(serializers.Serializer):
    postal_code = serializers.CharField(max_length=5)
    country_code = serializers.CharField()

    def validate(self, attrs):
        if attrs.get("country_code") == "XX":
            raise serializers.ValidationError("We do not ship there.", code="not_shipped")
        return attrs


class OrderSerializer(serializers.Serializer):
    customer_name = serializers.CharField()
    shipping_address = ShippingAddressSerializer()
    line_items = LineItemSerializer(many=True)
    gift_tags = serializers.ListField(child=serializers.CharField(max_length=3), required=False)
    # Keys chosen by the client; each value must be a number.
    extra_attributes = serializers.DictField(child=serializers.IntegerField(), required=False)
    unit_count = WholeUnitsField(required=False)

    def validate(self, attrs):
        if attrs.get("customer_name") == "nobody":
            raise serializers.ValidationError("Orders need a customer.", code="no_customer")
        return attrs


def order(**changes):
    """A valid ``OrderSerializer`` payload, with ``changes`` applied."""
    return {
        "customer_name": "Ada",
        "shipping_address": {"postal_code": "75001", "country_code": "FR"},
        "line_items": [{"product_id": 1, "unit_price": "9.99"}],
        **changes,
    }


# The views document what they send, for contract mode (pytest --api-errors-contract): each
# answers a validation error, which @raises puts in the schema where no request body does.
VALIDATES = raises(api_errors.InvalidParameter)
OK = {200: OpenApiTypes.OBJECT}


class OrderView(APIView):
    @extend_schema(request=OrderSerializer, responses={201: None})
    def post(self, request):
        serializer = OrderSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(status=201)


class LineItemsView(APIView):
    @extend_schema(request=LineItemSerializer(many=True), responses={201: None})
    def post(self, request):
        serializer = LineItemSerializer(data=request.data, many=True)
        serializer.is_valid(raise_exception=True)
        return Response(status=201)


class PageQuerySerializer(serializers.Serializer):
    page_size = serializers.IntegerField(min_value=1)
    max_units = WholeUnitsField(required=False)


@VALIDATES
class QueryView(APIView):
    """Validates the query string with a serializer, as DRF's documentation suggests."""

    @extend_schema(parameters=[PageQuerySerializer], responses=OK)
    def get(self, request):
        PageQuerySerializer(data=request.query_params).is_valid(raise_exception=True)
        return Response({"ok": True})


@VALIDATES
class CopiedQueryView(APIView):
    """Validates a copy of the query string: its origin is unknown, its names tell."""

    @extend_schema(parameters=[PageQuerySerializer], responses=OK)
    def get(self, request):
        serializer = PageQuerySerializer(data=request.query_params.dict())
        if not serializer.is_valid():
            raise ValidationError(serializer.errors)
        return Response({"ok": True})


class FolderReferenceSerializer(serializers.Serializer):
    folder_id = serializers.RegexField(r"^f[0-9]+$")


@VALIDATES
class FolderKwargsView(APIView):
    """Validates the URL's keyword arguments with a serializer."""

    @extend_schema(responses=OK)
    def get(self, request, folder_id):
        FolderReferenceSerializer(data=self.kwargs).is_valid(raise_exception=True)
        return Response({"ok": True})


@VALIDATES
class FolderCheckView(APIView):
    """Checks a URL argument itself and raises DRF's ValidationError naming it."""

    @extend_schema(responses=OK)
    def get(self, request, folder_id):
        raise ValidationError({"folder_id": ["Unknown folder."]})

    @extend_schema(request=FolderReferenceSerializer, responses=OK)
    def post(self, request, folder_id):
        """The body's ``folder_id``: validated by a serializer, so it is the body's."""
        FolderReferenceSerializer(data=request.data).is_valid(raise_exception=True)
        return Response({"ok": True})


@VALIDATES
class RefusedView(APIView):
    """A ValidationError about the request as a whole."""

    @extend_schema(request=None, responses={201: None})
    def post(self, request):
        raise ValidationError("Not today.", code="closed")


class WalletListView(ListAPIView):
    queryset = Wallet.objects.all()
    filter_backends = [DjangoFilterBackend]
    filterset_fields = ["balance", "owner"]

    def list(self, request, *args, **kwargs):
        self.filter_queryset(self.get_queryset())
        return Response([])


def django_validation(request):
    raise DjangoValidationError(
        {
            "display_name": [DjangoValidationError("Too short.", code="min_length")],
            NON_FIELD_ERRORS: [DjangoValidationError("Pick another pair.", code="pair")],
        }
    )


HEADER_ERROR = {
    "field": "X-Api-Version",
    "code": "unsupported",
    "message": "Use version 2.",
    "location": "header",
}
SORT_ERROR = {"field": "sort_order", "code": "invalid", "message": "Sort by name or date."}


def api_error(request):
    raise api_errors.InvalidParameter(errors=[HEADER_ERROR, SORT_ERROR])


def api_error_without_field(request):
    raise api_errors.InvalidParameter(
        errors=[{"code": "expired", "message": "The offer has expired."}]
    )


async def async_api_error(request):
    await asyncio.sleep(0)
    raise api_errors.InvalidParameter(errors=[HEADER_ERROR, SORT_ERROR])


async def async_django_validation(request):
    await asyncio.sleep(0)
    django_validation(request)
