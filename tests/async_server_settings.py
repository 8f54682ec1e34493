"""The test settings on Redis, for the uvicorn server tests/test_limits_async.py starts.

``LIMITS_BACKEND`` names the cache backend and ``LIMITS_CLOCK`` the clock.
"""

import os

from tests.services import redis_caches
from tests.settings import *  # noqa: F403

ROOT_URLCONF = "tests.urls_async_limits"
CACHES = redis_caches(os.environ["LIMITS_BACKEND"])
API_ERRORS = {
    "LIMITS_AWAIT_STORE": True,
    "RATE_LIMIT_HEADERS_ON_SUCCESS": True,
    "LIMITS_CLOCK": os.environ.get("LIMITS_CLOCK", "app"),
    # The question here is exactness. A burst of 200 requests can hold one event loop back
    # for more than the default 0.25 s on a loaded machine, and that lag counts against
    # each awaited call's timeout (docs/async-and-clocks.md).
    "LIMITS_TIMEOUT": 5,
}
