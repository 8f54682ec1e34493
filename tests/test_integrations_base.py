"""What every integration relies on: the settings turn it on, the middleware binds and
unbinds the id, the pipeline tells it about each error before logging it, and a failing
integration never changes a response."""

from __future__ import annotations

import logging
import uuid

import pytest
from asgiref.sync import async_to_sync
from django.apps import apps
from django.test import AsyncClient, Client, override_settings

from api_errors.conf import SettingError, get_settings
from api_errors.correlation import get_correlation_id
from api_errors.integrations.base import (
    Integration,
    active_integrations,
    resolve_integration,
)

HEADER = "X-Correlation-ID"
EVENTS: list[tuple] = []


class Recording(Integration):
    """Keeps what it is told, in order, with the context the hook runs in."""

    installed = 0

    def install(self):
        type(self).installed += 1

    def bind(self, correlation_id):
        EVENTS.append(("bind", correlation_id, get_correlation_id()))
        return f"state-{correlation_id}"

    def unbind(self, state):
        EVENTS.append(("unbind", state, get_correlation_id()))

    def error_resolved(self, error, request, correlation_id):
        logged = [r for r in CAUGHT if r.name == "api_errors"]
        EVENTS.append(("error", error.code, error.http_status, correlation_id, len(logged)))


class Supplying(Integration):
    def supply_correlation_id(self, request):
        return request.META.get("HTTP_X_SUPPLIED") or None


class Failing(Integration):
    def supply_correlation_id(self, request):
        raise RuntimeError("supply")

    def bind(self, correlation_id):
        raise RuntimeError("bind")

    def unbind(self, state):
        raise RuntimeError("unbind")

    def error_resolved(self, error, request, correlation_id):
        raise RuntimeError("error")


CAUGHT: list[logging.LogRecord] = []


class Catching(logging.Handler):
    def emit(self, record):
        CAUGHT.append(record)


@pytest.fixture(autouse=True)
def recorded():
    EVENTS.clear()
    CAUGHT.clear()
    handler = Catching()
    logger = logging.getLogger("api_errors")
    logger.addHandler(handler)
    try:
        yield EVENTS
    finally:
        logger.removeHandler(handler)


def recording(*extra, **settings):
    return override_settings(
        API_ERRORS={"INTEGRATIONS": [f"{__name__}.Recording", *extra], **settings}
    )


def get(kind, path, **headers):
    if kind == "sync":
        return Client(raise_request_exception=False).get(path, headers=headers)
    return async_to_sync(AsyncClient(raise_request_exception=False).get)(path, headers=headers)


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_the_id_is_bound_for_the_request_and_unbound_after_it(kind):
    path = "/api/plain/ok/" if kind == "sync" else "/api/async/correlation/"
    with recording():
        response = get(kind, path, **{HEADER: "abc-123"})
    assert response[HEADER] == "abc-123"
    assert EVENTS == [("bind", "abc-123", "abc-123"), ("unbind", "state-abc-123", "abc-123")]
    assert get_correlation_id() is None


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize(
    ("name", "code", "status"),
    [("runtime", 68300008, 500), ("drf_validation", 68300004, 400)],
)
def test_each_error_is_told_before_it_is_logged(kind, name, code, status):
    prefix = "/api/plain/raise/" if kind == "sync" else "/api/async/raise/"
    with recording():
        response = get(kind, f"{prefix}{name}/", **{HEADER: "err-1"})
    assert response.status_code == status
    assert response.json()["error_code"] == code
    assert ("error", code, status, "err-1", 0) in EVENTS
    assert [r for r in CAUGHT if r.name == "api_errors" and "error_code" in r.__dict__]


def test_an_error_status_without_an_exception_is_told_too():
    with recording():
        response = get("sync", "/api/plain/html-status/404/")
    assert response.status_code == 404
    assert [event[:3] for event in EVENTS if event[0] == "error"] == [
        ("error", response.json()["error_code"], 404)
    ]


