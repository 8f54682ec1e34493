"""API keys by their secret, without a query on every request.

Each worker keeps the keys it found for ``KEY_CACHE_SECONDS``. Saving or deleting a key
forgets them at once in that process; other processes see a changed plan, a disabled key
or a rotated secret within ``KEY_CACHE_SECONDS``. A flood of calls from one key, refused
or not, then costs no database round trip.
"""

from __future__ import annotations

import time
from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from example_project.drive.models import ApiKey

KEY_CACHE_SECONDS = 5.0
# Unknown secrets are not kept, so the table holds at most the keys that exist.
MAX_KEYS = 10_000

_found: dict[str, tuple[ApiKey, float]] = {}


def find_key(secret: str) -> ApiKey | None:
    now = time.monotonic()
    cached = _found.get(secret)
    if cached is not None and cached[1] > now:
        return cached[0]
    api_key = ApiKey.objects.filter(key=secret).first()
    if api_key is not None:
        if len(_found) >= MAX_KEYS:
            _found.clear()
        _found[secret] = (api_key, now + KEY_CACHE_SECONDS)
    return api_key


@receiver(post_save, sender=ApiKey, dispatch_uid="drive-forget-keys-on-save")
@receiver(post_delete, sender=ApiKey, dispatch_uid="drive-forget-keys-on-delete")
def forget_keys(**kwargs: Any) -> None:
    """Forget every cached key: the changed one may have been found under its old secret."""
    _found.clear()
