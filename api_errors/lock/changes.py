"""What changed between a catalog's lock section and the catalog of today, and what breaks.

A change breaks clients when code they wrote against the locked catalog would now behave
differently: a code they branch on is gone, comes with another HTTP status, retryable flag or
JSON type, or a condition is answered by another code. Removing a code the lock already had
deprecated is the announced end of it, and moving a condition from a deprecated code to its
announced replacement is too.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from api_errors.catalog.types import Condition, Deprecation

# Kinds of change, each reported under its own check id (api_errors.checks.lock).
REMOVED = "removed"
HTTP_STATUS = "http_status"
RETRYABLE = "retryable"
MOVED = "moved"
CODE_TYPE = "code_type"
MESSAGE = "message"
ADDED = "added"
CATEGORY = "category"
DEPRECATION = "deprecation"


@dataclass(frozen=True)
class Change:
    """One difference: what it is about (``code 68300006``, ``condition 'not_found'``)."""

    kind: str
    subject: str
    detail: str
    breaking: bool

    def __str__(self) -> str:
        return f"{self.subject}: {self.detail}"


def compare(locked: Mapping[str, Any], current: Mapping[str, Any]) -> list[Change]:
    """The changes from ``locked`` to ``current`` (two lock sections): codes in order of
    their text, then conditions by name."""
    locked_codes, current_codes = locked["codes"], current["codes"]
    changes: list[Change] = []
    for text in sorted(locked_codes.keys() | current_codes.keys()):
        before, after = locked_codes.get(text), current_codes.get(text)
        if before is None:
            changes.append(Change(ADDED, f"code {text}", "added", breaking=False))
        elif after is None:
            changes.append(_removed(text, before))
        else:
            changes += _code_changes(text, before, after)
    conditions = locked["conditions"]
    for name in sorted(conditions.keys() | current["conditions"].keys()):
        if name in conditions:
            changes += _condition_changes(name, conditions[name], current, locked_codes)
        else:
            changes.append(Change(ADDED, f"condition {name!r}", "added", breaking=False))
    return changes


def _removed(text: str, before: Mapping[str, Any]) -> Change:
    if before["deprecated"] is None:
        return Change(REMOVED, f"code {text}", "removed", breaking=True)
    return Change(
        REMOVED,
        f"code {text}",
        f"removed (locked as deprecated since {before['deprecated']['since']})",
        breaking=False,
    )


# The fields compared per code: kind, whether a change breaks clients, how it is worded.
CODE_FIELDS = (
    ("type", CODE_TYPE, True, "type"),
    ("http_status", HTTP_STATUS, True, "HTTP status"),
    ("retryable", RETRYABLE, True, "retryable"),
    ("message", MESSAGE, False, "message"),
    ("category", CATEGORY, False, "category"),
    ("deprecated", DEPRECATION, False, "deprecation"),
)


def _value_text(key: str, value: Any) -> str:
    if key == "type":
        return str(value)
    if key == "deprecated":
        return "not deprecated" if value is None else Deprecation(**value).summary()
    return json.dumps(value, ensure_ascii=False)


def _code_changes(text: str, before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Change]:
    return [
        Change(
            kind,
            f"code {text}",
            f"{label} {_value_text(key, before[key])} -> {_value_text(key, after[key])}",
            breaking,
        )
        for key, kind, breaking, label in CODE_FIELDS
        if before[key] != after[key]
    ]


def _condition_changes(
    name: str,
    before: Mapping[str, Any],
    current: Mapping[str, Any],
    locked_codes: Mapping[str, Any],
) -> list[Change]:
    subject = f"condition {name!r}"
    conditions = current["conditions"]
    # A condition the catalog no longer names is answered as a server error.
    after = conditions.get(name) or conditions.get(Condition.SERVER_ERROR)
    if after is None:
        return []  # a catalog without a server error: api_errors.E010 reports it
    was, now = str(before["code"]), str(after["code"])
    if was != now:
        deprecation = locked_codes[was]["deprecated"]
        announced = (
            deprecation is not None
            and deprecation["replacement"] is not None
            and str(deprecation["replacement"]) == now
        )
        detail = f"answered by {now} instead of {was}"
        if announced:
            detail += ", its announced replacement"
        return [Change(MOVED, subject, detail, breaking=not announced)]
    if before["http_status"] == after["http_status"]:
        return []
    follows_code = (
        before["http_status"] == locked_codes[was]["http_status"]
        and after["http_status"] == current["codes"][now]["http_status"]
    )
    if follows_code:
        return []  # the code's own status changed, and that change is reported once
    detail = f"HTTP status {before['http_status']} -> {after['http_status']}"
    return [Change(HTTP_STATUS, subject, detail, breaking=True)]
