"""Redis, PostgreSQL and the compilers for the tests that need them.

In CI (``CI`` set) a missing service or tool fails the test; on a machine without it the
test is skipped with a one-line reason, so ``make test`` passes on a fresh machine.
"""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path
from typing import NoReturn

import pytest

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
POSTGRES_HOST, POSTGRES_PORT = "127.0.0.1", 5432
REDIS_URL = f"redis://{REDIS_HOST}:{REDIS_PORT}/15"
ROOT = Path(__file__).resolve().parent.parent
# Where `make typescript` (a step of `make pytest`) installs the pinned compiler.
TSC = ROOT / ".node" / "node_modules" / ".bin" / "tsc"
# The project's venv, which has mypy (the version matrix's venvs have only the test extra).
PROJECT_PYTHON = ROOT / ".venv" / "bin" / "python"


def reachable(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def missing(message: str) -> NoReturn:
    if os.environ.get("CI"):
        pytest.fail(f"{message}; CI provides it, so this is a failure")
    pytest.skip(message)


def require(name: str, host: str, port: int) -> None:
    if not reachable(host, port):
        missing(f"{name} is not reachable at {host}:{port}")


def require_redis() -> str:
    require("Redis", REDIS_HOST, REDIS_PORT)
    return REDIS_URL


def require_postgres() -> None:
    require("PostgreSQL", POSTGRES_HOST, POSTGRES_PORT)


def require_tsc() -> Path:
    """The TypeScript compiler that `make typescript` installs."""
    if not TSC.exists():
        missing(f"tsc is not installed at {TSC.relative_to(ROOT)} (make typescript needs npm)")
    return TSC


def require_mypy() -> Path:
    """The project venv's Python, which runs mypy as ``python -m mypy``."""
    found = PROJECT_PYTHON.exists() and (
        subprocess.run(
            [PROJECT_PYTHON, "-m", "mypy", "--version"], capture_output=True, check=False
        ).returncode
        == 0
    )
    if not found:
        missing(f"mypy is not installed in {PROJECT_PYTHON.relative_to(ROOT)} (make install)")
    return PROJECT_PYTHON


def redis_caches(
    backend: str = "django.core.cache.backends.redis.RedisCache", url: str = REDIS_URL
) -> dict[str, dict[str, str]]:
    return {"default": {"BACKEND": backend, "LOCATION": url}}