def test_no_integration_is_the_default_and_nothing_is_called():
    assert active_integrations(get_settings()) == ()
    response = get("sync", "/api/plain/raise/runtime/")
    assert response.status_code == 500
    assert EVENTS == []


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_failing_integration_changes_no_response_and_is_logged(kind):
    prefix = "/api/plain/raise/" if kind == "sync" else "/api/async/raise/"
    with recording(f"{__name__}.Failing", CORRELATION_ID_FROM_TRACE=True):
        response = get(kind, f"{prefix}not_found/", **{HEADER: "fine-1"})
        supplied = get(kind, f"{prefix}not_found/")
    assert response.status_code == 404
    assert response[HEADER] == "fine-1"
    assert supplied.status_code == 404
    # The other integration still ran, in order.
    assert [event[0] for event in EVENTS] == ["bind", "error", "unbind"] * 2
    failures = sorted(
        r.getMessage() for r in CAUGHT if r.getMessage().startswith("api_errors integration")
    )
    request_hooks = ["bind the correlation id", "record the error", "unbind the correlation id"]
    expected = [*request_hooks, "supply a correlation id", *request_hooks]
    assert failures == sorted(f"api_errors integration Failing could not {w}" for w in expected)
    assert all(r.exc_info for r in CAUGHT if r.getMessage().startswith("api_errors integration"))


def test_an_integration_supplies_the_id_only_with_the_setting_and_after_the_client():
    supplying = [f"{__name__}.Supplying"]
    with override_settings(API_ERRORS={"INTEGRATIONS": supplying}):
        assert get("sync", "/api/plain/ok/", X_Supplied="trace-1")[HEADER] != "trace-1"
    with override_settings(
        API_ERRORS={"INTEGRATIONS": supplying, "CORRELATION_ID_FROM_TRACE": True}
    ):
        assert get("sync", "/api/plain/ok/", X_Supplied="trace-1")[HEADER] == "trace-1"
        client_wins = get("sync", "/api/plain/ok/", X_Supplied="trace-1", **{HEADER: "mine"})
        assert client_wins[HEADER] == "mine"
        # Nothing supplied: the traceparent is next.
        traced = get(
            "sync",
            "/api/plain/ok/",
            traceparent="00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        )
        assert traced[HEADER] == "4bf92f3577b34da6a3ce929d0e0e4736"


def test_entries_are_short_names_classes_instances_or_paths():
    instance = Recording()
    with override_settings(
        API_ERRORS={"INTEGRATIONS": [Recording, instance, f"{__name__}.Supplying"]}
    ):
        active = active_integrations(get_settings())
    assert [type(i) for i in active] == [Recording, Recording, Supplying]
    assert active[1] is instance


@pytest.mark.parametrize(
    "entry", ["nope", "api_errors.conf.APIErrorsSettings", "no.such.Thing", 5, Failing()]
)
def test_an_unusable_entry_is_skipped_at_run_time(entry):
    if isinstance(entry, Integration):
        assert resolve_integration(entry) is entry
        return
    with pytest.raises(SettingError):
        resolve_integration(entry)
    with override_settings(API_ERRORS={"INTEGRATIONS": [entry, f"{__name__}.Recording"]}):
        response = get("sync", "/api/plain/ok/")
    assert response.status_code == 200
    assert [event[0] for event in EVENTS] == ["bind", "unbind"]


def test_the_app_installs_each_integration_once_when_ready():
    before = Recording.installed
    with recording():
        apps.get_app_config("api_errors").ready()
    assert Recording.installed == before + 1


class SupplyingBadly(Integration):
    def supply_correlation_id(self, request):
        return {"crlf": "id\r\nX-Injected: 1", "unicode": "idé", "bytes": b"id"}[
            request.META["HTTP_X_CASE"]
        ]


@pytest.mark.parametrize("case", ["crlf", "unicode", "bytes"])
def test_a_supplied_id_that_could_not_be_a_header_value_is_not_used(case):
    with override_settings(
        API_ERRORS={
            "INTEGRATIONS": [f"{__name__}.SupplyingBadly"],
            "CORRELATION_ID_FROM_TRACE": True,
        }
    ):
        response = get("sync", "/api/plain/ok/", X_Case=case)
    assert response.status_code == 200
    assert uuid.UUID(response[HEADER]).version == 4
    assert "X-Injected" not in response
