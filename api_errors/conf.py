"""The ``API_ERRORS`` settings dict, read lazily so ``override_settings`` just works."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from django.conf import settings as django_settings
from django.core.signals import setting_changed
from django.dispatch import receiver

SETTING_NAME = "API_ERRORS"

DEFAULTS: dict[str, Any] = {
    "STYLE": "status",
    "CATALOG": None,
    "ERRORS": [],
    "CONDITIONS": {},
    "API_PREFIXES": ["/api/"],
    "CORRELATION_ID_HEADER": "X-Correlation-ID",
    "CORRELATION_ID_PATTERN": r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}",
    "TRUST_CORRELATION_ID": True,
    "EXPOSE_CORRELATION_HEADER": True,
    "CORRELATION_ID_IN_BODY": False,
    "EXPOSE_SERVER_ERROR_DETAILS": False,
    "CLIENT_ERROR_LOG_LEVEL": "WARNING",
    "DEFAULT_RETRY_AFTER": 30,
    "PROBLEM_TYPE_URI": None,
    "PIPELINE": "api_errors.pipeline.ErrorPipeline",
    "RATE_LIMIT_HEADERS": True,
    "RATE_LIMIT_HEADERS_ON_SUCCESS": False,
    "LIMITS_FAIL_OPEN": None,
    "BALANCE_HOOK": None,
}

STYLES = ("status", "success", "problem")
DEFAULT_CATALOG_FOR_STYLE = {"status": "platform", "success": "drive", "problem": "drive"}


class ApiErrorsSettings:
    """Typed view of ``settings.API_ERRORS`` merged over the defaults."""

    def __init__(self, user: Mapping[str, Any]) -> None:
        self.user = dict(user)
        merged = {**DEFAULTS, **self.user}
        self.STYLE: str = merged["STYLE"]
        default_catalog = DEFAULT_CATALOG_FOR_STYLE.get(str(self.STYLE), "platform")
        self.CATALOG: Any = merged["CATALOG"] or default_catalog
        # Wrong container types fall back to empty ones here; the system checks report them.
        errors, conditions = merged["ERRORS"], merged["CONDITIONS"]
        self.ERRORS: list[Any] = list(errors) if isinstance(errors, list | tuple) else []
        self.CONDITIONS: dict[str, Any] = (
            dict(conditions) if isinstance(conditions, Mapping) else {}
        )
        prefixes = merged["API_PREFIXES"]
        self.API_PREFIXES: tuple[str, ...] = (
            (prefixes,)
            if isinstance(prefixes, str)
            else tuple(prefixes)
            if isinstance(prefixes, list | tuple)
            else ()
        )
        self.CORRELATION_ID_HEADER: str = merged["CORRELATION_ID_HEADER"]
        self.CORRELATION_ID_PATTERN: str = merged["CORRELATION_ID_PATTERN"]
        self.TRUST_CORRELATION_ID: bool = bool(merged["TRUST_CORRELATION_ID"])
        self.EXPOSE_CORRELATION_HEADER: bool = bool(merged["EXPOSE_CORRELATION_HEADER"])
        self.CORRELATION_ID_IN_BODY: bool = bool(merged["CORRELATION_ID_IN_BODY"])
        self.EXPOSE_SERVER_ERROR_DETAILS: bool = bool(merged["EXPOSE_SERVER_ERROR_DETAILS"])
        self.CLIENT_ERROR_LOG_LEVEL: Any = merged["CLIENT_ERROR_LOG_LEVEL"]
        self.DEFAULT_RETRY_AFTER: Any = merged["DEFAULT_RETRY_AFTER"]
        self.PROBLEM_TYPE_URI: str | None = merged["PROBLEM_TYPE_URI"]
        self.PIPELINE: Any = merged["PIPELINE"]
        self.RATE_LIMIT_HEADERS: bool = bool(merged["RATE_LIMIT_HEADERS"])
        self.RATE_LIMIT_HEADERS_ON_SUCCESS: bool = bool(merged["RATE_LIMIT_HEADERS_ON_SUCCESS"])
        self.LIMITS_FAIL_OPEN: bool | None = merged["LIMITS_FAIL_OPEN"]
        self.BALANCE_HOOK: Any = merged["BALANCE_HOOK"]
        # The WSGI META key of the correlation header, computed once.
        self.correlation_meta_key = "HTTP_" + str(self.CORRELATION_ID_HEADER).upper().replace(
            "-", "_"
        )

    def is_api_path(self, path: str) -> bool:
        return path.startswith(self.API_PREFIXES)

    @property
    def correlation_pattern(self) -> re.Pattern[str] | None:
        return compiled_pattern(self.CORRELATION_ID_PATTERN)


@lru_cache(maxsize=8)
def compiled_pattern(pattern: str) -> re.Pattern[str] | None:
    """Compile the correlation id pattern; ``None`` when it is invalid (a check reports it)."""
    try:
        return re.compile(pattern)
    except (re.error, TypeError):
        return None


_cached: ApiErrorsSettings | None = None


def get_settings() -> ApiErrorsSettings:
    """The current settings; rebuilt after ``API_ERRORS`` changes."""
    global _cached
    if _cached is None:
        user = getattr(django_settings, SETTING_NAME, None) or {}
        if not isinstance(user, Mapping):
            user = {}
        _cached = ApiErrorsSettings(user)
    return _cached


@receiver(setting_changed)
def _drop_cached_settings(*, setting: str, **kwargs: Any) -> None:
    global _cached
    if setting == SETTING_NAME:
        _cached = None
        from api_errors.catalog import clear_catalog_cache
        from api_errors.pipeline import clear_pipeline_cache

        clear_catalog_cache()
        clear_pipeline_cache()
