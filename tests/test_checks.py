"""System checks: each misconfiguration has its own id, and none of them raises."""

from __future__ import annotations

import gc
import math
import os
import re
import subprocess
import sys
from collections import defaultdict
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.checks import Error, run_checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from api_errors.catalog import Condition, Preset
from api_errors.catalog.presets import platform
from api_errors.checks.base import PROBLEMS
from api_errors.checks.installation import MIDDLEWARE_PATH
from api_errors.checks.settings import BOOLEAN_KEYS
from api_errors.exceptions import APIError
from api_errors.limits import BalanceHook

ROOT = Path(__file__).resolve().parent.parent

# Dotted-path targets for CATALOG.
PRESET_WITHOUT_RULES = Preset("no-rules", entries=platform.ENTRIES, conditions={})
PRESET_WITHOUT_FILE_REJECTED = Preset(
    "almost-platform",
    entries=platform.ENTRIES,
    conditions={
        name: rule for name, rule in platform.CONDITIONS.items() if name != Condition.FILE_REJECTED
    },
)
NOT_A_PRESET = {"name": "looks like one", "entries": ()}


def entry(code, http_status=400, message="An error."):
    return {"code": code, "http_status": http_status, "message": message}


def api_messages(messages):
    return [message for message in messages if (message.id or "").startswith("api_errors.")]


def reported_ids(api_errors=None, **other_settings):
    if api_errors is not None:
        other_settings["API_ERRORS"] = api_errors
    with override_settings(**other_settings):
        return {message.id for message in api_messages(run_checks())}


