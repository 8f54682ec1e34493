"""Text in generated source: string literals and comments that no message can break."""

from __future__ import annotations

import re
from collections.abc import Callable

# Escapes TypeScript and Python read alike.
SHORT_ESCAPES = {
    "\\": "\\\\",
    '"': '\\"',
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\b": "\\b",
    "\f": "\\f",
}


def quoted(text: str, escape: Callable[[int], str]) -> str:
    """``text`` as a double-quoted literal. Printable characters stay as they are, non-ASCII
    ones included; every other one (controls, line separators, bidirectional marks, lone
    surrogates) is written as ``escape(code point)``."""
    out = []
    for char in text:
        if char in SHORT_ESCAPES:
            out.append(SHORT_ESCAPES[char])
        elif char.isprintable():
            out.append(char)
        else:
            out.append(escape(ord(char)))
    return '"' + "".join(out) + '"'


def one_line(text: str) -> str:
    """``text`` for a comment: one line, whatever is not printable made a space."""
    spaced = "".join(char if char.isprintable() else " " for char in text)
    return re.sub(r" {2,}", " ", spaced).strip()
