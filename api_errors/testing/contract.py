"""Contract mode: a response to an operation of the generated OpenAPI schema must be one
that operation documents (status, required headers, body).

The schema is drf-spectacular's for the request's URLconf, generated once per URLconf and
settings that shape it, and read as a client reads it: the request's method and path
pick the operation by its path template (``/api/items/{id}/``), literal segments first.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from api_errors.conf import SETTING_NAME
from api_errors.testing.report import describe_response, parsed_body
from api_errors.testing.schemas import Validate, validator

PARAMETER = re.compile(r"\{[^/{}]+\}")


def generate_schema(urlconf: Any) -> dict[str, Any]:
    """drf-spectacular's schema for ``urlconf``, through JSON as a client reads it."""
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.settings import spectacular_settings

    generator_class = spectacular_settings.DEFAULT_GENERATOR_CLASS
    # Its warnings belong to `manage.py spectacular`, not to every test's output.
    with GENERATOR_STATS.silence():
        schema = generator_class(urlconf=urlconf).get_schema(request=None, public=True)
    return json.loads(json.dumps(schema, default=str))  # type: ignore[no-any-return]


def schema_settings() -> tuple[str, str]:
    """What the generated schema depends on beyond the URLconf, as comparable values: the
    settings that shape its operations (DRF's and drf-spectacular's), and ``API_ERRORS``,
    which shapes only their error responses."""
    from drf_spectacular.settings import SPECTACULAR_DEFAULTS, spectacular_settings

    operations = (
        getattr(settings, "REST_FRAMEWORK", None),
        # Whether the correlation header is required (api_errors.openapi).
        getattr(settings, "MIDDLEWARE", None),
        # drf-spectacular's settings object, which tests may patch directly.
        [getattr(spectacular_settings, name) for name in SPECTACULAR_DEFAULTS],
    )
    return repr(operations), repr(getattr(settings, SETTING_NAME, None))


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    spec: Mapping[str, Any]

    @property
    def name(self) -> str:
        operation_id = self.spec.get("operationId", "(no operationId)")
        return f"{operation_id} ({self.method.upper()} {self.path})"


def _template_pattern(template: str) -> re.Pattern[str]:
    parts = PARAMETER.split(template)
    return re.compile("[^/]+".join(re.escape(part) for part in parts))


class Contract:
    """One generated schema: its operations by path template, and the body validators
    built for it as responses need them."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document
        self.openapi = str(document.get("openapi", "3.0.3"))
        paths: Mapping[str, Any] = document.get("paths") or {}
        # Literal segments first: /items/search/ before /items/{id}/.
        ordered = sorted(paths, key=lambda t: (len(PARAMETER.findall(t)), -len(t), t))
        self.templates = [(_template_pattern(t), t, paths[t]) for t in ordered]
        self._validators: dict[tuple[str, str, str, str], Validate] = {}

    def operation(self, method: str, path: str) -> Operation | None:
        method = method.lower()
        for pattern, template, item in self.templates:
            if pattern.fullmatch(path):
                spec = item.get(method)
                return None if spec is None else Operation(method, template, spec)
        return None

    def resolved(self, value: Any) -> Any:
        """``value``, or what its local ``$ref`` points to."""
        while isinstance(value, Mapping) and isinstance(value.get("$ref"), str):
            target: Any = self.document
            for part in value["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            value = target
        return value

    def problems(self, operation: Operation, response: Any) -> list[str]:
        """What about ``response`` the operation does not document; empty when it does."""
        status = str(response.status_code)
        responses: Mapping[str, Any] = operation.spec.get("responses") or {}
        key = next((key for key in (status, f"{status[0]}XX", "default") if key in responses), None)
        if key is None:
            documented = ", ".join(responses) or "none"
            return [f"HTTP {status} is not documented (documented: {documented})"]
        documented = self.resolved(responses[key])
        found = [
            f"the required header {name} is missing"
            for name, header in (documented.get("headers") or {}).items()
            if self.resolved(header).get("required") and not response.has_header(name)
        ]
        return found + self._body_problems(operation, key, documented, response)

    def _body_problems(
        self, operation: Operation, key: str, documented: Mapping[str, Any], response: Any
    ) -> list[str]:
        content: Mapping[str, Any] = documented.get("content") or {}
        streaming = getattr(response, "streaming", False)
        if not content:
            if not streaming and response.content:
                return ["the schema documents no body, yet the response has one"]
            return []
        content_type = response.get("Content-Type", "")
        media_type = content_type.split(";", 1)[0].strip().lower()
        chosen = next(
            (
                name
                for name in (media_type, media_type.split("/", 1)[0] + "/*", "*/*")
                if name in content
            ),
            None,
        )
        if chosen is None:
            listed = ", ".join(content)
            return [f"Content-Type {content_type or '(none)'} is not documented ({listed})"]
        schema = content[chosen].get("schema")
        if schema is None or streaming or not is_json(media_type):
            return []
        body, unparsed = parsed_body(response)
        if unparsed is not None:
            return [f"the body is not JSON ({unparsed})"]
        return self._validator(operation, key, chosen, schema)(body)

    def _validator(
        self, operation: Operation, key: str, media_type: str, schema: Mapping[str, Any]
    ) -> Validate:
        cache_key = (operation.method, operation.path, key, media_type)
        found = self._validators.get(cache_key)
        if found is None:
            components = self.document.get("components")
            found = validator(schema, components=components, openapi=self.openapi)
            self._validators[cache_key] = found
        return found


def is_json(media_type: str) -> bool:
    return media_type == "application/json" or media_type.endswith("+json")


class ContractChecker:
    """Checks responses against the schema of their request's URLconf."""

    def __init__(self) -> None:
        self._contracts: dict[tuple[Any, str, str], Contract] = {}
        # Whether a request is to an operation does not depend on API_ERRORS: a response to
        # none needs no schema generated for the API_ERRORS of its test.
        self._operations: dict[tuple[Any, str], Contract] = {}

    def contract_for(self, urlconf: Any, shaping: tuple[str, str] | None = None) -> Contract | str:
        """The contract for ``urlconf`` under the current settings, or why there is none."""
        operations, api_errors = shaping or schema_settings()
        key = (urlconf, operations, api_errors)
        found = self._contracts.get(key)
        if found is None:
            try:
                found = Contract(generate_schema(urlconf))
            except Exception as exc:
                # Not kept: what broke it may be a test's doing, undone when the test ends.
                return f"the OpenAPI schema of {urlconf!r} could not be generated: {exc!r}"
            self._contracts[key] = found
            self._operations.setdefault((urlconf, operations), found)
        return found

    def check(self, response: Any) -> str | None:
        """A failure message when ``response`` breaks its operation's contract, else
        ``None`` (also for a request that matches no operation: not an API response)."""
        request = getattr(response, "wsgi_request", None) or getattr(response, "asgi_request", None)
        if request is None:
            return None
        urlconf = getattr(request, "urlconf", None) or settings.ROOT_URLCONF
        shaping = schema_settings()
        known = self._operations.get((urlconf, shaping[0]))
        if known is not None and known.operation(request.method, request.path_info) is None:
            return None
        contract = self.contract_for(urlconf, shaping)
        if isinstance(contract, str):
            return contract
        operation = contract.operation(request.method, request.path_info)
        if operation is None:
            return None
        problems = contract.problems(operation, response)
        if not problems:
            return None
        lines = [f"{operation.name} answered what its OpenAPI schema does not document:"]
        lines += [f"  - {problem}" for problem in problems]
        lines += describe_response(response)
        return "\n".join(lines)
