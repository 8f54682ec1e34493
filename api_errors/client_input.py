"""Whether an exception no converter knows was raised while DRF or Django read what the
client sent: its body, form, query string, path or a field's value.

DRF's parsers catch only ``ValueError``, and its fields only validation errors, so a body
nested 10,000 deep (``RecursionError``) or a number like ``1e999`` (``OverflowError``)
escapes as if the server had failed. The frames of the exception's traceback say where
it was raised: such an exception is the client's mistake, answered with a 400.

Two things are never the client's mistake: a serializer's own code (``validate_<field>``,
``validate()``, which its ``to_internal_value`` calls) and a failing database, disk or
network, whatever frame they surface in.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import CodeType, TracebackType
from typing import Any

from django.core.handlers.asgi import ASGIRequest
from django.core.handlers.wsgi import WSGIRequest
from django.db import Error as DatabaseError
from django.http.request import HttpRequest
from django.urls.resolvers import RoutePattern
from django.utils.translation import gettext as _
from rest_framework.fields import Field
from rest_framework.request import Request
from rest_framework.serializers import BaseSerializer

from api_errors.catalog.types import Condition, FieldError, Location


def _getter_code(owner: type, name: str) -> CodeType:
    attribute = owner.__dict__[name]
    function = getattr(attribute, "fget", None) or attribute.func  # property or cached_property
    return function.__code__  # type: ignore[no-any-return]


# Code objects of the functions that read the request, and the part of it each reads: DRF's
# parsing step, Django's body, form and query-string parsing, and URL converters (called
# from RoutePattern.match).
READERS: dict[CodeType, str] = {
    Request._parse.__code__: Location.BODY,  # type: ignore[attr-defined]
    HttpRequest._load_post_and_files.__code__: Location.BODY,
    _getter_code(HttpRequest, "body"): Location.BODY,
    _getter_code(WSGIRequest, "GET"): Location.QUERY,
    _getter_code(ASGIRequest, "GET"): Location.QUERY,
    RoutePattern.match.__code__: Location.PATH,
}
CONVERTING = "to_internal_value"
# The server's own resources failing: a 5xx wherever they are raised.
SERVER_SIDE = (DatabaseError, OSError, MemoryError)


@dataclass(frozen=True)
class ClientInputError:
    """What the client got wrong: a condition, and the field whose value failed."""

    condition: str
    errors: list[FieldError] | None = None


def field_path(field: Field[Any, Any, Any, Any]) -> str:
    """``address.city`` for a nested serializer's field."""
    names: list[str] = []
    current: Any = field
    while current is not None:
        if getattr(current, "field_name", None):  # a list's child and the root have none
            names.append(str(current.field_name))
        current = getattr(current, "parent", None)
    return ".".join(reversed(names))


def client_input_error(exc: BaseException) -> ClientInputError | None:
    """The client's mistake behind ``exc``, or ``None`` when the server is at fault."""
    if isinstance(exc, SERVER_SIDE):
        return None
    tb: TracebackType | None = exc.__traceback__
    reading = False
    converting: Field[Any, Any, Any, Any] | None = None
    while tb is not None:
        frame = tb.tb_frame
        if frame.f_code in READERS:
            reading = True
        elif frame.f_code.co_name == CONVERTING:
            candidate = frame.f_locals.get("self")
            # The innermost field: the one whose value failed. A serializer's own
            # to_internal_value runs the project's validate_<field> methods.
            if isinstance(candidate, Field) and not isinstance(candidate, BaseSerializer):
                converting = candidate
            elif isinstance(candidate, BaseSerializer):
                converting = None
        tb = tb.tb_next
    if converting is not None:
        path = field_path(converting)
        item: FieldError = {"field": path, "code": "invalid", "message": _("Invalid value.")}
        return ClientInputError(Condition.VALIDATION_ERROR, [item] if path else None)
    if reading:
        return ClientInputError(Condition.MALFORMED_REQUEST)
    return None
