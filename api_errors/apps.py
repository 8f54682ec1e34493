from __future__ import annotations

from django.apps import AppConfig, apps
from django.core.checks import register

from api_errors.conf import get_settings
from api_errors.deprecation import renamed
from api_errors.integrations.base import active_integrations


class APIErrorsConfig(AppConfig):
    name = "api_errors"
    verbose_name = "API errors"

    def ready(self) -> None:
        from api_errors.checks import CHECKS

        for check, tags in CHECKS:
            register(check, *tags)
        trust_django_redis_cache()
        for integration in active_integrations(get_settings()):
            integration.install()


def trust_django_redis_cache() -> None:
    """django-ratelimit's check warns (W001) about Django's own RedisCache, whose increments
    are atomic; list it among the backends that check supports so no false warning shows."""
    if not apps.is_installed("django_ratelimit"):
        return  # its checks only run when it is an installed app
    from django_ratelimit import checks as ratelimit_checks

    backend = "django.core.cache.backends.redis.RedisCache"
    if backend not in ratelimit_checks.SUPPORTED_CACHE_BACKENDS:
        ratelimit_checks.SUPPORTED_CACHE_BACKENDS.append(backend)


__getattr__ = renamed(__name__, {"ApiErrorsConfig": "APIErrorsConfig"}, globals())
