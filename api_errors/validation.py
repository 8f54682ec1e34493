"""Field-level error details: DRF and Django validation errors as one flat list.

Each item is ``{"field": "items.0.name", "code": "required", "message": "..."}``;
errors that belong to no field use the DRF ``NON_FIELD_ERRORS_KEY`` as their field.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.settings import api_settings

from api_errors.catalog.types import FieldError


def _field_name(path: Sequence[str | int]) -> str:
    if not path:
        return str(api_settings.NON_FIELD_ERRORS_KEY)
    return ".".join(str(part) for part in path)


def _item(path: Sequence[str | int], message: Any, code: Any) -> FieldError:
    return {"field": _field_name(path), "code": str(code or "invalid"), "message": str(message)}


def flatten_drf_detail(detail: Any, path: tuple[str | int, ...] = ()) -> list[FieldError]:
    """Walk DRF's nested ``detail``: dicts by key, lists of items by index, leaves as items.

    Handles nested serializers, ``ListSerializer`` (a list with one dict per item,
    empty for valid items) and ``ListField``/``DictField`` (a dict keyed by index or key).
    """
    if isinstance(detail, dict):
        items: list[FieldError] = []
        for key, value in detail.items():
            items.extend(flatten_drf_detail(value, (*path, key)))
        return items
    if isinstance(detail, list):
        items = []
        for index, value in enumerate(detail):
            if isinstance(value, dict | list):
                items.extend(flatten_drf_detail(value, (*path, index)))
            else:
                items.extend(flatten_drf_detail(value, path))
        return items
    return [_item(path, detail, getattr(detail, "code", None))]


def flatten_django_validation_error(exc: DjangoValidationError) -> list[FieldError]:
    """Django's ``ValidationError`` as the same list: ``error_dict`` by field, else non-field."""
    if hasattr(exc, "error_dict"):
        items: list[FieldError] = []
        for field, errors in exc.error_dict.items():
            path: tuple[str, ...] = () if field == NON_FIELD_ERRORS else (field,)
            for error in errors:
                items.extend(_item(path, message, error.code) for message in error)
        return items
    return [_item((), next(iter(error)), error.code) for error in exc.error_list]
