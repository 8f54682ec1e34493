"""Requests to a rate-limited view while the test holds the limits' Redis still.

Run by tests/test_limits_outage.py in a child process, so the counter store can be tried
on another redis-py (``PYTHONPATH``). It reads commands on stdin, one per line:
``batch NAME COUNT`` sends COUNT requests and prints one JSON line with their statuses,
durations and the ``api_errors`` log records since the last batch; ``quit`` ends it.

Arguments: the Redis URL, the cache backend, ``open`` or ``closed``.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time


def main() -> None:
    url, backend, mode = sys.argv[1:4]
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    import django
    from django.conf import settings

    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": url}}
    settings.ROOT_URLCONF = "tests.urls_limits"
    settings.API_ERRORS = {
        "LIMITS_FAIL_OPEN": mode == "open",
        "LIMITS_TIMEOUT": 0.6,
        "LIMITS_RETRY_INTERVAL": 1,
    }
    django.setup()
    import redis
    from django.test import Client

    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    logging.getLogger("api_errors").addHandler(Keep())
    client = Client(raise_request_exception=False)
    print(json.dumps({"ready": True, "redis": redis.__version__}), flush=True)
    for line in sys.stdin:
        command = line.split()
        if command[0] == "quit":
            break
        _, name, count = command
        results = []
        for index in range(int(count)):
            started = time.monotonic()
            response = client.get(
                "/api/limits/plain/rate/", headers={"X-Correlation-ID": f"{name}-{index}"}
            )
            results.append(
                {
                    "status": response.status_code,
                    "seconds": time.monotonic() - started,
                    "body": response.json(),
                    "retry_after": response.get("Retry-After"),
                    "remaining": response.get("RateLimit"),
                }
            )
        logged = [
            {
                "level": record.levelname,
                "message": record.getMessage(),
                "traceback": record.exc_info is not None,
            }
            for record in records
        ]
        records.clear()
        print(json.dumps({"batch": name, "results": results, "logged": logged}), flush=True)


if __name__ == "__main__":
    main()
