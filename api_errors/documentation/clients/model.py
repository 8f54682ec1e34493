"""What a client module holds: the codes of the active catalog with their names, messages,
statuses, retry flags and deprecations, and the types of the active style's error body."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings as django_settings
from django.utils import translation

from api_errors.active import catalog_for, preset_for, style_for
from api_errors.catalog.types import CatalogEntry, Code
from api_errors.conf import APIErrorsSettings
from api_errors.documentation.clients.naming import (
    CODE_TYPE,
    ENVELOPE_TYPE,
    FIELD_ERROR_TYPE,
    Names,
    code_names,
)
from api_errors.documentation.clients.schema import (
    Named,
    ObjectType,
    Translator,
    TypeRef,
    union_schema,
)
from api_errors.documentation.describe import entries_by_status
from api_errors.styles.base import FIELD_ERROR_SCHEMA


class NotExportable(ValueError):
    """The catalog cannot be written as a client module."""


@dataclass(frozen=True)
class ClientCode:
    """One code as the module writes it: its constant's name and what the catalog says."""

    name: str
    code: Code
    message: str
    http_status: int
    retryable: bool
    # A deprecated code's: since when, and the constant's name of the code replacing it.
    deprecated_since: str | None = None
    replacement: str | None = None


@dataclass(frozen=True)
class ClientExport:
    style: str
    catalog: str
    language: str
    codes: tuple[ClientCode, ...]
    # The object types of the error body, each after the types it uses.
    definitions: tuple[ObjectType, ...]
    # The error body's type: ``Named(ENVELOPE_TYPE)`` when it is one object type.
    envelope: TypeRef

    @property
    def deprecated(self) -> tuple[ClientCode, ...]:
        return tuple(code for code in self.codes if code.deprecated_since is not None)

    @property
    def envelope_is_alias(self) -> bool:
        return self.envelope != Named(ENVELOPE_TYPE)

    def descriptions(self) -> dict[str, str]:
        """What the module says of the types it defines by name."""
        return {
            ENVELOPE_TYPE: f'The body of an error response in the "{self.style}" style.',
            FIELD_ERROR_TYPE: "One problem of a request that failed validation.",
        }

    def source(self) -> str:
        """Where the module comes from, for its header."""
        return (
            f'the "{self.catalog}" catalog and the "{self.style}" style, messages in '
            f"{self.language}"
        )


def client_export(conf: APIErrorsSettings) -> ClientExport:
    """The module's content for ``conf``, messages in the active language.

    Raises ``NotExportable`` for a catalog without codes, or with a deprecated code whose
    replacement is not in the catalog.
    """
    style, catalog = style_for(conf), catalog_for(conf)
    if not catalog.entries:
        raise NotExportable("the catalog has no codes")
    names = Names()
    named = code_names(catalog, names)
    codes = tuple(_client_code(catalog.by_code[code], named) for code in named)
    code_schema = style.code_schema(list(named))
    translator = Translator(
        names,
        shared=[(code_schema, CODE_TYPE), (FIELD_ERROR_SCHEMA, FIELD_ERROR_TYPE)],
        predefined=[CODE_TYPE],
    )
    schemas = [style.error_schema(status, code_schema) for status in entries_by_status(catalog)]
    envelope = translator.type_of(union_schema(schemas), ENVELOPE_TYPE, name=ENVELOPE_TYPE)
    return ClientExport(
        style=style.name,
        catalog=preset_for(conf).name,
        language=translation.get_language() or django_settings.LANGUAGE_CODE,
        codes=codes,
        definitions=tuple(translator.definitions),
        envelope=envelope,
    )


def _client_code(entry: CatalogEntry, named: dict[Code, str]) -> ClientCode:
    deprecated, replacement = entry.deprecated, None
    if deprecated is not None and deprecated.replacement is not None:
        replacement = named.get(deprecated.replacement)
        if replacement is None:
            raise NotExportable(
                f"{entry.code!r} is deprecated in favour of {deprecated.replacement!r}, which "
                "is not in the catalog"
            )
    return ClientCode(
        name=named[entry.code],
        code=entry.code,
        message=str(entry.message),
        http_status=entry.http_status,
        retryable=entry.retryable,
        deprecated_since=None if deprecated is None else str(deprecated.since),
        replacement=replacement,
    )