# (expected id, the setting key at fault, API_ERRORS)
CASES = [
    pytest.param("E002", "API_ERRORS", {"COLOUR": "red"}, id="E002-unknown-key"),
    pytest.param("E002", "API_ERRORS", {"style": "status"}, id="E002-lowercase-key"),
    pytest.param("E003", "STYLE", {"STYLE": "fancy"}, id="E003-unknown-style"),
    pytest.param("E003", "STYLE", {"STYLE": None}, id="E003-none"),
    pytest.param("E004", "CATALOG", {"CATALOG": "no.such.module.PRESET"}, id="E004-bad-path"),
    pytest.param("E004", "CATALOG", {"CATALOG": "nodots"}, id="E004-not-a-path"),
    pytest.param(
        "E004", "CATALOG", {"CATALOG": "tests.test_checks.NOT_A_PRESET"}, id="E004-not-a-preset"
    ),
    pytest.param("E004", "CATALOG", {"CATALOG": 5}, id="E004-not-a-string"),
    pytest.param("E005", "ERRORS", {"ERRORS": ["not an entry"]}, id="E005-string"),
    pytest.param("E005", "ERRORS", {"ERRORS": [{"code": 4242}]}, id="E005-missing-keys"),
    pytest.param(
        "E005", "ERRORS", {"ERRORS": [{**entry(4242), "colour": "red"}]}, id="E005-unknown-key"
    ),
    pytest.param("E005", "ERRORS", {"ERRORS": [(4242, 400, "msg")]}, id="E005-tuple"),
    pytest.param("E005", "ERRORS", {"ERRORS": 5}, id="E005-errors-not-a-list"),
    pytest.param("E006", "ERRORS", {"ERRORS": [entry(68300004)]}, id="E006-preset-code"),
    pytest.param("E006", "ERRORS", {"ERRORS": [entry(4242), entry(4242)]}, id="E006-twice"),
    pytest.param("E007", "ERRORS", {"ERRORS": [entry("MY_CODE")]}, id="E007-str-in-status"),
    pytest.param(
        "E007", "ERRORS", {"STYLE": "success", "ERRORS": [entry(4242)]}, id="E007-int-in-success"
    ),
    pytest.param(
        "E007", "ERRORS", {"STYLE": "problem", "ERRORS": [entry(True)]}, id="E007-bool-in-problem"
    ),
    pytest.param("E007", "ERRORS", {"ERRORS": [entry(4.5)]}, id="E007-float"),
    pytest.param("E007", "ERRORS", {"ERRORS": [entry(["x"])]}, id="E007-unhashable-list"),
    pytest.param("E008", "ERRORS", {"ERRORS": [entry(4242, 200)]}, id="E008-200"),
    pytest.param("E008", "ERRORS", {"ERRORS": [entry(4242, 600)]}, id="E008-600"),
    pytest.param("E008", "ERRORS", {"ERRORS": [entry(4242, "400")]}, id="E008-str"),
    pytest.param(
        "E009", "CONDITIONS", {"CONDITIONS": {"no_such_condition": 68300004}}, id="E009-name"
    ),
    pytest.param("E009", "CONDITIONS", {"CONDITIONS": {"not_found": 12345}}, id="E009-code"),
    pytest.param(
        "E009",
        "CONDITIONS",
        {"CONDITIONS": {"not_found": {"code": 12345, "http_status": 404}}},
        id="E009-code-in-dict",
    ),
    pytest.param(
        "E009",
        "CONDITIONS",
        {"CONDITIONS": {"not_found": {"http_status": 404}}},
        id="E009-dict-without-code",
    ),
    pytest.param("E009", "CONDITIONS", {"CONDITIONS": ["not_found"]}, id="E009-not-a-dict"),
    pytest.param(
        "E010",
        "CATALOG",
        {"CATALOG": "tests.test_checks.PRESET_WITHOUT_FILE_REJECTED"},
        id="E010-one-missing",
    ),
    pytest.param("E011", "API_PREFIXES", {"API_PREFIXES": []}, id="E011-empty"),
    pytest.param("E011", "API_PREFIXES", {"API_PREFIXES": "api/"}, id="E011-str-no-slash"),
    pytest.param("E011", "API_PREFIXES", {"API_PREFIXES": ["/api/", "v2/"]}, id="E011-one-bad"),
    pytest.param("E011", "API_PREFIXES", {"API_PREFIXES": [5]}, id="E011-int-item"),
    pytest.param("E011", "API_PREFIXES", {"API_PREFIXES": None}, id="E011-none"),
    pytest.param("E011", "API_PREFIXES", {"API_PREFIXES": 5}, id="E011-int"),
    pytest.param(
        "E012", "CORRELATION_ID_HEADER", {"CORRELATION_ID_HEADER": "X Id"}, id="E012-space"
    ),
    pytest.param("E012", "CORRELATION_ID_HEADER", {"CORRELATION_ID_HEADER": ""}, id="E012-empty"),
    pytest.param(
        "E012",
        "CORRELATION_ID_HEADER",
        {"CORRELATION_ID_HEADER": "X-Id\r\nX-Evil"},
        id="E012-crlf",
    ),
    pytest.param("E012", "CORRELATION_ID_HEADER", {"CORRELATION_ID_HEADER": None}, id="E012-none"),
    pytest.param(
        "E013", "CORRELATION_ID_PATTERN", {"CORRELATION_ID_PATTERN": "["}, id="E013-invalid"
    ),
    pytest.param(
        "E013", "CORRELATION_ID_PATTERN", {"CORRELATION_ID_PATTERN": 5}, id="E013-not-a-string"
    ),
    pytest.param(
        "E014", "CLIENT_ERROR_LOG_LEVEL", {"CLIENT_ERROR_LOG_LEVEL": "LOUD"}, id="E014-name"
    ),
    pytest.param(
        "E014", "CLIENT_ERROR_LOG_LEVEL", {"CLIENT_ERROR_LOG_LEVEL": None}, id="E014-none"
    ),
    pytest.param("E015", "DEFAULT_RETRY_AFTER", {"DEFAULT_RETRY_AFTER": 0}, id="E015-zero"),
    pytest.param("E015", "DEFAULT_RETRY_AFTER", {"DEFAULT_RETRY_AFTER": -1}, id="E015-negative"),
    pytest.param("E015", "DEFAULT_RETRY_AFTER", {"DEFAULT_RETRY_AFTER": True}, id="E015-bool"),
    pytest.param("E015", "DEFAULT_RETRY_AFTER", {"DEFAULT_RETRY_AFTER": "x"}, id="E015-str"),
    pytest.param("E015", "DEFAULT_RETRY_AFTER", {"DEFAULT_RETRY_AFTER": math.nan}, id="E015-nan"),
    pytest.param("E015", "DEFAULT_RETRY_AFTER", {"DEFAULT_RETRY_AFTER": math.inf}, id="E015-inf"),
    pytest.param(
        "E016", "PROBLEM_TYPE_URI", {"PROBLEM_TYPE_URI": "{nope}"}, id="E016-unknown-field"
    ),
    pytest.param(
        "E016", "PROBLEM_TYPE_URI", {"PROBLEM_TYPE_URI": "https://x/{0}"}, id="E016-positional"
    ),
    pytest.param("E016", "PROBLEM_TYPE_URI", {"PROBLEM_TYPE_URI": "{code"}, id="E016-unclosed"),
    pytest.param("E016", "PROBLEM_TYPE_URI", {"PROBLEM_TYPE_URI": 5}, id="E016-not-a-string"),
    pytest.param(
        "E017", "PIPELINE", {"PIPELINE": "api_errors.conf.APIErrorsSettings"}, id="E017-not-sub"
    ),
    pytest.param("E017", "PIPELINE", {"PIPELINE": "no.such.Pipeline"}, id="E017-bad-path"),
    pytest.param("E017", "PIPELINE", {"PIPELINE": None}, id="E017-none"),
    pytest.param(
        "E019", "TRUST_CORRELATION_ID", {"TRUST_CORRELATION_ID": "yes"}, id="E019-trust-str"
    ),
    pytest.param("E019", "TRUST_CORRELATION_ID", {"TRUST_CORRELATION_ID": 1}, id="E019-trust-int"),
    pytest.param(
        "E019",
        "TRUST_CORRELATION_ID",
        {"TRUST_CORRELATION_ID": None},
        id="E019-trust-none",
    ),
    pytest.param(
        "E020",
        "BALANCE_HOOK",
        {"BALANCE_HOOK": "api_errors.conf.APIErrorsSettings"},
        id="E020-not-a-hook",
    ),
    pytest.param("E020", "BALANCE_HOOK", {"BALANCE_HOOK": "no.such.Hook"}, id="E020-bad-path"),
    pytest.param("E020", "BALANCE_HOOK", {"BALANCE_HOOK": "nodots"}, id="E020-not-a-path"),
    pytest.param(
        "E020", "BALANCE_HOOK", {"BALANCE_HOOK": "api_errors.limits.charge"}, id="E020-function"
    ),
    pytest.param("E020", "BALANCE_HOOK", {"BALANCE_HOOK": 5}, id="E020-int"),
    pytest.param("E021", "LIMITS_FAIL_OPEN", {"LIMITS_FAIL_OPEN": "yes"}, id="E021-str"),
    pytest.param("E021", "LIMITS_FAIL_OPEN", {"LIMITS_FAIL_OPEN": 1}, id="E021-int"),
    pytest.param("E021", "LIMITS_FAIL_OPEN", {"LIMITS_FAIL_OPEN": 0}, id="E021-zero"),
    pytest.param("E023", "LIMITS_TIMEOUT", {"LIMITS_TIMEOUT": 0}, id="E023-zero"),
    pytest.param("E023", "LIMITS_TIMEOUT", {"LIMITS_TIMEOUT": "1"}, id="E023-str"),
    pytest.param("E023", "LIMITS_TIMEOUT", {"LIMITS_TIMEOUT": None}, id="E023-none"),
    pytest.param("E024", "LIMITS_RETRY_INTERVAL", {"LIMITS_RETRY_INTERVAL": -5}, id="E024-neg"),
    pytest.param(
        "E024", "LIMITS_RETRY_INTERVAL", {"LIMITS_RETRY_INTERVAL": math.inf}, id="E024-inf"
    ),
    pytest.param("E025", "INTEGRATIONS", {"INTEGRATIONS": 5}, id="E025-not-a-list"),
    pytest.param("E025", "INTEGRATIONS", {"INTEGRATIONS": "sentry"}, id="E025-a-string"),
    pytest.param("E025", "INTEGRATIONS", {"INTEGRATIONS": ["nope"]}, id="E025-unknown-name"),
    pytest.param(
        "E025",
        "INTEGRATIONS",
        {"INTEGRATIONS": ["api_errors.conf.APIErrorsSettings"]},
        id="E025-not-an-integration",
    ),
    pytest.param(
        "E025",
        "INTEGRATIONS",
        {"INTEGRATIONS": ["api_errors.integrations.missing.Integration"]},
        id="E025-not-importable",
    ),
    pytest.param("E025", "INTEGRATIONS", {"INTEGRATIONS": [None]}, id="E025-none"),
    pytest.param(
        "E026",
        "OUTGOING_CORRELATION_HOSTS",
        {"OUTGOING_CORRELATION_HOSTS": "search.internal"},
        id="E026-a-string",
    ),
    pytest.param(
        "E027",
        "ERRORS",
        {"ERRORS": [{**entry(4242), "deprecated": {"since": "2.4", "replacement": 4343}}]},
        id="E027-unknown-replacement",
    ),
    *(
        pytest.param("E028", "ERRORS", {"ERRORS": [{**entry(4242), "deprecated": bad}]}, id=label)
        for label, bad in [
            ("E028-a-string", "2.4"),
            ("E028-no-since", {"replacement": 68300004}),
            ("E028-unknown-key", {"since": "2.4", "colour": "red"}),
            ("E028-empty-since", {"since": " "}),
            ("E028-since-not-a-string", {"since": 2.4}),
            ("E028-replaced-by-itself", {"since": "2.4", "replacement": 4242}),
            ("E028-replacement-not-a-code", {"since": "2.4", "replacement": True}),
        ]
    ),
    pytest.param("E029", "LOCK_FILE", {"LOCK_FILE": 5}, id="E029-int"),
    pytest.param("E029", "LOCK_FILE", {"LOCK_FILE": True}, id="E029-bool"),
    pytest.param("E029", "LOCK_FILE", {"LOCK_FILE": ""}, id="E029-empty"),
    pytest.param(
        "E029", "LOCK_FILE", {"LOCK_FILE": "/no/such/directory/lock.json"}, id="E029-no-directory"
    ),
    *(
        pytest.param(
            "E026",
            "OUTGOING_CORRELATION_HOSTS",
            {"OUTGOING_CORRELATION_HOSTS": ["search.internal", bad]},
            id=f"E026-{label}",
        )
        for label, bad in [
            ("url", "http://search.internal"),
            ("port", "search.internal:9200"),
            ("wildcard", "*"),
            ("empty", ""),
            ("space", "search internal"),
            ("int", 5),
        ]
    ),
    *(
        pytest.param("E036", "FIELD_NAME_CASE", {"FIELD_NAME_CASE": bad}, id=f"E036-{label}")
        for label, bad in [
            ("snake", "snake"),
            ("capitalised", "Camel"),
            ("camelCase", "camelCase"),
            ("none", None),
            ("bool", True),
            ("list", ["camel"]),
        ]
    ),
    *(
        pytest.param("E047", "LIMITS_CLOCK", {"LIMITS_CLOCK": bad}, id=f"E047-{label}")
        for label, bad in [
            ("capitalised", "Store"),
            ("redis", "redis"),
            ("none", None),
            ("bool", True),
        ]
    ),
]


