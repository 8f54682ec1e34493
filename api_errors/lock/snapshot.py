"""A catalog as its lock section: per code what clients rely on, and who answers each condition."""

from __future__ import annotations

from typing import Any

from django.utils import translation

from api_errors.catalog.types import Catalog, CatalogEntry, Code, Deprecation


def code_type(code: Code) -> str:
    """``int`` or ``str``: what a client's JSON parser hands it."""
    return type(code).__name__


def locked_entry(entry: CatalogEntry) -> dict[str, Any]:
    deprecation = entry.deprecated
    return {
        "type": code_type(entry.code),
        "http_status": entry.http_status,
        "retryable": entry.retryable,
        "category": entry.category,
        # The source text, so a translation or the active language never shows as a change.
        "message": str(entry.message),
        "deprecated": deprecation.describe() if isinstance(deprecation, Deprecation) else None,
    }


def lock_section(catalog: Catalog) -> dict[str, Any]:
    """``{"codes": {code: {...}}, "conditions": {condition: {"code", "http_status"}}}``.

    Codes are keyed by their text, as clients compare them, so a code that turns from
    ``68300004`` into ``"68300004"`` is the same code with another type.
    """
    with translation.override(None):
        codes = {str(entry.code): locked_entry(entry) for entry in catalog.entries}
    conditions = {}
    for name, rule in catalog.conditions.items():
        entry = catalog.get(rule.code)
        if entry is not None:
            conditions[name] = {
                "code": entry.code,
                "http_status": rule.http_status or entry.http_status,
            }
    return {"codes": codes, "conditions": conditions}
