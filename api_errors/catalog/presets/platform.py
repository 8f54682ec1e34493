"""Numeric codes of the platform document (status style): 683xxxxx business, 672xxxxx platform."""

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

INVALID_PARAMETER = 68300004
SEARCH_API_FAILURE = 68300005
ANALYTIC_ACCESS_ERROR = 68300006
BAD_REQUEST = 68300007
SERVICE_ERROR = 68300008
FILE_NOT_COMPLIANT = 68300010
TOTAL_LIMIT_EXCEEDED = 67200001
QUOTA_EXCEEDED = 67200002
AUTHENTICATION_ERROR = 67200003
NO_PERMISSION = 67200004
INSUFFICIENT_BALANCE = 67200005
CLIENT_EXPIRED = 67200006
CALL_LIMIT_EXCEEDED = 67200007

ENTRIES = (
    CatalogEntry(INVALID_PARAMETER, 400, _("Invalid parameter!"), BUSINESS),
    CatalogEntry(SEARCH_API_FAILURE, 502, _("Search api failure!"), BUSINESS, retryable=True),
    CatalogEntry(ANALYTIC_ACCESS_ERROR, 403, _("Analytic basic access error!"), BUSINESS),
    CatalogEntry(BAD_REQUEST, 400, _("Bad request!"), BUSINESS),
    CatalogEntry(
        SERVICE_ERROR, 503, _("Service error, please try again later!"), BUSINESS, retryable=True
    ),
    CatalogEntry(
        FILE_NOT_COMPLIANT, 400, _("The file does not comply with upload specifications!"), BUSINESS
    ),
    CatalogEntry(
        TOTAL_LIMIT_EXCEEDED,
        403,
        _("API call exceeds the total limit set by the platform!"),
        PLATFORM,
    ),
    CatalogEntry(QUOTA_EXCEEDED, 403, _("Quota exceeds the limit!"), PLATFORM),
    CatalogEntry(
        AUTHENTICATION_ERROR, 401, _("Access token expired or authentication error!"), PLATFORM
    ),
    CatalogEntry(
        NO_PERMISSION,
        403,
        _("No permission or API package quota has exceeded the limit!"),
        PLATFORM,
    ),
    CatalogEntry(INSUFFICIENT_BALANCE, 402, _("Insufficient balance, call failed!"), PLATFORM),
    CatalogEntry(CLIENT_EXPIRED, 401, _("This client has expired and call failed!"), PLATFORM),
    CatalogEntry(
        CALL_LIMIT_EXCEEDED,
        429,
        _("Exceeded the call limit, call failed!"),
        PLATFORM,
        retryable=True,
    ),
)

CONDITIONS = {
    Condition.VALIDATION_ERROR: ConditionRule(INVALID_PARAMETER),
    Condition.MALFORMED_REQUEST: ConditionRule(BAD_REQUEST),
    Condition.NOT_AUTHENTICATED: ConditionRule(AUTHENTICATION_ERROR),
    Condition.AUTHENTICATION_FAILED: ConditionRule(AUTHENTICATION_ERROR),
    Condition.PERMISSION_DENIED: ConditionRule(NO_PERMISSION),
    Condition.NOT_FOUND: ConditionRule(BAD_REQUEST, 404),
    Condition.METHOD_NOT_ALLOWED: ConditionRule(BAD_REQUEST, 405),
    Condition.NOT_ACCEPTABLE: ConditionRule(BAD_REQUEST, 406),
    Condition.UNSUPPORTED_MEDIA_TYPE: ConditionRule(BAD_REQUEST, 415),
    Condition.REQUEST_TOO_LARGE: ConditionRule(BAD_REQUEST, 413),
    Condition.RATE_LIMITED: ConditionRule(CALL_LIMIT_EXCEEDED),
    Condition.QUOTA_EXCEEDED: ConditionRule(QUOTA_EXCEEDED),
    Condition.INSUFFICIENT_BALANCE: ConditionRule(INSUFFICIENT_BALANCE),
    Condition.SERVICE_UNAVAILABLE: ConditionRule(SERVICE_ERROR),
    Condition.SERVER_ERROR: ConditionRule(SERVICE_ERROR, 500),
    Condition.CONFLICT: ConditionRule(BAD_REQUEST, 409),
    Condition.STATE_NOT_READY: ConditionRule(BAD_REQUEST, 409),
    Condition.CONNECTOR_NOT_LINKED: ConditionRule(NO_PERMISSION),
    Condition.DOWNLOAD_NOT_SUPPORTED: ConditionRule(BAD_REQUEST),
    Condition.UPSTREAM_FAILURE: ConditionRule(SEARCH_API_FAILURE),
    Condition.CLIENT_EXPIRED: ConditionRule(CLIENT_EXPIRED),
    Condition.TOTAL_LIMIT_EXCEEDED: ConditionRule(TOTAL_LIMIT_EXCEEDED),
    Condition.FILE_REJECTED: ConditionRule(FILE_NOT_COMPLIANT),
}

PLATFORM_PRESET = Preset(name="platform", entries=ENTRIES, conditions=CONDITIONS)