@pytest.mark.parametrize(("expected", "key", "api_errors"), CASES)
def test_misconfiguration_is_reported_with_its_id_and_a_hint(expected, key, api_errors):
    with override_settings(API_ERRORS=api_errors):
        messages = api_messages(run_checks())
        with pytest.raises(SystemCheckError, match=rf"api_errors\.{expected}"):
            call_command("check", stdout=StringIO(), stderr=StringIO())
    assert {message.id for message in messages} == {f"api_errors.{expected}"}
    assert all(isinstance(message, Error) for message in messages)
    assert messages
    assert all(message.hint for message in messages)


@pytest.mark.parametrize("key", BOOLEAN_KEYS)
@pytest.mark.parametrize("value", ["no", 0, None])
def test_every_boolean_key_must_be_a_bool(key, value):
    assert reported_ids({key: value}) == {"api_errors.E019"}
    assert reported_ids({key: False}) == set()


@pytest.mark.parametrize("key", ["RATE_LIMIT_HEADERS", "RATE_LIMIT_HEADERS_ON_SUCCESS"])
@pytest.mark.parametrize("value", ["no", 1, None])
def test_rate_limit_header_switches_must_be_bools(key, value):
    assert reported_ids({key: value}) == {"api_errors.E019"}
    assert reported_ids({key: True}) == set()


