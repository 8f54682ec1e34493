"""``api_errors.lock.json``: where it lives, and reading and writing it.

The file holds one section per catalog name, so a project that switches catalogs (by
style, or by environment) locks each one. It is written deterministically (sorted keys,
two-space indents, a trailing newline) so that its diff in a review is the change itself.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.conf import settings

from api_errors.conf import SETTING_NAME, APIErrorsSettings, SettingError

LOCK_FILE_NAME = "api_errors.lock.json"
# The layout of the file; a lock written by a later layout is refused, never misread.
FORMAT_VERSION = 1


class LockFileError(ValueError):
    """The lock file exists but cannot be used: unreadable, not JSON, or not a lock."""


def lock_path(conf: APIErrorsSettings) -> Path | None:
    """``LOCK_FILE``, relative to ``BASE_DIR`` when it is relative; by default
    ``BASE_DIR / "api_errors.lock.json"``. ``None`` when neither is set: no lock."""
    value = conf.LOCK_FILE
    base = getattr(settings, "BASE_DIR", None)
    base_dir = Path(base) if isinstance(base, str | os.PathLike) else None
    if value is None:
        return None if base_dir is None else base_dir / LOCK_FILE_NAME
    if isinstance(value, bool) or not isinstance(value, str | os.PathLike) or not str(value):
        raise SettingError(f"{SETTING_NAME}['LOCK_FILE'] {value!r} is not a file path.")
    path = Path(value)
    return base_dir / path if base_dir is not None and not path.is_absolute() else path


def read_lock(path: Path) -> dict[str, Any] | None:
    """The lock file's content; ``None`` when there is no file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise LockFileError(f"{path} cannot be read: {exc}") from exc
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise LockFileError(f"{path} is not JSON: {exc}") from exc
    problem = _lock_problem(data)
    if problem:
        raise LockFileError(f"{path} is not an api_errors lock file: {problem}.")
    return data  # type: ignore[no-any-return]


def locked_section(path: Path, catalog_name: str) -> dict[str, Any] | None:
    """The section of ``catalog_name``; ``None`` when the file or the section is missing."""
    data = read_lock(path)
    return None if data is None else data["catalogs"].get(catalog_name)


def write_lock(path: Path, catalog_name: str, section: Mapping[str, Any]) -> bool:
    """Write ``section`` as ``catalog_name``'s, keeping the other catalogs' sections;
    whether the file changed. The file is replaced whole, never left half written."""
    data = read_lock(path)
    mode = 0o644 if data is None else path.stat().st_mode & 0o777
    data = data or {"version": FORMAT_VERSION, "catalogs": {}}
    before = lock_text(data)
    data["catalogs"][catalog_name] = section
    text = lock_text(data)
    if text == before:
        return False
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)
    return True


def lock_text(data: Mapping[str, Any]) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# --- what a lock file must hold -------------------------------------------------------

CODE_KEYS = {"type", "http_status", "retryable", "category", "message", "deprecated"}


def _is_code(value: Any) -> bool:
    return isinstance(value, int | str) and not isinstance(value, bool)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _lock_problem(data: Any) -> str:
    """What makes ``data`` not a lock (empty when it is one), so no comparison ever meets
    a missing key or a value of the wrong type."""
    if not isinstance(data, dict) or not isinstance(data.get("catalogs"), dict):
        return 'it has no "catalogs" object'
    if data.get("version") != FORMAT_VERSION:
        return f"its version is {data.get('version')!r}, this api_errors reads {FORMAT_VERSION}"
    for name, section in data["catalogs"].items():
        problem = _section_problem(section)
        if problem:
            return f"catalog {name!r}: {problem}"
    return ""


def _section_problem(section: Any) -> str:
    if not isinstance(section, dict):
        return "not an object"
    codes, conditions = section.get("codes"), section.get("conditions")
    if not isinstance(codes, dict) or not isinstance(conditions, dict):
        return 'it needs "codes" and "conditions" objects'
    for text, entry in codes.items():
        problem = _entry_problem(entry)
        if problem:
            return f"code {text}: {problem}"
    for name, rule in conditions.items():
        if not isinstance(rule, dict) or not _is_code(rule.get("code")):
            return f"condition {name!r} names no code"
        if not _is_int(rule.get("http_status")):
            return f"condition {name!r} has no integer http_status"
        if str(rule["code"]) not in codes:
            return f"condition {name!r} names code {rule['code']!r}, which is not locked"
    return ""


def _entry_problem(entry: Any) -> str:
    if not isinstance(entry, dict) or set(entry) != CODE_KEYS:
        return f"it needs exactly the keys {', '.join(sorted(CODE_KEYS))}"
    if not isinstance(entry["type"], str) or not _is_int(entry["http_status"]):
        return "type must be a string and http_status an integer"
    if not isinstance(entry["retryable"], bool):
        return "retryable must be true or false"
    if not isinstance(entry["category"], str) or not isinstance(entry["message"], str):
        return "category and message must be strings"
    deprecated = entry["deprecated"]
    if deprecated is not None and not (
        isinstance(deprecated, dict)
        and set(deprecated) == {"since", "replacement"}
        and isinstance(deprecated["since"], str)
        and (deprecated["replacement"] is None or _is_code(deprecated["replacement"]))
    ):
        return "deprecated must be null or {since, replacement}"
    return ""
