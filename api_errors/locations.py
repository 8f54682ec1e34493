"""Where the value behind a field error was sent (``body``, ``query``, ``path`` or
``header``), and the field errors of the problem style, which carry it with a pointer.

The rule, first match wins:

1. the item's own ``location`` (``APIError(errors=[{..., "location": "header"}])``);
2. where the exception came from, read from its traceback (the innermost frame that
   tells): a filter backend's ``filter_queryset`` (django-filter's) is the query; a
   serializer's ``is_valid`` is the query when its data is ``request.query_params``
   (``request.GET``), the path when it is the view's ``kwargs``, else the body; DRF's and
   Django's parsing of the body, the query string and the URL say which one they read;
3. the field's top-level name: one of the URL's keyword arguments is the path, a query
   parameter of the request the query; anything else the body.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.views import View
from rest_framework.serializers import BaseSerializer, ListSerializer

from api_errors.catalog.types import FieldError, Location
from api_errors.client_input import READERS
from api_errors.field_paths import (
    CAMEL,
    camel_case,
    field_segments,
    json_pointer,
    pointer_segments,
)
from api_errors.validation import field_source, non_field_key

# The serializer method that raises its errors. (Not rest_framework.views: importing it
# here would import the renderers DRF's settings name, api_errors' own among them.)
VALIDATING_CODES = frozenset({BaseSerializer.is_valid.__code__, ListSerializer.is_valid.__code__})
# The view method every request runs through: its ``self`` (a view) holds the URL's
# ``kwargs``.
DISPATCHING = "dispatch"
# DRF's name for a filter backend's method (a view has one too, which filters nothing).
FILTERING = "filter_queryset"


def origin_location(exc: BaseException | None, request: HttpRequest | None) -> str | None:
    """Where the input ``exc`` is about came from, when its traceback says (rule 2)."""
    found: str | None = None
    view_kwargs: Any = None
    tb = exc.__traceback__ if exc is not None else None
    while tb is not None:
        frame = tb.tb_frame
        code = frame.f_code
        location = READERS.get(code)
        if code in VALIDATING_CODES:
            data = getattr(frame.f_locals.get("self"), "initial_data", None)
            location = _data_location(data, request, view_kwargs)
        elif code.co_name == DISPATCHING:
            view_kwargs = getattr(frame.f_locals.get("self"), "kwargs", view_kwargs)
        elif code.co_name == FILTERING and not isinstance(frame.f_locals.get("self"), View):
            location = Location.QUERY
        if location is not None:
            found = location
        tb = tb.tb_next
    return found


def _data_location(data: Any, request: HttpRequest | None, view_kwargs: Any) -> str:
    """What a serializer validated: the request's own query or URL arguments, or the body."""
    if request is not None and data is _query(request):
        return Location.QUERY
    if data is not None and (data is view_kwargs or data is _url_kwargs(request)):
        return Location.PATH
    return Location.BODY


def location_by_name(name: str | None, url_kwargs: Any, query: Any) -> str:
    """Rule 3: the top-level ``name`` among the URL's arguments, then the query's."""
    if name is not None:
        if name in url_kwargs:
            return Location.PATH
        if name in query:
            return Location.QUERY
    return Location.BODY


def _url_kwargs(request: HttpRequest | None) -> Any:
    match = getattr(request, "resolver_match", None)
    return getattr(match, "kwargs", None) or {}


def _query(request: HttpRequest | None) -> Any:
    """``request.GET``; empty if the query string cannot be parsed (the error may be that)."""
    if request is None:
        return {}
    try:
        return request.GET
    except Exception:
        return {}


def located_field_errors(
    items: list[FieldError],
    exception: BaseException | None,
    request: HttpRequest | None,
    case: Any,
) -> list[FieldError]:
    """``items`` (``exception``'s) with a ``pointer`` and a ``location`` each, field names
    in ``case``.

    The pointer names members as the client wrote them: serializer field names, indexes
    and a ``DictField``'s keys, never a value. It is found from the segments the field was
    joined from, so a key with a dot or a slash in it stays one member.
    """
    source = field_source(exception)
    non_field = non_field_key()
    url_kwargs, query = _url_kwargs(request), _query(request)
    origin: str | None = None
    origin_known = False
    located: list[FieldError] = []
    for item in items:
        field = item.get("field")
        segments = field_segments(field, source) if isinstance(field, str) else []
        location = item.get("location")
        if location is None:
            if not origin_known:
                origin, origin_known = origin_location(exception, request), True
            name = segments[0] if segments and segments[0] != non_field else None
            location = origin or location_by_name(name, url_kwargs, query)
        members = pointer_segments(segments, non_field)
        entry = dict(item)
        entry.pop("location", None)  # given or not, it comes last, after the pointer
        if case == CAMEL:
            members = [camel_case(segment) for segment in members]
            if isinstance(field, str):
                entry["field"] = camel_case(field)
        entry["pointer"] = json_pointer(members)
        entry["location"] = location
        located.append(entry)
    return located
