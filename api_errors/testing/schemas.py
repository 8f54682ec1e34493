"""JSON Schema validation of response bodies, for the assertion and for contract mode.

jsonschema is imported when a body is first validated, so the pytest plugin loads in
projects that did not install the ``testing`` extra.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

INSTALL_HINT = "install api-errors[testing] (it brings jsonschema and drf-spectacular)"

Validate = Callable[[Any], list[str]]


def _jsonschema() -> Any:
    try:
        import jsonschema
    except ImportError as exc:
        raise ImportError(
            f"api_errors.testing validates bodies with jsonschema: {INSTALL_HINT}"
        ) from exc
    return jsonschema


def for_responses(schema: Any) -> Any:
    """An OpenAPI 3.0 schema as the JSON Schema a response body must match: ``nullable``
    admits ``null``, and a ``writeOnly`` property is never required of a response."""
    if isinstance(schema, list):
        return [for_responses(item) for item in schema]
    if not isinstance(schema, Mapping):
        return schema
    converted = {key: for_responses(value) for key, value in schema.items()}
    properties = converted.get("properties")
    required = converted.get("required")
    if isinstance(properties, Mapping) and isinstance(required, list):
        converted["required"] = [
            name
            for name in required
            if not (isinstance(properties.get(name), Mapping) and properties[name].get("writeOnly"))
        ]
    # Only the keyword: a property named "nullable" is a schema, not True.
    if converted.get("nullable") is True:
        del converted["nullable"]
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


def validator(
    schema: Mapping[str, Any], *, components: Mapping[str, Any] | None = None, openapi: str = "3.0"
) -> Validate:
    """A function listing what in a body does not match ``schema``; ``components`` are what
    its ``#/components/...`` references point into."""
    jsonschema = _jsonschema()
    # OpenAPI 3.0's schema objects are a dialect of draft 4 (boolean exclusiveMinimum);
    # 3.1's are JSON Schema 2020-12 as they stand.
    oas30 = openapi.startswith("3.0")
    read = for_responses if oas30 else _as_written
    root: dict[str, Any] = {"allOf": [read(schema)]}
    if components is not None:
        root["components"] = read(components)
    checker = (jsonschema.Draft4Validator if oas30 else jsonschema.Draft202012Validator)(root)

    def problems(body: Any) -> list[str]:
        found = sorted(checker.iter_errors(body), key=lambda error: _location(error.absolute_path))
        return [f"{_location(error.absolute_path)}: {error.message}" for error in found]

    return problems


def _as_written(schema: Any) -> Any:
    return schema


def _location(path: Any) -> str:
    parts = [str(part) for part in path]
    return "/".join(parts) if parts else "(the body)"