@pytest.mark.parametrize("value", [["not", "a", "dict"], "broken", 5])
def test_api_errors_must_be_a_dict(value):
    assert reported_ids(value) == {"api_errors.E001"}
    with (
        override_settings(API_ERRORS=value),
        pytest.raises(SystemCheckError, match=r"api_errors\.E001"),
    ):
        call_command("check", stdout=StringIO(), stderr=StringIO())


def test_preset_without_rules_reports_every_condition():
    with override_settings(API_ERRORS={"CATALOG": "tests.test_checks.PRESET_WITHOUT_RULES"}):
        messages = api_messages(run_checks())
    assert {message.id for message in messages} == {"api_errors.E010"}
    assert len(messages) == len(Condition.ALL)
    for name in Condition.ALL:
        assert sum(repr(name) in message.msg for message in messages) == 1


def test_missing_condition_is_named():
    with override_settings(
        API_ERRORS={"CATALOG": "tests.test_checks.PRESET_WITHOUT_FILE_REJECTED"}
    ):
        [message] = api_messages(run_checks())
    assert repr(Condition.FILE_REJECTED) in message.msg


def test_missing_condition_can_be_supplied_by_settings():
    assert (
        reported_ids(
            {
                "CATALOG": "tests.test_checks.PRESET_WITHOUT_FILE_REJECTED",
                "CONDITIONS": {Condition.FILE_REJECTED: platform.FILE_NOT_COMPLIANT},
            }
        )
        == set()
    )


