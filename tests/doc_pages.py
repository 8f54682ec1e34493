"""The documentation as the consistency tests read it: README.md and the pages under docs/."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

PYTHON_BLOCK = re.compile(r"```python\n(.*?)```", re.S)


def read(document: str) -> str:
    """``document`` is a path from the repository root: ``README.md``, ``docs/settings.md``."""
    return (ROOT / document).read_text(encoding="utf-8")


def marked_text(document: str, marker: str) -> str:
    """What stands between ``<!-- marker -->`` and ``<!-- /marker -->``."""
    match = re.search(rf"<!-- {marker} -->\n(.*?)<!-- /{marker} -->", read(document), re.S)
    assert match, f"{document} has no {marker} table"
    return match.group(1)


def marked_table(document: str, marker: str) -> list[list[str]]:
    """Rows of the table between the markers, header dropped, cells stripped."""
    lines = [line for line in marked_text(document, marker).splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]


def python_block_after(document: str, heading: str) -> str:
    """The first Python block after the line ``heading``."""
    text = read(document)
    assert f"\n{heading}\n" in text, f"{document} has no heading {heading!r}"
    match = PYTHON_BLOCK.search(text.split(f"\n{heading}\n", 1)[1])
    assert match, f"{document} has no Python block after {heading!r}"
    return match.group(1)


def python_block_starting(document: str, first_line: str) -> str:
    """The Python block of ``document`` that starts with ``first_line``."""
    for block in PYTHON_BLOCK.findall(read(document)):
        if block.startswith(first_line):
            return block
    raise AssertionError(f"{document} has no Python block starting {first_line!r}")
