"""The plugin's fixtures: the active catalog, and ``API_ERRORS`` keys for one test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from api_errors.active import get_catalog
from api_errors.catalog.types import Catalog
from api_errors.conf import SETTING_NAME, get_settings


class APIErrorsSettings:
    """``api_errors_settings(STYLE="problem")``: these keys merged over the project's
    ``API_ERRORS`` until the test ends. Each call merges over the previous ones."""

    def __init__(self) -> None:
        self._overrides: list[Any] = []

    def __call__(self, **keys: Any) -> dict[str, Any]:
        from django.test import override_settings

        merged = {**get_settings().user, **keys}
        # override_settings sends setting_changed, which drops the cached settings, and
        # with them the style and catalog built from them.
        override = override_settings(**{SETTING_NAME: merged})
        override.enable()
        self._overrides.append(override)
        return merged

    def undo(self) -> None:
        while self._overrides:
            self._overrides.pop().disable()


@pytest.fixture
def api_errors_settings() -> Iterator[APIErrorsSettings]:
    """Call it with ``API_ERRORS`` keys to set for this test only."""
    overrides = APIErrorsSettings()
    try:
        yield overrides
    finally:
        overrides.undo()


@pytest.fixture
def api_errors_catalog() -> Catalog:
    """The active catalog (request ``api_errors_settings`` first to see its changes)."""
    return get_catalog()
