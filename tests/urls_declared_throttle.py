from tests.urls_declared_limits import throttle_patterns as urlpatterns

__all__ = ["urlpatterns"]
