"""Catalog messages and the Error Handling page in Simplified Chinese; codes never change."""

import ast
import re
import shutil
import struct
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

from api_errors.catalog.loader import load_preset

APP = Path(__file__).resolve().parent.parent / "api_errors"
MESSAGES = APP / "locale" / "zh_Hans" / "LC_MESSAGES"
CJK = re.compile(r"[\u4e00-\u9fff]")

LOCALISED = {
    "MIDDLEWARE": [
        "api_errors.middleware.APIErrorsMiddleware",
        "django.middleware.locale.LocaleMiddleware",
        "django.middleware.common.CommonMiddleware",
    ],
    "LANGUAGES": [("en", "English"), ("zh-hans", "简体中文")],
    "LANGUAGE_CODE": "en",
    "USE_I18N": True,
}


def read_po(path):
    """msgid -> (msgstr, flags) of a .po file; obsolete (``#~``) entries are left out."""
    entries = {}
    msgid = msgstr = None
    flags: set[str] = set()
    field = None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if line.startswith("#,"):
            flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("msgid "):
            msgid, field = ast.literal_eval(line[6:]), "msgid"
        elif line.startswith("msgstr "):
            msgstr, field = ast.literal_eval(line[7:]), "msgstr"
        elif line.startswith('"'):
            if field == "msgid":
                msgid += ast.literal_eval(line)
            else:
                msgstr += ast.literal_eval(line)
        elif not line.strip() and msgid is not None:
            entries[msgid] = (msgstr, frozenset(flags))
            msgid = msgstr = field = None
            flags = set()
    return entries


def read_mo(path):
    """msgid -> msgstr of a compiled .mo file (GNU gettext's binary format)."""
    data = path.read_bytes()
    magic = struct.unpack("<I", data[:4])[0]
    order = "<" if magic == 0x950412DE else ">"
    _, count, ids_at, strs_at = struct.unpack(order + "4I", data[4:20])

    def strings(table_at):
        for index in range(count):
            length, offset = struct.unpack(order + "2I", data[table_at + 8 * index :][:8])
            yield data[offset : offset + length].decode("utf-8")

    return dict(zip(strings(ids_at), strings(strs_at), strict=True))


def catalog_messages():
    return [str(e.message) for name in ("platform", "drive") for e in load_preset(name).entries]


def test_mo_is_compiled_from_the_po():
    po = {msgid: msgstr for msgid, (msgstr, _) in read_po(MESSAGES / "django.po").items()}
    mo = read_mo(MESSAGES / "django.mo")
    # msgfmt leaves POT-Creation-Date out of the compiled header; the rest must match.
    po_header, mo_header = po.pop(""), mo.pop("")
    assert mo_header.splitlines() == [
        line for line in po_header.splitlines() if not line.startswith("POT-Creation-Date:")
    ]
    assert mo == po


def test_every_entry_is_translated_and_none_is_fuzzy():
    po = read_po(MESSAGES / "django.po")
    header, _ = po.pop("")
    assert "charset=UTF-8" in header
    for msgid, (msgstr, flags) in po.items():
        assert msgstr, f"untranslated: {msgid!r}"
        assert "fuzzy" not in flags, f"fuzzy: {msgid!r}"
        # Placeholders survive translation.
        assert set(re.findall(r"%\(\w+\)s", msgid)) == set(re.findall(r"%\(\w+\)s", msgstr))


def test_every_catalog_message_of_both_presets_has_a_real_translation():
    po = read_po(MESSAGES / "django.po")
    with translation.override("zh-hans"):
        for message, english in zip(
            catalog_messages(), [str(e) for e in _english_messages()], strict=True
        ):
            assert english in po
            assert message == po[english][0]
            assert CJK.search(message), message


def _english_messages():
    with translation.override("en"):
        return catalog_messages()


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="xgettext (gettext) not installed")
def test_po_lists_every_translatable_string_of_the_sources(tmp_path, monkeypatch):
    """``makemessages`` on a copy of the app finds no string the .po lacks, and no extra."""
    copy = tmp_path / "api_errors"
    shutil.copytree(APP, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["zh_Hans"], no_location=True, verbosity=0)
    fresh = read_po(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po")
    shipped = read_po(MESSAGES / "django.po")
    assert set(fresh) == set(shipped)


def chinese(english):
    """The shipped translation of ``english``, read from the .po file."""
    return read_po(MESSAGES / "django.po")[english][0]


@pytest.mark.urls("tests.urls_docs")
@pytest.mark.parametrize(
    ("style", "code", "message_key", "english"),
    [
        ("status", 68300004, "error_message", "Invalid parameter!"),
        ("success", "NOT_FOUND", "message", "Resource not found"),
        ("problem", "QUOTA_EXCEEDED", "detail", "Quota or usage limit exceeded"),
    ],
)
def test_accept_language_switches_the_message_not_the_code(
    client, style, code, message_key, english
):
    url = f"/api/examples/errors/{code}/"
    with override_settings(API_ERRORS={"STYLE": style}, **LOCALISED):
        plain = client.get(url)
        localised = client.get(url, headers={"Accept-Language": "zh-hans"})
        regional = client.get(url, headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"})
    code_key = "code" if style == "problem" else "error_code"
    assert plain.status_code == localised.status_code == regional.status_code
    assert plain.json()[message_key] == english
    assert localised.json()[message_key] == regional.json()[message_key] == chinese(english)
    assert CJK.search(localised.json()[message_key])
    assert plain.json()[code_key] == localised.json()[code_key] == code
    assert localised["Content-Language"] == "zh-hans"


def test_a_translation_reads_as_chinese():
    assert chinese("Resource not found") == "资源不存在"
    assert chinese("Error Handling") == "错误处理"


@pytest.mark.urls("tests.urls_docs")
def test_error_page_in_chinese(client):
    with override_settings(**LOCALISED):
        english = client.get("/api/docs/errors/").content.decode()
        page = client.get("/api/docs/errors/", headers={"Accept-Language": "zh-hans"})
    text = page.content.decode()
    assert '<html lang="zh-hans">' in text
    assert f"<h1>{chinese('Error Handling')}</h1>" in text
    for heading in (
        "Business Error Codes",
        "Platform Error Codes",
        "Error Handling Best Practices",
        "Need Help?",
    ):
        assert f"<h2>{chinese(heading)}</h2>" in text
    assert chinese("Invalid parameter!") in text
    assert "Invalid parameter!" not in text
    # Codes and anchors are the same in every language.
    for entry in load_preset("platform").entries:
        assert f'<tr id="error-{entry.code}">' in text
        assert f'<tr id="error-{entry.code}">' in english
    # With LocaleMiddleware installed, the page tells clients messages follow Accept-Language.
    assert "<code>Accept-Language</code>" in english


def test_export_in_chinese():
    out = StringIO()
    call_command("api_errors_catalog", "--language", "zh-hans", stdout=out)
    text = out.getvalue()
    assert text.startswith(f"# {chinese('Error Handling')}\n")
    assert f"| 68300004 | 400 | {chinese('Invalid parameter!')} | business | no |" in text
    assert f"## {chinese('All Error Codes')}" in text
