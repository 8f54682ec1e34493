"""JSON Schema, as a style declares it for OpenAPI, translated into types a client module writes.

The translation knows the subset that error bodies need: ``type`` (a name or a list of
names), ``enum``, ``const``, ``properties`` with ``required``, ``items``,
``additionalProperties``, ``anyOf``, ``oneOf`` and OpenAPI's ``nullable``. Anything else
becomes the type that accepts every value (``unknown``, ``object``): less precise, never
wrong.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from api_errors.documentation.clients.naming import Names, type_name

LiteralValue = str | int | float | bool | None


@dataclass(frozen=True)
class Primitive:
    """A JSON type: ``string``, ``integer``, ``number``, ``boolean``, ``null``, or ``unknown``."""

    kind: str


STRING = Primitive("string")
UNKNOWN = Primitive("unknown")
PRIMITIVES = {kind: Primitive(kind) for kind in ("string", "integer", "number", "boolean", "null")}
NULL = PRIMITIVES["null"]


@dataclass(frozen=True)
class Literals:
    """Exactly these values (an ``enum`` or a ``const``)."""

    values: tuple[LiteralValue, ...]


@dataclass(frozen=True)
class ArrayOf:
    item: TypeRef


@dataclass(frozen=True)
class MapOf:
    """An object without declared properties: any keys, each value of one type."""

    value: TypeRef


@dataclass(frozen=True)
class Named:
    """A type the module defines by name: an object type, or the code union."""

    name: str


@dataclass(frozen=True)
class UnionOf:
    members: tuple[TypeRef, ...]


TypeRef = Primitive | Literals | ArrayOf | MapOf | Named | UnionOf


@dataclass(frozen=True)
class Field:
    key: str
    type: TypeRef
    required: bool


@dataclass(frozen=True)
class ObjectType:
    """An object schema with properties: an ``interface`` or a ``TypedDict``."""

    name: str
    fields: tuple[Field, ...]

    @property
    def required(self) -> tuple[Field, ...]:
        return tuple(field for field in self.fields if field.required)

    @property
    def optional(self) -> tuple[Field, ...]:
        return tuple(field for field in self.fields if not field.required)


def same(first: Any, second: Any) -> bool:
    """Equal as JSON: ``True`` and ``1`` differ, as they do for clients."""
    return _as_json(first) == _as_json(second)


def _as_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


class _Unmergeable(Exception):
    pass


def _merged(first: Any, second: Any) -> Any:
    """``first`` and ``second`` as one schema when they differ only in ``enum`` lists."""
    if same(first, second):
        return first
    if not (isinstance(first, dict) and isinstance(second, dict)) or first.keys() != second.keys():
        raise _Unmergeable
    merged: dict[str, Any] = {}
    for key, value in first.items():
        other = second[key]
        if key == "enum" and isinstance(value, list) and isinstance(other, list):
            merged[key] = _unique([*value, *other])
        else:
            merged[key] = _merged(value, other)
    return merged


def _unique(values: Iterable[Any]) -> list[Any]:
    seen: dict[str, Any] = {}
    for value in values:
        seen.setdefault(_as_json(value), value)
    return list(seen.values())


def union_schema(schemas: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """One schema for bodies that follow any of ``schemas`` (a style's, one per status).
    Schemas that differ only in an ``enum`` (the status a body repeats) become one schema
    with the values together; the others stay alternatives (``anyOf``)."""
    alternatives: list[dict[str, Any]] = []
    for schema in schemas:
        for index, known in enumerate(alternatives):
            try:
                alternatives[index] = _merged(known, schema)
            except _Unmergeable:
                continue
            break
        else:
            alternatives.append(schema)
    return alternatives[0] if len(alternatives) == 1 else {"anyOf": alternatives}


def union(members: Iterable[TypeRef]) -> TypeRef:
    """The union of ``members``, flat and without repeats; one member is itself."""
    flat: list[TypeRef] = []
    for member in members:
        for each in member.members if isinstance(member, UnionOf) else (member,):
            if each not in flat:
                flat.append(each)
    if UNKNOWN in flat:
        return UNKNOWN
    return flat[0] if len(flat) == 1 else UnionOf(tuple(flat))


def _scalar(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    return value is None or isinstance(value, str | int)


def literals(values: Sequence[Any]) -> TypeRef:
    if not values or not all(_scalar(value) for value in values):
        return UNKNOWN
    return Literals(tuple(_unique(values)))


class Translator:
    """Translates schemas into type references, defining an object type for each object
    schema with properties (in ``definitions``, each after the types it uses).

    ``shared`` pairs schemas with the name of their type: the code schema with the code
    union, the field-error schema with ``FieldError``. A schema equal to one of them is
    that type; the ones named in ``predefined`` are written by the module itself, the
    others are defined where first used.
    """

    def __init__(
        self,
        names: Names,
        shared: Sequence[tuple[dict[str, Any], str]],
        predefined: Iterable[str] = (),
    ) -> None:
        self.names = names
        self.shared = shared
        self.defined = set(predefined)
        self.definitions: list[ObjectType] = []

    def type_of(self, schema: Any, hint: str, name: str | None = None) -> TypeRef:
        """The type of ``schema``; an object type is called ``name``, or after ``hint``."""
        if not isinstance(schema, dict):
            return UNKNOWN
        for known, shared_name in self.shared:
            if same(schema, known):
                if shared_name not in self.defined:
                    self.defined.add(shared_name)
                    self._bare(known, shared_name, shared_name)
                return Named(shared_name)
        found = self._bare(schema, hint, name)
        return union([found, NULL]) if schema.get("nullable") is True else found

    def _bare(self, schema: dict[str, Any], hint: str, name: str | None) -> TypeRef:
        if "const" in schema:
            return literals([schema["const"]])
        if "enum" in schema:
            enum = schema["enum"]
            return literals(enum) if isinstance(enum, list) else UNKNOWN
        for keyword in ("anyOf", "oneOf"):
            if isinstance(schema.get(keyword), list):
                return union(
                    self.type_of(member, f"{hint}{index}")
                    for index, member in enumerate(schema[keyword], 1)
                )
        kind = schema.get("type")
        if isinstance(kind, list):
            return union(self._bare({**schema, "type": each}, hint, name) for each in kind)
        if kind == "array":
            return ArrayOf(self.type_of(schema.get("items", {}), hint + "Item"))
        if kind == "object" or (kind is None and "properties" in schema):
            return self._object(schema, hint, name)
        if isinstance(kind, str) and kind in PRIMITIVES:
            return PRIMITIVES[kind]
        return UNKNOWN

    def _object(self, schema: dict[str, Any], hint: str, name: str | None) -> TypeRef:
        properties = schema.get("properties")
        if not isinstance(properties, dict) or not properties:
            extra = schema.get("additionalProperties")
            return MapOf(
                self.type_of(extra, hint + "Value") if isinstance(extra, dict) else UNKNOWN
            )
        name = name or self.names.claim(hint, separator="")
        listed = schema.get("required")
        required = set(listed) if isinstance(listed, list) else set()
        fields = tuple(
            Field(str(key), self.type_of(value, name + type_name(str(key))), key in required)
            for key, value in properties.items()
        )
        self.definitions.append(ObjectType(name, fields))
        return Named(name)
