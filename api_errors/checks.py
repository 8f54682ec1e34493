"""System checks: every misconfiguration is reported here, with a unique id, never raised."""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register
from django.utils.module_loading import import_string

from api_errors.catalog import Catalog, CatalogEntry, Condition, build_catalog, load_preset
from api_errors.conf import (
    DEFAULTS,
    SETTING_NAME,
    STYLES,
    ApiErrorsSettings,
    compiled_pattern,
    get_settings,
)

MIDDLEWARE_PATH = "api_errors.middleware.ApiErrorsMiddleware"
HANDLER_PATH = "api_errors.handlers.exception_handler"
HEADER_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
BOOLEAN_KEYS = (
    "TRUST_CORRELATION_ID",
    "EXPOSE_CORRELATION_HEADER",
    "CORRELATION_ID_IN_BODY",
    "EXPOSE_SERVER_ERROR_DETAILS",
    "RATE_LIMIT_HEADERS",
    "RATE_LIMIT_HEADERS_ON_SUCCESS",
)
# Caches whose counts are per process or not atomic: limits would admit too much.
UNSHARED_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache": "keeps counts per process",
    "django.core.cache.backends.dummy.DummyCache": "keeps no counts",
    "django.core.cache.backends.filebased.FileBasedCache": "has no atomic increment",
    "django.core.cache.backends.db.DatabaseCache": "has no atomic increment",
}
CODE_TYPES: dict[str, tuple[type, ...]] = {
    "status": (int,),
    "success": (str,),
    "problem": (int, str),
}


def _error(msg: str, hint: str, id: str) -> Error:
    return Error(msg, hint=hint, id=f"api_errors.{id}")


