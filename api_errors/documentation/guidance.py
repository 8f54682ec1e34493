"""The page's prose that no style owns: retry guidance, rate limits, best practices, the
samples, help."""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.conf import settings as django_settings
from django.utils.translation import gettext as _

from api_errors.conf import APIErrorsSettings
from api_errors.documentation.model import (
    LOCALE_MIDDLEWARE,
    LOGGING_SAMPLE,
    RETRY_AFTER_STATUSES,
    RETRY_SAMPLE,
    ErrorRow,
    LimitRow,
    RateLimits,
    RetryGuidance,
    StatusRow,
)
from api_errors.documentation.templates import render_sample
from api_errors.limits.counters import CONCURRENCY
from api_errors.limits.inventory import url_inventory
from api_errors.limits.terms import COUNTING, terms_of
from api_errors.styles import Practice, Style


def retry_guidance(rows: list[ErrorRow], statuses: tuple[StatusRow, ...]) -> RetryGuidance:
    retryable = tuple(row for row in rows if row.retryable)
    used = {row.status for row in statuses}
    retry_after = tuple(status for status in RETRY_AFTER_STATUSES if status in used)
    advice = []
    codes = ", ".join(f"`{row.code}`" for row in retryable)
    if retryable and retry_after:
        advice.append(
            _(
                "Retry only transient errors: the codes marked retryable (%(codes)s), "
                "and any %(statuses)s response."
            )
            % {"codes": codes, "statuses": _or_list(retry_after)}
        )
    elif retryable:
        advice.append(
            _("Retry only transient errors: the codes marked retryable (%(codes)s).")
            % {"codes": codes}
        )
    elif retry_after:
        advice.append(_("Retry only %(statuses)s responses.") % {"statuses": _or_list(retry_after)})
    advice.append(
        _(
            "Use exponential backoff: wait 1 s, 2 s, 4 s, ... between attempts, and give up "
            "after a few."
        )
    )
    if retry_after:
        advice.append(
            _(
                "%(statuses)s responses carry a `Retry-After` header (in seconds): never retry "
                "sooner than it says."
            )
            % {"statuses": _and_list(retry_after)}
        )
    advice.append(
        _(
            "Don't retry other 4xx errors: the same request fails the same way until you fix "
            "the request, the credentials or the quota."
        )
    )
    return RetryGuidance(errors=retryable, retry_after_statuses=retry_after, advice=tuple(advice))


def rate_limits(conf: APIErrorsSettings) -> RateLimits | None:
    """The limits the URLconf's views declare; ``None`` when there are none. Without the
    rate-limit fields (capacity kept private) only how they count is said."""
    terms = [terms_of(policy) for _view, policy in url_inventory().policies]
    if not terms:
        return None
    intro = [
        _(
            "Requests are counted against rate limits and quotas. A request past one is "
            "refused; when waiting helps, its `Retry-After` header says how many seconds "
            "to wait."
        )
    ]
    if not conf.RATE_LIMIT_HEADERS:
        used = dict.fromkeys(t.algorithm for t in terms if not t.shadow and t.algorithm in COUNTING)
        return RateLimits(tuple(intro), (), tuple(str(COUNTING[name]) for name in used))
    intro.append(
        _(
            "Responses past a limit carry `RateLimit-Policy` (`q`: the limit, `w`: the window "
            "in seconds) and `RateLimit` (`r`: the requests left, `t`: the seconds until one "
            "more is allowed)."
        )
    )
    if any(t.algorithm == CONCURRENCY for t in terms):
        intro[-1] += " " + _(
            'A limit on requests in progress has `qu="concurrent-requests"` and neither `w` '
            "nor `t`: a place frees when a request in progress is answered."
        )
    if conf.RATE_LIMIT_HEADERS_ON_SUCCESS:
        intro[-1] += " " + _("Admitted responses carry them too.")
    rows = tuple(LimitRow(t.name, t.allowance(), t.counting(), not t.shadow) for t in terms)
    return RateLimits(tuple(intro), rows, ())


def _or_list(statuses: Iterable[int]) -> str:
    return _(" or ").join(str(status) for status in statuses)


def _and_list(statuses: Iterable[int]) -> str:
    return _(" and ").join(str(status) for status in statuses)


def js_accessor(field: str) -> str:
    """How the samples read ``field`` of the parsed body: ``body.error_code``, or for a
    nested field ``body.error?.status``, so a body without it gives ``undefined``."""
    first, *rest = field.split(".")
    return "body." + first + "".join(f"?.{part}" for part in rest)


def retry_sample(style: Style, retry: RetryGuidance) -> str:
    return render_sample(
        RETRY_SAMPLE,
        retryable_codes=json.dumps([row.code for row in retry.errors]),
        retry_after_statuses=json.dumps(list(retry.retry_after_statuses)),
        code=js_accessor(style.code_field),
        message=js_accessor(style.message_field),
        correlation_header=json.dumps(style.conf.CORRELATION_ID_HEADER),
    )


def practices(style: Style, retry: RetryGuidance) -> tuple[Practice, ...]:
    conf = style.conf
    header = conf.CORRELATION_ID_HEADER
    friendly_text = _(
        "Translate technical error codes into user-friendly messages. "
        "Don't expose raw error codes to end users."
    )
    if style.message_follows_language and _localised():
        friendly_text += " " + _(
            "`%(field)s` follows the request's `Accept-Language` header where a translation "
            "exists; `%(code)s` never changes."
        ) % {"field": style.message_field, "code": style.code_field}
    return style.practices(
        retry=Practice(
            title=_("Implement Retry Logic"),
            text=_(
                "For transient errors, implement exponential backoff retry logic. "
                "Wait progressively longer between retries."
            ),
            points=retry.advice,
            sample=retry_sample(style, retry),
        ),
        logging=Practice(
            title=_("Error Logging"),
            text=_(
                "Log the HTTP status, `%(code)s`, `%(message)s` and the `%(header)s` response "
                "header of every failed request."
            )
            % {"code": style.code_field, "message": style.message_field, "header": header},
            sample=render_sample(LOGGING_SAMPLE),
        ),
        friendly=Practice(title=_("Provide User-Friendly Messages"), text=friendly_text),
    )


def _localised() -> bool:
    return bool(django_settings.USE_I18N) and LOCALE_MIDDLEWARE in django_settings.MIDDLEWARE


def help_text(conf: APIErrorsSettings) -> tuple[str, ...]:
    header = conf.CORRELATION_ID_HEADER
    paragraphs = [
        _(
            "If you encounter persistent errors or need clarification on error codes, contact "
            "our support team with the error code, the `%(header)s` from the response headers, "
            "and the timestamp for faster resolution."
        )
        % {"header": header}
    ]
    if conf.TRUST_CORRELATION_ID:
        paragraphs.append(
            _(
                "You can also send your own `%(header)s` request header: the response repeats "
                "it when the server accepts it, and carries a new id otherwise."
            )
            % {"header": header}
        )
    return tuple(paragraphs)