def test_several_mistakes_are_all_reported():
    ids = reported_ids(
        {
            "STYLE": "fancy",
            "CORRELATION_ID_PATTERN": "[",
            "DEFAULT_RETRY_AFTER": 0,
            "ERRORS": [entry(68300004), entry(4242, 200)],
        }
    )
    assert ids == {
        "api_errors.E003",
        "api_errors.E013",
        "api_errors.E015",
        "api_errors.E006",
        "api_errors.E008",
    }


class CheckedBalance(BalanceHook):
    def charge(self, request, cost):
        return True


@pytest.mark.parametrize(
    "hook",
    ["tests.test_checks.CheckedBalance", "api_errors.limits.ModelBalance", CheckedBalance, None],
)
@pytest.mark.parametrize("fail_open", [None, True, False])
def test_valid_limit_settings_pass(hook, fail_open):
    assert reported_ids({"BALANCE_HOOK": hook, "LIMITS_FAIL_OPEN": fail_open}) == set()


def test_valid_custom_settings_pass():
    ids = reported_ids(
        {
            "STYLE": "success",
            "ERRORS": [entry("MY_CODE", 418, "I am a teapot.")],
            "CONDITIONS": {Condition.CONFLICT: {"code": "MY_CODE", "http_status": 409}},
            "API_PREFIXES": ["/api/", "/v2/"],
            "CORRELATION_ID_HEADER": "X-Request-ID",
            "CORRELATION_ID_PATTERN": r"req-[0-9]{4}",
            "TRUST_CORRELATION_ID": False,
            "CLIENT_ERROR_LOG_LEVEL": 15,
            "DEFAULT_RETRY_AFTER": 2.5,
            "PROBLEM_TYPE_URI": "https://example.com/errors/#{code}",
            "PIPELINE": "api_errors.pipeline.ErrorPipeline",
        }
    )
    assert ids == set()


@pytest.mark.parametrize("case", ["unchanged", "camel"])
def test_both_field_name_cases_pass(case):
    assert reported_ids({"FIELD_NAME_CASE": case}) == set()


# --- E018: exception classes declaring a code ---------------------------------------


def _subclass_with_code(code):
    class DeclaresACode(APIError):
        pass

    DeclaresACode.code = code
    return DeclaresACode


def _forget_subclass():
    gc.collect()
    return [cls for cls in APIError.__subclasses__() if cls.__name__ == "DeclaresACode"]


def test_exception_with_an_undeclared_code_is_reported():
    cls = _subclass_with_code(99999999)
    try:
        with override_settings(API_ERRORS={}):
            messages = api_messages(run_checks())
    finally:
        del cls
        leftovers = _forget_subclass()
    assert leftovers == []
    assert {message.id for message in messages} == {"api_errors.E018"}
    [message] = messages
    assert "DeclaresACode" in message.msg
    assert "99999999" in message.msg


