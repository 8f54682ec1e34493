"""The catalog lock file: what a catalog promised clients, and what changed since.

``snapshot`` writes a catalog as its lock section, ``storage`` reads and writes
``api_errors.lock.json`` (one section per catalog) and ``changes`` compares a section with
the catalog of today. The system checks and ``manage.py api_errors_catalog --lock|--check``
use them.
"""

from __future__ import annotations

from api_errors.lock.changes import Change, compare
from api_errors.lock.snapshot import lock_section
from api_errors.lock.storage import (
    LOCK_FILE_NAME,
    LockFileError,
    lock_path,
    locked_section,
    read_lock,
    write_lock,
)

__all__ = [
    "LOCK_FILE_NAME",
    "Change",
    "LockFileError",
    "compare",
    "lock_path",
    "lock_section",
    "locked_section",
    "read_lock",
    "write_lock",
]
