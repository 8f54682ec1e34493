"""The catalog as a TypeScript module: ``manage.py api_errors_catalog --format typescript``."""

from __future__ import annotations

import re
from collections.abc import Callable

from api_errors.catalog.types import Code
from api_errors.documentation.clients.model import ClientCode, ClientExport, NotExportable
from api_errors.documentation.clients.naming import CODE_TYPE, ENVELOPE_TYPE
from api_errors.documentation.clients.schema import (
    ArrayOf,
    Literals,
    LiteralValue,
    MapOf,
    Named,
    ObjectType,
    Primitive,
    TypeRef,
)
from api_errors.documentation.clients.text import one_line, quoted
from api_errors.documentation.templates import render_sample

TEMPLATE = "api_errors/clients/errors.ts-tpl"
INDENT = "  "
PRIMITIVES = {
    "string": "string",
    "integer": "number",
    "number": "number",
    "boolean": "boolean",
    "null": "null",
    "unknown": "unknown",
}
IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")


def _escape(point: int) -> str:
    """A character as JavaScript strings hold it: UTF-16, so outside the BMP a surrogate pair."""
    if point > 0xFFFF:
        point -= 0x10000
        return f"\\u{0xD800 + (point >> 10):04X}\\u{0xDC00 + (point & 0x3FF):04X}"
    return f"\\u{point:04X}"


def string(text: str) -> str:
    return quoted(text, _escape)


def comment(text: str) -> str:
    """Text for a ``/** ... */`` comment: one line that cannot close the comment."""
    return one_line(text).replace("*/", "*\\/")


def literal(value: LiteralValue) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return string(value)
    return repr(value)


def type_text(ref: TypeRef) -> str:
    if isinstance(ref, Primitive):
        return PRIMITIVES[ref.kind]
    if isinstance(ref, Literals):
        return " | ".join(literal(value) for value in ref.values)
    if isinstance(ref, ArrayOf):
        item = type_text(ref.item)
        return f"{item}[]" if re.fullmatch(r"[\w$]+(\[\])*", item) else f"Array<{item}>"
    if isinstance(ref, MapOf):
        return f"Record<string, {type_text(ref.value)}>"
    if isinstance(ref, Named):
        return ref.name
    return " | ".join(type_text(member) for member in ref.members)


def key(name: str) -> str:
    return name if IDENTIFIER.fullmatch(name) else string(name)


def described(text: str | None, declaration: str) -> str:
    return f"/** {comment(text)} */\n{declaration}" if text else declaration


def interface(definition: ObjectType) -> str:
    lines = [f"export interface {definition.name} {{"]
    for field in definition.fields:
        mark = "" if field.required else "?"
        lines.append(f"{INDENT}{key(field.key)}{mark}: {type_text(field.type)};")
    return "\n".join([*lines, "}"])


def code_member(code: ClientCode) -> str:
    notes = [f"{code.http_status}: {comment(code.message)}"]
    if code.deprecated_since is not None:
        since = comment(code.deprecated_since).replace("`", "'")
        # Inside backquotes an "@" cannot start another tag.
        text = f"@deprecated Since `{since}`"
        if code.replacement:
            text += f": use `{member(code.replacement)}`"
        notes.append(text + ".")
    if len(notes) == 1:
        doc = [f"{INDENT}/** {notes[0]} */"]
    else:
        doc = [f"{INDENT}/**", *(f"{INDENT} * {note}" for note in notes), f"{INDENT} */"]
    return "\n".join([*doc, f"{INDENT}{code.name}: {literal(code.code)},"])


def member(name: str) -> str:
    """A code's constant, as the module refers to it."""
    return f"{CODE_TYPE}.{name}"


def by_code(codes: tuple[ClientCode, ...], value: Callable[[ClientCode], str]) -> str:
    """An object literal keyed by the codes, through their constants."""
    lines = [f"{INDENT}[{member(code.name)}]: {value(code)}," for code in codes]
    return "{\n" + "\n".join(lines) + "\n}" if lines else "{}"


def deprecation(code: ClientCode) -> str:
    replacement = member(code.replacement) if code.replacement else "null"
    return f"{{ since: {string(code.deprecated_since or '')}, replacement: {replacement} }}"


def _one_key_each(codes: tuple[ClientCode, ...]) -> None:
    """The maps are objects, whose keys are text: 1 and "1" would be one key."""
    seen: dict[str, Code] = {}
    for code in codes:
        text = str(code.code)
        if text in seen:
            raise NotExportable(
                f"the codes {seen[text]!r} and {code.code!r} would be one key of a TypeScript "
                "object"
            )
        seen[text] = code.code


def render_typescript(export: ClientExport) -> str:
    codes = export.codes
    _one_key_each(codes)
    descriptions = export.descriptions()
    types = [
        described(descriptions.get(definition.name), interface(definition))
        for definition in export.definitions
    ]
    if export.envelope_is_alias:
        alias = f"export type {ENVELOPE_TYPE} = {type_text(export.envelope)};"
        types.append(described(descriptions[ENVELOPE_TYPE], alias))
    text = render_sample(
        TEMPLATE,
        source=one_line(export.source()),
        members="\n".join(code_member(code) for code in codes),
        code_list="\n".join(f"{INDENT}{member(code.name)}," for code in codes),
        messages=by_code(codes, lambda code: literal(code.message)),
        statuses=by_code(codes, lambda code: literal(code.http_status)),
        retryable=by_code(codes, lambda code: literal(code.retryable)),
        deprecated=by_code(export.deprecated, deprecation),
        types="\n\n".join(types),
    )
    return text + "\n"
