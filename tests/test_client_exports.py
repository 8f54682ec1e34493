"""The catalog as TypeScript and Python modules, compiled by tsc --strict and mypy --strict.

Every export is generated through ``manage.py api_errors_catalog``; one tsc run and one mypy
run check all of them together with a usage file each (narrowing on a code, reading the
maps) and a file that uses a code outside the catalog, which must not compile. The modules
are then run (Python directly, TypeScript through node) and their maps compared with the
catalog, which proves the escaping of every message.
"""

import importlib.util
import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from api_errors.catalog import CatalogEntry, Condition, ConditionRule, Deprecation, Preset
from api_errors.catalog.loader import load_preset
from api_errors.documentation import describe_errors, settings_with
from api_errors.styles import SuccessStyle, resolve_style
from tests.services import ROOT, missing, require_mypy, require_tsc

DOCS = ROOT / "docs" / "client-exports.md"
# What a tsc or mypy run reports: one line per error, with the file and line.
TSC_ERROR = re.compile(
    r"^(?P<file>[^\s(]+)\((?P<line>\d+),\d+\): error (?P<code>TS\d+): (?P<text>.*)$"
)
MYPY_ERROR = re.compile(
    r"^(?P<file>[^\s:]+):(?P<line>\d+): error: (?P<text>.*?)  \[(?P<code>[\w-]+)\]$"
)
TSC_OPTIONS = ["--strict", "--noEmit", "--pretty", "false", "--target", "es2020"]
TSC_MODULES = ["--module", "esnext", "--moduleResolution", "bundler"]
# Names every module defines besides the code constants.
MODULE_NAMES = {"ERROR_CODES", "MESSAGES", "HTTP_STATUS", "RETRYABLE", "DEPRECATED"}

TRICKY = Preset(
    "tricky\nexport const injected = 1; // */",
    entries=(
        CatalogEntry(400001, 409, "Say \"hi\" and 'bye'", retryable=True),
        CatalogEntry("NOT-FOUND", 404, "Back\\slash, \\n is no newline"),
        CatalogEntry("not_found", 404, "Line one\nLine two\r\n\ttabbed"),
        CatalogEntry("BILLING/LOCKED", 423, "Ends a comment */ opens one /* and // this"),
        CatalogEntry("123", 400, "Starts with a digit ${injected} `backquoted`"),
        CatalogEntry("价格", 402, "余额不足，调用失败！ 😀 café"),  # noqa: RUF001
        CatalogEntry(
            "MESSAGES",
            400,
            "Separators \u2028 \u2029, bidi \u202e, nul \x00, bell \x07, tag \U000e0001",
        ),
        CatalogEntry(
            "ErrorCode",
            400,
            "@deprecated is no tag here, nor is a lone \ud800 surrogate",
            deprecated=Deprecation("1.0 */ @since `x`", replacement="NOT-FOUND"),
        ),
        CatalogEntry(-1, 500, "A negative code", retryable=True),
        CatalogEntry(400002, 400, "Answers validation", deprecated=Deprecation("2.0")),
        CatalogEntry("MALFORMED_REQUEST", 400, "A string code taking a condition's name"),
        CatalogEntry(400003, 415, "Answers malformed requests and unsupported media types"),
        CatalogEntry(400004, 400, "Answers nothing"),
        CatalogEntry("CODE_400004", 400, "Takes the fallback's name first"),
    ),
    conditions={
        Condition.SERVER_ERROR: ConditionRule(-1),
        Condition.VALIDATION_ERROR: ConditionRule(400002),
        Condition.NOT_FOUND: ConditionRule("NOT-FOUND"),
        Condition.CONFLICT: ConditionRule(400001),
        Condition.UNSUPPORTED_MEDIA_TYPE: ConditionRule(400003),
        Condition.MALFORMED_REQUEST: ConditionRule(400003),
    },
)
# How the naming rules (docs/client-exports.md) name TRICKY's codes.
TRICKY_NAMES = {
    400001: "CONFLICT",
    "NOT-FOUND": "NOT_FOUND",
    "not_found": "NOT_FOUND_2",
    "BILLING/LOCKED": "BILLING_LOCKED",
    "123": "CODE_123",
    "价格": "CODE",
    "MESSAGES": "MESSAGES_2",
    "ErrorCode": "ERRORCODE",
    -1: "SERVER_ERROR",
    400002: "VALIDATION_ERROR",
    "MALFORMED_REQUEST": "MALFORMED_REQUEST",
    400003: "UNSUPPORTED_MEDIA_TYPE",
    400004: "CODE_400004_2",
    "CODE_400004": "CODE_400004",
}

