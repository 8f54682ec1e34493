"""The page's prose that no style owns: retry guidance, best practices, the samples, help."""

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
    RetryGuidance,
    StatusRow,
)
from api_errors.documentation.templates import render_sample
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
