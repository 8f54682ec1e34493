"""How a field error names its field: the dotted path in ``FIELD_NAME_CASE``, its segments,
and the JSON Pointer (RFC 6901) to the member at fault.

``items.1.unit_price`` is ``items.1.unitPrice`` in camelCase, converted as
djangorestframework-camel-case converts response keys, DRF's ``non_field_errors`` included
(``nonFieldErrors``). Its pointer is ``#/items/1/unitPrice``: the URI fragment form of
RFC 6901 section 6, as in RFC 9457's example (``"#/age"``).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from api_errors.catalog.types import FieldError

UNCHANGED = "unchanged"
CAMEL = "camel"
FIELD_NAME_CASES = (UNCHANGED, CAMEL)

# djangorestframework-camel-case's rule: an underscore between lower-case letters or digits
# goes, and the letter after it is upper-cased (``_id`` becomes ``Id``, ``a_B`` stays).
_UNDERSCORE = re.compile(r"[a-z0-9]?_[a-z0-9]")
# What a URI fragment may hold besides letters, digits and ``-._~`` (RFC 3986 section 3.5);
# ``/`` only separates segments, a ``/`` inside a name being written ``~1`` first.
_FRAGMENT_SAFE = "!$&'()*+,;=:@/?"
_PLAIN = re.compile(r"[A-Za-z0-9_.-]*").fullmatch


def _join_camel(match: re.Match[str]) -> str:
    text = match.group()
    return text[0] + text[2].upper() if len(text) == 3 else text[1].upper()


def camel_case(name: str) -> str:
    """``unit_price`` as ``unitPrice``; a dotted path is converted segment by segment."""
    return _UNDERSCORE.sub(_join_camel, name) if "_" in name else name


def in_field_case(items: list[FieldError], case: Any) -> list[FieldError]:
    """``items`` with their ``field`` in ``case``: the same list when it is unchanged, so
    the default costs nothing per error. Items are copied, never changed in place (an
    ``APIError`` keeps the items it was given)."""
    if case != CAMEL:
        return items
    return [
        {**item, "field": camel_case(item["field"])} if isinstance(item.get("field"), str) else item
        for item in items
    ]


def field_segments(field: str, source: Any = None) -> list[str]:
    """The names and indexes ``field`` was joined from. ``source`` is what it was flattened
    from (``validation.field_source``): found there, a key with a dot in it stays one
    segment. Without a source, or where it does not lead to ``field``, split at the dots."""
    parts = field.split(".")
    if source is not None:
        found = _resolve(parts, 0, source)
        if found is not None:
            return found
    return parts


# The most dots one key of a detail may hold and still be found whole; a longer run of
# dots is taken as nesting, which bounds the search to a few lookups per segment.
MAX_DOTS_IN_KEY = 8


def _resolve(parts: list[str], start: int, node: Any) -> list[str] | None:
    """The segments of ``parts[start:]`` below ``node``: dicts by key (text or number),
    lists of nested details by index, as ``validation.flatten_drf_detail`` walks them."""
    if start == len(parts):
        return []
    if isinstance(node, dict):
        key = ""
        for end in range(start + 1, min(len(parts), start + 1 + MAX_DOTS_IN_KEY) + 1):
            key = parts[start] if end == start + 1 else f"{key}.{parts[end - 1]}"
            index = _index(key)
            for candidate in (key,) if index is None else (key, index):
                if candidate in node:
                    rest = _resolve(parts, end, node[candidate])
                    if rest is not None:
                        return [key, *rest]
        return None
    if isinstance(node, list):
        index = _index(parts[start])
        if index is not None and index < len(node) and isinstance(node[index], dict | list):
            rest = _resolve(parts, start + 1, node[index])
            return None if rest is None else [parts[start], *rest]
    # A list of messages: one last part is the non-field key of a top-level list.
    return parts[start:] if start == len(parts) - 1 else None


def _index(text: str) -> int | None:
    """``text`` as a list index or a numeric key, if it is written as one."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


def pointer_segments(segments: list[str], non_field: str) -> list[str]:
    """The members a pointer walks: a trailing ``non_field`` key (``validation.non_field_key``)
    names none, so an error of a whole object points at that object (``#/address``, or
    ``#`` for the whole document)."""
    if segments and segments[-1] == non_field:
        return segments[:-1]
    return segments


def json_pointer(segments: list[str]) -> str:
    """``#/items/1/unitPrice``: each segment escaped as RFC 6901 says (``~`` as ``~0``, ``/``
    as ``~1``), then percent-encoded where a URI fragment requires it (section 6)."""
    return "".join(["#", *("/" + _escaped(segment) for segment in segments)])


def _escaped(segment: str) -> str:
    if _PLAIN(segment):  # a field name or an index, as nearly all are: nothing to escape
        return segment
    return quote(segment.replace("~", "~0").replace("/", "~1"), safe=_FRAGMENT_SAFE)
