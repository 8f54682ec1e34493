"""The drive API. Views raise api_errors' typed exceptions; the catalog picks code and status."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any, cast

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

import api_errors
from api_errors import raises
from api_errors.limits import charge_balance, concurrency_limit, quota, rate_limit
from api_errors.renderers import EnvelopeJSONRenderer
from example_project.drive.authentication import ApiKeyAuthentication
from example_project.drive.billing import SEARCH_COST, SEARCH_QUOTA_GROUP, SEARCH_RATE_GROUP
from example_project.drive.exceptions import SearchFailed
from example_project.drive.models import ApiKey, DriveItem
from example_project.drive.search import FAILING_QUERY, search_upstream
from example_project.drive.serializers import (
    SEARCH_QUERY_MAX_LENGTH,
    DriveItemSerializer,
    FolderQuerySerializer,
    ImportResultSerializer,
    ImportSerializer,
    SearchQuerySerializer,
    SearchResultSerializer,
)

logger = logging.getLogger(__name__)

# Seconds a client should wait before asking again for a file that is still processing.
PROCESSING_RETRY_AFTER = 5
# Downloads an API key may have in progress at once, and the limit's RateLimit-Policy name.
DOWNLOADS_AT_ONCE = 2
DOWNLOADS_GROUP = "downloads"
# A download is sent in pieces of this many bytes, holding its place until the last is sent.
DOWNLOAD_CHUNK_SIZE = 64 * 1024

# The search's parameter as SearchQuerySerializer validates it, with the two queries that
# docs/example.md shows: Swagger UI offers both, and schemathesis' examples phase sends both.
SEARCH_QUERY = OpenApiParameter(
    "q",
    {"type": "string", "minLength": 1, "maxLength": SEARCH_QUERY_MAX_LENGTH},
    required=True,
    description="Part of an item's name.",
    examples=[
        OpenApiExample("Found", value="read", description="Finds readme.txt."),
        OpenApiExample(
            "Upstream failure",
            value=FAILING_QUERY,
            description="Plays the search service being down: 502.",
        ),
    ],
)


def plan_rate(group: str, request: Request) -> str | None:
    """The caller's own rate, such as "5/10s"; a blank rate is not limited."""
    return cast(ApiKey, request.user).rate or None


def plan_monthly_quota(group: str, request: Request) -> int | None:
    """The caller's calls a month; ``None`` is no quota."""
    return cast(ApiKey, request.user).monthly_quota


@raises(api_errors.ClientExpired)
class DriveAPI(APIView):
    """What every endpoint here takes and answers: a Bearer API key, JSON in, enveloped JSON out.

    Named on the views rather than left to ``REST_FRAMEWORK`` defaults, which DRF reads once
    at import, so the views behave the same in any project (the test suite runs them too).
    """

    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]
    renderer_classes = [EnvelopeJSONRenderer]


