"""DRF views that answer what their schema documents, and ways of answering what it does not
(``?answer=``), for contract mode's tests."""

from __future__ import annotations

import json

from django.http import HttpResponse, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView


class ThingSerializer(serializers.Serializer):
    name = serializers.CharField()
    size = serializers.IntegerField()
    nickname = serializers.CharField(allow_null=True)
    secret = serializers.CharField(write_only=True)


THING = {"name": "lamp", "size": 3, "nickname": None}
THING_HEADER = "X-Thing-Version"

ANSWERS = {
    "documented": lambda: Response(THING, headers={THING_HEADER: "1"}),
    "teapot": lambda: Response({"name": "tea"}, status=418),
    "wrong-body": lambda: Response({"name": 5, "nickname": None}, headers={THING_HEADER: "1"}),
    "no-header": lambda: Response(THING),
    "text": lambda: HttpResponse("lamp", content_type="text/plain", headers={THING_HEADER: "1"}),
    "not-json": lambda: HttpResponse(
        "{lamp", content_type="application/json", headers={THING_HEADER: "1"}
    ),
    "empty": lambda: Response(status=204),
    "streamed": lambda: StreamingHttpResponse(
        [json.dumps(THING)], content_type="application/json", headers={THING_HEADER: "1"}
    ),
}


class ThingView(APIView):
    @extend_schema(
        responses={200: ThingSerializer},
        parameters=[
            OpenApiParameter(
                THING_HEADER,
                OpenApiTypes.STR,
                location=OpenApiParameter.HEADER,
                response=[200],
                required=True,
            )
        ],
    )
    def get(self, request, thing_id):
        return ANSWERS[request.GET.get("answer", "documented")]()


class SpecialThingView(APIView):
    """Shadows ``/things/{thing_id}/`` for one literal id."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        return Response({"special": True})


class AnyClientErrorView(APIView):
    """Documents its 4xx as a range: any client error is one of its answers."""

    @extend_schema(responses={204: None, "4XX": OpenApiTypes.OBJECT})
    def get(self, request):
        return Response({"name": "tea"}, status=418)


class UndocumentedBodyView(APIView):
    """No serializer: drf-spectacular documents "No response body"."""

    def get(self, request):
        return Response({"ok": True})


def plain_teapot(request):
    return HttpResponse("I'm a teapot", status=418)
