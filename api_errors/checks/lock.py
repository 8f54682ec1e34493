"""Checks of the lock file: its setting, and the changes since the active catalog was locked.

Each breaking change has its own id, so a project can tell a removal from a re-status at a
glance. Without a lock file there is nothing to compare and nothing is said.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.apps import AppConfig
from django.core.checks import CheckMessage

from api_errors.active import catalog_for
from api_errors.checks.base import checked_settings, message
from api_errors.conf import SETTING_NAME, APIErrorsSettings, SettingError
from api_errors.lock import Change, LockFileError, compare, lock_path, lock_section, locked_section
from api_errors.lock.changes import CODE_TYPE, HTTP_STATUS, MESSAGE, MOVED, REMOVED, RETRYABLE

LOCK_COMMAND = "manage.py api_errors_catalog --lock"
# If the change is meant, the hint's last words: record it, so the check passes again.
IF_INTENDED = f"If clients were told, run {LOCK_COMMAND} and commit the lock file."

# The id and hint of each kind of change the check reports: errors break clients.
REPORTED: dict[str, tuple[str, str]] = {
    REMOVED: (
        "E031",
        "Clients may still branch on it. Keep it and deprecate it first ('deprecated': "
        "{'since': ..., 'replacement': ...}), lock and publish that, and remove it in a later "
        "release.",
    ),
    HTTP_STATUS: ("E032", "Clients that branch on the HTTP status now take another path."),
    RETRYABLE: ("E033", "Clients now retry what they gave up on, or give up on what they retried."),
    MOVED: (
        "E034",
        "Clients that branch on the old code miss this error. Keep the old code, or deprecate "
        "it with this code as its replacement and lock that first.",
    ),
    CODE_TYPE: ("E035", 'A client comparing 68300004 with "68300004" finds them unequal.'),
    MESSAGE: ("W004", "Clients should not parse messages, but some show or match them."),
}


def check_lock(
    *, app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    # An API_ERRORS that is not a dict (api_errors.E001) counts as empty, as at run time.
    conf = checked_settings() or APIErrorsSettings({})
    try:
        path = lock_path(conf)
    except SettingError:
        return [_bad_setting(conf)]
    if path is None:
        return []
    if not path.parent.is_dir():
        return [_bad_setting(conf, f" Its directory {path.parent} does not exist.")]
    try:
        catalog = catalog_for(conf)
    except Exception:
        return []  # the catalog checks say why it cannot be built
    try:
        locked = locked_section(path, catalog.name)
    except LockFileError as exc:
        return [
            message(
                "E030",
                str(exc),
                f"Fix the file or delete it and run {LOCK_COMMAND} again (from version control, "
                "the last committed lock is usually the one to keep).",
            )
        ]
    if locked is None:
        return []
    return [
        change_message(change, catalog.name, path)
        for change in compare(locked, lock_section(catalog))
        if change.kind in REPORTED and (change.breaking or change.kind == MESSAGE)
    ]


def change_message(change: Change, catalog_name: str, path: Path) -> CheckMessage:
    check_id, hint = REPORTED[change.kind]
    return message(
        check_id,
        f"{change} since the {catalog_name!r} catalog was locked in {path}.",
        f"{hint} {IF_INTENDED}",
    )


def _bad_setting(conf: APIErrorsSettings, detail: str = "") -> CheckMessage:
    return message(
        "E029",
        f"{SETTING_NAME}['LOCK_FILE'] {conf.LOCK_FILE!r} is not a usable file path.{detail}",
        "Give a path (absolute, or relative to BASE_DIR) in an existing directory, or None for "
        "BASE_DIR / 'api_errors.lock.json'.",
    )
