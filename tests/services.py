"""Redis and PostgreSQL for the tests that need them.

In CI (``CI`` set) a missing service fails the test; on a machine without it the test is
skipped with a one-line reason, so ``make test`` passes on a fresh machine.
"""

from __future__ import annotations

import os
import socket

import pytest

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
POSTGRES_HOST, POSTGRES_PORT = "127.0.0.1", 5432
REDIS_URL = f"redis://{REDIS_HOST}:{REDIS_PORT}/15"


def reachable(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def require(name: str, host: str, port: int) -> None:
    if reachable(host, port):
        return
    message = f"{name} is not reachable at {host}:{port}"
    if os.environ.get("CI"):
        pytest.fail(f"{message}; CI provides it, so this is a failure")
    pytest.skip(message)


def require_redis() -> str:
    require("Redis", REDIS_HOST, REDIS_PORT)
    return REDIS_URL


def require_postgres() -> None:
    require("PostgreSQL", POSTGRES_HOST, POSTGRES_PORT)


def redis_caches(
    backend: str = "django.core.cache.backends.redis.RedisCache", url: str = REDIS_URL
) -> dict[str, dict[str, str]]:
    return {"default": {"BACKEND": backend, "LOCATION": url}}