def test_exception_with_a_declared_code_passes():
    cls = _subclass_with_code(4242)
    try:
        declared = reported_ids({"ERRORS": [entry(4242)]})
        undeclared = reported_ids({})
    finally:
        del cls
        leftovers = _forget_subclass()
    assert leftovers == []
    assert declared == set()
    assert undeclared == {"api_errors.E018"}


def test_nested_subclasses_are_checked():
    class Middle(APIError):
        pass

    class Leaf(Middle):
        code = 77777777

    try:
        ids = reported_ids({})
    finally:
        del Middle, Leaf
        gc.collect()
    assert [c for c in APIError.__subclasses__() if c.__name__ == "Middle"] == []
    assert ids == {"api_errors.E018"}


# --- installation warnings ----------------------------------------------------------


def test_missing_middleware_warns():
    middleware = [m for m in settings.MIDDLEWARE if m != MIDDLEWARE_PATH]
    with override_settings(MIDDLEWARE=middleware):
        messages = api_messages(run_checks())
        stderr = StringIO()
        call_command("check", stdout=StringIO(), stderr=stderr)
    assert [message.id for message in messages] == ["api_errors.W001"]
    assert not messages[0].is_serious()
    assert "api_errors.W001" in stderr.getvalue()


@pytest.mark.parametrize(
    "rest_framework",
    [
        {},
        {"EXCEPTION_HANDLER": "rest_framework.views.exception_handler"},
    ],
)
def test_drf_handler_not_set_warns(rest_framework):
    with override_settings(REST_FRAMEWORK=rest_framework):
        messages = api_messages(run_checks())
        stderr = StringIO()
        call_command("check", stdout=StringIO(), stderr=stderr)
    assert [message.id for message in messages] == ["api_errors.W002"]
    assert "api_errors.W002" in stderr.getvalue()


LOCMEM = "django.core.cache.backends.locmem.LocMemCache"
DJANGO_REDIS_CACHE = "django.core.cache.backends.redis.RedisCache"
# Any port: building the cache objects and checking them opens no connection.
REDIS_LOCATION = "redis://127.0.0.1:6379/15"


def cache(backend, location=""):
    return {"BACKEND": backend, "LOCATION": location}


def urlconf_declaring(how):
    """A URLconf whose view declares limits by decorator or by throttle class."""
    return f"tests.urls_declared_{how}"


@pytest.mark.parametrize("how", ["decorator", "throttle", "action", "function"])
@pytest.mark.parametrize(
    ("caches", "warned"),
    [
        pytest.param({"default": cache(LOCMEM)}, True, id="locmem"),
        pytest.param(
            {"default": cache("django.core.cache.backends.dummy.DummyCache")}, True, id="dummy"
        ),
        pytest.param(
            {"default": cache("django.core.cache.backends.db.DatabaseCache", "cache_table")},
            True,
            id="database",
        ),
        pytest.param(
            {"default": cache("django.core.cache.backends.filebased.FileBasedCache", "/tmp/x")},
            True,
            id="file",
        ),
        pytest.param({"default": cache(DJANGO_REDIS_CACHE, REDIS_LOCATION)}, False, id="redis"),
        pytest.param(
            {"default": cache("django_redis.cache.RedisCache", REDIS_LOCATION)},
            False,
            id="django-redis",
        ),
    ],
)
def test_limits_on_a_cache_that_is_not_shared_warn(how, caches, warned):
    before = reported_ids(CACHES=caches)
    with override_settings(CACHES=caches, ROOT_URLCONF=urlconf_declaring(how)):
        messages = api_messages(run_checks())

    assert before == set()
    assert {message.id for message in messages} == ({"api_errors.W003"} if warned else set())
    assert all(not message.is_serious() and message.hint for message in messages)


@pytest.mark.parametrize(("limits_cache", "warned"), [("shared", False), ("default", True)])
def test_shared_cache_check_looks_at_ratelimit_use_cache(limits_cache, warned):
    caches = {"default": cache(LOCMEM), "shared": cache(DJANGO_REDIS_CACHE, REDIS_LOCATION)}

    ids = reported_ids(
        CACHES=caches,
        RATELIMIT_USE_CACHE=limits_cache,
        ROOT_URLCONF=urlconf_declaring("decorator"),
    )

    assert ids == ({"api_errors.W003"} if warned else set())


