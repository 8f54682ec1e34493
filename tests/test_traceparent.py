"""``CORRELATION_ID_FROM_TRACE``: a valid W3C ``traceparent`` supplies the correlation id
when the client sent no acceptable one; anything else in it is ignored and never echoed."""

from __future__ import annotations

import logging
import uuid

import pytest
from asgiref.sync import async_to_sync
from django.test import AsyncClient, Client, override_settings

from api_errors.correlation import traceparent_trace_id

HEADER = "X-Correlation-ID"
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_ID = "00f067aa0ba902b7"
VALID = f"00-{TRACE_ID}-{PARENT_ID}-01"
FROM_TRACE = override_settings(API_ERRORS={"CORRELATION_ID_FROM_TRACE": True})


def get(kind, **headers):
    if kind == "sync":
        return Client().get("/api/plain/ok/", headers=headers)
    return async_to_sync(AsyncClient().get)("/api/plain/ok/", headers=headers)


@pytest.mark.parametrize(
    "value",
    [
        VALID,
        f"00-{TRACE_ID}-{PARENT_ID}-00",
        f"00-{TRACE_ID}-{PARENT_ID}-ff",
        # A later version may add fields; its first four are read as version 00's.
        f"01-{TRACE_ID}-{PARENT_ID}-01",
        f"cc-{TRACE_ID}-{PARENT_ID}-01-what-the-future-will-be",
    ],
)
def test_valid_values_give_their_trace_id(value):
    assert traceparent_trace_id(value) == TRACE_ID


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        5,
        VALID.upper(),
        f"00-{TRACE_ID.upper()}-{PARENT_ID}-01",
        f"00-{'0' * 32}-{PARENT_ID}-01",
        f"00-{TRACE_ID}-{'0' * 16}-01",
        f"ff-{TRACE_ID}-{PARENT_ID}-01",
        f"00-{TRACE_ID}-{PARENT_ID}-01-extra",
        f"0-{TRACE_ID}-{PARENT_ID}-01",
        f"000-{TRACE_ID}-{PARENT_ID}-01",
        f"00-{TRACE_ID[:-1]}-{PARENT_ID}-01",
        f"00-{TRACE_ID}0-{PARENT_ID}-01",
        f"00-{TRACE_ID}-{PARENT_ID[:-1]}-01",
        f"00-{TRACE_ID}-{PARENT_ID}-1",
        f"00-{TRACE_ID}-{PARENT_ID}-011",
        f"00-{TRACE_ID[:-1]}g-{PARENT_ID}-01",
        f"00_{TRACE_ID}_{PARENT_ID}_01",
        f" {VALID}",
        f"{VALID}\r\nX-Injected: 1",
        f"{VALID}\n",
        f"{VALID},{VALID}",
        f"01-{TRACE_ID}-{PARENT_ID}-01extra",
        f"00-{TRACE_ID}-{PARENT_ID}-\uff101",
    ],
)
def test_anything_else_is_refused(value):
    assert traceparent_trace_id(value) is None


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_the_trace_id_answers_as_the_correlation_id_with_the_setting(kind):
    with FROM_TRACE:
        assert get(kind, traceparent=VALID)[HEADER] == TRACE_ID
    # Off by default: a new id.
    assert uuid.UUID(get(kind, traceparent=VALID)[HEADER]).version == 4


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_valid_client_id_still_wins(kind):
    with FROM_TRACE:
        assert get(kind, traceparent=VALID, **{HEADER: "mine-1"})[HEADER] == "mine-1"
        # A client id that is not acceptable falls through to the trace id.
        assert get(kind, traceparent=VALID, **{HEADER: "bad id!"})[HEADER] == TRACE_ID


def test_untrusted_client_ids_do_not_stop_the_trace_id():
    with override_settings(
        API_ERRORS={"CORRELATION_ID_FROM_TRACE": True, "TRUST_CORRELATION_ID": False}
    ):
        assert get("sync", traceparent=VALID, **{HEADER: "mine-1"})[HEADER] == TRACE_ID


def test_the_trace_id_is_used_whatever_the_client_id_pattern():
    with override_settings(
        API_ERRORS={"CORRELATION_ID_FROM_TRACE": True, "CORRELATION_ID_PATTERN": r"[0-9]{4}"}
    ):
        assert get("sync", traceparent=VALID)[HEADER] == TRACE_ID


def test_a_malformed_traceparent_is_never_echoed_or_logged(caplog):
    marker = "ffffffffffffffffffffffffffffffff-injected"
    value = f"00-{marker}-{PARENT_ID}-01"
    caplog.set_level(logging.DEBUG)
    with FROM_TRACE:
        response = Client(raise_request_exception=False).get(
            "/api/plain/raise/drf_not_found/", headers={"traceparent": value}
        )
    assert response.status_code == 404
    assert uuid.UUID(response[HEADER]).version == 4
    assert marker not in response.content.decode()
    assert all(marker not in str(value) for value in response.headers.values())
    assert marker not in caplog.text
    assert all(marker not in str(record.__dict__) for record in caplog.records)
