"""Field-level error details: DRF and Django validation errors as one flat list.

Each item is ``{"field": "items.0.name", "code": "required", "message": "..."}``;
errors that belong to no field use the DRF ``NON_FIELD_ERRORS_KEY`` as their field.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework.exceptions import ErrorDetail, ParseError
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.settings import api_settings

from api_errors.catalog.types import FieldError


def non_field_key() -> str:
    """The field of errors that belong to no field: DRF's ``NON_FIELD_ERRORS_KEY``."""
    return str(api_settings.NON_FIELD_ERRORS_KEY)


def _leaf(field: str, message: Any, code: Any = None) -> FieldError:
    """One item; a DRF ``ErrorDetail`` carries its own code."""
    code = code or getattr(message, "code", None)
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
    at the top. It runs per error, so a field's list of messages (the usual shape) is
    walked here without a call per message."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = str(key) if field is None else f"{field}.{key}"
            if type(value) is list:
                for index, item in enumerate(value):
                    if isinstance(item, _NESTED):
                        _collect(item, f"{name}.{index}", items)
                    else:
                        code = getattr(item, "code", None)
                        items.append(
                            {"field": name, "code": str(code or "invalid"), "message": str(item)}
                        )
            else:
                _collect(value, name, items)
    elif isinstance(detail, list):
        for index, item in enumerate(detail):
            if isinstance(item, _NESTED):
                _collect(item, str(index) if field is None else f"{field}.{index}", items)
            else:
                items.append(_leaf(non_field_key() if field is None else field, item))
    else:
        items.append(_leaf(non_field_key() if field is None else field, detail))


def flatten_django_validation_error(exc: DjangoValidationError) -> list[FieldError]:
    """Django's ``ValidationError`` as the same list: ``error_dict`` by field, else non-field."""
    if hasattr(exc, "error_dict"):
        items: list[FieldError] = []
        for field, errors in exc.error_dict.items():
            name = non_field_key() if field == NON_FIELD_ERRORS else str(field)
            for error in errors:
                items.extend(_leaf(name, message, error.code) for message in error)
        return items
    return [_leaf(non_field_key(), next(iter(error)), error.code) for error in exc.error_list]


def field_source(exc: BaseException | None) -> Any:
    """What ``exc``'s items were flattened from (DRF's ``detail``, Django's ``error_dict``),
    where a key with a dot in it can be told from nesting; ``None`` for items given whole."""
    if isinstance(exc, DRFValidationError | ParseError):
        return exc.detail
    if isinstance(exc, DjangoValidationError):
        return getattr(exc, "error_dict", None)
    return None


def sample_detail() -> dict[str, Any]:
    """A serializer's detail for one bad value in a list of items: the field error the
    schema's and the "Error Handling" page's examples show, in the active language."""
    message = ErrorDetail(_("A valid number is required."), code="invalid")
    return {"items": [{}, {"unit_price": [message]}]}


def sample_field_errors() -> list[FieldError]:
    """``sample_detail`` as the ``errors`` items."""
    return flatten_drf_detail(sample_detail())
