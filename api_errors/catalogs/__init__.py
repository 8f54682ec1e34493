"""The presets shipped with the app, one per reference document."""

from __future__ import annotations

from api_errors.catalog import Preset
from api_errors.catalogs.drive import DRIVE_PRESET as DRIVE
from api_errors.catalogs.platform import PLATFORM_PRESET as PLATFORM

PRESETS: dict[str, Preset] = {PLATFORM.name: PLATFORM, DRIVE.name: DRIVE}

__all__ = ["DRIVE", "PLATFORM", "PRESETS"]
