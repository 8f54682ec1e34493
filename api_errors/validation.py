"""Field-level error details: DRF and Django validation errors as one flat list.

Each item is ``{"field": "items.0.name", "code": "required", "message": "..."}``;
errors that belong to no field use the DRF ``NON_FIELD_ERRORS_KEY`` as their field.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.settings import api_settings

from api_errors.catalog.types import FieldError


def _non_field() -> str:
    return str(api_settings.NON_FIELD_ERRORS_KEY)


def _leaf(field: str, message: Any, code: Any) -> FieldError:
    return {"field": field, "code": str(code or "invalid"), "message": str(message)}


_NESTED = (dict, list)


def flatten_drf_detail(detail: Any, path: tuple[str | int, ...] = ()) -> list[FieldError]:
    """Walk DRF's nested ``detail``: dicts by key, lists of items by index, leaves as items.

    Handles nested serializers, ``ListSerializer`` (a list with one dict per item,
    empty for valid items) and ``ListField``/``DictField`` (a dict keyed by index or key).
    """
    items: list[FieldError] = []
    _collect(detail, ".".join(str(part) for part in path) if path else None, items)
    return items


def _collect(detail: Any, field: str | None, items: list[FieldError]) -> None:
    """``flatten_drf_detail`` into ``items``; ``field`` is the dotted path so far, ``None``
    at the top. It runs per error, so a field's list of messages (the usual shape) costs
    two calls, not a call per level."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = str(key) if field is None else f"{field}.{key}"
            if type(value) is list:
                _collect_list(value, name, items)
            else:
                _collect(value, name, items)
    elif isinstance(detail, list):
        _collect_list(detail, field, items)
    else:
        items.append(
            _leaf(_non_field() if field is None else field, detail, getattr(detail, "code", None))
        )


def _collect_list(values: list[Any], field: str | None, items: list[FieldError]) -> None:
    """A list's items: by index when they nest, else as messages of ``field`` itself."""
    for index, value in enumerate(values):
        if isinstance(value, _NESTED):
            _collect(value, str(index) if field is None else f"{field}.{index}", items)
        else:
            items.append(
                _leaf(_non_field() if field is None else field, value, getattr(value, "code", None))
            )


def flatten_django_validation_error(exc: DjangoValidationError) -> list[FieldError]:
    """Django's ``ValidationError`` as the same list: ``error_dict`` by field, else non-field."""
    if hasattr(exc, "error_dict"):
        items: list[FieldError] = []
        for field, errors in exc.error_dict.items():
            name = _non_field() if field == NON_FIELD_ERRORS else str(field)
            for error in errors:
                items.extend(_leaf(name, message, error.code) for message in error)
        return items
    return [_leaf(_non_field(), next(iter(error)), error.code) for error in exc.error_list]
