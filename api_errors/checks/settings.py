"""Checks of the shape of each ``API_ERRORS`` value."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.apps import AppConfig
from django.core.checks import CheckMessage

from api_errors.checks.base import checked_settings, is_positive_number, message
from api_errors.conf import (
    DEFAULTS,
    SETTING_NAME,
    APIErrorsSettings,
    SettingError,
    compiled_pattern,
)
from api_errors.field_paths import FIELD_NAME_CASES
from api_errors.http_values import is_header_name
from api_errors.integrations.base import BUILTIN_INTEGRATIONS, resolve_integration
from api_errors.integrations.hosts import is_host_pattern
from api_errors.pipeline import resolve_pipeline
from api_errors.reporting import resolve_log_level
from api_errors.styles import BUILTIN_STYLES, resolve_style

BOOLEAN_KEYS = (
    "TRUST_CORRELATION_ID",
    "EXPOSE_CORRELATION_HEADER",
    "CORRELATION_ID_IN_BODY",
    "EXPOSE_SERVER_ERROR_DETAILS",
    "LIMIT_PROBLEM_TYPES",
    "RATE_LIMIT_HEADERS",
    "RATE_LIMIT_HEADERS_ON_SUCCESS",
    "LIMITS_REMEMBER_REFUSALS",
    "LIMITS_AWAIT_STORE",
    "CORRELATION_ID_FROM_TRACE",
)


def check_settings(
    *, app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    conf = checked_settings()
    if conf is None:
        return [message("E001", f"{SETTING_NAME} must be a dict.", "Set API_ERRORS = {...}.")]
    return [
        *_check_keys(conf),
        *_check_style(conf),
        *_check_prefixes(conf),
        *_check_correlation(conf),
        *_check_log_level(conf),
        *_check_retry_after(conf),
        *_check_problem_type(conf),
        *_check_pipeline(conf),
        *_check_booleans(conf),
        *_check_integrations(conf),
        *_check_outgoing_hosts(conf),
        *_check_field_name_case(conf),
    ]


def _check_keys(conf: APIErrorsSettings) -> Iterator[CheckMessage]:
    for key in conf.user:
        if key not in DEFAULTS:
            yield message(
                "E002",
                f"{SETTING_NAME} has an unknown key {key!r}.",
                f"Known keys: {', '.join(sorted(DEFAULTS))}.",
            )


def _check_style(conf: APIErrorsSettings) -> Iterator[CheckMessage]:
    try:
        resolve_style(conf.STYLE)
    except SettingError:
        yield message(
            "E003",
            f"{SETTING_NAME}['STYLE'] is {conf.STYLE!r}.",
            f"Use one of {', '.join(BUILTIN_STYLES)}, or the dotted path of a subclass of "
            "api_errors.styles.Style.",
        )


def _check_prefixes(conf: APIErrorsSettings) -> Iterator[CheckMessage]:
    prefixes = conf.API_PREFIXES
    if not prefixes or not all(isinstance(p, str) and p.startswith("/") for p in prefixes):
        yield message(
            "E011",
            f"{SETTING_NAME}['API_PREFIXES'] must be a non-empty list of paths starting with '/'.",
            "For example ['/api/'].",
        )


def _check_correlation(conf: APIErrorsSettings) -> Iterator[CheckMessage]:
    header = conf.CORRELATION_ID_HEADER
    if not is_header_name(header):
        yield message(
            "E012",
            f"{SETTING_NAME}['CORRELATION_ID_HEADER'] is not a valid header name.",
            "Use a name such as 'X-Correlation-ID'.",
        )
    if (
        not isinstance(conf.CORRELATION_ID_PATTERN, str)
        or compiled_pattern(conf.CORRELATION_ID_PATTERN) is None
    ):
        yield message(
            "E013",
            f"{SETTING_NAME}['CORRELATION_ID_PATTERN'] is not a valid regular expression.",
            "Give a pattern the whole incoming id must match.",
        )


def _check_log_level(conf: APIErrorsSettings) -> Iterator[CheckMessage]:
    level = conf.CLIENT_ERROR_LOG_LEVEL
    try:
        resolve_log_level(level)
    except SettingError:
        yield message(
            "E014",
            f"{SETTING_NAME}['CLIENT_ERROR_LOG_LEVEL'] {level!r} is not a logging level.",
            "Use 'DEBUG', 'INFO', 'WARNING' or 'ERROR'.",
        )


def _check_retry_after(conf: APIErrorsSettings) -> Iterator[CheckMessage]:
    if not is_positive_number(conf.DEFAULT_RETRY_AFTER):
        yield message(
            "E015",
            f"{SETTING_NAME}['DEFAULT_RETRY_AFTER'] must be a positive number of seconds.",
            "For example 30.",
        )


def _check_problem_type(conf: APIErrorsSettings) -> Iterator[CheckMessage]:
    template = conf.PROBLEM_TYPE_URI
    if template is not None and not _formats(template):
        yield message(
            "E016",
            f"{SETTING_NAME}['PROBLEM_TYPE_URI'] must be a string with at most a {{code}} field.",
            "For example 'https://example.com/docs/errors/#{code}'.",
        )


def _formats(template: Any) -> bool:
    try:
        return isinstance(template, str) and isinstance(template.format(code=0), str)
    except (KeyError, IndexError, ValueError):
        return False


def _check_pipeline(conf: APIErrorsSettings) -> Iterator[CheckMessage]:
    try:
        resolve_pipeline(conf.PIPELINE)
    except SettingError:
        yield message(
            "E017",
            f"{SETTING_NAME}['PIPELINE'] {conf.PIPELINE!r} is not an ErrorPipeline subclass.",
            "Name a subclass of api_errors.pipeline.ErrorPipeline by dotted path.",
        )


def _check_booleans(conf: APIErrorsSettings) -> Iterator[CheckMessage]:
    for key in BOOLEAN_KEYS:
        if not isinstance(conf.user.get(key, False), bool):
            yield message(
                "E019",
                f"{SETTING_NAME}[{key!r}] must be True or False.",
                "Use a boolean, not a string or a number.",
            )


def _check_integrations(conf: APIErrorsSettings) -> Iterator[CheckMessage]:
    value = conf.user.get("INTEGRATIONS", [])
    if not isinstance(value, list | tuple):
        yield message(
            "E025",
            f"{SETTING_NAME}['INTEGRATIONS'] must be a list.",
            "For example ['celery', 'sentry'].",
        )
        return
    for entry in value:
        try:
            resolve_integration(entry)
        except SettingError as exc:
            shipped = isinstance(entry, str) and entry in BUILTIN_INTEGRATIONS
            yield message(
                "E025",
                str(exc),
                f"Install its extra: pip install 'api-errors[{entry}]'."
                if shipped
                else f"Use one of {', '.join(BUILTIN_INTEGRATIONS)} or the dotted path of an "
                "api_errors.integrations.base.Integration subclass.",
            )


def _check_outgoing_hosts(conf: APIErrorsSettings) -> Iterator[CheckMessage]:
    value = conf.user.get("OUTGOING_CORRELATION_HOSTS", [])
    if not isinstance(value, list | tuple) or not all(is_host_pattern(host) for host in value):
        yield message(
            "E026",
            f"{SETTING_NAME}['OUTGOING_CORRELATION_HOSTS'] must be a list of host names.",
            "For example ['search.internal', '.svc.cluster.local'] (a leading dot matches "
            "every subdomain).",
        )


def _check_field_name_case(conf: APIErrorsSettings) -> Iterator[CheckMessage]:
    value = conf.FIELD_NAME_CASE
    if not isinstance(value, str) or value not in FIELD_NAME_CASES:
        yield message(
            "E036",
            f"{SETTING_NAME}['FIELD_NAME_CASE'] is {value!r}.",
            f"Use one of {', '.join(repr(case) for case in FIELD_NAME_CASES)}.",
        )