@register()
def check_settings(
    *, app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    user = getattr(settings, SETTING_NAME, {})
    if not isinstance(user, Mapping):
        return [_error(f"{SETTING_NAME} must be a dict.", "Set API_ERRORS = {...}.", "E001")]
    conf = ApiErrorsSettings(user)
    messages = list(_check_keys(user))
    messages += _check_style(conf)
    messages += _check_correlation(conf)
    messages += _check_other_values(conf)
    catalog, catalog_messages = _check_catalog(conf)
    messages += catalog_messages
    if catalog is not None:
        messages += _check_exception_codes(catalog)
    return messages


def _check_keys(user: Mapping[str, Any]) -> Iterator[CheckMessage]:
    for key in user:
        if key not in DEFAULTS:
            yield _error(
                f"{SETTING_NAME} has an unknown key {key!r}.",
                f"Known keys: {', '.join(sorted(DEFAULTS))}.",
                "E002",
            )


def _check_style(conf: ApiErrorsSettings) -> Iterator[CheckMessage]:
    if conf.STYLE not in STYLES:
        yield _error(
            f"{SETTING_NAME}['STYLE'] is {conf.STYLE!r}.",
            f"Use one of {', '.join(STYLES)}.",
            "E003",
        )


def _check_correlation(conf: ApiErrorsSettings) -> Iterator[CheckMessage]:
    header = conf.CORRELATION_ID_HEADER
    if not isinstance(header, str) or not HEADER_TOKEN.fullmatch(header):
        yield _error(
            f"{SETTING_NAME}['CORRELATION_ID_HEADER'] is not a valid header name.",
            "Use a name such as 'X-Correlation-ID'.",
            "E012",
        )
    if (
        not isinstance(conf.CORRELATION_ID_PATTERN, str)
        or compiled_pattern(conf.CORRELATION_ID_PATTERN) is None
    ):
        yield _error(
            f"{SETTING_NAME}['CORRELATION_ID_PATTERN'] is not a valid regular expression.",
            "Give a pattern the whole incoming id must match.",
            "E013",
        )


def _check_other_values(conf: ApiErrorsSettings) -> Iterator[CheckMessage]:
    prefixes = conf.API_PREFIXES
    if not prefixes or not all(isinstance(p, str) and p.startswith("/") for p in prefixes):
        yield _error(
            f"{SETTING_NAME}['API_PREFIXES'] must be a non-empty list of paths starting with '/'.",
            "For example ['/api/'].",
            "E011",
        )
    level = conf.CLIENT_ERROR_LOG_LEVEL
    if isinstance(level, bool) or (
        not isinstance(level, int) and not isinstance(logging.getLevelName(str(level).upper()), int)
    ):
        yield _error(
            f"{SETTING_NAME}['CLIENT_ERROR_LOG_LEVEL'] {level!r} is not a logging level.",
            "Use 'DEBUG', 'INFO', 'WARNING' or 'ERROR'.",
            "E014",
        )
    retry = conf.DEFAULT_RETRY_AFTER
    if isinstance(retry, bool) or not isinstance(retry, int | float) or not 0 < retry < math.inf:
        yield _error(
            f"{SETTING_NAME}['DEFAULT_RETRY_AFTER'] must be a positive number of seconds.",
            "For example 30.",
            "E015",
        )
    template = conf.PROBLEM_TYPE_URI
    if template is not None and not _formats(template):
        yield _error(
            f"{SETTING_NAME}['PROBLEM_TYPE_URI'] must be a string with at most a {{code}} field.",
            "For example 'https://example.com/docs/errors/#{code}'.",
            "E016",
        )
    yield from _check_pipeline(conf)
    yield from _check_limits(conf)
    for key in BOOLEAN_KEYS:
        if not isinstance(conf.user.get(key, False), bool):
            yield _error(
                f"{SETTING_NAME}[{key!r}] must be True or False.",
                "Use a boolean, not a string or a number.",
                "E019",
            )


def _formats(template: Any) -> bool:
    try:
        return isinstance(template, str) and isinstance(template.format(code=0), str)
    except (KeyError, IndexError, ValueError):
        return False


def _check_pipeline(conf: ApiErrorsSettings) -> Iterator[CheckMessage]:
    from api_errors.pipeline import ErrorPipeline

    pipeline = conf.PIPELINE
    try:
        pipeline_class = import_string(pipeline) if isinstance(pipeline, str) else pipeline
    except ImportError:
        pipeline_class = None
    if not (isinstance(pipeline_class, type) and issubclass(pipeline_class, ErrorPipeline)):
        yield _error(
            f"{SETTING_NAME}['PIPELINE'] {pipeline!r} is not an ErrorPipeline subclass.",
            "Name a subclass of api_errors.pipeline.ErrorPipeline by dotted path.",
            "E017",
        )


def _check_limits(conf: ApiErrorsSettings) -> Iterator[CheckMessage]:
    from api_errors.limits.balance import BalanceHook

    fail_open = conf.user.get("LIMITS_FAIL_OPEN")
    if fail_open is not None and not isinstance(fail_open, bool):
        yield _error(
            f"{SETTING_NAME}['LIMITS_FAIL_OPEN'] must be None, True or False.",
            "None follows django-ratelimit's RATELIMIT_FAIL_OPEN.",
            "E021",
        )
    hook = conf.BALANCE_HOOK
    if hook is None:
        return
    try:
        hook_class = import_string(hook) if isinstance(hook, str) else hook
    except ImportError:
        hook_class = None
    if not (isinstance(hook_class, type) and issubclass(hook_class, BalanceHook)):
        yield _error(
            f"{SETTING_NAME}['BALANCE_HOOK'] {hook!r} is not a BalanceHook subclass.",
            "Name a subclass of api_errors.limits.BalanceHook (or ModelBalance) by dotted path.",
            "E020",
        )


def _check_catalog(conf: ApiErrorsSettings) -> tuple[Catalog | None, list[CheckMessage]]:
    try:
        preset = load_preset(conf.CATALOG)
    except (ImportError, TypeError, ValueError) as exc:
        return None, [
            _error(
                f"{SETTING_NAME}['CATALOG'] could not be loaded: {exc}",
                "Use 'platform', 'drive' or a dotted path to an api_errors.catalog.Preset.",
                "E004",
            )
        ]
    messages: list[CheckMessage] = []
    if not isinstance(conf.user.get("ERRORS", []), list | tuple):
        messages.append(
            _error(
                f"{SETTING_NAME}['ERRORS'] must be a list of entries.",
                "For example [{'code': 68300011, 'http_status': 409, 'message': '...'}].",
                "E005",
            )
        )
    if not isinstance(conf.user.get("CONDITIONS", {}), Mapping):
        messages.append(
            _error(
                f"{SETTING_NAME}['CONDITIONS'] must be a dict.",
                "Map condition names to a code or to {'code': ..., 'http_status': ...}.",
                "E009",
            )
        )
    extra: list[Any] = []
    for index, value in enumerate(conf.ERRORS):
        try:
            extra.append(CatalogEntry.from_value(value))
        except TypeError as exc:
            messages.append(
                _error(
                    f"{SETTING_NAME}['ERRORS'][{index}] is not a catalog entry: {exc}",
                    "Give code, http_status, message and optionally category and retryable.",
                    "E005",
                )
            )
    unusable = [e for e in (*preset.entries, *extra) if not isinstance(e.code, int | str)]
    for entry in unusable:
        messages.append(_wrong_code_type(entry, conf))
    if unusable:
        return None, messages
    try:
        catalog = build_catalog(preset, extra, conf.CONDITIONS)
    except (TypeError, KeyError, ValueError, AttributeError) as exc:
        messages.append(
            _error(
                f"{SETTING_NAME}['CONDITIONS'] is malformed: {exc}",
                "Map condition names to a code or to {'code': ..., 'http_status': ...}.",
                "E009",
            )
        )
        return None, messages
    messages += _check_entries(catalog, conf)
    messages += _check_conditions(catalog, conf)
    return catalog, messages


def _check_entries(catalog: Catalog, conf: ApiErrorsSettings) -> Iterator[CheckMessage]:
    for code in catalog.duplicate_codes():
        yield _error(
            f"Error code {code!r} is declared more than once.",
            "Give every catalog entry its own code.",
            "E006",
        )
    code_types = CODE_TYPES.get(conf.STYLE, (int, str))
    for entry in catalog.entries:
        if isinstance(entry.code, bool) or not isinstance(entry.code, code_types):
            yield _wrong_code_type(entry, conf)
        if not isinstance(entry.http_status, int) or not 400 <= entry.http_status <= 599:
            yield _error(
                f"Error code {entry.code!r} has HTTP status {entry.http_status!r}.",
                "Error statuses are integers from 400 to 599.",
                "E008",
            )


def _wrong_code_type(entry: CatalogEntry, conf: ApiErrorsSettings) -> CheckMessage:
    return _error(
        f"Error code {entry.code!r} is a {type(entry.code).__name__}, "
        f"which the {conf.STYLE!r} style does not send.",
        "The status style uses integer codes, the success style string codes.",
        "E007",
    )


def _check_conditions(catalog: Catalog, conf: ApiErrorsSettings) -> Iterator[CheckMessage]:
    for name in conf.CONDITIONS:
        if name not in Condition.ALL:
            yield _error(
                f"{SETTING_NAME}['CONDITIONS'] names an unknown condition {name!r}.",
                f"Known conditions: {', '.join(Condition.ALL)}.",
                "E009",
            )
    for name in Condition.ALL:
        rule = catalog.conditions.get(name)
        if rule is None:
            yield _error(
                f"The catalog does not say which code answers {name!r}.",
                "Add the condition to the preset or to API_ERRORS['CONDITIONS'].",
                "E010",
            )
        elif catalog.get(rule.code) is None:
            yield _error(
                f"Condition {name!r} maps to {rule.code!r}, which is not in the catalog.",
                "Map it to a declared code or declare the code in API_ERRORS['ERRORS'].",
                "E009",
            )


def _check_exception_codes(catalog: Catalog) -> Iterator[CheckMessage]:
    from api_errors.exceptions import APIError

    pending: list[type[APIError]] = [APIError]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        code = cls.__dict__.get("code")
        if code is not None and catalog.get(code) is None:
            yield _error(
                f"{cls.__module__}.{cls.__qualname__} raises code {code!r}, "
                "which is not in the catalog.",
                "Declare the code in API_ERRORS['ERRORS'] or fix the class.",
                "E018",
            )


@register()
def check_limits(
    *, app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """Limits count in the cache: one that is not shared and atomic lets every process admit
    the full limit. Charges need a hook to charge through."""
    from api_errors.limits.inventory import default_throttles_limit, url_inventory

    inventory = url_inventory()
    messages: list[CheckMessage] = []
    if inventory.limited_views or default_throttles_limit():
        messages += _check_limits_cache()
    if inventory.charging_views and get_settings().BALANCE_HOOK is None:
        messages.append(
            Error(
                f"charge_balance is used ({', '.join(inventory.charging_views[:3])}) "
                f"but {SETTING_NAME}['BALANCE_HOOK'] is not set.",
                hint="Name the BalanceHook subclass that charges your clients.",
                id="api_errors.E022",
            )
        )
    return messages


def _check_limits_cache() -> list[CheckMessage]:
    alias = getattr(settings, "RATELIMIT_USE_CACHE", "default")
    backend = getattr(settings, "CACHES", {}).get(alias, {}).get("BACKEND", "")
    reason = UNSHARED_CACHES.get(backend)
    if reason is None:
        return []
    return [
        Warning(
            f"Rate limits and quotas count in cache {alias!r} ({backend}), which {reason}.",
            hint="Use a shared cache with atomic increments, such as Django's RedisCache, "
            "when more than one process serves requests.",
            id="api_errors.W003",
        )
    ]


@register()
def check_installation(
    *, app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    if MIDDLEWARE_PATH not in getattr(settings, "MIDDLEWARE", []):
        messages.append(
            Warning(
                f"{MIDDLEWARE_PATH} is not in MIDDLEWARE.",
                hint="Without it responses carry no correlation id and plain Django views "
                "answer errors with HTML.",
                id="api_errors.W001",
            )
        )
    handler = getattr(settings, "REST_FRAMEWORK", {}).get("EXCEPTION_HANDLER")
    if handler != HANDLER_PATH:
        messages.append(
            Warning(
                "REST_FRAMEWORK['EXCEPTION_HANDLER'] is not api_errors' handler.",
                hint=f"Set it to {HANDLER_PATH!r} so DRF views answer with the envelope.",
                id="api_errors.W002",
            )
        )
    return messages
