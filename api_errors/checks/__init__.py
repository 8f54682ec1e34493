"""System checks, one module per topic; ``apps.APIErrorsConfig.ready`` registers them.

Every id and what it reports is in ``checks.base.PROBLEMS``. Nothing here raises: each
misconfiguration is a message with its own id and a hint.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.checks import CheckMessage, Tags

from api_errors.checks.catalog import check_catalog
from api_errors.checks.installation import check_installation
from api_errors.checks.limits import check_limits
from api_errors.checks.lock import check_lock
from api_errors.checks.settings import check_settings

# ``manage.py check --tag api_errors`` runs them all.
TAG = "api_errors"

# Each check with the tags it is registered under.
CHECKS: tuple[tuple[Callable[..., list[CheckMessage]], tuple[str, ...]], ...] = (
    (check_settings, (TAG,)),
    (check_catalog, (TAG,)),
    (check_limits, (TAG, Tags.caches, Tags.urls)),
    (check_installation, (TAG,)),
    (check_lock, (TAG,)),
)

__all__ = [
    "CHECKS",
    "TAG",
    "check_catalog",
    "check_installation",
    "check_limits",
    "check_lock",
    "check_settings",
]