def test_default_drf_throttle_classes_count_as_declared_limits():
    rest_framework = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_CLASSES": ["tests.urls_declared_limits.EveryMinute"],
    }
    assert reported_ids(REST_FRAMEWORK=rest_framework) == {"api_errors.W003"}


@pytest.mark.parametrize("how", ["charge", "action_charge", "function_charge"])
@pytest.mark.parametrize(("hook", "expected"), [(None, {"api_errors.E022"}), ("valid", set())])
def test_charges_need_a_balance_hook(how, hook, expected):
    api_errors = {"BALANCE_HOOK": f"{__name__}.CheckedBalance"} if hook else {}
    ids = reported_ids(API_ERRORS=api_errors, ROOT_URLCONF=urlconf_declaring(how))
    assert ids == expected


def test_default_test_settings_are_clean():
    assert api_messages(run_checks()) == []
    stdout = StringIO()
    call_command("check", stdout=stdout, stderr=StringIO())
    assert "System check identified no issues" in stdout.getvalue()


# --- ids ------------------------------------------------------------------------------


def test_check_ids_are_in_order_and_each_one_is_exercised():
    assert list(PROBLEMS) == sorted(PROBLEMS)
    assert all(re.fullmatch(r"[EW]\d{3}", check_id) for check_id in PROBLEMS)
    defined = set(PROBLEMS)
    exercised = {case.values[0] for case in CASES} | {
        "E001",
        "E010",
        "E018",
        "W001",
        "W002",
        "W003",
        "E022",
        # The lock file's: tests/test_lock_file.py.
        "E030",
        "E031",
        "E032",
        "E033",
        "E034",
        "E035",
        # Limits' algorithms: tests/test_limits_algorithms.py.
        "E037",
        "E038",
        "W004",
        "W005",
        # Concurrency limits: tests/test_limits_leases.py.
        "E043",
        "W007",
        # The store's clock: tests/test_limits_clock.py.
        "W008",
    }
    assert defined == exercised

    # One id, one kind of problem: every case sharing an id is about the same setting.
    keys_by_id = defaultdict(set)
    for case in CASES:
        expected, key, _ = case.values
        keys_by_id[expected].add(key)
    assert {id_: keys for id_, keys in keys_by_id.items() if len(keys) > 1} == {}


def test_a_message_outside_the_table_cannot_be_made():
    from api_errors.checks.base import message

    with pytest.raises(KeyError):
        message("E999", "not a check", "none")


# --- lazy settings and no raising at start-up ----------------------------------------


def test_settings_are_read_per_request(client):
    before = client.get("/api/plain/raise/runtime/")
    with override_settings(API_ERRORS={"STYLE": "success"}):
        during = client.get("/api/plain/raise/runtime/")
    after = client.get("/api/plain/raise/runtime/")

    assert before.json() == {
        "status": False,
        "error_code": 68300008,
        "error_message": "Service error, please try again later!",
    }
    assert during.json() == {
        "success": False,
        "message": "Unexpected server-side error",
        "error_code": "INTERNAL_ERROR",
    }
    assert after.json() == before.json()


BAD_SETTINGS = {
    "not_a_dict": ('API_ERRORS = "broken"', {"api_errors.E001"}),
    "many_mistakes": (
        'API_ERRORS = {"STYLE": "fancy", "CATALOG": "no.such.module.PRESET", '
        '"CORRELATION_ID_PATTERN": "[", "PIPELINE": "no.such.Pipeline"}',
        {"api_errors.E003", "api_errors.E004", "api_errors.E013", "api_errors.E017"},
    ),
}

