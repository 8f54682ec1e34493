"""Views for the hostile-input tests: a field that fails oddly on a client's value, server
bugs in a serializer and in a view, a path converter with a bug, headers Django refuses and
an exception class that cannot be hashed."""

from __future__ import annotations

from django.http import JsonResponse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

import api_errors
from tests.views import SECRET

# What the broken converter knows; any other name is a KeyError, a bug of the converter.
COLOURS = {"red": 1, "green": 2}


class ColourConverter:
    """A converter whose ``to_python`` fails with a ``KeyError``, not ``ValueError``, on a
    name it does not know: Django only turns ``ValueError`` into "no match"."""

    regex = "[a-z]+"

    def to_python(self, value: str) -> int:
        return COLOURS[value]

    def to_url(self, value: int) -> str:
        return next(name for name, number in COLOURS.items() if number == value)


class WholeUnitsField(serializers.Field):
    """Rounds a number to whole units with ``int()``: ``1e999`` parses as ``inf`` and
    ``int(inf)`` raises ``OverflowError``, which DRF's fields do not catch."""

    def to_internal_value(self, data):
        return int(data)

    def to_representation(self, value):
        return value


class CitySerializer(serializers.Serializer):
    city = WholeUnitsField()


class PlaceSerializer(serializers.Serializer):
    name = serializers.CharField()
    address = CitySerializer()


class PlaceView(APIView):
    """``POST {"name": "x", "address": {"city": 1e999}}``: the failure is in ``address.city``."""

    @extend_schema(request=PlaceSerializer, responses={201: PlaceSerializer})
    def post(self, request):
        serializer = PlaceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(serializer.data, status=201)


class BuggySerializer(serializers.Serializer):
    name = serializers.CharField()

    def validate_name(self, value):
        # A server bug: a lookup that is not there. The client's value is fine.
        return {}[SECRET]


class BuggyNestedSerializer(serializers.Serializer):
    place = CitySerializer()

    def validate(self, attrs):
        return {}[SECRET]


class BuggyOuterSerializer(serializers.Serializer):
    inner = BuggyNestedSerializer()


class ValidateBugView(APIView):
    """A ``KeyError`` from ``validate_name``: the server's fault, a 500."""

    def post(self, request):
        serializer = BuggySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(serializer.data)


class NestedValidateBugView(APIView):
    """A ``KeyError`` from a nested serializer's ``validate``: the server's fault, a 500."""

    def post(self, request):
        serializer = BuggyOuterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(serializer.data)


class ViewBodyBugView(APIView):
    """A ``KeyError`` in the view's own code, after reading the body."""

    def post(self, request):
        data = request.data
        settings_table: dict[str, object] = {}
        return Response({"value": settings_table[SECRET], "data": data})


def plain_view_bug(request):
    settings_table: dict[str, object] = {}
    return JsonResponse({"value": settings_table[SECRET]})


def colour(request, colour):
    return JsonResponse({"colour": colour})


class ConflictWithBadHeaderView(APIView):
    """A ``Conflict`` carrying a header value Django refuses: rendering the envelope fails."""

    def get(self, request):
        raise api_errors.Conflict("x", headers={"X-Bad": "a\r\nb"})


class EqualityMeta(type):
    """Defines ``__eq__`` without ``__hash__``: its classes cannot be dict keys."""

    def __eq__(cls, other):
        return cls is other


class UnhashableError(Exception, metaclass=EqualityMeta):
    pass


class UnhashableErrorView(APIView):
    def get(self, request):
        raise UnhashableError(SECRET)


def plain_unhashable_error(request):
    raise UnhashableError(SECRET)
