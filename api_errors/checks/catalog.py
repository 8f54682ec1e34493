"""Checks of the catalog the settings build: entries, codes, conditions, exception classes."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from django.apps import AppConfig
from django.core.checks import CheckMessage

from api_errors.active import preset_for
from api_errors.catalog.loader import build_catalog
from api_errors.catalog.presets import PRESETS
from api_errors.catalog.types import (
    Catalog,
    CatalogEntry,
    Code,
    Condition,
    Deprecation,
    MalformedDeprecation,
    Preset,
)
from api_errors.checks.base import checked_settings, message
from api_errors.conf import SETTING_NAME, APIErrorsSettings, SettingError
from api_errors.exceptions import APIError
from api_errors.styles import resolve_style


def check_catalog(
    *, app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    conf = checked_settings()
    if conf is None:
        return []  # api_errors.E001
    catalog, messages = _check_catalog(conf)
    if catalog is not None:
        messages += _check_exception_codes(catalog)
    return messages


def catalog_problems(conf: APIErrorsSettings) -> list[CheckMessage]:
    """What is wrong with the catalog ``conf`` builds (entries, codes, conditions)."""
    return _check_catalog(conf)[1]


def _code_types(conf: APIErrorsSettings) -> tuple[type, ...]:
    try:
        return resolve_style(conf.STYLE).code_types
    except SettingError:
        return (int, str)  # api_errors.E003


def _check_catalog(conf: APIErrorsSettings) -> tuple[Catalog | None, list[CheckMessage]]:
    try:
        preset = preset_for(conf)
    except (ImportError, TypeError, ValueError) as exc:
        return None, [
            message(
                "E004",
                f"{SETTING_NAME}['CATALOG'] could not be loaded: {exc}",
                f"Use {' or '.join(map(repr, PRESETS))} or a dotted path to an "
                "api_errors.catalog.Preset.",
            )
        ]
    messages: list[CheckMessage] = []
    if not isinstance(conf.user.get("ERRORS", []), list | tuple):
        messages.append(
            message(
                "E005",
                f"{SETTING_NAME}['ERRORS'] must be a list of entries.",
                "For example [{'code': 68300011, 'http_status': 409, 'message': '...'}].",
            )
        )
    extra: list[CatalogEntry] = []
    for index, value in enumerate(conf.ERRORS):
        try:
            extra.append(CatalogEntry.from_value(value))
        except MalformedDeprecation as exc:
            messages.append(_malformed_deprecation(f"{SETTING_NAME}['ERRORS'][{index}]: {exc}."))
        except TypeError as exc:
            messages.append(
                message(
                    "E005",
                    f"{SETTING_NAME}['ERRORS'][{index}] is not a catalog entry: {exc}",
                    "Give code, http_status, message and optionally category and retryable.",
                )
            )
    unusable = [e for e in (*preset.entries, *extra) if not isinstance(e.code, int | str)]
    messages += [_wrong_code_type(entry, conf) for entry in unusable]
    if not isinstance(conf.user.get("CONDITIONS", {}), Mapping):
        messages.append(_malformed_conditions(f"{SETTING_NAME}['CONDITIONS'] must be a dict."))
    if unusable:
        return None, messages
    try:
        catalog = build_catalog(preset, extra, conf.CONDITIONS)
    except (TypeError, KeyError, ValueError, AttributeError) as exc:
        messages.append(_malformed_conditions(f"{SETTING_NAME}['CONDITIONS'] is malformed: {exc}"))
        return None, messages
    messages += _check_entries(catalog, preset, conf)
    messages += _check_deprecations(catalog)
    messages += _check_conditions(catalog, conf)
    return catalog, messages


def _malformed_conditions(msg: str) -> CheckMessage:
    return message(
        "E009",
        msg,
        "Map condition names to a code or to {'code': ..., 'http_status': ...}.",
    )


def _check_entries(
    catalog: Catalog, preset: Preset, conf: APIErrorsSettings
) -> Iterator[CheckMessage]:
    preset_codes = {entry.code for entry in preset.entries}
    for code in catalog.duplicate_codes():
        yield _duplicate(code, preset if code in preset_codes else None)
    code_types = _code_types(conf)
    for entry in catalog.entries:
        if isinstance(entry.code, bool) or not isinstance(entry.code, code_types):
            yield _wrong_code_type(entry, conf)
    for entry in catalog.entries:
        if not isinstance(entry.http_status, int) or not 400 <= entry.http_status <= 599:
            yield message(
                "E008",
                f"Error code {entry.code!r} has HTTP status {entry.http_status!r}.",
                "Error statuses are integers from 400 to 599.",
            )


def _check_deprecations(catalog: Catalog) -> Iterator[CheckMessage]:
    for entry in catalog.entries:
        deprecation = entry.deprecated
        if deprecation is None:
            continue
        problem = _deprecation_problem(entry.code, deprecation)
        if problem:
            yield _malformed_deprecation(f"Error code {entry.code!r}'s deprecation {problem}.")
        elif deprecation.replacement is not None and catalog.get(deprecation.replacement) is None:
            yield message(
                "E027",
                f"Error code {entry.code!r} is replaced by {deprecation.replacement!r}, which is "
                "not in the catalog.",
                "Name a code of the catalog as the replacement (clients are sent to its row), "
                "or None when nothing replaces it.",
            )


def _deprecation_problem(code: Code, deprecation: Any) -> str:
    if not isinstance(deprecation, Deprecation):
        return f"is {deprecation!r}, not a Deprecation"
    if not isinstance(deprecation.since, str) or not deprecation.since.strip():
        return "has no since (the API version clients were told in)"
    replacement = deprecation.replacement
    if replacement is not None and (
        isinstance(replacement, bool) or not isinstance(replacement, int | str)
    ):
        return f"names {replacement!r} as replacement, which is not a code"
    if replacement == code:
        return "names the code itself as its replacement"
    return ""


def _malformed_deprecation(msg: str) -> CheckMessage:
    return message(
        "E028",
        msg,
        "Write 'deprecated': {'since': '2.4', 'replacement': <another code or None>}.",
    )


def _duplicate(code: Code, preset: Preset | None) -> CheckMessage:
    if preset is None:
        return message(
            "E006",
            f"Error code {code!r} is declared more than once.",
            "Give every catalog entry its own code.",
        )
    return message(
        "E006",
        f"Error code {code!r} is declared more than once: the {preset.name!r} preset "
        f"already has it.",
        "To change a preset entry's message or status, give your own Preset (a copy of the "
        "preset's entries with yours in its place) in API_ERRORS['CATALOG'].",
    )


def _wrong_code_type(entry: CatalogEntry, conf: APIErrorsSettings) -> CheckMessage:
    return message(
        "E007",
        f"Error code {entry.code!r} is a {type(entry.code).__name__}, "
        f"which the {conf.STYLE!r} style does not send.",
        "The status style uses integer codes, the success style string codes.",
    )


def _check_conditions(catalog: Catalog, conf: APIErrorsSettings) -> Iterator[CheckMessage]:
    for name in conf.CONDITIONS:
        if name not in Condition.ALL:
            yield message(
                "E009",
                f"{SETTING_NAME}['CONDITIONS'] names an unknown condition {name!r}.",
                f"Known conditions: {', '.join(Condition.ALL)}.",
            )
    for name in Condition.ALL:
        rule = catalog.conditions.get(name)
        if rule is None:
            yield message(
                "E010",
                f"The catalog does not say which code answers {name!r}.",
                "Add the condition to the preset or to API_ERRORS['CONDITIONS'].",
            )
        elif catalog.get(rule.code) is None:
            yield message(
                "E009",
                f"Condition {name!r} maps to {rule.code!r}, which is not in the catalog.",
                "Map it to a declared code or declare the code in API_ERRORS['ERRORS'].",
            )


def _check_exception_codes(catalog: Catalog) -> Iterator[CheckMessage]:
    pending: list[type[APIError]] = [APIError]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        code = cls.__dict__.get("code")
        codes = cls.__dict__.get("codes") or {}
        if code is None and isinstance(codes, Mapping):
            code = codes.get(catalog.name)
        if code is not None and catalog.get(code) is None:
            yield message(
                "E018",
                f"{cls.__module__}.{cls.__qualname__} raises code {code!r}, "
                f"which is not in the {catalog.name!r} catalog.",
                "An exact code belongs to one catalog, and each style has its own: name one "
                "code per catalog with codes = {'platform': ..., 'drive': ...}, name a "
                "condition instead, or declare the code in API_ERRORS['ERRORS'].",
            )
