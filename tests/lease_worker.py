"""Processes that take a concurrency limit's leases together, for the exactness test on Redis.

The forkserver preloads this module, so Django is set up once there and each process forked
from it starts at once: the test measures the store, not eight interpreters starting.
"""

from __future__ import annotations

import os
import traceback

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
django.setup()

from django.test import RequestFactory, override_settings  # noqa: E402
from django_ratelimit import ALL  # noqa: E402

from api_errors.limits import ConcurrencyPolicy  # noqa: E402
from api_errors.limits.counters import lease_slot  # noqa: E402
from api_errors.limits.leases import settle_leases  # noqa: E402
from api_errors.limits.store import counter_store  # noqa: E402


def lease_together(caches, value, group, limit, attempts, barrier, results):
    """Wait for the others, try ``attempts`` leases on one key and keep the ones taken; once
    every process has reported, give them back."""
    try:
        override_settings(CACHES=caches).enable()
        policy = ConcurrencyPolicy(
            group=group, key=lambda _group, _request: value, limit=limit, lease_seconds=60
        )
        # Connect the store's own client before the barrier: give back a lease never taken.
        counter_store().release(lease_slot(group, value, ALL, 60), "none")
        barrier.wait(timeout=30)
        requests = [RequestFactory().get("/") for _ in range(attempts)]
        counts = [policy.count(request).count for request in requests]
        results.put(("taken", counts))
        barrier.wait(timeout=30)
        for request in requests:
            settle_leases(request)
        results.put(("given back", len(requests)))
    except BaseException:
        results.put(("error", traceback.format_exc()))
