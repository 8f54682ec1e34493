"""String codes of the drive document (``success`` style)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from api_errors.catalog.types import (
    BUSINESS,
    PLATFORM,
    CatalogEntry,
    Condition,
    ConditionRule,
    Preset,
)

NOT_FOUND = "NOT_FOUND"
DRIVE_ITEM_CONFLICT = "DRIVE_ITEM_CONFLICT"
INVALID_ARGUMENT = "INVALID_ARGUMENT"
CONNECTOR_NOT_LINKED = "CONNECTOR_NOT_LINKED"
STATE_NOT_READY = "STATE_NOT_READY"
ACCESS_DENIED = "ACCESS_DENIED"
QUOTA_EXCEEDED = "QUOTA_EXCEEDED"
DOWNLOAD_NOT_SUPPORTED = "DOWNLOAD_NOT_SUPPORTED"
INTERNAL_ERROR = "INTERNAL_ERROR"

ENTRIES = (
    CatalogEntry(NOT_FOUND, 404, _("Resource not found"), BUSINESS),
    CatalogEntry(
        DRIVE_ITEM_CONFLICT,
        409,
        _("Drive item name conflict, e.g. file or folder with the same name already exists"),
        BUSINESS,
    ),
    CatalogEntry(
        INVALID_ARGUMENT,
        400,
        _("Invalid input: parameter validation, type mismatch, or malformed body"),
        BUSINESS,
    ),
    CatalogEntry(
        CONNECTOR_NOT_LINKED,
        403,
        _("Third-party connector (WPS, Lark, etc.) not yet authorized"),
        BUSINESS,
    ),
    CatalogEntry(
        STATE_NOT_READY,
        409,
        _("Resource exists but its current state does not allow the operation"),
        BUSINESS,
        retryable=True,
    ),
    CatalogEntry(ACCESS_DENIED, 403, _("Caller lacks permission to access the resource"), PLATFORM),
    CatalogEntry(QUOTA_EXCEEDED, 402, _("Quota or usage limit exceeded"), PLATFORM),
    CatalogEntry(
        DOWNLOAD_NOT_SUPPORTED, 400, _("The requested resource does not support download"), BUSINESS
    ),
    CatalogEntry(INTERNAL_ERROR, 500, _("Unexpected server-side error"), PLATFORM, retryable=True),
)

CONDITIONS = {
    Condition.VALIDATION_ERROR: ConditionRule(INVALID_ARGUMENT),
    Condition.MALFORMED_REQUEST: ConditionRule(INVALID_ARGUMENT),
    Condition.NOT_AUTHENTICATED: ConditionRule(ACCESS_DENIED, 401),
    Condition.AUTHENTICATION_FAILED: ConditionRule(ACCESS_DENIED, 401),
    Condition.PERMISSION_DENIED: ConditionRule(ACCESS_DENIED),
    Condition.NOT_FOUND: ConditionRule(NOT_FOUND),
    Condition.METHOD_NOT_ALLOWED: ConditionRule(INVALID_ARGUMENT, 405),
    Condition.NOT_ACCEPTABLE: ConditionRule(INVALID_ARGUMENT, 406),
    Condition.UNSUPPORTED_MEDIA_TYPE: ConditionRule(INVALID_ARGUMENT, 415),
    Condition.REQUEST_TOO_LARGE: ConditionRule(INVALID_ARGUMENT, 413),
    Condition.RATE_LIMITED: ConditionRule(QUOTA_EXCEEDED, 429),
    Condition.QUOTA_EXCEEDED: ConditionRule(QUOTA_EXCEEDED),
    Condition.INSUFFICIENT_BALANCE: ConditionRule(QUOTA_EXCEEDED),
    Condition.SERVICE_UNAVAILABLE: ConditionRule(INTERNAL_ERROR, 503),
    Condition.SERVER_ERROR: ConditionRule(INTERNAL_ERROR),
    Condition.CONFLICT: ConditionRule(DRIVE_ITEM_CONFLICT),
    Condition.STATE_NOT_READY: ConditionRule(STATE_NOT_READY),
    Condition.CONNECTOR_NOT_LINKED: ConditionRule(CONNECTOR_NOT_LINKED),
    Condition.DOWNLOAD_NOT_SUPPORTED: ConditionRule(DOWNLOAD_NOT_SUPPORTED),
    Condition.UPSTREAM_FAILURE: ConditionRule(INTERNAL_ERROR, 502),
    Condition.CLIENT_EXPIRED: ConditionRule(ACCESS_DENIED, 401),
    Condition.TOTAL_LIMIT_EXCEEDED: ConditionRule(QUOTA_EXCEEDED),
    Condition.FILE_REJECTED: ConditionRule(INVALID_ARGUMENT),
}

DRIVE_PRESET = Preset(name="drive", entries=ENTRIES, conditions=CONDITIONS)
