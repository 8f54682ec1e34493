"""What the benchmarks share: a Django set up in-process, WSGI requests without a server,
and variants timed in interleaved, shuffled batches so machine noise hits them alike."""

from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def arguments(description: str, requests: int, rounds: int) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--requests", type=int, default=requests, help="requests per batch")
    parser.add_argument("--rounds", type=int, default=rounds, help="shuffled rounds of batches")
    return parser.parse_args()


def configure_django(urlconf: str, **overrides: Any) -> None:
    """Minimal settings for serving ``urlconf``'s views; the script is its own URLconf."""
    import django
    from django.conf import settings

    sys.modules.setdefault(urlconf, sys.modules["__main__"])
    settings.configure(
        **{
            "DEBUG": False,
            "SECRET_KEY": "benchmark",
            "ALLOWED_HOSTS": ["*"],
            "ROOT_URLCONF": urlconf,
            "DATABASES": {},
            "LOGGING_CONFIG": None,
            **overrides,
        }
    )
    django.setup()


def wsgi_environ(path_info: str, **extra: Any) -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path_info,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.url_scheme": "http",
        **extra,
    }


def interleaved(
    variants: dict[str, Callable[[], None]], requests: int, rounds: int
) -> dict[str, float]:
    """Median microseconds per request of each variant: ``rounds`` rounds in which every
    variant serves one batch of ``requests``, in a new random order each round. A first
    round warms caches and connections and is not counted."""
    samples: dict[str, list[float]] = {name: [] for name in variants}
    order = list(variants)
    for round_number in range(rounds + 1):
        random.shuffle(order)
        for name in order:
            serve = variants[name]
            start = time.perf_counter()
            for _ in range(requests):
                serve()
            elapsed = time.perf_counter() - start
            if round_number:
                samples[name].append(elapsed / requests * 1e6)
    return {name: statistics.median(values) for name, values in samples.items()}
