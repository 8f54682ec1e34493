"""The style and the catalog that the settings select, built once per settings object."""

from __future__ import annotations

from typing import Any

from api_errors.catalog.loader import build_catalog, load_preset
from api_errors.catalog.types import Catalog, Preset
from api_errors.conf import APIErrorsSettings, SettingError, get_settings
from api_errors.styles import StatusStyle, Style, resolve_style


def _build_style(conf: APIErrorsSettings) -> Style:
    return resolve_style(conf.STYLE)(conf)


def style_for(conf: APIErrorsSettings) -> Style:
    """The style ``conf`` selects; raises ``SettingError`` when ``STYLE`` names none."""
    return conf.derived(_build_style)


def preset_reference(conf: APIErrorsSettings) -> Any:
    """``CATALOG``, or the style's own preset; the platform preset if the style is unusable
    (the checks report that)."""
    if conf.CATALOG is not None:
        return conf.CATALOG
    try:
        return resolve_style(conf.STYLE).default_catalog
    except SettingError:
        return StatusStyle.default_catalog


def preset_for(conf: APIErrorsSettings) -> Preset:
    return load_preset(preset_reference(conf))


def _build_catalog(conf: APIErrorsSettings) -> Catalog:
    return build_catalog(preset_for(conf), conf.ERRORS, conf.CONDITIONS)


def catalog_for(conf: APIErrorsSettings) -> Catalog:
    """The catalog ``conf`` selects: the preset, ``ERRORS`` and ``CONDITIONS``."""
    return conf.derived(_build_catalog)


def get_style() -> Style:
    return style_for(get_settings())


def get_catalog() -> Catalog:
    return catalog_for(get_settings())
