"""The ``API_ERRORS`` settings dict, read lazily, and the one resolver for what it names.

Nothing here imports the rest of the package. What is built from the settings (the style,
the catalog, the pipeline) is cached on the settings object through ``derived``, so it is
rebuilt whenever ``API_ERRORS`` changes without this module knowing who built it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any, TypeVar

from django.conf import settings as django_settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string

SETTING_NAME = "API_ERRORS"
# Where projects wire the app in, as they write it in their settings.
MIDDLEWARE_PATH = "api_errors.middleware.APIErrorsMiddleware"
# The name it had before 0.2, still importable (deprecated).
OLD_MIDDLEWARE_PATH = "api_errors.middleware.ApiErrorsMiddleware"
DRF_EXCEPTION_HANDLER = "api_errors.handlers.exception_handler"


def middleware_installed() -> bool:
    """Whether ``MIDDLEWARE`` has the app's middleware, which sends every response's
    correlation header."""
    middleware = getattr(django_settings, "MIDDLEWARE", None) or ()
    return MIDDLEWARE_PATH in middleware or OLD_MIDDLEWARE_PATH in middleware


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
    "LIMIT_PROBLEM_TYPES": True,
    "PIPELINE": "api_errors.pipeline.ErrorPipeline",
    "RATE_LIMIT_HEADERS": True,
    "RATE_LIMIT_HEADERS_ON_SUCCESS": False,
    "LIMITS_FAIL_OPEN": None,
    "LIMITS_TIMEOUT": 0.25,
    "LIMITS_RETRY_INTERVAL": 5,
    "LIMITS_REMEMBER_REFUSALS": False,
    # "app" or "store" (api_errors.limits.counters): whose clock fixed windows follow.
    "LIMITS_CLOCK": "app",
    "LIMITS_AWAIT_STORE": False,
    "BALANCE_HOOK": None,
    "INTEGRATIONS": [],
    "CORRELATION_ID_FROM_TRACE": False,
    "OUTGOING_CORRELATION_HOSTS": [],
    # None: api_errors.lock.json in BASE_DIR (see api_errors.lock.storage).
    "LOCK_FILE": None,
    "FIELD_NAME_CASE": "unchanged",
}

Built = TypeVar("Built")


class APIErrorsSettings:
    """Typed view of ``settings.API_ERRORS`` merged over the defaults."""

    def __init__(self, user: Mapping[str, Any]) -> None:
        self.user = dict(user)
        merged = {**DEFAULTS, **self.user}
        self.STYLE: Any = merged["STYLE"]
        # None: the style's own preset (see api_errors.active).
        self.CATALOG: Any = merged["CATALOG"]
        # Wrong container types fall back to empty ones here; the system checks report them.
        errors, conditions = merged["ERRORS"], merged["CONDITIONS"]
        self.ERRORS: list[Any] = list(errors) if isinstance(errors, list | tuple) else []
        self.CONDITIONS: dict[str, Any] = (
            dict(conditions) if isinstance(conditions, Mapping) else {}
        )
        self.API_PREFIXES: tuple[str, ...] = _as_tuple(merged["API_PREFIXES"])
        self.CORRELATION_ID_HEADER: str = merged["CORRELATION_ID_HEADER"]
        self.CORRELATION_ID_PATTERN: str = merged["CORRELATION_ID_PATTERN"]
        self.TRUST_CORRELATION_ID: bool = bool(merged["TRUST_CORRELATION_ID"])
        self.EXPOSE_CORRELATION_HEADER: bool = bool(merged["EXPOSE_CORRELATION_HEADER"])
        self.CORRELATION_ID_IN_BODY: bool = bool(merged["CORRELATION_ID_IN_BODY"])
        self.EXPOSE_SERVER_ERROR_DETAILS: bool = bool(merged["EXPOSE_SERVER_ERROR_DETAILS"])
        self.CLIENT_ERROR_LOG_LEVEL: Any = merged["CLIENT_ERROR_LOG_LEVEL"]
        self.DEFAULT_RETRY_AFTER: Any = merged["DEFAULT_RETRY_AFTER"]
        self.PROBLEM_TYPE_URI: str | None = merged["PROBLEM_TYPE_URI"]
        # Problem style: limits' refusals in the ratelimit-headers draft's problem types.
        self.LIMIT_PROBLEM_TYPES: bool = bool(merged["LIMIT_PROBLEM_TYPES"])
        self.PIPELINE: Any = merged["PIPELINE"]
        self.RATE_LIMIT_HEADERS: bool = bool(merged["RATE_LIMIT_HEADERS"])
        self.RATE_LIMIT_HEADERS_ON_SUCCESS: bool = bool(merged["RATE_LIMIT_HEADERS_ON_SUCCESS"])
        self.LIMITS_FAIL_OPEN: bool | None = merged["LIMITS_FAIL_OPEN"]
        self.LIMITS_TIMEOUT: Any = merged["LIMITS_TIMEOUT"]
        self.LIMITS_RETRY_INTERVAL: Any = merged["LIMITS_RETRY_INTERVAL"]
        self.LIMITS_REMEMBER_REFUSALS: bool = bool(merged["LIMITS_REMEMBER_REFUSALS"])
        # Anything but "store" keeps the app's clock; the checks report it.
        self.LIMITS_CLOCK: Any = merged["LIMITS_CLOCK"]
        self.LIMITS_AWAIT_STORE: bool = bool(merged["LIMITS_AWAIT_STORE"])
        self.BALANCE_HOOK: Any = merged["BALANCE_HOOK"]
        self.INTEGRATIONS: tuple[Any, ...] = _as_tuple(merged["INTEGRATIONS"])
        self.CORRELATION_ID_FROM_TRACE: bool = bool(merged["CORRELATION_ID_FROM_TRACE"])
        self.OUTGOING_CORRELATION_HOSTS: tuple[Any, ...] = _as_tuple(
            merged["OUTGOING_CORRELATION_HOSTS"]
        )
        self.LOCK_FILE: Any = merged["LOCK_FILE"]
        # "unchanged" or "camel" (api_errors.field_paths); anything else is left unchanged.
        self.FIELD_NAME_CASE: Any = merged["FIELD_NAME_CASE"]
        # The WSGI META key of the correlation header, computed once.
        self.correlation_meta_key = "HTTP_" + str(self.CORRELATION_ID_HEADER).upper().replace(
            "-", "_"
        )
        self._derived: dict[Callable[[APIErrorsSettings], Any], Any] = {}

    def is_api_path(self, path: str) -> bool:
        """Whether ``path`` is under an API prefix, also when written ``//api/...`` or in
        absolute form (``http://host/api/...``), which Django answers too."""
        return path.startswith(self.API_PREFIXES) or prefix_path(path).startswith(self.API_PREFIXES)

    @property
    def correlation_pattern(self) -> re.Pattern[str] | None:
        return compiled_pattern(self.CORRELATION_ID_PATTERN)

    def derived(self, build: Callable[[APIErrorsSettings], Built]) -> Built:
        """``build(self)``, computed once for these settings; a failed build is not kept."""
        try:
            return self._derived[build]  # type: ignore[no-any-return]
        except KeyError:
            value = self._derived[build] = build(self)
            return value


def _as_tuple(value: Any) -> tuple[Any, ...]:
    """A list setting as a tuple: one string is a list of one, anything else is empty
    (the checks report it)."""
    if isinstance(value, str):
        return (value,)
    return tuple(value) if isinstance(value, list | tuple) else ()


ABSOLUTE_FORM = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^/]*")


