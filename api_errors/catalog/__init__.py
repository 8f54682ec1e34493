"""The error catalog: every code the API can send, and which code answers which condition.

``types`` says what a catalog is made of, ``presets`` holds the two shipped documents and
``loader`` builds a catalog from the settings; ``api_errors.active`` picks the one in use.
"""

from __future__ import annotations

from api_errors.catalog.types import (
    BUSINESS,
    PLATFORM,
    Catalog,
    CatalogEntry,
    Code,
    Condition,
    ConditionRule,
    Deprecation,
    FieldError,
    Location,
    Message,
    Preset,
    ResolvedError,
)

__all__ = [
    "BUSINESS",
    "PLATFORM",
    "Catalog",
    "CatalogEntry",
    "Code",
    "Condition",
    "ConditionRule",
    "Deprecation",
    "FieldError",
    "Location",
    "Message",
    "Preset",
    "ResolvedError",
]
