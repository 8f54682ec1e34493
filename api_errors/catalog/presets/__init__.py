"""The presets shipped with the app, one per reference document."""

from __future__ import annotations

from api_errors.catalog.presets.drive import DRIVE_PRESET as DRIVE
from api_errors.catalog.presets.platform import PLATFORM_PRESET as PLATFORM
from api_errors.catalog.types import Preset

PRESETS: dict[str, Preset] = {PLATFORM.name: PLATFORM, DRIVE.name: DRIVE}

__all__ = ["DRIVE", "PLATFORM", "PRESETS"]
