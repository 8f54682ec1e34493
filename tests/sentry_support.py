"""What the Sentry tests share: a transport that keeps what the SDK would send."""

import sentry_sdk
from django.test import override_settings
from sentry_sdk.transport import Transport

from api_errors.catalog.types import CatalogEntry, ResolvedError

DSN = "https://public@sentry.example.com/1"
HEADER = "X-Correlation-ID"
with_sentry = override_settings(
    ROOT_URLCONF="tests.urls_tracing", API_ERRORS={"INTEGRATIONS": ["sentry"]}
)


class CapturingTransport(Transport):
    """Keeps every envelope the SDK would send."""

    def __init__(self, options=None):
        super().__init__(options)
        self.envelopes = []

    def capture_envelope(self, envelope):
        self.envelopes.append(envelope)

    def events(self):
        found = [envelope.get_event() for envelope in self.envelopes]
        return [event for event in found if event is not None]


def init_sentry(transport, integrations):
    sentry_sdk.init(
        dsn=DSN,
        transport=transport,
        integrations=integrations,
        default_integrations=False,
        auto_enabling_integrations=False,
    )


def close_sentry():
    sentry_sdk.get_client().close()
    sentry_sdk.get_global_scope().set_client(None)


def isolation_tags():
    return dict(sentry_sdk.get_isolation_scope()._tags)


def error(code=50000, status=500):
    entry = CatalogEntry(code=code, http_status=status, message="Server error.")
    return ResolvedError(entry=entry, http_status=status, message="Server error.")