def prefix_path(path: str) -> str:
    """``path`` without a scheme and host, and with one leading slash."""
    match = ABSOLUTE_FORM.match(path)
    if match is not None:
        path = path[match.end() :]
    return "/" + path.lstrip("/")


@lru_cache(maxsize=8)
def compiled_pattern(pattern: str) -> re.Pattern[str] | None:
    """Compile the correlation id pattern; ``None`` when it is invalid (a check reports it)."""
    try:
        return re.compile(pattern)
    except (re.error, TypeError):
        return None


_cached: APIErrorsSettings | None = None


def get_settings() -> APIErrorsSettings:
    """The current settings; a new object after ``API_ERRORS`` changes."""
    global _cached
    if _cached is None:
        user = getattr(django_settings, SETTING_NAME, None) or {}
        if not isinstance(user, Mapping):
            user = {}
        _cached = APIErrorsSettings(user)
    return _cached


@receiver(setting_changed)
def _drop_cached_settings(*, setting: str, **kwargs: Any) -> None:
    global _cached
    if setting == SETTING_NAME:
        _cached = None


class SettingError(ValueError):
    """A setting names something that cannot be used: the runtime and the checks see this."""


def subclass_of(base: type) -> Callable[[Any], bool]:
    return lambda value: isinstance(value, type) and issubclass(value, base)


def instance_of(kind: type | tuple[type, ...]) -> Callable[[Any], bool]:
    return lambda value: isinstance(value, kind)


def resolve(
    key: str,
    value: Any,
    *,
    accept: Callable[[Any], bool],
    expected: str,
    named: Mapping[str, Any] | None = None,
) -> Any:
    """What ``API_ERRORS[key]`` names: an entry of ``named`` (a short name), the object
    itself, or a dotted path to it. Anything ``accept`` refuses is a ``SettingError``."""
    found = value
    if isinstance(value, str):
        if named is not None and value in named:
            found = named[value]
        elif "." in value:
            try:
                found = import_string(value)
            except ImportError as exc:
                raise SettingError(
                    f"{SETTING_NAME}[{key!r}] {value!r} cannot be imported: {exc}"
                ) from exc
    if not accept(found):
        raise SettingError(f"{SETTING_NAME}[{key!r}] {value!r} is not {expected}.")
    return found
