"""The page's prose: response fields, retry guidance, samples and best practices."""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.conf import settings as django_settings
from django.utils.translation import gettext as _

from api_errors.conf import ApiErrorsSettings
from api_errors.documentation.model import (
    CODE_FIELDS,
    LOCALE_MIDDLEWARE,
    MESSAGE_FIELDS,
    RETRY_AFTER_STATUSES,
    EnvelopeField,
    ErrorRow,
    Practice,
    RetryGuidance,
    StatusRow,
)


def format_intro(style: str) -> str:
    if style == "status":
        return _(
            "When an error occurs, the API returns a response with `status: false` "
            "and a non-zero `error_code`:"
        )
    if style == "problem":
        return _(
            "When a request fails, the API returns an RFC 9457 problem details body "
            "(`Content-Type: application/problem+json`) alongside the HTTP status code. "
            "The `code` field identifies the specific error for programmatic handling:"
        )
    return _(
        "When a request fails, the API returns a structured error body alongside the HTTP "
        "status code. The `error_code` field identifies the specific error for programmatic "
        "handling:"
    )


def envelope_fields(conf: ApiErrorsSettings) -> tuple[EnvelopeField, ...]:
    code = _("The error code from the tables below: branch on it in your code.")
    message = _("A human-readable description. Show or log it; do not parse it.")
    fields: list[EnvelopeField]
    if conf.STYLE == "status":
        fields = [
            EnvelopeField("status", _("Always `false` on errors (`true` on success).")),
            EnvelopeField("error_code", code),
            EnvelopeField("error_message", message),
        ]
    elif conf.STYLE == "problem":
        if conf.PROBLEM_TYPE_URI:
            type_text = _("A URI identifying the error: `%(template)s`.") % {
                "template": conf.PROBLEM_TYPE_URI
            }
            title_text = _("The error's catalog message.")
        else:
            type_text = _("`about:blank`: the `code` field identifies the error.")
            title_text = _("The HTTP status phrase.")
        fields = [
            EnvelopeField("type", type_text),
            EnvelopeField("title", title_text),
            EnvelopeField("status", _("The HTTP status code, repeated.")),
            EnvelopeField("detail", message),
            EnvelopeField("instance", _("The path of the request that failed.")),
            EnvelopeField("code", code),
        ]
    else:
        fields = [
            EnvelopeField("success", _("Always `false` on errors (`true` on success).")),
            EnvelopeField("message", message),
            EnvelopeField("error_code", code),
        ]
    fields.append(
        EnvelopeField(
            "errors",
            _(
                "Only on validation errors: a list of `{field, code, message}` objects, "
                "one per problem."
            ),
        )
    )
    if conf.CORRELATION_ID_IN_BODY:
        fields.append(
            EnvelopeField(
                "correlation_id",
                _("The request's correlation id, also sent in the `%(header)s` header.")
                % {"header": conf.CORRELATION_ID_HEADER},
            )
        )
    return tuple(fields)


def retry_guidance(
    rows: list[ErrorRow], statuses: tuple[StatusRow, ...], conf: ApiErrorsSettings
) -> RetryGuidance:
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


def retry_sample(conf: ApiErrorsSettings, retry: RetryGuidance) -> str:
    code_field = CODE_FIELDS.get(conf.STYLE, "error_code")
    message_field = MESSAGE_FIELDS.get(conf.STYLE, "message")
    codes = json.dumps([row.code for row in retry.errors])
    statuses = json.dumps(list(retry.retry_after_statuses))
    return f"""const RETRYABLE_CODES = new Set({codes});
const RETRY_AFTER_STATUSES = new Set({statuses});
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function apiRequest(url, options, maxAttempts = 3) {{
  for (let attempt = 1; ; attempt++) {{
    const response = await fetch(url, options);
    const body = await response.json().catch(() => ({{}}));
    if (response.ok) return body;

    // Don't retry 4xx errors, except 429 and the codes marked retryable.
    const retryable =
      RETRY_AFTER_STATUSES.has(response.status) || RETRYABLE_CODES.has(body.{code_field});
    if (!retryable || attempt >= maxAttempts) {{
      const error = new Error(body.{message_field});
      error.status = response.status;
      error.code = body.{code_field};
      error.correlationId = response.headers.get("{conf.CORRELATION_ID_HEADER}");
      throw error;
    }}

    // Exponential backoff, never sooner than Retry-After.
    const retryAfter = Number(response.headers.get("Retry-After")) || 0;
    await sleep(Math.max(2 ** (attempt - 1) * 1000, retryAfter * 1000));
  }}
}}"""


def logging_sample() -> str:
    return """try {
  const data = await apiRequest(url, options);
  return data;
} catch (error) {
  console.error("API Error:", {
    url,
    status: error.status,
    code: error.code,
    message: error.message,
    correlationId: error.correlationId, // quote it to support
    timestamp: new Date().toISOString(),
  });
  throw error;
}"""


def practices(conf: ApiErrorsSettings, retry: RetryGuidance) -> tuple[Practice, ...]:
    header = conf.CORRELATION_ID_HEADER
    code_field = CODE_FIELDS.get(conf.STYLE, "error_code")
    message_field = MESSAGE_FIELDS.get(conf.STYLE, "message")
    friendly_text = _(
        "Translate technical error codes into user-friendly messages. "
        "Don't expose raw error codes to end users."
    )
    if conf.STYLE != "problem" and _localised():
        friendly_text += " " + _(
            "`%(field)s` follows the request's `Accept-Language` header where a translation "
            "exists; `%(code)s` never changes."
        ) % {"field": message_field, "code": code_field}
    retry_practice = Practice(
        title=_("Implement Retry Logic"),
        text=_(
            "For transient errors, implement exponential backoff retry logic. "
            "Wait progressively longer between retries."
        ),
        points=retry.advice,
        sample=retry_sample(conf, retry),
    )
    friendly = Practice(title=_("Provide User-Friendly Messages"), text=friendly_text)
    if conf.STYLE == "status":
        return (
            Practice(
                title=_("Check Status Field First"),
                text=_(
                    "Always check the `status` field before processing response data. "
                    "Only access `data` when `status` is true."
                ),
            ),
            retry_practice,
            Practice(
                title=_("Log Error Details"),
                text=_(
                    "Log both `error_code` and `error_message` for debugging, with the "
                    "`%(header)s` response header."
                )
                % {"header": header},
            ),
            friendly,
        )
    return (
        retry_practice,
        Practice(
            title=_("Error Logging"),
            text=_(
                "Log the HTTP status, `%(code)s`, `%(message)s` and the `%(header)s` response "
                "header of every failed request."
            )
            % {"code": code_field, "message": message_field, "header": header},
            sample=logging_sample(),
        ),
        friendly,
    )


def _localised() -> bool:
    return bool(django_settings.USE_I18N) and LOCALE_MIDDLEWARE in django_settings.MIDDLEWARE


def help_text(conf: ApiErrorsSettings) -> tuple[str, ...]:
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