SETUP_SCRIPT = """
import django
django.setup()
from django.core.asgi import get_asgi_application
from django.core.wsgi import get_wsgi_application
get_wsgi_application()
get_asgi_application()
print("set up")
"""


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(BAD_SETTINGS))
def test_bad_settings_never_raise_at_start_up_and_check_reports_them(tmp_path, name):
    assignment, expected = BAD_SETTINGS[name]
    (tmp_path / f"bad_{name}.py").write_text(
        f"from tests.settings import *  # noqa\n{assignment}\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": f"bad_{name}",
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)]),
    }

    setup = subprocess.run(
        [sys.executable, "-c", SETUP_SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert setup.returncode == 0, setup.stderr
    assert setup.stdout.strip() == "set up"

    check = subprocess.run(
        [sys.executable, "-m", "django", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert check.returncode == 1
    assert "SystemCheckError" in check.stderr
    assert set(re.findall(r"api_errors\.[EW]\d{3}", check.stderr)) == expected


# --- checks of the limits, run by manage.py check -------------------------------------

UNKNOWN_CACHE_MODULE = """
from django.core.cache.backends.locmem import LocMemCache


class SharedCache(LocMemCache):
    pass
"""


def run_check_command(tmp_path, name, lines):
    (tmp_path / f"{name}.py").write_text("from tests.settings import *  # noqa\n" + lines)
    (tmp_path / "unknown_cache.py").write_text(UNKNOWN_CACHE_MODULE)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": name,
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)]),
    }
    return subprocess.run(
        [sys.executable, "-m", "django", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


WITH_RATELIMIT_APP = {
    "after": 'INSTALLED_APPS = [*INSTALLED_APPS, "django_ratelimit"]\n',
    "before": 'INSTALLED_APPS = ["django_ratelimit", *INSTALLED_APPS]\n',
}


@pytest.mark.slow
@pytest.mark.parametrize("position", sorted(WITH_RATELIMIT_APP))
def test_django_ratelimit_does_not_flag_djangos_redis_cache(tmp_path, position):
    result = run_check_command(
        tmp_path,
        f"ratelimit_{position}",
        WITH_RATELIMIT_APP[position]
        + 'ROOT_URLCONF = "tests.urls_limits"\n'
        + 'API_ERRORS = {"BALANCE_HOOK": "tests.limits_views.WalletBalance"}\n'
        + f"CACHES = {{'default': {{'BACKEND': {DJANGO_REDIS_CACHE!r}, "
        + f"'LOCATION': {REDIS_LOCATION!r}}}}}\n",
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    assert "W001" not in result.stderr
    assert "api_errors.W003" not in result.stderr


@pytest.mark.slow
def test_django_ratelimit_still_flags_a_backend_it_does_not_know(tmp_path):
    result = run_check_command(
        tmp_path,
        "ratelimit_unknown",
        WITH_RATELIMIT_APP["after"]
        + "CACHES = {'default': {'BACKEND': 'unknown_cache.SharedCache'}}\n",
    )

    assert result.returncode == 0, result.stderr
    assert re.findall(r"\(([\w.]+\.[EW]\d{3})\)", result.stderr) == ["django_ratelimit.W001"]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("backend", "warned"), [(LOCMEM, True), (DJANGO_REDIS_CACHE, False)], ids=["locmem", "redis"]
)
def test_check_command_warns_when_the_urlconf_declares_limits(tmp_path, backend, warned):
    result = run_check_command(
        tmp_path,
        "limits_urlconf",
        'ROOT_URLCONF = "tests.urls_limits"\n'
        + 'API_ERRORS = {"BALANCE_HOOK": "tests.limits_views.WalletBalance"}\n'
        + f"CACHES = {{'default': {{'BACKEND': {backend!r}, 'LOCATION': {REDIS_LOCATION!r}}}}}\n",
    )

    assert result.returncode == 0, result.stderr
    found = re.findall(r"\(([\w.]+\.[EW]\d{3})\)", result.stderr)
    assert found == (["api_errors.W003"] if warned else [])


@pytest.mark.parametrize("name", ["celery", "opentelemetry", "sentry", "structlog"])
def test_a_shipped_integration_without_its_library_names_its_extra(monkeypatch, name):
    library = {"sentry": "sentry_sdk"}.get(name, name)
    monkeypatch.setitem(sys.modules, library, None)  # import now fails, as if not installed
    monkeypatch.delitem(sys.modules, f"api_errors.integrations.{name}", raising=False)
    with override_settings(API_ERRORS={"INTEGRATIONS": [name]}):
        messages = api_messages(run_checks())
    assert [m.id for m in messages] == ["api_errors.E025"]
    assert f"'INTEGRATIONS'] '{name}' cannot be used" in messages[0].msg
    assert messages[0].hint == f"Install its extra: pip install 'api-errors[{name}]'."


def test_the_shipped_integrations_are_clean_when_installed():
    names = ["celery", "opentelemetry", "sentry", "structlog"]
    assert (
        reported_ids({"INTEGRATIONS": names, "OUTGOING_CORRELATION_HOSTS": [".internal"]}) == set()
    )
