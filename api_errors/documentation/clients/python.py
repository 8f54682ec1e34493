"""The catalog as a Python module: ``manage.py api_errors_catalog --format python``.

The module runs on Python 3.10 and passes ``mypy --strict``: its body types are
``TypedDict`` classes (optional keys through ``total=False``), written in the functional
form when a key is no identifier (``"@type"``) or would shadow a name the class uses.
"""

from __future__ import annotations

import keyword
from collections.abc import Callable

from api_errors.documentation.clients.model import ClientCode, ClientExport
from api_errors.documentation.clients.naming import ENVELOPE_TYPE, RESERVED
from api_errors.documentation.clients.schema import (
    ArrayOf,
    Field,
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

TEMPLATE = "api_errors/clients/errors.py-tpl"
INDENT = "    "
IMPORTS = ("Final", "Literal", "TypeGuard", "TypedDict")
PRIMITIVES = {
    "string": "str",
    "integer": "int",
    "number": "float",
    "boolean": "bool",
    "null": "None",
    "unknown": "object",
}
# Names a class body's annotations use: a key of the same name would shadow them.
ANNOTATION_NAMES = frozenset({*PRIMITIVES.values(), "list", "dict", *RESERVED})


def _escape(point: int) -> str:
    if point < 0x100:
        return f"\\x{point:02x}"
    if point < 0x10000:
        return f"\\u{point:04x}"
    return f"\\U{point:08x}"


def string(text: str) -> str:
    return quoted(text, _escape)


def literal(value: LiteralValue) -> str:
    if isinstance(value, str):
        return string(value)
    return repr(value)


def type_text(ref: TypeRef) -> str:
    if isinstance(ref, Primitive):
        return PRIMITIVES[ref.kind]
    if isinstance(ref, Literals):
        return _literals(ref.values)
    if isinstance(ref, ArrayOf):
        return f"list[{type_text(ref.item)}]"
    if isinstance(ref, MapOf):
        return f"dict[str, {type_text(ref.value)}]"
    if isinstance(ref, Named):
        return ref.name
    members = [type_text(member) for member in ref.members]
    # None last, as optional types are written.
    return " | ".join(sorted(members, key=lambda member: member == "None"))


def _literals(values: tuple[LiteralValue, ...]) -> str:
    """Literal[...] holds no floats and no None: those become ``float`` and ``None``."""
    exact = [value for value in values if value is not None and not isinstance(value, float)]
    parts = [f"Literal[{', '.join(literal(value) for value in exact)}]"] if exact else []
    if any(isinstance(value, float) for value in values):
        parts.append("float")
    if None in values:
        parts.append("None")
    return " | ".join(parts)


def _class_keys(fields: tuple[Field, ...], shadowed: frozenset[str]) -> bool:
    """Whether the keys can be written as a class body's annotations."""
    return all(
        field.key.isidentifier()
        and field.key.isascii()
        and not keyword.iskeyword(field.key)
        and not field.key.startswith("__")
        and field.key not in shadowed
        for field in fields
    )


def _part(
    name: str, bases: str, fields: tuple[Field, ...], *, total: bool, shadowed: frozenset[str]
) -> str:
    """One ``TypedDict``: a class when its keys allow, else the functional form."""
    if _class_keys(fields, shadowed):
        arguments = bases if total else f"{bases}, total=False"
        body = [f"{INDENT}{field.key}: {type_text(field.type)}" for field in fields]
        return "\n".join([f"class {name}({arguments}):", *body])
    lines = [f"{name} = TypedDict(", f"{INDENT}{string(name)},", INDENT + "{"]
    lines += [f"{INDENT * 2}{string(field.key)}: {type_text(field.type)}," for field in fields]
    lines.append(INDENT + "},")
    if not total:
        lines.append(f"{INDENT}total=False,")
    return "\n".join([*lines, ")"])


def described(text: str | None, declaration: str) -> str:
    return f"# {one_line(text)}\n{declaration}" if text else declaration


def typed_dict(definition: ObjectType, shadowed: frozenset[str], description: str | None) -> str:
    """The definition as one ``TypedDict``, or when it has required and optional keys, as a
    class of the optional ones over a base of the required ones."""
    required, optional, name = definition.required, definition.optional, definition.name
    if not optional or not required:
        whole = _part(name, "TypedDict", definition.fields, total=not optional, shadowed=shadowed)
        return described(description, whole)
    base = f"_{name}Required"
    parts = [_part(base, "TypedDict", required, total=True, shadowed=shadowed)]
    if _class_keys(optional, shadowed):
        last = _part(name, base, optional, total=False, shadowed=shadowed)
    else:
        extra = f"_{name}Optional"
        parts.append(_part(extra, "TypedDict", optional, total=False, shadowed=shadowed))
        last = f"class {name}({base}, {extra}):\n{INDENT}pass"
    return "\n\n\n".join([*parts, described(description, last)])


def constant(code: ClientCode) -> str:
    lines = [f"# {code.http_status}: {one_line(code.message)}"]
    if code.deprecated_since is not None:
        note = f"# Deprecated since {one_line(code.deprecated_since)}"
        lines.append(note + (f": use {code.replacement}." if code.replacement else "."))
    return "\n".join([*lines, f"{code.name}: Final = {literal(code.code)}"])


def by_code(codes: tuple[ClientCode, ...], value: Callable[[ClientCode], str]) -> str:
    """A dict literal keyed by the codes, through their constants."""
    lines = [f"{INDENT}{code.name}: {value(code)}," for code in codes]
    return "{\n" + "\n".join(lines) + "\n}" if lines else "{}"


def deprecation(code: ClientCode) -> str:
    since = string(code.deprecated_since or "")
    return f'{{"since": {since}, "replacement": {code.replacement or "None"}}}'


def render_python(export: ClientExport) -> str:
    codes = export.codes
    shadowed = ANNOTATION_NAMES | {definition.name for definition in export.definitions}
    descriptions = export.descriptions()
    types = [
        typed_dict(definition, shadowed, descriptions.get(definition.name))
        for definition in export.definitions
    ]
    imports = list(IMPORTS)
    if export.envelope_is_alias:
        imports.append("TypeAlias")
        alias = f"{ENVELOPE_TYPE}: TypeAlias = {type_text(export.envelope)}"
        types.append(described(descriptions[ENVELOPE_TYPE], alias))
    text = render_sample(
        TEMPLATE,
        source=one_line(export.source()),
        imports=", ".join(sorted(imports)),
        literals="\n".join(f"{INDENT}{literal(code.code)}," for code in codes),
        constants="\n\n".join(constant(code) for code in codes),
        code_list="\n".join(f"{INDENT}{code.name}," for code in codes),
        messages=by_code(codes, lambda code: literal(code.message)),
        statuses=by_code(codes, lambda code: literal(code.http_status)),
        retryable=by_code(codes, lambda code: literal(code.retryable)),
        deprecated=by_code(export.deprecated, deprecation),
        types="\n\n\n".join(types),
    )
    return text + "\n"
