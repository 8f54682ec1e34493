"""What every topic's checks share: the table of ids, messages, the settings under check."""

from __future__ import annotations

import math
from collections.abc import Mapping

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning

from api_errors.conf import SETTING_NAME, APIErrorsSettings
from api_errors.limits.algorithms import SLIDING_LIMIT_MAX

PREFIX = "api_errors."

# Every id and the problem it reports, in id order: docs/checks.md's table is this one.
PROBLEMS: dict[str, str] = {
    "E001": "`API_ERRORS` is not a dict",
    "E002": "unknown key in `API_ERRORS`",
    "E003": "`STYLE` is not a shipped style or a `Style` subclass",
    "E004": "`CATALOG` cannot be loaded",
    "E005": "`ERRORS` is not a list, or an entry is malformed",
    "E006": "a code is declared twice",
    "E007": "a code of the wrong type for the style (integers for `status`, strings for `success`)",
    "E008": "an entry's HTTP status is not 400-599",
    "E009": "`CONDITIONS` is malformed, names an unknown condition, or maps one to an unknown code",
    "E010": "the catalog has no code for a condition",
    "E011": "`API_PREFIXES` is empty or a prefix does not start with `/`",
    "E012": "`CORRELATION_ID_HEADER` is not a valid header name",
    "E013": "`CORRELATION_ID_PATTERN` is not a valid regular expression",
    "E014": "`CLIENT_ERROR_LOG_LEVEL` is not a logging level",
    "E015": "`DEFAULT_RETRY_AFTER` is not a positive number",
    "E016": "`PROBLEM_TYPE_URI` is not a string with at most a `{code}` field",
    "E017": "`PIPELINE` is not an `ErrorPipeline` subclass",
    "E018": "an `APIError` subclass declares a code that is not in the catalog",
    "E019": "a boolean setting is not `True` or `False`",
    "E020": "`BALANCE_HOOK` is not a `BalanceHook` subclass",
    "E021": "`LIMITS_FAIL_OPEN` is not `None`, `True` or `False`",
    "E022": "a view in the URLconf uses `charge_balance` but `BALANCE_HOOK` is not set",
    "E023": "`LIMITS_TIMEOUT` is not a positive number of seconds",
    "E024": "`LIMITS_RETRY_INTERVAL` is not a positive number of seconds",
    "E025": "an `INTEGRATIONS` entry is not an `Integration`, or its library is not installed",
    "E026": "`OUTGOING_CORRELATION_HOSTS` is not a list of host names",
    "E027": "a deprecated code's replacement is not in the catalog",
    "E028": "an entry's deprecation is malformed (not `{since, replacement}`, an empty `since`, "
    "or the code replacing itself)",
    "E029": "`LOCK_FILE` is not a file path in an existing directory",
    "E030": "the lock file cannot be read, or is not a lock file",
    "E031": "a locked code was removed that the lock did not have deprecated",
    "E032": "a locked code, or a condition, answers with another HTTP status",
    "E033": "a locked code's retryable flag changed",
    "E034": "a locked condition is answered by another code",
    "E035": "a locked code's type changed (integer or string)",
    "E036": '`FIELD_NAME_CASE` is not `"unchanged"` or `"camel"`',
    "E037": "a limit in the URLconf names an unknown `algorithm`, or one it cannot use "
    "(sliding or GCRA on a calendar-month or total quota)",
    "E038": "a limit in the URLconf does not fit its algorithm: a sliding log above "
    f"{SLIDING_LIMIT_MAX:,} requests, or a `burst` that is not GCRA's or lies outside 1 to "
    "the limit",
    "E043": "a `ConcurrencyThrottle` is used but the middleware is not in `MIDDLEWARE`, "
    "which gives its places back",
    "E047": '`LIMITS_CLOCK` is not `"app"` or `"store"`',
    "W001": "the middleware is not in `MIDDLEWARE`",
    "W002": "DRF's `EXCEPTION_HANDLER` is not `api_errors.handlers.exception_handler`",
    "W003": "rate limits or quotas count in a cache that is not shared and atomic (local "
    "memory, dummy, file, database)",
    "W004": "a locked code's message changed",
    "W005": "sliding or GCRA limits count in a shared cache that runs no scripts (not "
    "Redis): exact within one process only",
    "W007": "concurrency limits count in a shared cache that runs no scripts (not Redis): "
    "exact within one process only",
    "W008": '`LIMITS_CLOCK` is `"store"` but the limits cache has no clock to read (not Redis): '
    "windows follow each server's clock",
}


def message(check_id: str, msg: str, hint: str) -> CheckMessage:
    """The error (``E...``) or warning (``W...``) ``check_id`` of the table, with its hint."""
    if check_id not in PROBLEMS:
        raise KeyError(f"{check_id} is not in api_errors.checks.ids.PROBLEMS")
    kind = Error if check_id.startswith("E") else Warning
    return kind(msg, hint=hint, id=PREFIX + check_id)


def is_positive_number(value: object) -> bool:
    """A number of seconds a setting can hold: positive and finite, and not a bool."""
    return not isinstance(value, bool) and isinstance(value, int | float) and 0 < value < math.inf


def checked_settings() -> APIErrorsSettings | None:
    """``API_ERRORS`` as written (not the cached object); ``None`` when it is not a dict."""
    user = getattr(settings, SETTING_NAME, {})
    return APIErrorsSettings(user) if isinstance(user, Mapping) else None
