"""Presets by name or dotted path, and a catalog built from a preset and the settings."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from api_errors.catalog.presets import PRESETS
from api_errors.catalog.types import Catalog, CatalogEntry, ConditionRule, Preset
from api_errors.conf import instance_of, resolve


def load_preset(name_or_path: Any) -> Preset:
    """A preset by short name (``platform``, ``drive``) or by dotted path to a ``Preset``."""
    preset: Preset = resolve(
        "CATALOG",
        name_or_path,
        accept=instance_of(Preset),
        expected="a preset name or a dotted path to an api_errors.catalog.Preset",
        named=PRESETS,
    )
    return preset


def build_catalog(
    preset: Preset, extra_entries: Iterable[Any], condition_overrides: Mapping[str, Any]
) -> Catalog:
    entries = list(preset.entries) + [CatalogEntry.from_value(value) for value in extra_entries]
    conditions = dict(preset.conditions)
    conditions.update(
        {name: ConditionRule.from_value(value) for name, value in condition_overrides.items()}
    )
    return Catalog(entries=entries, conditions=conditions, name=preset.name)
