"""The version matrix: each Python 3.10-3.13 against the Django and DRF releases it supports.

Every cell runs the fast tests (``-m "not slow"``); ``make test`` runs the whole suite
on the default Python. ``make matrix`` (or ``nox``) runs all cells, and
``nox -s "tests(python='3.12', django='6.1')"`` one of them.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import nox

# (Django, the DRF that supports it, the Pythons that Django supports)
RELEASES = {
    "4.2": ("django>=4.2,<5", "djangorestframework>=3.15,<3.18", ["3.10", "3.11", "3.12"]),
    "5.2": ("django>=5.2,<6", "djangorestframework>=3.16", ["3.10", "3.11", "3.12", "3.13"]),
    "6.1": ("django>=6.1,<6.2", "djangorestframework>=3.16", ["3.12", "3.13"]),
}
CELLS = [(python, django) for django, (_, _, pythons) in RELEASES.items() for python in pythons]

# uv installs each cell in seconds; plain venv and pip where it is missing.
nox.options.default_venv_backend = "uv|venv"
nox.options.reuse_existing_virtualenvs = True


def _pyenv_pythons() -> None:
    """Let pyenv's shims answer for every installed Python (``python3.12`` and so on)."""
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    if "PYENV_VERSION" in os.environ or not shutil.which("pyenv") or not root.is_dir():
        return
    versions = sorted(path.name for path in root.iterdir() if path.name.startswith("3."))
    os.environ["PYENV_VERSION"] = ":".join(versions)


_pyenv_pythons()


@nox.session
@nox.parametrize(("python", "django"), CELLS)
def tests(session: nox.Session, django: str) -> None:
    django_spec, drf_spec, _ = RELEASES[django]
    session.install("-e", ".[test]", django_spec, drf_spec)
    session.run("python", "-m", "django", "--version")
    session.run("python", "-m", "pytest", "-q", "-m", "not slow", "-p", "no:cacheprovider")