class DriveItemListView(DriveAPI, generics.ListCreateAPIView[DriveItem]):
    """``GET``: the root's items, or a folder's with ``?parent=<id>``. ``POST``: a new item."""

    serializer_class = DriveItemSerializer

    @extend_schema(parameters=[FolderQuerySerializer])
    @raises(api_errors.ResourceNotFound)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @raises(api_errors.Conflict)
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().post(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[DriveItem]:
        query = FolderQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        parent_id = query.validated_data.get("parent")
        if parent_id is None:
            return DriveItem.objects.filter(parent=None)
        folder = get_object_or_404(DriveItem, pk=parent_id, kind=DriveItem.Kind.FOLDER)
        return folder.children.all()

    def perform_create(self, serializer: BaseSerializer[DriveItem]) -> None:
        parent = serializer.validated_data.get("parent")
        name = serializer.validated_data["name"]
        conflict = api_errors.Conflict(
            _("An item named '%(name)s' already exists in this folder.") % {"name": name}
        )
        if DriveItem.objects.filter(parent=parent, name=name).exists():
            raise conflict
        try:
            with transaction.atomic():
                serializer.save()
        except IntegrityError as exc:  # a concurrent request took the name first
            raise conflict from exc


class DriveItemDetailView(DriveAPI, generics.RetrieveAPIView[DriveItem]):
    queryset = DriveItem.objects.all()
    serializer_class = DriveItemSerializer


class DriveItemDownloadView(DriveAPI):
    """The file's content, streamed; folders cannot be downloaded and processing files not yet.

    At most ``DOWNLOADS_AT_ONCE`` downloads per API key are in progress (429 past them): a
    download holds its place until its last piece is sent or the client goes away.
    """

    @extend_schema(
        responses={(200, "text/plain"): OpenApiResponse(OpenApiTypes.STR, "The file's content.")}
    )
    @raises(api_errors.DownloadNotSupported, api_errors.StateNotReady)
    @concurrency_limit(group=DOWNLOADS_GROUP, key="user", limit=DOWNLOADS_AT_ONCE)
    def get(self, request: Request, pk: int) -> StreamingHttpResponse:
        item = get_object_or_404(DriveItem, pk=pk)
        if item.is_folder:
            raise api_errors.DownloadNotSupported(_("Folders cannot be downloaded."))
        if item.state != DriveItem.State.READY:
            raise api_errors.StateNotReady(
                _("The file is still processing; try again later."),
                retry_after=PROCESSING_RETRY_AFTER,
            )
        content = item.content.encode()
        response = StreamingHttpResponse(
            pieces(content, DOWNLOAD_CHUNK_SIZE), content_type="text/plain; charset=utf-8"
        )
        response["Content-Length"] = str(len(content))
        response["Content-Disposition"] = content_disposition_header(True, item.name)
        return response


def pieces(content: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(content), size):
        yield content[start : start + size]


class ImportView(DriveAPI):
    """Start an import from a third-party connector the caller has linked."""

    @extend_schema(request=ImportSerializer, responses={202: ImportResultSerializer})
    @raises(api_errors.ConnectorNotLinked)
    def post(self, request: Request) -> Response:
        serializer = ImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        connector = serializer.validated_data["connector"]
        api_key = cast(ApiKey, request.user)
        if not api_key.has_connector(connector):
            raise api_errors.ConnectorNotLinked(
                _("The %(connector)s connector is not linked to this API key.")
                % {"connector": connector}
            )
        logger.info("import from %s queued for %s", connector, api_key)
        return Response({"connector": connector, "state": "queued"}, status.HTTP_202_ACCEPTED)


class SearchView(DriveAPI):
    """``GET /api/search/?q=...``: drive items by name, from the upstream search service.

    Paid, in this order: the key's rate (429), its monthly quota (403), one credit of its
    balance (402). A request turned away by one is not counted by the next; a search that
    fails upstream (502) is refunded.
    """

    @extend_schema(parameters=[SEARCH_QUERY], responses=SearchResultSerializer)
    @raises(SearchFailed)
    @rate_limit(group=SEARCH_RATE_GROUP, key="user", rate=plan_rate)
    @quota(group=SEARCH_QUOTA_GROUP, key="user", limit=plan_monthly_quota)
    @charge_balance(SEARCH_COST)
    def get(self, request: Request) -> Response:
        query = SearchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        text = query.validated_data["q"]
        try:
            results: list[dict[str, Any]] = search_upstream(text)
        except (ConnectionError, TimeoutError) as exc:
            queue_search_record(len(text), None)
            # The cause is logged with the traceback; the client only reads the catalog message.
            raise SearchFailed() from exc
        queue_search_record(len(text), len(results))
        return Response({"query": text, "results": results})


def queue_search_record(query_length: int, found: int | None) -> None:
    """Queue the search's record for the Celery worker, when the example has a broker
    (``EXAMPLE_CELERY_BROKER_URL``); without one, nothing is queued."""
    if not getattr(settings, "EXAMPLE_CELERY_BROKER_URL", ""):
        return
    # Imported here: Celery is needed only by an example that has a broker.
    from example_project.drive.tasks import record_search

    record_search.delay(query_length, found)
