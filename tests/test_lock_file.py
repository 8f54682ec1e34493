"""The catalog lock file: ``--lock`` writes it, ``manage.py check`` and ``--check`` compare it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import replace
from io import StringIO
from pathlib import Path

import pytest
from django.core.checks import Error, Warning, run_checks
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.utils import translation

from api_errors.catalog import Condition, Preset
from api_errors.catalog.presets import PLATFORM

ROOT = Path(__file__).resolve().parent.parent
LOCK_IDS = {f"api_errors.{i}" for i in ("E030", "E031", "E032", "E033", "E034", "E035", "W004")}

FOLDER_NOT_EMPTY = {
    "code": 68300011,
    "http_status": 409,
    "message": "Folder is not empty!",
    "category": "business",
    "retryable": False,
}
# The platform preset without a server error rule: nothing answers a forgotten condition.
WITHOUT_SERVER_ERROR = Preset(
    PLATFORM.name,
    entries=PLATFORM.entries,
    conditions={
        name: rule
        for name, rule in PLATFORM.conditions.items()
        if name not in (Condition.SERVER_ERROR, Condition.FILE_REJECTED)
    },
)


@pytest.fixture
def lock_file(tmp_path):
    return tmp_path / "api_errors.lock.json"


def settings_for(lock_file, **api_errors):
    return {"LOCK_FILE": str(lock_file), **api_errors}


def run(*args, **api_errors):
    """``manage.py api_errors_catalog *args`` under ``API_ERRORS``: its output."""
    stdout = StringIO()
    with override_settings(API_ERRORS=api_errors):
        call_command("api_errors_catalog", *args, stdout=stdout)
    return stdout.getvalue()


def lock(lock_file, **api_errors):
    return run("--lock", **settings_for(lock_file, **api_errors))


def messages(lock_file, **api_errors):
    """What ``manage.py check`` says about the lock: (id, message) pairs."""
    with override_settings(API_ERRORS=settings_for(lock_file, **api_errors)):
        found = run_checks()
    return [(m.id, m.msg) for m in found if m.id in LOCK_IDS or m.id == "api_errors.E029"]


def ids(lock_file, **api_errors):
    return [check_id for check_id, _ in messages(lock_file, **api_errors)]


def check(lock_file, **api_errors):
    """``--check``: (its output, the CommandError's message or None)."""
    stdout = StringIO()
    with override_settings(API_ERRORS=settings_for(lock_file, **api_errors)):
        try:
            call_command("api_errors_catalog", "--check", stdout=stdout)
        except CommandError as exc:
            return stdout.getvalue(), str(exc)
    return stdout.getvalue(), None


# --- writing the lock ----------------------------------------------------------------


def test_lock_writes_the_active_catalog_deterministically(lock_file):
    output = lock(lock_file, ERRORS=[FOLDER_NOT_EMPTY])

    assert output == f"Locked catalog 'platform' in {lock_file}.\n"
    text = lock_file.read_text(encoding="utf-8")
    data = json.loads(text)
    assert text == json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert data["version"] == 1
    assert list(data["catalogs"]) == ["platform"]
    section = data["catalogs"]["platform"]
    assert section["codes"]["68300011"] == {
        "type": "int",
        "http_status": 409,
        "retryable": False,
        "category": "business",
        "message": "Folder is not empty!",
        "deprecated": None,
    }
    assert len(section["codes"]) == len(PLATFORM.entries) + 1
    assert section["conditions"]["not_found"] == {"code": 68300007, "http_status": 404}
    assert section["conditions"]["validation_error"] == {"code": 68300004, "http_status": 400}
    assert set(section["conditions"]) == set(Condition.ALL)

    again = lock(lock_file, ERRORS=[FOLDER_NOT_EMPTY])
    assert again == f"Already locked: catalog 'platform' in {lock_file}.\n"
    assert lock_file.read_text(encoding="utf-8") == text


def test_lock_records_deprecation_and_string_codes(lock_file):
    deprecated = {**FOLDER_NOT_EMPTY, "deprecated": {"since": "2.4", "replacement": 68300007}}
    lock(lock_file, ERRORS=[deprecated])
    lock(lock_file, STYLE="success")

    catalogs = json.loads(lock_file.read_text(encoding="utf-8"))["catalogs"]
    assert catalogs["platform"]["codes"]["68300011"]["deprecated"] == {
        "since": "2.4",
        "replacement": 68300007,
    }
    assert catalogs["drive"]["codes"]["NOT_FOUND"]["type"] == "str"
    assert catalogs["drive"]["conditions"]["quota_exceeded"] == {
        "code": "QUOTA_EXCEEDED",
        "http_status": 402,
    }


def test_lock_updates_only_the_active_catalogs_section(lock_file):
    lock(lock_file)
    lock(lock_file, STYLE="success")
    drive = json.loads(lock_file.read_text(encoding="utf-8"))["catalogs"]["drive"]

    lock(lock_file, ERRORS=[FOLDER_NOT_EMPTY])

    catalogs = json.loads(lock_file.read_text(encoding="utf-8"))["catalogs"]
    assert catalogs["drive"] == drive
    assert "68300011" in catalogs["platform"]["codes"]


def test_messages_are_locked_as_written_not_as_translated(lock_file):
    with translation.override("zh-hans"):
        lock(lock_file)
    codes = json.loads(lock_file.read_text(encoding="utf-8"))["catalogs"]["platform"]["codes"]
    assert codes["68300004"]["message"] == "Invalid parameter!"
    # And a check in another language sees no change.
    with translation.override("zh-hans"):
        assert messages(lock_file) == []


def test_lock_file_keeps_its_permissions(lock_file):
    lock(lock_file)
    assert lock_file.stat().st_mode & 0o777 == 0o644
    lock_file.chmod(0o664)
    lock(lock_file, ERRORS=[FOLDER_NOT_EMPTY])
    assert lock_file.stat().st_mode & 0o777 == 0o664
    assert [p.name for p in lock_file.parent.iterdir()] == [lock_file.name]


# --- where the lock is ---------------------------------------------------------------


def test_the_default_lock_file_is_in_base_dir(tmp_path):
    with override_settings(BASE_DIR=tmp_path):
        output = run("--lock")
    assert output == f"Locked catalog 'platform' in {tmp_path / 'api_errors.lock.json'}.\n"


def test_a_relative_lock_file_is_relative_to_base_dir(tmp_path):
    (tmp_path / "locks").mkdir()
    with override_settings(BASE_DIR=str(tmp_path)):
        run("--lock", LOCK_FILE="locks/errors.json")
    assert (tmp_path / "locks" / "errors.json").is_file()


def test_without_base_dir_a_relative_lock_file_is_relative_to_the_working_directory(
    tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    run("--lock", LOCK_FILE="errors.lock.json")
    assert (tmp_path / "errors.lock.json").is_file()


@pytest.mark.parametrize("base_dir", [None, 5], ids=["unset", "not-a-path"])
def test_without_a_location_there_is_no_lock(base_dir):
    with override_settings(BASE_DIR=base_dir):
        with override_settings(API_ERRORS={}):
            assert [m for m in run_checks() if m.id in LOCK_IDS] == []
        with pytest.raises(CommandError, match=r"no lock file location.*LOCK_FILE.*BASE_DIR"):
            run("--lock")


def test_an_unusable_lock_file_setting_stops_the_command():
    with pytest.raises(CommandError, match=r"\['LOCK_FILE'\] 5 is not a file path"):
        run("--lock", LOCK_FILE=5)


def test_no_lock_file_means_nothing_to_say(lock_file):
    assert messages(lock_file, ERRORS=[FOLDER_NOT_EMPTY]) == []
    output, error = check(lock_file)
    assert output == ""
    assert error == (
        f"Catalog 'platform' is not locked in {lock_file}: run manage.py api_errors_catalog "
        "--lock and commit the file."
    )


def test_a_lock_of_other_catalogs_only_says_nothing_about_this_one(lock_file):
    lock(lock_file, STYLE="success")
    assert messages(lock_file, ERRORS=[FOLDER_NOT_EMPTY]) == []
    assert check(lock_file)[1].startswith("Catalog 'platform' is not locked in")


# --- what manage.py check reports ----------------------------------------------------


def test_removing_restatusing_then_deprecating_and_removing_a_locked_code(lock_file):
    """The whole workflow: a breaking change fails the check until the lock says clients
    were told; a code deprecated in the lock may go."""
    lock(lock_file, ERRORS=[FOLDER_NOT_EMPTY])
    assert messages(lock_file, ERRORS=[FOLDER_NOT_EMPTY]) == []
    assert check(lock_file, ERRORS=[FOLDER_NOT_EMPTY]) == (
        f"Catalog 'platform' matches its lock in {lock_file}.\n",
        None,
    )

    assert messages(lock_file) == [
        (
            "api_errors.E031",
            f"code 68300011: removed since the 'platform' catalog was locked in {lock_file}.",
        )
    ]
    assert ids(lock_file, ERRORS=[{**FOLDER_NOT_EMPTY, "http_status": 410}]) == ["api_errors.E032"]

    deprecated = {**FOLDER_NOT_EMPTY, "deprecated": {"since": "2.4", "replacement": 68300007}}
    lock(lock_file, ERRORS=[deprecated])
    assert messages(lock_file) == []
    output, error = check(lock_file)
    assert output == "change: code 68300011: removed (locked as deprecated since 2.4)\n"
    assert error == (
        f"Catalog 'platform' differs from its lock in {lock_file}: 1 change(s), 0 breaking. "
        "Run manage.py api_errors_catalog --lock to record them."
    )


def test_each_breaking_change_has_its_own_id(lock_file):
    """One locked code, then one change at a time."""
    lock(lock_file, ERRORS=[FOLDER_NOT_EMPTY], CONDITIONS={"conflict": 68300011})

    def after(**changes):
        return messages(
            lock_file, ERRORS=[{**FOLDER_NOT_EMPTY, **changes}], CONDITIONS={"conflict": 68300011}
        )

    suffix = f" since the 'platform' catalog was locked in {lock_file}."
    assert after(retryable=True) == [
        ("api_errors.E033", "code 68300011: retryable false -> true" + suffix)
    ]
    assert after(message="Folder has files!") == [
        (
            "api_errors.W004",
            'code 68300011: message "Folder is not empty!" -> "Folder has files!"' + suffix,
        )
    ]
    assert after(category="platform") == []  # a category says nothing clients branch on
    assert after(http_status=422) == [
        ("api_errors.E032", "code 68300011: HTTP status 409 -> 422" + suffix)
    ]
    moved = messages(lock_file, ERRORS=[FOLDER_NOT_EMPTY])
    assert moved == [
        (
            "api_errors.E034",
            "condition 'conflict': answered by 68300007 instead of 68300011" + suffix,
        )
    ]
    restatused = messages(
        lock_file,
        ERRORS=[FOLDER_NOT_EMPTY],
        CONDITIONS={"conflict": {"code": 68300011, "http_status": 423}},
    )
    assert restatused == [
        ("api_errors.E032", "condition 'conflict': HTTP status 409 -> 423" + suffix)
    ]


def test_a_changed_code_type_is_breaking(lock_file):
    lock(lock_file, ERRORS=[FOLDER_NOT_EMPTY])
    with override_settings(
        API_ERRORS=settings_for(lock_file, ERRORS=[{**FOLDER_NOT_EMPTY, "code": "68300011"}])
    ):
        found = {m.id: m for m in run_checks() if (m.id or "").startswith("api_errors.")}
    # The status style also says it sends no string codes (E007).
    assert set(found) == {"api_errors.E007", "api_errors.E035"}
    assert found["api_errors.E035"].msg.startswith("code 68300011: type int -> str since")


def test_the_message_change_is_a_warning_and_the_others_errors(lock_file):
    lock(lock_file, ERRORS=[FOLDER_NOT_EMPTY])
    changed = [{**FOLDER_NOT_EMPTY, "message": "Not empty!", "retryable": True}]
    with override_settings(API_ERRORS=settings_for(lock_file, ERRORS=changed)):
        found = {m.id: m for m in run_checks() if m.id in LOCK_IDS}
    assert isinstance(found.pop("api_errors.W004"), Warning)
    assert [type(m) for m in found.values()] == [Error]
    assert all(
        m.hint.endswith("run manage.py api_errors_catalog --lock and commit the lock file.")
        for m in found.values()
    )


def test_a_condition_may_move_to_the_replacement_its_old_code_announced(lock_file):
    deprecated = {**FOLDER_NOT_EMPTY, "deprecated": {"since": "2.4", "replacement": 68300007}}
    lock(lock_file, ERRORS=[deprecated], CONDITIONS={"conflict": 68300011})

    assert messages(lock_file, ERRORS=[deprecated]) == []
    assert messages(lock_file) == []  # the code removed as well
    output, _ = check(lock_file)
    assert output.splitlines() == [
        "change: code 68300011: removed (locked as deprecated since 2.4)",
        "change: condition 'conflict': answered by 68300007 instead of 68300011, its announced "
        "replacement",
    ]
    # Another code than the announced one is a move clients were not told about.
    other = {**FOLDER_NOT_EMPTY, "code": 68300012}
    assert ids(lock_file, ERRORS=[deprecated, other], CONDITIONS={"conflict": 68300012}) == [
        "api_errors.E034"
    ]


def test_a_condition_is_not_moved_by_a_deprecation_without_replacement(lock_file):
    deprecated = {**FOLDER_NOT_EMPTY, "deprecated": {"since": "2.4", "replacement": None}}
    lock(lock_file, ERRORS=[deprecated], CONDITIONS={"conflict": 68300011})
    assert ids(lock_file, ERRORS=[deprecated]) == ["api_errors.E034"]


def test_a_code_whose_status_changes_is_reported_once_not_per_condition(lock_file):
    lock(lock_file)
    found = messages(lock_file, CATALOG="tests.test_lock_file.RESTATUSED")
    # validation_error follows 68300004's status: the code's change is the one to report.
    assert [check_id for check_id, _ in found] == ["api_errors.E032"]
    assert found[0][1].startswith("code 68300004: HTTP status 400 -> 422")


def test_a_forgotten_condition_counts_as_moved_to_the_server_errors_code(lock_file):
    lock(lock_file)
    found = messages(lock_file, CATALOG="tests.test_lock_file.WITHOUT_FILE_REJECTED")
    assert [check_id for check_id, _ in found] == ["api_errors.E034"]
    assert found[0][1].startswith(
        "condition 'file_rejected': answered by 68300008 instead of 68300010"
    )


def test_a_condition_the_lock_does_not_know_is_a_change_that_breaks_nothing(lock_file):
    """As after an upgrade of api_errors that brings a new condition."""
    lock(lock_file)
    data = json.loads(lock_file.read_text(encoding="utf-8"))
    del data["catalogs"]["platform"]["conditions"]["file_rejected"]
    lock_file.write_text(json.dumps(data), encoding="utf-8")
    assert messages(lock_file) == []
    output, error = check(lock_file)
    assert output == "change: condition 'file_rejected': added\n"
    assert "1 change(s), 0 breaking" in error


def test_a_catalog_that_answers_nothing_for_a_condition_leaves_it_to_e010(lock_file):
    lock(lock_file)
    assert messages(lock_file, CATALOG="tests.test_lock_file.WITHOUT_SERVER_ERROR") == []
    with override_settings(
        API_ERRORS=settings_for(lock_file, CATALOG="tests.test_lock_file.WITHOUT_SERVER_ERROR")
    ):
        assert "api_errors.E010" in {m.id for m in run_checks()}


RESTATUSED = Preset(
    PLATFORM.name,
    entries=tuple(
        replace(e, http_status=422) if e.code == 68300004 else e for e in PLATFORM.entries
    ),
    conditions=PLATFORM.conditions,
)
WITHOUT_FILE_REJECTED = Preset(
    PLATFORM.name,
    entries=PLATFORM.entries,
    conditions={n: r for n, r in PLATFORM.conditions.items() if n != Condition.FILE_REJECTED},
)


# --- a lock file that is not one -----------------------------------------------------

VALID_CODE = {
    "type": "int",
    "http_status": 400,
    "retryable": False,
    "category": "business",
    "message": "Invalid parameter!",
    "deprecated": None,
}


def lock_with(section):
    return json.dumps({"version": 1, "catalogs": {"platform": section}})


MALFORMED = {
    "not-json": ("{", "is not JSON"),
    "a-list": ("[]", 'it has no "catalogs" object'),
    "no-catalogs": ('{"version": 1}', 'it has no "catalogs" object'),
    "later-version": (
        '{"version": 2, "catalogs": {}}',
        "its version is 2, this api_errors reads 1",
    ),
    "section-not-an-object": (lock_with([]), "catalog 'platform': not an object"),
    "no-conditions": (lock_with({"codes": {}}), 'it needs "codes" and "conditions" objects'),
    "code-missing-a-key": (
        lock_with({"codes": {"68300004": {"type": "int"}}, "conditions": {}}),
        "code 68300004: it needs exactly the keys",
    ),
    "status-not-an-integer": (
        lock_with({"codes": {"1": {**VALID_CODE, "http_status": "400"}}, "conditions": {}}),
        "type must be a string and http_status an integer",
    ),
    "retryable-not-a-bool": (
        lock_with({"codes": {"1": {**VALID_CODE, "retryable": 0}}, "conditions": {}}),
        "retryable must be true or false",
    ),
    "message-not-a-string": (
        lock_with({"codes": {"1": {**VALID_CODE, "message": None}}, "conditions": {}}),
        "category and message must be strings",
    ),
    "deprecated-not-an-object": (
        lock_with({"codes": {"1": {**VALID_CODE, "deprecated": "2.4"}}, "conditions": {}}),
        "deprecated must be null or {since, replacement}",
    ),
    "condition-without-code": (
        lock_with({"codes": {"1": VALID_CODE}, "conditions": {"not_found": {}}}),
        "condition 'not_found' names no code",
    ),
    "condition-without-status": (
        lock_with({"codes": {"1": VALID_CODE}, "conditions": {"not_found": {"code": 1}}}),
        "condition 'not_found' has no integer http_status",
    ),
    "condition-of-an-unlocked-code": (
        lock_with(
            {
                "codes": {"1": VALID_CODE},
                "conditions": {"not_found": {"code": 2, "http_status": 404}},
            }
        ),
        "condition 'not_found' names code 2, which is not locked",
    ),
}


@pytest.mark.parametrize(("content", "problem"), MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_lock_file_is_one_error_never_a_traceback(lock_file, content, problem):
    lock_file.write_text(content, encoding="utf-8")

    found = messages(lock_file)
    assert [check_id for check_id, _ in found] == ["api_errors.E030"]
    assert str(lock_file) in found[0][1]
    assert problem in found[0][1]
    with pytest.raises(CommandError, match="Fix or delete it"):
        lock(lock_file)
    assert check(lock_file)[1] == found[0][1]
    assert lock_file.read_text(encoding="utf-8") == content


def test_an_unreadable_lock_file_is_an_error(lock_file):
    lock_file.write_bytes(b"\xff\xfe not utf-8")
    assert [i for i, _ in messages(lock_file)] == ["api_errors.E030"]
    lock_file.unlink()
    lock_file.mkdir()  # a directory where the file should be
    found = messages(lock_file)
    assert [i for i, _ in found] == ["api_errors.E030"]
    assert "cannot be read" in found[0][1]


def test_a_lock_that_cannot_be_written_stops_the_command(tmp_path):
    with pytest.raises(CommandError, match=r"Cannot write .*no-such-directory"):
        lock(tmp_path / "no-such-directory" / "api_errors.lock.json")


# --- the command's options -------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [("--lock", "--check"), ("--lock", "--format", "json"), ("--check", "--format", "markdown")],
)
def test_lock_and_check_exclude_each_other_and_the_page(lock_file, args):
    with pytest.raises(CommandError, match="not allowed with argument"):
        run(*args, **settings_for(lock_file))
    assert not lock_file.exists()


def test_the_language_is_for_the_page_only(lock_file):
    with pytest.raises(CommandError, match="--language applies to the page"):
        run("--lock", "--language", "zh-hans", **settings_for(lock_file))


def test_a_catalog_with_errors_is_not_locked(lock_file):
    with pytest.raises(CommandError, match=r"(?s)The catalog has errors.*api_errors\.E006"):
        lock(lock_file, ERRORS=[{**FOLDER_NOT_EMPTY, "code": 68300004}])
    assert not lock_file.exists()


def test_style_and_catalog_options_pick_the_catalog_to_lock(lock_file):
    output = run("--lock", "--style", "problem", **settings_for(lock_file))
    assert output == f"Locked catalog 'drive' in {lock_file}.\n"
    assert check(lock_file, STYLE="success")[1] is None


def test_check_prints_every_difference_and_which_break(lock_file):
    lock(lock_file, ERRORS=[FOLDER_NOT_EMPTY])
    new_code = {**FOLDER_NOT_EMPTY, "code": 68300012}
    deprecated = {**FOLDER_NOT_EMPTY, "deprecated": {"since": "2.4", "replacement": 68300012}}

    output, error = check(lock_file, ERRORS=[{**deprecated, "http_status": 410}, new_code])

    assert output.splitlines() == [
        "breaking: code 68300011: HTTP status 409 -> 410",
        "change: code 68300011: deprecation not deprecated -> deprecated since 2.4, replaced by "
        "68300012",
        "change: code 68300012: added",
    ]
    assert "3 change(s), 1 breaking" in error


# --- the real command line -----------------------------------------------------------


def manage(tmp_path, *args):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lock_settings",
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)]),
    }
    return subprocess.run(
        [sys.executable, "-m", "django", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_manage_py_check_fails_on_a_removed_code_until_it_is_locked(tmp_path, lock_file):
    lock(lock_file, ERRORS=[FOLDER_NOT_EMPTY])
    (tmp_path / "lock_settings.py").write_text(
        f"from tests.settings import *  # noqa\nAPI_ERRORS = {{'LOCK_FILE': {str(lock_file)!r}}}\n"
    )

    removed = manage(tmp_path, "check")
    assert removed.returncode == 1
    assert "SystemCheckError" in removed.stderr
    assert "(api_errors.E031) code 68300011: removed since the 'platform' catalog" in removed.stderr
    assert "Traceback" not in removed.stderr

    differs = manage(tmp_path, "api_errors_catalog", "--check")
    assert differs.returncode == 1
    assert differs.stdout == "breaking: code 68300011: removed\n"
    assert "1 change(s), 1 breaking" in differs.stderr

    # --lock records the removal though the system checks would refuse it.
    locked = manage(tmp_path, "api_errors_catalog", "--lock")
    assert locked.returncode == 0, locked.stderr
    assert manage(tmp_path, "check").returncode == 0


def test_a_catalog_that_cannot_be_built_is_left_to_the_catalog_checks(lock_file):
    lock(lock_file)
    with override_settings(API_ERRORS=settings_for(lock_file, CATALOG="no.such.module.PRESET")):
        found = {m.id for m in run_checks() if (m.id or "").startswith("api_errors.")}
    assert found == {"api_errors.E004"}


def test_a_condition_mapped_to_an_unknown_code_is_reported_by_e009_and_the_lock(lock_file):
    lock(lock_file)
    with override_settings(API_ERRORS=settings_for(lock_file, CONDITIONS={"not_found": 12345})):
        found = [m for m in run_checks() if (m.id or "").startswith("api_errors.")]
    # At run time such a condition is answered as a server error, which the lock sees.
    assert sorted((m.id, m.msg.split(" since ")[0]) for m in found) == [
        ("api_errors.E009", "Condition 'not_found' maps to 12345, which is not in the catalog."),
        ("api_errors.E034", "condition 'not_found': answered by 68300008 instead of 68300007"),
    ]


# --- the user documentation ------------------------------------------------------------

DOCS = (ROOT / "docs" / "lock-file.md").read_text(encoding="utf-8")


def test_the_docs_explain_every_id_of_deprecation_and_the_lock():
    from api_errors.checks.base import PROBLEMS

    explained = re.findall(r"^\| `api_errors\.([EW]\d{3})` \|", DOCS, re.M)
    feature = [
        i for i in PROBLEMS if i in {"E027", "E028", "E029"} or f"api_errors.{i}" in LOCK_IDS
    ]
    assert explained == feature


def test_the_docs_snippets_run_as_written(lock_file):
    settings_snippet, preset_snippet = re.findall(r"```python\n(.*?)```", DOCS, re.S)[:2]
    namespace = {}
    exec(compile(settings_snippet, "lock-file.md", "exec"), namespace)
    with override_settings(API_ERRORS=settings_for(lock_file, **namespace["API_ERRORS"])):
        assert [m.id for m in run_checks() if (m.id or "").startswith("api_errors.")] == []
    exec(compile(preset_snippet, "lock-file.md", "exec"), namespace)
    [deprecated] = [e for e in namespace["PRESET"].entries if e.deprecated is not None]
    assert (deprecated.code, deprecated.deprecated.summary()) == (
        68300006,
        "deprecated since 2.4, replaced by 68300004",
    )
