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
    except ImportError as exc:  # pragma: no cover - the test environment has it
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
    if converted.pop("nullable", False) is True:
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


def validator(
    schema: Mapping[str, Any], *, components: Mapping[str, Any] | None = None, openapi: str = "3.0"
) -> Validate:
    """A function listing what in a body does not match ``schema``; ``components`` are what
    its ``#/components/...`` references point into."""
    jsonschema = _jsonschema()
    if openapi.startswith("3.0"):
        # OpenAPI 3.0's schema objects are a dialect of draft 4 (boolean exclusiveMinimum).
        root: dict[str, Any] = {"allOf": [for_responses(schema)]}
        if components is not None:
            root["components"] = for_responses(components)
        checker = jsonschema.Draft4Validator(root)
    else:
        root = {"allOf": [schema]}
        if components is not None:
            root["components"] = components
        checker = jsonschema.Draft202012Validator(root)

    def problems(body: Any) -> list[str]:
        found = sorted(checker.iter_errors(body), key=lambda error: list(error.absolute_path))
        return [f"{_location(error.absolute_path)}: {error.message}" for error in found]

    return problems


def _location(path: Any) -> str:
    parts = [str(part) for part in path]
    return "/".join(parts) if parts else "(the body)"