MISSING_REPLACEMENT = Preset(
    "missing-replacement",
    entries=(CatalogEntry("OLD", 400, "Old", deprecated=Deprecation("2.0", replacement="NEW")),),
    conditions={Condition.SERVER_ERROR: ConditionRule("OLD")},
)
EMPTY = Preset("empty", entries=(), conditions={})
ONE_KEY = Preset(
    "one-key",
    entries=(CatalogEntry(1, 400, "Number"), CatalogEntry("1", 400, "Text")),
    conditions={Condition.SERVER_ERROR: ConditionRule(1)},
)


class ShapesStyle(SuccessStyle):
    """A style whose schema uses every construct the translation knows, and whose 5xx
    bodies have one field more, so its envelope is a union of two object types."""

    name = 'shapes "style" */'
    code_types = (int, str)

    def error_properties(self, status, code_schema):
        properties = {
            "success": {"type": "boolean", "enum": [False]},
            "error_code": code_schema,
            "nullable_text": {"type": "string", "nullable": True},
            "either": {"type": ["integer", "null"]},
            "ratio": {"type": "number"},
            "choice": {"enum": ["a", 1, 1.5, True, None]},
            "fixed": {"const": "always"},
            "odd_enum": {"enum": [{"x": 1}]},
            "anything": {},
            "elsewhere": {"$ref": "#/components/schemas/Elsewhere"},
            "tags": {
                "type": "array",
                "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
            },
            "matrix": {"type": "array", "items": {"type": "array", "items": {"type": "boolean"}}},
            "untyped_list": {"type": "array"},
            "any_items": {"type": "array", "items": True},
            "repeated": {"anyOf": [{"type": "string"}, {"type": "string"}, {"type": "integer"}]},
            "loose": {"anyOf": [{"type": "string"}, {}]},
            "bag": {"type": "object"},
            "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
            "meta": {
                "type": "object",
                "required": ["class", "str"],
                "properties": {
                    "class": {"type": "string"},
                    "str": {"type": "integer"},
                    "@id": {"type": "string"},
                },
            },
            "mixed": {
                "type": "object",
                "required": ["for"],
                "properties": {"for": {"type": "string"}, "note": {"type": "string"}},
            },
            "rows": {"type": "array", "items": {"properties": {"n": {"type": "integer"}}}},
            "links": {"type": "object", "properties": {"x-next": {"type": "string"}}},
            "variant": {
                "oneOf": [
                    {"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}}},
                    {"type": "string"},
                ]
            },
        }
        if status >= 500:
            properties["retry_in"] = {"type": "integer"}
        return properties


@dataclass(frozen=True)
class Case:
    style: str
    catalog: str | None = None
    language: str | None = None

    def arguments(self):
        arguments = ["--style", self.style]
        if self.catalog:
            arguments += ["--catalog", self.catalog]
        if self.language:
            arguments += ["--language", self.language]
        return arguments

    def preset(self):
        return load_preset(self.catalog or resolve_style(self.style).default_catalog)

    def code_path(self):
        """Where the style's bodies keep the code: ``["error", "status"]``."""
        return resolve_style(self.style).code_field.split(".")


CASES = {
    "status_platform": Case("status"),
    "success_drive": Case("success"),
    "problem_drive": Case("problem"),
    "problem_platform": Case("problem", "platform"),
    "google_drive": Case("tests.styles.GoogleStyle"),
    "status_platform_zh": Case("status", language="zh-hans"),
    "tricky": Case("problem", "tests.test_client_exports.TRICKY"),
    "shapes": Case("tests.test_client_exports.ShapesStyle"),
}


def run_export(output_format, *arguments):
    out = StringIO()
    call_command("api_errors_catalog", "--format", output_format, *arguments, stdout=out)
    return out.getvalue()


def load_module(path):
    spec = importlib.util.spec_from_file_location(f"exported_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def constant_names(module):
    """The constant of each code, as the generated Python module defines them."""
    names = {}
    for name, value in vars(module).items():
        if name.isupper() and name not in MODULE_NAMES and isinstance(value, int | str):
            names[value] = name
    return {code: names[code] for code in module.ERROR_CODES}


def doc_section(marker):
    """What the docs page has between ``<!-- marker -->`` and ``<!-- /marker -->``."""
    text = DOCS.read_text(encoding="utf-8")
    match = re.search(rf"<!-- {marker} -->\n(.*?)<!-- /{marker} -->", text, re.S)
    assert match, f"{DOCS.name} has no {marker} section"
    return match.group(1)


def doc_block(marker):
    """The code of a docs section that is one fenced block."""
    match = re.fullmatch(r"```\w+\n(.*)```\n", doc_section(marker), re.S)
    assert match, f"the {marker} section of {DOCS.name} is not one code block"
    return match.group(1)


def errors_in(output, pattern):
    found = {}
    for line in output.splitlines():
        match = pattern.match(line)
        if match:
            found.setdefault(match["file"], []).append(
                (int(match["line"]), match["code"], match["text"])
            )
    return found


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    """Every case exported in both languages into one directory, and its Python module run."""
    directory = tmp_path_factory.mktemp("exports")
    modules = {}
    for name, case in CASES.items():
        for output_format, suffix in (("typescript", ".ts"), ("python", ".py")):
            text = run_export(output_format, *case.arguments())
            (directory / f"{name}{suffix}").write_text(text, encoding="utf-8")
        modules[name] = load_module(directory / f"{name}.py")
    # The docs' examples import the default export under the names the page gives it.
    shutil.copy(directory / "status_platform.ts", directory / "apiErrors.ts")
    shutil.copy(directory / "status_platform.py", directory / "api_error_codes.py")
    return directory, modules


def bogus_code(case):
    return 12345 if isinstance(case.preset().entries[0].code, int) else "NO_SUCH_CODE"


def typescript_usage(name, case, names):
    first_code, first_name = next(iter(names.items()))
    code = "body" + "".join(f".{part}" for part in case.code_path())
    cases = "\n".join(
        f"    case ErrorCode.{constant}:\n      return {index};"
        for index, constant in enumerate(names.values())
    )
    return f"""\
import {{ DEPRECATED, ERROR_CODES, ErrorCode, HTTP_STATUS, MESSAGES, RETRYABLE }} from "./{name}";
import {{ isErrorCode }} from "./{name}";
import type {{ Deprecation, ErrorEnvelope }} from "./{name}";

export function describe(body: ErrorEnvelope): string {{
  const code: ErrorCode = {code};
  if (code === ErrorCode.{first_name}) {{
    const narrowed: {json.dumps(first_code)} = code;
    return String(narrowed);
  }}
  const message: string = MESSAGES[code];
  const status: number = HTTP_STATUS[code];
  const retry: boolean = RETRYABLE[code];
  const deprecation: Deprecation | undefined = DEPRECATED[code];
  return `${{message}} ${{status}} ${{retry}} ${{deprecation?.since}}`;
}}

export function position(code: ErrorCode): number {{
  switch (code) {{
{cases}
    default: {{
      const unreachable: never = code;
      return unreachable;
    }}
  }}
}}

export function parse(value: unknown): ErrorCode | undefined {{
  return isErrorCode(value) ? value : undefined;
}}

export const every: readonly ErrorCode[] = ERROR_CODES;
"""


def python_usage(name, case, names):
    first_code, first_name = next(iter(names.items()))
    code = "body" + "".join(f"[{part!r}]" for part in case.code_path())
    branches = "\n".join(
        f"    {'if' if index == 0 else 'elif'} code == {name}.{constant}:\n        return {index}"
        for index, constant in enumerate(names.values())
    )
    return f"""\
from typing import Literal, NoReturn

import {name}
from {name} import DEPRECATED, ERROR_CODES, HTTP_STATUS, MESSAGES, RETRYABLE
from {name} import ErrorCode, ErrorEnvelope, is_error_code


def describe(body: ErrorEnvelope) -> str:
    code: ErrorCode = {code}
    if code == {name}.{first_name}:
        narrowed: Literal[{first_code!r}] = code
        return str(narrowed)
    message: str = MESSAGES[code]
    status: int = HTTP_STATUS[code]
    retry: bool = RETRYABLE[code]
    deprecation = DEPRECATED.get(code)
    since = deprecation["since"] if deprecation else None
    return f"{{message}} {{status}} {{retry}} {{since}}"


def position(code: ErrorCode) -> int:
{branches}
    else:
        unreachable: NoReturn = code
        return unreachable


def parse(value: object) -> ErrorCode | None:
    return value if is_error_code(value) else None


EVERY: tuple[ErrorCode, ...] = ERROR_CODES
"""


def usage_files(directory, modules, suffix, usage, wrong):
    """For each case: the export, a usage file and a file with a code not in the catalog
    (its third line is the one that must fail). Then the docs' example."""
    files = []
    for name, case in CASES.items():
        names = constant_names(modules[name])
        (directory / f"use_{name}{suffix}").write_text(usage(name, case, names), encoding="utf-8")
        (directory / f"wrong_{name}{suffix}").write_text(
            wrong(name, bogus_code(case)), encoding="utf-8"
        )
        files += [f"{name}{suffix}", f"use_{name}{suffix}", f"wrong_{name}{suffix}"]
    language = "typescript" if suffix == ".ts" else "python"
    (directory / f"docs_example{suffix}").write_text(
        doc_block(f"{language}-example"), encoding="utf-8"
    )
    return [*files, f"docs_example{suffix}"]


@pytest.fixture(scope="module")
def tsc_errors(exports):
    tsc = require_tsc()
    directory, modules = exports

    def wrong(name, code):
        imports = f'import type {{ ErrorCode }} from "./{name}";'
        return f"{imports}\n\nexport const wrong: ErrorCode = {json.dumps(code)};\n"

    files = usage_files(directory, modules, ".ts", typescript_usage, wrong)
    result = subprocess.run(
        [tsc, *TSC_OPTIONS, *TSC_MODULES, *files],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    errors = errors_in(result.stdout, TSC_ERROR)
    assert result.returncode == 0 or errors, result.stdout + result.stderr
    return errors


@pytest.fixture(scope="module")
def mypy_errors(exports):
    python = require_mypy()
    directory, modules = exports

    def wrong(name, code):
        return f"from {name} import ErrorCode\n\nwrong: ErrorCode = {code!r}\n"

    files = usage_files(directory, modules, ".py", python_usage, wrong)
    (directory / "mypy.ini").write_text("[mypy]\n", encoding="utf-8")
    result = subprocess.run(
        [
            python,
            "-m",
            "mypy",
            "--strict",
            "--python-version",
            "3.10",
            "--config-file",
            "mypy.ini",
            "--cache-dir",
            ".mypy_cache",
            *files,
        ],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    errors = errors_in(result.stdout, MYPY_ERROR)
    assert result.returncode == 0 or errors, result.stdout + result.stderr
    return errors


@pytest.fixture(scope="module")
def typescript_values(exports):
    """The maps of every TypeScript export, as node sees them once tsc has compiled them."""
    tsc = require_tsc()
    node = shutil.which("node") or missing("node is not installed (tsc needs it too)")
    directory, _ = exports
    out = directory / "js"
    subprocess.run(
        [
            tsc,
            "--target",
            "es2020",
            "--module",
            "esnext",
            "--outDir",
            out,
            *(f"{name}.ts" for name in CASES),
        ],
        cwd=directory,
        capture_output=True,
        check=True,
        timeout=300,
    )
    (out / "package.json").write_text('{"type": "module"}', encoding="utf-8")
    (out / "read.js").write_text(
        "const found = {};\n"
        "for (const name of JSON.parse(process.argv[2])) {\n"
        "  const module = await import(`./${name}.js`);\n"
        "  found[name] = { ...module, names: Object.keys(module).sort() };\n"
        "  delete found[name].isErrorCode;\n"
        "}\n"
        "console.log(JSON.stringify(found));\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [node, "read.js", json.dumps(list(CASES))],
        cwd=out,
        capture_output=True,
        check=True,
        timeout=60,
    )
    return json.loads(result.stdout)


def expected_maps(case):
    """What the catalog says, in the case's language, keyed by code."""
    with translation.override(case.language or "en-us"):
        entries = [(entry.code, entry) for entry in case.preset().entries]
        return {
            "ERROR_CODES": [code for code, _ in entries],
            "MESSAGES": {code: str(entry.message) for code, entry in entries},
            "HTTP_STATUS": {code: entry.http_status for code, entry in entries},
            "RETRYABLE": {code: entry.retryable for code, entry in entries},
            "DEPRECATED": {
                code: {
                    "since": entry.deprecated.since,
                    "replacement": entry.deprecated.replacement,
                }
                for code, entry in entries
                if entry.deprecated
            },
        }


# --- Compiled ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", CASES)
def test_typescript_export_and_its_usage_compile(name, tsc_errors):
    assert tsc_errors.get(f"{name}.ts", []) == []
    assert tsc_errors.get(f"use_{name}.ts", []) == []


@pytest.mark.parametrize("name", CASES)
def test_typescript_refuses_a_code_outside_the_catalog(name, tsc_errors):
    [(line, code, text)] = tsc_errors[f"wrong_{name}.ts"]
    assert (line, code) == (3, "TS2322")
    assert str(bogus_code(CASES[name])) in text


@pytest.mark.parametrize("name", CASES)
def test_python_export_and_its_usage_pass_mypy_strict(name, mypy_errors):
    assert mypy_errors.get(f"{name}.py", []) == []
    assert mypy_errors.get(f"use_{name}.py", []) == []


@pytest.mark.parametrize("name", CASES)
def test_mypy_refuses_a_code_outside_the_catalog(name, mypy_errors):
    [(line, code, text)] = mypy_errors[f"wrong_{name}.py"]
    assert (line, code) == (3, "assignment")
    assert str(bogus_code(CASES[name])) in text


def test_the_docs_typescript_example_compiles(tsc_errors):
    assert tsc_errors.get("docs_example.ts", []) == []


def test_the_docs_python_example_passes_mypy_strict(mypy_errors):
    assert mypy_errors.get("docs_example.py", []) == []


# --- Run -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", CASES)
def test_python_module_holds_the_catalog(name, exports):
    _, modules = exports
    module = modules[name]
    expected = expected_maps(CASES[name])
    assert list(module.ERROR_CODES) == expected["ERROR_CODES"]
    for map_name in ("MESSAGES", "HTTP_STATUS", "RETRYABLE", "DEPRECATED"):
        assert getattr(module, map_name) == expected[map_name], map_name
    for code in module.ERROR_CODES:
        assert module.is_error_code(code)
    assert not module.is_error_code(bogus_code(CASES[name]))
    assert not module.is_error_code(True)


@pytest.mark.parametrize("name", CASES)
def test_typescript_module_holds_the_catalog(name, exports, typescript_values):
    _, modules = exports
    values = typescript_values[name]
    expected = expected_maps(CASES[name])
    assert values["names"] == sorted(["ErrorCode", "isErrorCode", *MODULE_NAMES])
    assert values["ErrorCode"] == {
        name: code for code, name in constant_names(modules[name]).items()
    }
    assert values["ERROR_CODES"] == expected["ERROR_CODES"]
    for map_name in ("MESSAGES", "HTTP_STATUS", "RETRYABLE", "DEPRECATED"):
        # Object keys are text in JavaScript.
        assert values[map_name] == {str(code): value for code, value in expected[map_name].items()}


def test_codes_are_named_by_the_documented_rules(exports):
    _, modules = exports
    assert constant_names(modules["tricky"]) == TRICKY_NAMES
    rows = re.findall(r"^\| (\d+) \| `([A-Z0-9_]+)` \|", doc_section("platform-names"), re.M)
    assert {int(code): name for code, name in rows} == constant_names(modules["status_platform"])


def test_a_header_cannot_be_escaped():
    for output_format in ("typescript", "python"):
        text = run_export(output_format, *CASES["tricky"].arguments())
        assert "\nexport const injected" not in text
        assert "tricky export const injected = 1;" in text.splitlines()[1]


# --- What the modules say --------------------------------------------------------------------


@pytest.mark.parametrize("output_format", ["typescript", "python"])
def test_output_is_deterministic_and_says_where_it_comes_from(output_format):
    text = run_export(output_format)
    assert text == run_export(output_format, "--style", "status", "--catalog", "platform")
    comment = "//" if output_format == "typescript" else "#"
    first, second = text.splitlines()[:2]
    assert first == (
        f"{comment} Generated by `manage.py api_errors_catalog --format {output_format}`: "
        "do not edit, generate again."
    )
    assert (
        second
        == f'{comment} From the "platform" catalog and the "status" style, messages in en-us.'
    )
    chinese = run_export(output_format, "--language", "zh-hans")
    assert "messages in zh-hans." in chinese.splitlines()[1]
    assert "超出调用频率限制，调用失败！" in chinese  # noqa: RUF001


@pytest.mark.parametrize(
    ("marker", "output_format"),
    [
        ("typescript-header", "typescript"),
        ("typescript-envelope", "typescript"),
        ("python-envelope", "python"),
    ],
)
def test_the_docs_excerpts_are_what_the_command_writes(marker, output_format):
    assert doc_block(marker) in run_export(output_format)


@pytest.mark.parametrize(
    ("marker", "output_format"),
    [("deprecated-typescript", "typescript"), ("deprecated-python", "python")],
)
def test_deprecated_codes_are_marked(settings, marker, output_format):
    namespace = {}
    exec(doc_block("deprecated-settings"), namespace)
    settings.API_ERRORS = namespace["API_ERRORS"]
    text = run_export(output_format)
    assert doc_block(marker) in text
    if output_format == "typescript":
        entry = '{ since: "2.0", replacement: ErrorCode.VALIDATION_ERROR }'
        assert f"  [ErrorCode.CODE_68300009]: {entry}," in text
    else:
        assert '    CODE_68300009: {"since": "2.0", "replacement": VALIDATION_ERROR},' in text


def test_tricky_text_stays_in_its_literals_and_comments():
    typescript = run_export("typescript", *CASES["tricky"].arguments())
    python = run_export("python", *CASES["tricky"].arguments())
    assert "  /** 423: Ends a comment *\\/ opens one /* and // this */" in typescript
    assert '  [ErrorCode.NOT_FOUND_2]: "Line one\\nLine two\\r\\n\\ttabbed",' in typescript
    assert '    NOT_FOUND_2: "Line one\\nLine two\\r\\n\\ttabbed",' in python
    assert "   * @deprecated Since `1.0 *\\/ @since 'x'`: use `ErrorCode.NOT_FOUND`." in typescript
    assert (
        "\\u2028 \\u2029, bidi \\u202E, nul \\u0000, bell \\u0007, tag \\uDB40\\uDC01" in typescript
    )
    assert "\\u2028 \\u2029, bidi \\u202e, nul \\x00, bell \\x07, tag \\U000e0001" in python
    assert "lone \\uD800 surrogate" in typescript
    assert "lone \\ud800 surrogate" in python
    assert '"余额不足，调用失败！ 😀 café"' in typescript  # noqa: RUF001
    assert '"余额不足，调用失败！ 😀 café"' in python  # noqa: RUF001


def test_the_envelope_is_translated_from_the_styles_schema():
    """Every construct of ShapesStyle, and the per-status schemas that do not merge."""
    typescript = run_export("typescript", *CASES["shapes"].arguments())
    python = run_export("python", *CASES["shapes"].arguments())
    for line in (
        "export type ErrorEnvelope = ErrorEnvelope1 | ErrorEnvelope2;",
        "  nullable_text: string | null;",
        "  either: number | null;",
        "  ratio: number;",
        '  choice: "a" | 1 | 1.5 | true | null;',
        '  fixed: "always";',
        "  odd_enum: unknown;",
        "  anything: unknown;",
        "  elsewhere: unknown;",
        "  tags: Array<string | number>;",
        "  matrix: boolean[][];",
        "  untyped_list: unknown[];",
        "  any_items: unknown[];",
        "  repeated: string | number;",
        "  loose: unknown;",
        "  bag: Record<string, unknown>;",
        "  counts: Record<string, number>;",
        "  meta: ErrorEnvelope1Meta;",
        '  "@id"?: string;',
        "  rows: ErrorEnvelope1RowsItem[];",
        "  variant: ErrorEnvelope1Variant1 | string;",
        "  retry_in: number;",
    ):
        assert line in typescript.splitlines(), line
    assert "  retry_in: number;" not in typescript.split("export interface ErrorEnvelope2")[0]
    for block in (
        "ErrorEnvelope: TypeAlias = ErrorEnvelope1 | ErrorEnvelope2",
        '    choice: Literal["a", 1, True] | float | None',
        "    nullable_text: str | None",
        "    tags: list[str | int]",
        "    matrix: list[list[bool]]",
        "    counts: dict[str, int]",
        "    any_items: list[object]",
        "    repeated: str | int",
        "    loose: object",
        '_ErrorEnvelope1MetaRequired = TypedDict(\n    "_ErrorEnvelope1MetaRequired",\n'
        '    {\n        "class": str,\n        "str": int,\n    },\n)',
        '_ErrorEnvelope1MetaOptional = TypedDict(\n    "_ErrorEnvelope1MetaOptional",\n'
        '    {\n        "@id": str,\n    },\n    total=False,\n)',
        "class ErrorEnvelope1Meta(_ErrorEnvelope1MetaRequired, _ErrorEnvelope1MetaOptional):\n"
        "    pass",
        "class ErrorEnvelope1Mixed(_ErrorEnvelope1MixedRequired, total=False):\n    note: str",
        "class ErrorEnvelope1RowsItem(TypedDict, total=False):\n    n: int",
        'ErrorEnvelope1Links = TypedDict(\n    "ErrorEnvelope1Links",\n'
        '    {\n        "x-next": str,\n    },\n    total=False,\n)',
    ):
        assert block in python, block


def test_a_body_that_repeats_its_status_lists_every_status_of_the_catalog():
    doc = describe_errors(settings_with(style="problem"))
    statuses = " | ".join(str(row.status) for row in doc.statuses if row.errors)
    assert f"  status: {statuses};" in run_export("typescript", "--style", "problem")
    assert f"    status: Literal[{statuses.replace(' |', ',')}]" in run_export(
        "python", "--style", "problem"
    )


@pytest.mark.parametrize(
    ("preset", "formats", "reason"),
    [
        ("MISSING_REPLACEMENT", ["typescript", "python"], "'OLD' is deprecated in favour of 'NEW'"),
        ("EMPTY", ["typescript", "python"], "the catalog has no codes"),
        ("ONE_KEY", ["typescript"], "the codes 1 and '1' would be one key"),
    ],
)
def test_catalogs_no_module_can_describe_are_refused(preset, formats, reason):
    for output_format in formats:
        with pytest.raises(CommandError, match=re.escape(f"Cannot export the catalog: {reason}")):
            run_export(
                output_format,
                "--style",
                "problem",
                "--catalog",
                f"tests.test_client_exports.{preset}",
            )


def test_python_keeps_codes_that_would_clash_in_typescript():
    text = run_export(
        "python", "--style", "problem", "--catalog", "tests.test_client_exports.ONE_KEY"
    )
    assert "SERVER_ERROR: Final = 1" in text
    assert 'CODE_1: Final = "1"' in text


def test_the_installed_tsc_is_the_makefile_pin():
    tsc = require_tsc()
    pin = re.search(r"^TYPESCRIPT_PIN := typescript@(\S+)$", (ROOT / "Makefile").read_text(), re.M)
    version = subprocess.run([tsc, "--version"], capture_output=True, text=True, check=True).stdout
    assert version.split() == ["Version", pin.group(1)]
