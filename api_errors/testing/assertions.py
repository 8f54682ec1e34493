"""``assert_api_error``: a test client's response is an error envelope of the active style."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from api_errors.active import get_catalog, get_style
from api_errors.catalog.types import Catalog, Code
from api_errors.conf import APIErrorsSettings, get_settings
from api_errors.correlation import is_sent_correlation_id
from api_errors.styles.base import ERRORS_KEY, Style
from api_errors.testing.report import describe_response, parsed_body
from api_errors.testing.schemas import validator


@dataclass(frozen=True)
class ExpectedError:
    """What the caller asked for, resolved against the active catalog."""

    code: Code | None
    statuses: tuple[int, ...]
    # The condition the caller named the code by, if it did.
    condition: str | None = None
    # False when ``code`` is neither a code nor a condition of the catalog.
    known: bool = True


def expected_error(catalog: Catalog, code: Code | None, status: int | None) -> ExpectedError:
    """``code`` is a catalog code, or else the name of a condition (``Condition.NOT_FOUND``),
    which stands for the code and status its rule gives. ``status`` wins over both."""
    given = () if status is None else (status,)
    if code is None:
        return ExpectedError(None, given)
    if catalog.get(code) is not None:
        return ExpectedError(code, given or tuple(catalog.statuses(code)))
    if isinstance(code, str) and code in catalog.conditions:
        rule = catalog.conditions[code]
        answered = catalog.condition_status(rule)
        statuses = given or (() if answered is None else (answered,))
        return ExpectedError(rule.code, statuses, condition=code)
    return ExpectedError(code, given, known=False)


def value_at(body: Any, dotted: str) -> Any:
    """``body``'s value at a dotted path (``error.code``), or ``None``."""
    for part in dotted.split("."):
        if not isinstance(body, Mapping):
            return None
        body = body.get(part)
    return body


def assert_api_error(
    response: Any,
    code: Code | None = None,
    status: int | None = None,
    field: str | None = None,
) -> Any:
    """Fail unless ``response`` is an error envelope of the active style and catalog.

    ``code`` is a catalog code or a condition name; without ``status`` the response's status
    must be one the catalog sends the code with. ``field`` is a field error's path
    (``"items.0.name"``). Returns the parsed body.
    """
    __tracebackhide__ = True  # pytest shows the caller's line, not this function's
    conf, style, catalog = get_settings(), get_style(), get_catalog()
    expected = expected_error(catalog, code, status)
    body, unparsed = parsed_body(response)
    problems = [
        *_envelope_problems(response, body, unparsed, style, catalog),
        *_code_problems(response, body, expected, code, style, catalog),
        *_correlation_problems(response, conf),
        *_field_problems(body, field),
    ]
    if problems:
        wanted = _describe_expected(style.name, expected, field, conf.CORRELATION_ID_HEADER)
        lines = ["Not the expected API error:", *(f"  - {problem}" for problem in problems)]
        lines += [f"Expected {wanted}.", *describe_response(response)]
        raise AssertionError("\n".join(lines))
    return body


def _envelope_problems(
    response: Any, body: Any, unparsed: str | None, style: Style, catalog: Catalog
) -> list[str]:
    """The media type and the body's shape, as the style's own error schema has them."""
    found = []
    media_type = response.get("Content-Type", "").split(";", 1)[0].strip().lower()
    if media_type != style.media_type:
        found.append(f"Content-Type is {media_type or 'missing'}, not {style.media_type}")
    if unparsed is not None:
        return [*found, f"the body is not JSON ({unparsed})"]
    # The code's type only: whether the catalog has the code is said on its own, briefly.
    code_schema = style.code_schema([entry.code for entry in catalog.entries])
    code_schema.pop("enum", None)
    schema = style.error_schema(response.status_code, code_schema)
    found += [f"not a {style.name!r} envelope: {problem}" for problem in validator(schema)(body)]
    return found


def _code_problems(
    response: Any, body: Any, expected: ExpectedError, code: Any, style: Style, catalog: Catalog
) -> list[str]:
    """The code is the catalog's (and the one asked for), sent with one of its statuses."""
    sent = value_at(body, style.code_field)
    known = isinstance(sent, int | str) and catalog.get(sent) is not None
    found = []
    if not expected.known:
        found.append(f"{code!r} is neither a code nor a condition of the active catalog")
    if expected.code is not None and sent != expected.code:
        found.append(f"{style.code_field} is {sent!r}, not {expected.code!r}")
    elif not known:
        found.append(f"{style.code_field} {sent!r} is not a code of the active catalog")
    statuses = expected.statuses or (tuple(catalog.statuses(sent)) if known else ())
    if statuses and response.status_code not in statuses:
        allowed = " or ".join(str(status) for status in statuses)
        found.append(f"HTTP status is {response.status_code}, expected {allowed}")
    return found


def _correlation_problems(response: Any, conf: APIErrorsSettings) -> list[str]:
    header = conf.CORRELATION_ID_HEADER
    correlation_id = response.get(header)
    if correlation_id is None:
        return [f"no {header} header"]
    if not is_sent_correlation_id(correlation_id, conf):
        return [f"{header} {correlation_id!r} is not an id the middleware sends"]
    return []


def _field_problems(body: Any, field: str | None) -> list[str]:
    if field is None:
        return []
    errors = body.get(ERRORS_KEY) if isinstance(body, Mapping) else None
    fields = [
        str(item["field"])
        for item in (errors if isinstance(errors, list) else [])
        if isinstance(item, Mapping) and "field" in item
    ]
    if field in fields:
        return []
    present = ", ".join(repr(name) for name in fields) or "none"
    return [f"no field error for {field!r} under {ERRORS_KEY!r} (present: {present})"]


def _describe_expected(style: str, expected: ExpectedError, field: str | None, header: str) -> str:
    parts = [f"an error envelope of the {style!r} style"]
    if expected.code is not None:
        named = f" (condition {expected.condition!r})" if expected.condition else ""
        parts.append(f"code {expected.code!r}{named}")
    if expected.statuses:
        parts.append("HTTP " + " or ".join(str(status) for status in expected.statuses))
    if field is not None:
        parts.append(f"a field error for {field!r}")
    parts.append(f"a valid {header} header")
    return ", ".join(parts)
