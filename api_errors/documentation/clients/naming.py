"""Names in the generated client modules: one constant per code, one type per object schema.

A string code is its own name (``NOT_FOUND``; ``billing/locked`` becomes ``BILLING_LOCKED``).
A numeric code has none in the catalog, so it is named after the first condition it answers
(in the order of ``Condition.ALL``): 68300004 answers ``validation_error`` and is
``VALIDATION_ERROR``. A code that answers no condition is ``CODE_68300006``. A name already
taken gets ``_2``, ``_3``, ... Every name is ASCII letters, digits and underscores and starts
with a letter, so it is an identifier in TypeScript and Python alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from api_errors.catalog.types import Catalog, Code, Condition

# The types every module defines, whatever the style.
CODE_TYPE = "ErrorCode"
FIELD_ERROR_TYPE = "FieldError"
ENVELOPE_TYPE = "ErrorEnvelope"
# Names the modules define or use themselves (see their templates), which no code or type
# may take.
RESERVED = frozenset(
    {
        # both modules
        CODE_TYPE,
        FIELD_ERROR_TYPE,
        ENVELOPE_TYPE,
        "ERROR_CODES",
        "MESSAGES",
        "HTTP_STATUS",
        "RETRYABLE",
        "DEPRECATED",
        "Deprecation",
        # TypeScript
        "isErrorCode",
        "Array",
        "Record",
        # Python
        "is_error_code",
        "Final",
        "Literal",
        "TypedDict",
        "TypeGuard",
        "TypeAlias",
    }
)


class Names:
    """Hands out each name once; a name asked for again comes back with a number."""

    def __init__(self, reserved: Iterable[str] = RESERVED) -> None:
        self.taken = set(reserved)

    def free(self, name: str) -> bool:
        return name not in self.taken

    def claim(self, wanted: str, separator: str = "_") -> str:
        name, number = wanted, 1
        while name in self.taken:
            number += 1
            name = f"{wanted}{separator}{number}"
        self.taken.add(name)
        return name


def words(text: str) -> list[str]:
    """The ASCII letters and digits of ``text``, as words."""
    return re.findall(r"[A-Za-z0-9]+", text)


def constant_name(text: str) -> str:
    """``"billing/locked"`` -> ``"BILLING_LOCKED"``; ``""`` when no word starts with a letter."""
    name = "_".join(words(text)).upper()
    return name if name[:1].isalpha() else ""


def type_name(text: str) -> str:
    """``"field_violations"`` -> ``"FieldViolations"``; ``"Field"`` when ``text`` has no words."""
    return "".join(word[:1].upper() + word[1:] for word in words(text)) or "Field"


def fallback_name(code: Code) -> str:
    if isinstance(code, int):
        return f"CODE_{code}" if code >= 0 else f"CODE_MINUS_{-code}"
    rest = "_".join(words(code)).upper()
    return f"CODE_{rest}" if rest else "CODE"


def _condition_order(condition: str) -> tuple[int, str]:
    known = condition in Condition.ALL
    return (Condition.ALL.index(condition) if known else len(Condition.ALL), condition)


def code_names(catalog: Catalog, names: Names) -> dict[Code, str]:
    """The constant's name for each code of ``catalog``, claimed from ``names``.

    String codes claim their own names first, so a number never takes the name of a string
    code it shares the catalog with.
    """
    answers: dict[Code, list[str]] = {}
    for condition in sorted(catalog.conditions, key=_condition_order):
        answers.setdefault(catalog.conditions[condition].code, []).append(condition)
    codes = list(dict.fromkeys(entry.code for entry in catalog.entries))
    found: dict[Code, str] = {}
    for code in codes:
        own = constant_name(code) if isinstance(code, str) else ""
        if own:
            found[code] = names.claim(own)
    for code in codes:
        if code in found:
            continue
        by_condition = (constant_name(condition) for condition in answers.get(code, ()))
        free = next((name for name in by_condition if name and names.free(name)), None)
        found[code] = names.claim(free or fallback_name(code))
    return {code: found[code] for code in codes}
